/**
 * The script every gateway session starts from: the shared tables of `jobs/sql/tables/`, rendered
 * with their variables' defaults and the deployment's (BROKERS as Flink reaches Kafka, ...) the
 * way a job including them is. Two deliberate differences: previews read under their own consumer
 * group prefix (never committing offsets under the jobs' groups), and the lasting jobs' settings
 * (exactly-once checkpoints kept on cancel, restarting for ever) are left out, so a preview that
 * fails ends and a cancelled one leaves no checkpoint behind.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { renderIncludes } from '../jobs/script.js';
import { statements } from '../jobs/sql-tables.js';
import { parseSet } from './statements.js';

/** The folder of shared tables under the jobs folder. */
export const TABLES_DIR = 'tables';

/** The consumer group prefix of previews' sources. */
export const PREVIEW_GROUP_PREFIX = 'pulse-preview';

/** SET keys of lasting jobs that a preview does not take. */
const JOB_SETTINGS = /^(execution\.checkpointing\.|restart-strategy)/;

/** The prelude of a session: one statement per line group, each ending with ';'. */
export async function renderPrelude(
  jobsDir: string,
  defaults: Record<string, string>,
): Promise<string> {
  const names = (await readdir(join(jobsDir, TABLES_DIR))).filter((f) => f.endsWith('.sql')).sort();
  // Files that only declare variables and settings first: the tables use their variables.
  const ordered = [
    ...names.filter((f) => f === 'common.sql'),
    ...names.filter((f) => f !== 'common.sql'),
  ];
  const { script } = await renderIncludes(
    jobsDir,
    ordered.map((f) => `${TABLES_DIR}/${f}`),
    { GROUP_PREFIX: PREVIEW_GROUP_PREFIX },
    defaults,
  );
  return statements(script)
    .filter((s) => !JOB_SETTINGS.test(parseSet(s)?.key ?? ''))
    .map((s) => `${s};`)
    .join('\n\n');
}
