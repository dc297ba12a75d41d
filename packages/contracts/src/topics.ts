/** Kafka topic names every part of the product agrees on (see DESIGN.md, "Topics and records"). */
export const TOPICS = {
  accessLog: 'access_log',
  wifiLog: 'wifi_log',
  courseSchedule: 'course_schedule',
  pvuv: 'pvuv',
  attendance: 'attendance',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** The dead-letter topic for a source topic: where refused lines go, with their reason. */
export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}
