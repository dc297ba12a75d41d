/**
 * SQL text on the SQL page: which statement of the editor runs, where Flink's error points in
 * the editor, and Flink's message without the Java stack around it.
 */

export interface StatementSpan {
  /** The statement without its `;`, trimmed. */
  text: string;
  /** Offsets of `text` in the document. */
  from: number;
  to: number;
}

/**
 * Splits a script at the `;` that end statements, skipping those inside quotes ('…', "…", `…`)
 * and comments (-- and /* *\/). Empty statements are left out.
 */
export function splitStatements(doc: string): StatementSpan[] {
  const spans: StatementSpan[] = [];
  let start = 0;
  const push = (end: number) => {
    const raw = doc.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim();
    if (text && !isOnlyComments(text))
      spans.push({ text, from: start + lead, to: start + lead + text.length });
  };
  let i = 0;
  while (i < doc.length) {
    const c = doc[i];
    if (c === "'" || c === '"' || c === '`') {
      i = doc.indexOf(c, i + 1);
      // A doubled quote ('it''s') is two quoted runs back to back: the loop handles it.
      i = i < 0 ? doc.length : i + 1;
    } else if (c === '-' && doc[i + 1] === '-') {
      const nl = doc.indexOf('\n', i);
      i = nl < 0 ? doc.length : nl + 1;
    } else if (c === '/' && doc[i + 1] === '*') {
      const end = doc.indexOf('*/', i + 2);
      i = end < 0 ? doc.length : end + 2;
    } else if (c === ';') {
      push(i);
      start = ++i;
    } else i++;
  }
  push(doc.length);
  return spans;
}

function isOnlyComments(text: string): boolean {
  return (
    text
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/--[^\n]*/g, '')
      .trim() === ''
  );
}

/**
 * The statement to run for a cursor at `pos`: the one it stands in or right after (before the
 * next statement starts); else the next one; null for an empty editor.
 */
export function statementAt(doc: string, pos: number): StatementSpan | null {
  const spans = splitStatements(doc);
  if (spans.length === 0) return null;
  let chosen: StatementSpan | undefined;
  for (const span of spans) if (span.from <= pos) chosen = span;
  return chosen ?? spans[0] ?? null;
}

export interface SqlPosition {
  /** 1-based, within the statement. */
  line: number;
  column: number;
  /** Where the marked range ends (inclusive), when Flink names it. */
  endLine?: number;
  endColumn?: number;
}

/**
 * The position Flink's message names: "From line 1, column 8 to line 1, column 12: …",
 * "Encountered "x" at line 2, column 3.", "At line 1, column 15: …". Null when none is named.
 */
export function parseErrorPosition(message: string): SqlPosition | null {
  const range =
    /line (\d+), column (\d+) to line (\d+), column (\d+)/i.exec(message) ??
    /line (\d+), column (\d+)/i.exec(message);
  if (!range) return null;
  const [, line, column, endLine, endColumn] = range;
  return {
    line: Number(line),
    column: Number(column),
    ...(endLine && endColumn ? { endLine: Number(endLine), endColumn: Number(endColumn) } : {}),
  };
}

/** The document offset of a 1-based line and column of a statement starting at `from`. */
export function offsetOf(doc: string, from: number, line: number, column: number): number {
  let offset = from;
  for (let l = 1; l < line; l++) {
    const nl = doc.indexOf('\n', offset);
    if (nl < 0) return doc.length;
    offset = nl + 1;
  }
  const lineEnd = doc.indexOf('\n', offset);
  const end = lineEnd < 0 ? doc.length : lineEnd;
  return Math.min(offset + Math.max(0, column - 1), end);
}

/**
 * The document range an error marks: Flink's range when named (its end is inclusive), else the
 * word at the position, else one character.
 */
export function errorRange(
  doc: string,
  statementFrom: number,
  pos: SqlPosition,
): { from: number; to: number } {
  const from = offsetOf(doc, statementFrom, pos.line, pos.column);
  if (pos.endLine !== undefined && pos.endColumn !== undefined) {
    const end = offsetOf(doc, statementFrom, pos.endLine, pos.endColumn) + 1;
    if (end > from) return { from, to: Math.min(end, doc.length) };
  }
  const word = /^[\w$]+|^`[^`\n]*`|^'[^'\n]*'/.exec(doc.slice(from));
  return { from, to: Math.min(doc.length, from + Math.max(1, word?.[0].length ?? 1)) };
}

const GENERIC = /^(internal server error\.?|.*failed to (fetch|execute).*)$/i;

/**
 * Flink's message from the gateway's `errors`: the stack frames dropped, the Java exception
 * class names kept out of the way, the deepest cause that names a position first.
 */
export function errorMessage(errors: readonly string[]): string {
  const lines = errors
    .flatMap((e) => e.split('\n'))
    .map((l) => l.trim())
    .filter((l) => l && !/^at [\w$.<>]+\(/.test(l) && !/^\.\.\. \d+ more$/.test(l))
    .filter((l) => !/^<?Exception on server side:?$/i.test(l) && l !== '>');
  const useful = lines.filter((l) => !GENERIC.test(l));
  const chosen = useful.length > 0 ? useful : lines;
  const cleaned = [
    ...new Set(
      chosen.map((l) =>
        l.replace(/^(Caused by: )?([a-z_$][\w$]*\.)+[A-Z][\w$]*(Exception|Error): ?/, ''),
      ),
    ),
  ].filter(Boolean);
  const positioned = cleaned.filter((l) => parseErrorPosition(l));
  const first = positioned[positioned.length - 1];
  return first ? [first, ...cleaned.filter((l) => l !== first)].join('\n') : cleaned.join('\n');
}

/** Whether a statement can change the session's tables, so the side list is read again. */
export function changesCatalog(statement: string): boolean {
  return /^\s*(create|drop|alter|use)\b/i.test(stripLeadingComments(statement));
}

function stripLeadingComments(text: string): string {
  return text.replace(/^(\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/))*/, '');
}

/**
 * The columns of the tables a statement names, for completion without a `table.` prefix: the
 * editor's schema completion offers columns only after one.
 */
export function columnsInScope(
  statement: string,
  tables: ReadonlyArray<{ name: string; columns: ReadonlyArray<{ name: string; type: string }> }>,
): Array<{ label: string; detail: string }> {
  const words = new Set(statement.toLowerCase().match(/[\w$]+/g) ?? []);
  const seen = new Set<string>();
  const out: Array<{ label: string; detail: string }> = [];
  for (const table of tables) {
    if (!words.has(table.name.toLowerCase())) continue;
    for (const column of table.columns) {
      if (seen.has(column.name)) continue;
      seen.add(column.name);
      out.push({ label: column.name, detail: `${column.type} · ${table.name}` });
    }
  }
  return out;
}
