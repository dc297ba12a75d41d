/**
 * Previews a previous run of this control plane left behind when it died: their Flink jobs are
 * cancelled and, once those are over (a sink still writing would make the broker create the topic
 * again), their topics deleted. Only this control plane's (its instance in the names), and never
 * one of the previews it runs now.
 */
import type { Admin } from 'kafkajs';
import { TERMINAL_STATES } from '../constants.js';
import { PREVIEW_JOB_PREFIX, PREVIEW_TOPIC_PREFIX } from './constants.js';

export interface OrphanOptions {
  instance: string;
  flink: {
    jobsOverview(): Promise<{ jid: string; name: string; state: string }[]>;
    job(jobId: string): Promise<{ state: string }>;
    cancelJob(jobId: string): Promise<void>;
  };
  admin: () => Promise<Pick<Admin, 'listTopics' | 'deleteTopics'>>;
  /** Names (jobs and topics) of the previews running now. */
  active: () => Set<string>;
  waitMs?: number;
}

/** Cancels and deletes what earlier runs' previews left; returns what it found. */
export async function cleanOrphans(
  o: OrphanOptions,
): Promise<{ jobs: string[]; topics: string[] }> {
  const jobPrefix = `${PREVIEW_JOB_PREFIX}${o.instance}-`;
  const jobs = (await o.flink.jobsOverview()).filter(
    (j) => j.name.startsWith(jobPrefix) && !TERMINAL_STATES.has(j.state) && !o.active().has(j.name),
  );
  for (const job of jobs) await o.flink.cancelJob(job.jid).catch(() => undefined);
  const deadline = Date.now() + (o.waitMs ?? 30_000);
  for (const job of jobs) {
    while (Date.now() < deadline) {
      const state = await o.flink.job(job.jid).then(
        (j) => j.state,
        () => 'UNKNOWN',
      );
      if (TERMINAL_STATES.has(state)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const admin = await o.admin();
  const topics = (await admin.listTopics()).filter(
    (t) => t.startsWith(`${PREVIEW_TOPIC_PREFIX}${o.instance}-`) && !o.active().has(t),
  );
  if (topics.length > 0) await admin.deleteTopics({ topics });
  return { jobs: jobs.map((j) => j.name), topics };
}
