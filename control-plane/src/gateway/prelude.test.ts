import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPrelude } from './prelude.js';

const JOBS_DIR = resolve(import.meta.dirname, '..', '..', '..', 'jobs', 'sql');

describe("a session's prelude", () => {
  it('holds the shared tables with their defaults and the deployment values, without the jobs settings', async () => {
    const prelude = await renderPrelude(JOBS_DIR, { BROKERS: 'kafka:29092', PIPELINE: 'x' });
    expect(prelude).toMatch(/CREATE TABLE access_log_records \(/);
    expect(prelude).toMatch(/CREATE VIEW access_log AS/);
    expect(prelude).toMatch(/CREATE VIEW access_log_agents AS/);
    expect(prelude).toMatch(/CREATE TABLE wifi_log_records \(/);
    // Variables rendered: the deployment's brokers, the tables' own defaults.
    expect(prelude).not.toMatch(/\$\{/);
    expect(prelude).toContain("'properties.bootstrap.servers' = 'kafka:29092'");
    expect(prelude).toContain("'topic' = 'access_log'");
    expect(prelude).toContain("'scan.startup.mode' = 'latest-offset'");
    // Previews read under their own group, and take none of the lasting jobs' settings.
    expect(prelude).toContain("'properties.group.id' = 'pulse-preview-access'");
    expect(prelude).not.toMatch(/execution\.checkpointing|restart-strategy/);
    expect(prelude).toContain("SET 'table.exec.source.idle-timeout' = '30 s';");
    // The view over access_log comes after the table it reads.
    expect(prelude.indexOf('CREATE VIEW access_log_agents')).toBeGreaterThan(
      prelude.indexOf('CREATE VIEW access_log AS'),
    );
  });
});
