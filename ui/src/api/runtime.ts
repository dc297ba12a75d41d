/** Typed calls to the control plane's runtime API. */
import type { RuntimeEvent } from '@pulse/contracts';
import { request } from './jobs.js';

/** GET /api/runtime/events: crashes and restarts under npm start, newest first. */
export async function listRuntimeEvents(limit = 50): Promise<RuntimeEvent[]> {
  return (await request<{ events: RuntimeEvent[] }>(`/api/runtime/events?limit=${limit}`)).events;
}
