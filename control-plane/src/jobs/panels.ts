/**
 * Panel declarations in a job file (`-- panel: <id>` and the indented `--   key: value` lines
 * after it, see jobs/sql/README.md), checked against what the job writes: every column a panel
 * names must be a column of the table it reads, and that table must be a Kafka output the job
 * inserts into. The result is what the relay serves: the job's outputs (topic, kind, time column)
 * and its panels.
 */
import {
  PANEL_FORMATS,
  PANEL_KINDS,
  type LocalText,
  type PanelFormat,
  type PanelKind,
  type PanelSpec,
} from '@pulse/contracts';
import { scriptTables, type DeclaredTable } from './sql-tables.js';

/** One Kafka output of a job that panels read, as the relay needs it. */
export interface OutputSpec {
  table: string;
  topic: string;
  /** `window`: append-only rows (connector kafka); `table`: upserts keyed by the Kafka key. */
  kind: 'window' | 'table';
  columns: string[];
  /** The column whose value orders rows in time and ages them out; absent: rows stay. */
  timeColumn?: string;
  /** Columns that, with the time, name a row of an append-only output. */
  keyColumns: string[];
  /** How far back the relay keeps rows by their time (absent: its default span). */
  retainMs?: number;
}

/** What a job declares for the dashboard. */
export interface JobPanels {
  outputs: OutputSpec[];
  panels: PanelSpec[];
}

/** A declaration that cannot be served, with the line of the job file it is about. */
export class PanelError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'PanelError';
  }
}

const PANEL_LINE = /^--\s*panel\s*:\s*(.*?)\s*$/i;
const PROPERTY_LINE = /^--\s{2,}([a-z][\w.]*)\s*:\s*(.*?)\s*$/i;
const PANEL_ID = /^[a-z][a-z0-9_]*$/;
const SIMPLE_KEYS = [
  'kind',
  'table',
  'time',
  'key',
  'values',
  'order',
  'format',
  'limit',
  'stack',
  'stale_after',
  'retain',
] as const;
const DEFAULT_STALE_MS = 5 * 60_000;
const DEFAULT_LIMITS: Partial<Record<PanelKind, number>> = { top: 10, table: 50 };

interface RawPanel {
  id: string;
  line: number;
  props: Map<string, { value: string; line: number }>;
}

/** The `-- panel:` blocks of a job file, with the line of every property. */
export function readDeclarations(content: string): RawPanel[] {
  const panels: RawPanel[] = [];
  let current: RawPanel | undefined;
  content.split('\n').forEach((text, index) => {
    const line = index + 1;
    const trimmed = text.trim();
    const head = PANEL_LINE.exec(trimmed);
    if (head) {
      if (!PANEL_ID.test(head[1]!))
        throw new PanelError(
          `panel id "${head[1]}" must be lower case letters, digits and _, starting with a letter`,
          line,
        );
      if (panels.some((p) => p.id === head[1]))
        throw new PanelError(`panel "${head[1]}" is declared twice`, line);
      current = { id: head[1]!, line, props: new Map() };
      panels.push(current);
      return;
    }
    const prop = current ? PROPERTY_LINE.exec(text.trimEnd()) : null;
    if (!current || !prop) {
      current = undefined;
      return;
    }
    const key = prop[1]!.toLowerCase();
    const known =
      (SIMPLE_KEYS as readonly string[]).includes(key) ||
      /^(title|note)\.(en|zh)$/.test(key) ||
      /^label\.[^.]+\.(en|zh)$/.test(key);
    if (!known)
      throw new PanelError(
        `panel "${current.id}": unknown property "${prop[1]}" (known: ${SIMPLE_KEYS.join(', ')}, title.en, title.zh, note.en, note.zh, label.<column>.en, label.<column>.zh)`,
        line,
      );
    if (current.props.has(key))
      throw new PanelError(`panel "${current.id}": "${key}" is set twice`, line);
    current.props.set(key, { value: prop[2]!, line });
  });
  return panels;
}

/** "90s", "5m", "2h", "1d" (or a bare number of seconds) in milliseconds. */
export function parsePanelDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 }[
    (m[2] ?? 's') as 'ms' | 's' | 'm' | 'min' | 'h' | 'd'
  ];
  const ms = Math.round(Number(m[1]) * unit);
  return ms > 0 ? ms : undefined;
}

const list = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Kafka outputs of the script: tables it inserts into whose connector is kafka or upsert-kafka. */
function kafkaOutputs(script: string): DeclaredTable[] {
  const { tables, insertTargets } = scriptTables(script);
  return [...insertTargets]
    .map((name) => tables.get(name))
    .filter((t): t is DeclaredTable => t !== undefined)
    .filter((t) => ['kafka', 'upsert-kafka'].includes(t.options.connector ?? ''));
}

/**
 * Reads and checks the panel declarations of job `job` (file text `content`) against its rendered
 * `script`. Throws PanelError with the line of the offending declaration.
 */
