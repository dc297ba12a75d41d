import type { Admin, Kafka } from 'kafkajs';

/**
 * A Kafka admin client connected on first use (the control plane starts while Kafka may still be
 * coming up); a failed connect is tried again on the next call. `close` disconnects it if it ever
 * connected.
 */
export function lazyAdmin(kafka: Kafka): { get(): Promise<Admin>; close(): Promise<void> } {
  let admin: Promise<Admin> | undefined;
  return {
    get() {
      admin ??= (async () => {
        const a = kafka.admin();
        await a.connect();
        return a;
      })().catch((err: unknown) => {
        admin = undefined;
        throw err;
      });
      return admin;
    },
    async close() {
      if (admin) await (await admin.catch(() => undefined))?.disconnect();
    },
  };
}
