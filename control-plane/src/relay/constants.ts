/** Error codes the relay sends to clients (its settings are checked in ../config.ts). */
export const RELAY_ERRORS = {
  unknownChannel: 'RELAY_UNKNOWN_CHANNEL',
  badMessage: 'RELAY_BAD_MESSAGE',
  kafka: 'RELAY_KAFKA_UNAVAILABLE',
} as const;
