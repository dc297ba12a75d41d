/**
 * Environment configuration checked once at boot against a TypeBox schema. A service declares one
 * object schema whose keys are the variable names; each property carries its `description`, its
 * `default` (the typed value) and, where the default is derived from other settings, a
 * `defaultText` that documents it. The same schema renders `--help` and the README's table.
 */
import type { Static, TObject, TSchema } from 'typebox';
import Value from 'typebox/value';
import { CodedError } from './errors.js';

export type Env = Record<string, string | undefined>;

/** A setting that fails its check: names the variable, never retried. */
export class ConfigError extends CodedError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super('CONFIG_INVALID', message, false);
    this.name = 'ConfigError';
  }
}

interface Documented {
  description?: string;
  default?: unknown;
  defaultText?: string;
  /** How a valid value reads, for the error message ("an integer from 1 to 65535"). */
  expect?: string;
  minimum?: number;
  maximum?: number;
  type?: string;
  enum?: unknown[];
  anyOf?: { const?: unknown }[];
}

function expected(schema: Documented): string {
  if (schema.expect) return schema.expect;
  const choices = schema.enum ?? schema.anyOf?.map((s) => s.const).filter((c) => c !== undefined);
  if (choices?.length) return `one of ${choices.join(', ')}`;
  if (schema.type === 'integer' || schema.type === 'number') {
    const noun = schema.type === 'integer' ? 'an integer' : 'a number';
    if (schema.minimum !== undefined && schema.maximum !== undefined)
      return `${noun} from ${schema.minimum} to ${schema.maximum}`;
    if (schema.minimum !== undefined) return `${noun} of at least ${schema.minimum}`;
    return noun;
  }
  if (schema.type === 'boolean') return 'true or false';
  return 'a valid value';
}

/**
 * Reads every variable the schema names from `env`: unset or blank ones take their default,
 * set ones are converted (numbers, booleans) and checked. Throws ConfigError naming the first
 * variable that fails.
 */
export function readEnv<T extends TObject>(schema: T, env: Env): Static<T> {
  const out: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties as Record<string, TSchema>)) {
    const doc = property as Documented;
    const text = env[name]?.trim();
    if (text === undefined || text === '') {
      if (doc.default !== undefined) out[name] = doc.default;
      continue;
    }
    const value = Value.Convert(property, text);
    if (!Value.Check(property, value))
      throw new ConfigError(name, `${name} must be ${expected(doc)}, got "${text}"`);
    out[name] = value;
  }
  return out as Static<T>;
}

export interface ConfigRow {
  name: string;
  default: string;
  description: string;
}

/** The documented variables of a schema, in declaration order. */
export function configRows(schema: TObject): ConfigRow[] {
  return Object.entries(schema.properties as Record<string, Documented>).map(([name, p]) => ({
    name,
    default: p.defaultText ?? (p.default === undefined ? '' : String(p.default)),
    description: p.description ?? '',
  }));
}

/** The variables as `--help` prints them. */
export function configHelp(schema: TObject): string {
  const rows = configRows(schema);
  const width = Math.max(...rows.map((r) => r.name.length)) + 2;
  return rows
    .map(
      (r) =>
        `  ${r.name.padEnd(width)}${r.description}${r.default ? ` (default: ${r.default})` : ''}`,
    )
    .join('\n');
}

/** The variables as a Markdown table, for the README (kept in sync by a test). */
export function configTable(schema: TObject): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| variable | default | meaning |',
    '| --- | --- | --- |',
    ...configRows(schema).map(
      (r) =>
        `| \`${r.name}\` | ${r.default ? `\`${cell(r.default)}\`` : ''} | ${cell(r.description)} |`,
    ),
  ].join('\n');
}

/**
 * Runs a service's config loader and turns a ConfigError into one line on stderr and exit code 2,
 * the same for every service.
 */
export function loadOrExit<T>(service: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${service}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