export function declaredPanels(job: string, content: string, script: string): JobPanels {
  const raw = readDeclarations(content);
  if (raw.length === 0) return { outputs: [], panels: [] };
  const sinks = kafkaOutputs(script);
  const outputs = new Map<string, OutputSpec>();
  const panels: PanelSpec[] = [];
  for (const decl of raw) {
    const get = (key: string) => decl.props.get(key);
    const fail = (message: string, key?: string): never => {
      throw new PanelError(`panel "${decl.id}": ${message}`, get(key ?? '')?.line ?? decl.line);
    };
    const kind = get('kind')?.value as PanelKind | undefined;
    if (!kind) fail('needs a kind (kind: timeseries, bar, top, table, figure or attendance)');
    if (!PANEL_KINDS.includes(kind as PanelKind))
      fail(`kind "${kind}" is not one of ${PANEL_KINDS.join(', ')}`, 'kind');

    const tableName = get('table')?.value;
    let sink: DeclaredTable | undefined;
    if (tableName) {
      sink = sinks.find((t) => t.name === tableName);
      if (!sink)
        fail(
          `table "${tableName}" is not a Kafka output of this job (it inserts into: ${sinks.map((t) => t.name).join(', ') || 'no kafka or upsert-kafka table'})`,
          'table',
        );
    } else if (sinks.length === 1) sink = sinks[0];
    else
      fail(
        `needs "table:" naming the output it reads (${sinks.map((t) => t.name).join(', ') || 'the job inserts into no kafka or upsert-kafka table'})`,
      );
    const table = sink as DeclaredTable;
    const topic = table.options.topic;
    if (!topic || topic.includes(';'))
      fail(`table "${table.name}" must write to exactly one topic ('topic' = '...')`, 'table');

    const column = (name: string, key: string): string => {
      if (!table.columns.includes(name))
        fail(
          `column "${name}" is not a column of ${table.name} (its columns: ${table.columns.join(', ')})`,
          key,
        );
      return name;
    };
    const time = get('time') ? column(get('time')!.value, 'time') : undefined;
    const key = list(get('key')?.value).map((c) => column(c, 'key'));
    const values = list(get('values')?.value).map((c) => column(c, 'values'));
    const labels: Record<string, LocalText> = {};
    for (const [k, { value }] of decl.props) {
      const m = /^label\.([^.]+)\.(en|zh)$/.exec(k);
      if (!m) continue;
      // Property names are read lower case; a column is matched the same way.
      const col = table.columns.find((c) => c.toLowerCase() === m[1]) ?? column(m[1]!, k);
      labels[col] = { ...(labels[col] ?? { en: col, zh: col }), [m[2]!]: value };
    }
    for (const col of [...(time ? [time] : []), ...key, ...values])
      labels[col] ??= { en: col, zh: col };

    if (kind === 'timeseries' && (!time || values.length === 0))
      fail('a timeseries needs "time:" and "values:"');
    if (kind === 'bar' && (values.length === 0 || (!time && key.length === 0)))
      fail(
        'a bar panel needs "values:" and either "time:" (bars over time) or "key:" (categories)',
      );
    if (kind === 'top' && (key.length === 0 || values.length === 0))
      fail('a top list needs "key:" (the items) and "values:" (the first one ranks them)');
    if (kind === 'figure' && values.length === 0) fail('a figure needs "values:"');
    if (kind === 'table' && key.length + values.length === 0)
      fail('a table needs "key:" or "values:"');

    const title = { en: get('title.en')?.value, zh: get('title.zh')?.value };
    if (!title.en || !title.zh) fail('needs a title in both languages (title.en: and title.zh:)');
    const noteEn = get('note.en')?.value;
    const noteZh = get('note.zh')?.value;
    const format = (get('format')?.value ?? 'number') as PanelFormat;
    if (!PANEL_FORMATS.includes(format))
      fail(`format "${format}" is not one of ${PANEL_FORMATS.join(', ')}`, 'format');
    const order = Number(get('order')?.value ?? 100);
    if (!Number.isFinite(order)) fail('order must be a number', 'order');
    const limit = Number(get('limit')?.value ?? DEFAULT_LIMITS[kind as PanelKind] ?? 50);
    if (!Number.isInteger(limit) || limit < 1) fail('limit must be a positive integer', 'limit');
    const stack = get('stack')?.value ?? 'false';
    if (!['true', 'false'].includes(stack)) fail('stack must be true or false', 'stack');
    const duration = (k: string): number | undefined => {
      const text = get(k)?.value;
      if (text === undefined) return undefined;
      return (
        parsePanelDuration(text) ??
        fail(`${k} "${text}" is not a duration like 90s, 5m, 2h or 1d`, k)
      );
    };
    const staleAfterMs = duration('stale_after') ?? DEFAULT_STALE_MS;
    const retainMs = duration('retain');

    // The output: append-only rows need a time to age out by; tables are keyed by Kafka.
    const outputKind = table.options.connector === 'upsert-kafka' ? 'table' : 'window';
    const existing = outputs.get(table.name);
    const timeColumn =
      existing?.timeColumn ??
      time ??
      (outputKind === 'window' && table.columns.includes('window_end') ? 'window_end' : undefined);
    if (outputKind === 'window' && !timeColumn)
      fail(
        `${table.name} is append-only (connector kafka): name its time column with "time:" so old rows age out`,
      );
    outputs.set(table.name, {
      table: table.name,
      topic: topic as string,
      kind: outputKind,
      columns: table.columns,
      ...(timeColumn ? { timeColumn } : {}),
      keyColumns: [...new Set([...(existing?.keyColumns ?? []), ...key])],
      ...(retainMs || existing?.retainMs
        ? { retainMs: Math.max(retainMs ?? 0, existing?.retainMs ?? 0) }
        : {}),
    });
    panels.push({
      id: `${job}.${decl.id}`,
      job,
      panel: decl.id,
      kind: kind as PanelKind,
      channel: topic as string,
      title: title as LocalText,
      ...(noteEn || noteZh ? { note: { en: noteEn ?? noteZh!, zh: noteZh ?? noteEn! } } : {}),
      ...(time ? { time } : {}),
      key,
      values,
      labels,
      order,
      format,
      limit,
      stack: stack === 'true',
      staleAfterMs,
    });
  }
  return { outputs: [...outputs.values()], panels };
}
