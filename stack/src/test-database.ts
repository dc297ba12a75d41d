import { ensureDatabase, migrate, testDatabaseUrl } from '@pulse/db';
import { endpoints, type StackConfig } from './config.js';

/**
 * Creates and migrates the tests' database beside the stack's (`pulse_test`), and returns its URL.
 * Test runs export it as DATABASE_URL, so every control plane and job a test starts writes its
 * history there, not into the developer's `pulse`.
 */
export async function prepareTestDatabase(config: StackConfig): Promise<string> {
  const url = testDatabaseUrl(endpoints(config).databaseUrl);
  await ensureDatabase(url);
  await migrate(url);
  return url;
}
