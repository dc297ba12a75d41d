/**
 * The README's configuration tables come from the services' schemas, the same ones `--help`
 * prints. `npm run docs:config` rewrites each table between its markers; `--check` (run by
 * `npm test`) fails when the README no longer says what the code reads.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { TObject } from 'typebox';
import { configTable } from '@pulse/kit';
import { REPO_ROOT, STACK_CONFIG_SCHEMA } from '@pulse/stack';
import { CONFIG_SCHEMA } from '../control-plane/src/config.js';
import { START_CONFIG_SCHEMA } from './start/config.js';
import { WATCHER_ENV_SCHEMA } from '../watcher/src/config.js';

/** Each table's marker name and the schema it shows. */
export const TABLES: Record<string, TObject> = {
  stack: STACK_CONFIG_SCHEMA,
  start: START_CONFIG_SCHEMA,
  'control-plane': CONFIG_SCHEMA,
  watcher: WATCHER_ENV_SCHEMA,
};

const README = join(REPO_ROOT, 'README.md');

/** The README with every marked table replaced by the one its schema gives. */
export function renderTables(readme: string): string {
  let out = readme;
  for (const [name, schema] of Object.entries(TABLES)) {
    const open = `<!-- config:${name} -->`;
    const close = `<!-- /config:${name} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) throw new Error(`README.md has no ${open} … ${close} section`);
    out = `${out.slice(0, start + open.length)}\n\n${configTable(schema)}\n\n${out.slice(end)}`;
  }
  return out;
}

/** Tables compared by their cells, so Prettier's column padding does not count. */
const cells = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|[\s|:-]+\|$/.test(l))
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .join('\n');

if (process.argv[1]?.endsWith('config-docs.ts')) {
  const readme = readFileSync(README, 'utf8');
  const rendered = renderTables(readme);
  if (process.argv.includes('--check')) {
    const ok = cells(readme) === cells(rendered);
    process.stdout.write(
      ok
        ? 'README configuration tables match the schemas\n'
        : 'README configuration tables differ from the schemas: run npm run docs:config\n',
    );
    process.exit(ok ? 0 : 1);
  }
  writeFileSync(README, rendered);
  spawnSync('npx', ['prettier', '--write', README], { cwd: REPO_ROOT, stdio: 'ignore' });
  process.stdout.write('README configuration tables rewritten from the schemas\n');
}
