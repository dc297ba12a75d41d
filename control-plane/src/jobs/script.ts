import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, normalize, relative, resolve, sep } from 'node:path';
import { CodedError } from '@pulse/kit';
import { declaredPanels, PanelError, type JobPanels } from './panels.js';

/** A job file after its header is read, includes expanded and variables substituted. */
export interface RenderedJob {
  name: string;
  description: string;
  parallelism: number | undefined;
  /** Variables with their defaults, as declared by the job and the files it includes. */
  variables: Record<string, string>;
  /** The values substituted into the script: defaults, deployment defaults, then the request's. */
  values: Record<string, string>;
  /** The script Flink runs. */
  script: string;
  /**
   * sha256 of the raw sources (the job file and every include) and of the substituted values, so
   * an edited table or another source topic counts as a change.
   */
  hash: string;
  /** The job file and its includes, relative to the jobs folder. */
  files: string[];
  /** For each line of `script` (0-based), the file and 1-based line it came from. */
  lineMap: { file: string; line: number }[];
  /** The dashboard panels the job file declares, and the outputs they read. */
  panels: JobPanels;
}

export class JobScriptError extends CodedError {
  constructor(
    code: string,
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(code, message, false);
    this.name = 'JobScriptError';
  }
}

const HEADER = /^--\s*(name|description|parallelism)\s*:\s*(.*?)\s*$/i;
const VAR = /^--\s*var\s+([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$/;
const INCLUDE = /^--\s*#include\s+(\S+)\s*$/;
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * A variable's value is pasted into SQL, mostly inside quotes: it may not close a string, start a
 * comment or end the statement.
 */
function checkValue(key: string, value: string): void {
  if (/['"`;\\\r\n]|--|\/\*/.test(value))
    throw new JobScriptError(
      'JOB_VARIABLE_INVALID',
      `variable ${key} may not contain quotes, backslashes, ';', line breaks, '--' or '/*' (got ${JSON.stringify(value)})`,
    );
}

/** A job name is a file name under the jobs folder; anything that could leave it is refused. */
export function jobFile(jobsDir: string, name: string): string {
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(name)) {
    throw new JobScriptError(
      'JOB_NAME_INVALID',
      `job name "${name}" must be a file name (letters, digits, _ and -) of a .sql file in the jobs folder`,
    );
  }
  return resolve(jobsDir, `${name}.sql`);
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..');
}

interface Source {
  text: string[];
  map: { file: string; line: number }[];
  variables: Map<string, string>;
  raw: { file: string; content: string }[];
}

async function expand(root: string, file: string, seen: string[]): Promise<Source> {
  if (seen.includes(file))
    throw new JobScriptError(
      'JOB_INCLUDE_CYCLE',
      `include cycle: ${[...seen, file].map((f) => relative(root, f)).join(' -> ')}`,
    );
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch {
    throw new JobScriptError(
      seen.length ? 'JOB_INCLUDE_MISSING' : 'JOB_NOT_FOUND',
      `${relative(root, file)} does not exist`,
      relative(root, seen.at(-1) ?? file),
    );
  }
  const rel = relative(root, file);
  const out: Source = { text: [], map: [], variables: new Map(), raw: [{ file: rel, content }] };
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const include = INCLUDE.exec(line.trim());
    const variable = VAR.exec(line.trim());
    if (include) {
      const target = normalize(resolve(root, include[1]!));
      if (!inside(root, target))
        throw new JobScriptError(
          'JOB_INCLUDE_OUTSIDE',
          `include "${include[1]}" leaves the jobs folder`,
          relative(root, file),
          i + 1,
        );
      const inner = await expand(root, target, [...seen, file]);
      out.text.push(`-- from ${include[1]}`, ...inner.text);
      out.map.push({ file: rel, line: i + 1 }, ...inner.map);
      inner.variables.forEach((v, k) => out.variables.has(k) || out.variables.set(k, v));
      out.raw.push(...inner.raw);
    } else {
      if (variable) out.variables.set(variable[1]!, variable[2]!);
      out.text.push(line);
      out.map.push({ file: rel, line: i + 1 });
    }
  }
  return out;
}

/**
 * Where a start without state begins reading its sources. Substituted into the variables
 * START_MODE and START_TIMESTAMP of the source tables; not part of a job's identity, since the
 * same job may start from different places.
 */
export type StartPosition =
  { mode: 'earliest-offset' | 'latest-offset' } | { mode: 'timestamp'; at: number };

const START_VARIABLES = new Set(['START_MODE', 'START_TIMESTAMP']);

/** Replaces every `${VAR}` of an expanded source; a reference to an undeclared variable fails. */
function substitute(
  source: Source,
  values: Record<string, string>,
  startValues: Record<string, string>,
): string {
  return source.text
    .map((line, index) =>
      line.replace(REFERENCE, (_, key: string) => {
        const value = START_VARIABLES.has(key) ? startValues[key] : values[key];
        if (value === undefined) {
          const at = source.map[index];
          throw new JobScriptError(
            'JOB_UNDEFINED_VARIABLE',
            `\${${key}} is used but never declared with "-- var ${key} = <default>"`,
            at?.file,
            at?.line,
          );
        }
        return value;
      }),
    )
    .join('\n');
}

/**
 * Files of the jobs folder (relative paths, in order) rendered as one script the way a job that
 * includes them is: their variables' defaults, then the deployment's defaults, then `overrides`.
 * The SQL gateway's sessions start from the shared tables this way.
 */
export async function renderIncludes(
  jobsDir: string,
  files: string[],
  overrides: Record<string, string> = {},
  defaults: Record<string, string> = {},
): Promise<{ script: string; values: Record<string, string> }> {
  const root = resolve(jobsDir);
  const source: Source = { text: [], map: [], variables: new Map(), raw: [] };
  for (const file of files) {
    const target = normalize(resolve(root, file));
    if (!inside(root, target))
      throw new JobScriptError('JOB_INCLUDE_OUTSIDE', `"${file}" is outside the jobs folder`);
    const inner = await expand(root, target, []);
    source.text.push(`-- from ${file}`, ...inner.text);
    source.map.push({ file, line: 0 }, ...inner.map);
    inner.variables.forEach((v, k) => source.variables.has(k) || source.variables.set(k, v));
  }
  const declared = Object.fromEntries(source.variables);
  const deployment = Object.fromEntries(Object.entries(defaults).filter(([k]) => k in declared));
  const values = { ...declared, ...deployment, ...overrides };
  for (const [key, value] of Object.entries(values)) checkValue(key, value);
  const startValues = {
    START_MODE: values.START_MODE ?? 'latest-offset',
    START_TIMESTAMP: values.START_TIMESTAMP ?? '0',
  };
  return { script: substitute(source, values, startValues), values };
}

/** Reads a job, expands `-- #include` lines and substitutes `${VAR}` from overrides, then defaults. */
export async function renderJob(
  jobsDir: string,
  name: string,
  overrides: Record<string, string> = {},
  defaults: Record<string, string> = {},
  start?: StartPosition,
): Promise<RenderedJob> {
  const root = resolve(jobsDir);
  const file = jobFile(root, name);
  const source = await expand(root, file, []);
  const header: Record<string, string> = {};
  for (const line of source.raw[0]!.content.split('\n')) {
    const m = HEADER.exec(line.trim());
    if (m) header[m[1]!.toLowerCase()] ??= m[2]!;
  }
  const declared = Object.fromEntries(source.variables);
  const variables = Object.fromEntries(
    Object.entries(declared).filter(([k]) => !START_VARIABLES.has(k)),
  );
  for (const key of Object.keys(overrides)) {
    if (START_VARIABLES.has(key))
      throw new JobScriptError(
        'JOB_VARIABLE_RESERVED',
        `${key} is set from the deploy's "start" (earliest, now, a time, or state), not as a variable`,
      );
    if (!(key in variables))
      throw new JobScriptError(
        'JOB_UNKNOWN_VARIABLE',
        `variable ${key} is not declared by ${name}.sql or its includes (declared: ${Object.keys(variables).join(', ') || 'none'})`,
      );
  }
  // Deployment-wide defaults (say, the brokers as Flink reaches them) apply to the variables a job declares.
  const deployment = Object.fromEntries(Object.entries(defaults).filter(([k]) => k in variables));
  const values = { ...variables, ...deployment, ...overrides };
  for (const [key, value] of Object.entries(values)) checkValue(key, value);
  const startValues: Record<string, string> = {
    START_MODE: start?.mode ?? declared.START_MODE ?? 'latest-offset',
    START_TIMESTAMP: String(
      start?.mode === 'timestamp' ? start.at : (declared.START_TIMESTAMP ?? 0),
    ),
  };
  const script = substitute(source, values, startValues);
  const parallelism = header.parallelism ? Number(header.parallelism) : undefined;
  if (parallelism !== undefined && !(Number.isInteger(parallelism) && parallelism > 0)) {
    throw new JobScriptError(
      'JOB_HEADER_INVALID',
      `parallelism in the header of ${name}.sql must be a positive integer`,
    );
  }
  let panels: JobPanels;
  try {
    panels = declaredPanels(header.name ?? name, source.raw[0]!.content, script);
  } catch (err) {
    if (!(err instanceof PanelError)) throw err;
    throw new JobScriptError('JOB_PANEL_INVALID', err.message, source.raw[0]!.file, err.line);
  }
  // The identity of what runs: the sources and the values substituted into them.
  const hash = createHash('sha256');
  for (const r of source.raw) hash.update(`${r.file}\0${r.content}\0`);
  for (const key of Object.keys(values).sort()) hash.update(`${key}=${values[key]}\0`);
  return {
    name: header.name ?? name,
    description: header.description ?? '',
    parallelism,
    variables,
    values,
    script,
    hash: hash.digest('hex').slice(0, 12),
    files: source.raw.map((r) => r.file),
    lineMap: source.map,
    panels,
  };
}
