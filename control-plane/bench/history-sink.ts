/**
 * How many rows per second Flink 1.12's JDBC sink upserts into PostgreSQL with the jobs' settings
 * (tables/jdbc.sql: batches of JDBC_FLUSH_ROWS, parallelism 1): a bounded datagen source of N rows
 * with distinct keys, written once (inserts) and then again over the same keys (a replay: every
 * row an ON CONFLICT update). Rows per second = N over the time from the first row in the table to
 * the last, read from PostgreSQL itself.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { sleep } from '@pulse/kit';

const JOBS = resolve(import.meta.dirname, '..', '..', 'jobs', 'sql');

/** A jobs folder with the shipped tables and one bench job writing `rows` rows to `history_bench`. */
export function benchJobsDir(rows: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-history-jobs-'));
  cpSync(JOBS, dir, { recursive: true });
  writeFileSync(
    join(dir, 'bench_jdbc_sink.sql'),
    `-- name: bench_jdbc_sink
-- description: bench:history - a bounded datagen source upserted through the JDBC sink
-- parallelism: 1
-- var ROUND = 0
-- #include tables/common.sql
-- #include tables/jdbc.sql
CREATE TABLE gen (id BIGINT, n INT) WITH (
  'connector' = 'datagen',
  'rows-per-second' = '10000000',
  'fields.id.kind' = 'sequence',
  'fields.id.start' = '1',
  'fields.id.end' = '${rows}',
  'fields.n.min' = '0',
  'fields.n.max' = '1000'
);
CREATE TABLE history_bench (
  id BIGINT, pv BIGINT, uv BIGINT, status_2xx BIGINT, status_3xx BIGINT, status_4xx BIGINT,
  status_5xx BIGINT, status_other BIGINT, PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '\${JDBC_URL}',
  'table-name' = 'history_bench',
  'username' = '\${JDBC_USER}',
  'password' = '\${JDBC_PASSWORD}',
  'sink.buffer-flush.max-rows' = '\${JDBC_FLUSH_ROWS}',
  'sink.buffer-flush.interval' = '\${JDBC_FLUSH_INTERVAL}'
);
INSERT INTO history_bench
SELECT id, CAST(n + \${ROUND} AS BIGINT), CAST(n / 3 AS BIGINT), CAST(n AS BIGINT), CAST(1 AS BIGINT),
  CAST(2 AS BIGINT), CAST(3 AS BIGINT), CAST(\${ROUND} AS BIGINT)
FROM gen;
`,
  );
  return dir;
}

/** Creates the bench table with a trigger stamping each row's write time (clock_timestamp()). */
export async function createBenchTable(pool: pg.Pool): Promise<void> {
  await pool.query(`CREATE TABLE history_bench (
    id bigint PRIMARY KEY, pv bigint, uv bigint, status_2xx bigint, status_3xx bigint,
    status_4xx bigint, status_5xx bigint, status_other bigint,
    written_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  await pool.query(`CREATE FUNCTION history_bench_stamp() RETURNS trigger AS $$
    BEGIN NEW.written_at := clock_timestamp(); RETURN NEW; END $$ LANGUAGE plpgsql`);
  await pool.query(`CREATE TRIGGER history_bench_stamp BEFORE INSERT OR UPDATE ON history_bench
    FOR EACH ROW EXECUTE FUNCTION history_bench_stamp()`);
}

/** Runs one round of the bench job to completion; rows per second from the rows' write times. */
export async function sinkRound(
  app: FastifyInstance,
  pool: pg.Pool,
  token: string,
  variables: Record<string, string>,
  rows: number,
  round: number,
): Promise<{ seconds: number; rowsPerSecond: number }> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/jobs/bench_jdbc_sink/deploy',
    headers: { authorization: `Bearer ${token}` },
    payload: { variables: { ...variables, ROUND: String(round) } },
  });
  if (res.statusCode !== 200) throw new Error(`deploy failed: ${res.body}`);
  const { jobId } = res.json() as { jobId: string };
  await app.flink.waitForJobState(jobId, ['FINISHED', 'FAILED', 'CANCELED'], 900_000, 1000);
  for (let i = 0; i < 60; i++) {
    const done = await pool.query(
      'SELECT count(*)::int AS n FROM history_bench WHERE status_other = $1',
      [round],
    );
    if (done.rows[0].n === rows) break;
    await sleep(1000);
  }
  const span = await pool.query(
    `SELECT count(*)::int AS n, extract(epoch FROM max(written_at) - min(written_at)) AS s
     FROM history_bench WHERE status_other = $1`,
    [round],
  );
  const { n, s } = span.rows[0] as { n: number; s: string };
  if (n !== rows) throw new Error(`round ${round}: ${n} of ${rows} rows arrived`);
  const seconds = Number(s);
  return { seconds, rowsPerSecond: rows / seconds };
}
