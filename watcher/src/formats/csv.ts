/**
 * The CSV files the campus keeps (schedule, device registry, rosters, term calendar): a header row
 * naming the columns (in any order, extra columns ignored), then one row per line. Blank lines and
 * lines starting with `#` carry nothing. Each format turns a row into its Kafka key and value.
 */

/** Splits one CSV line, honouring double quotes ("" escapes a quote). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out.map((f) => f.trim());
}

/** What one row becomes: its key (JSON text) and record, or why it was refused. */
export type RowResult<T> = { key: string; row: T } | { error: string };

/** A line of the file that could not be used, with where it is. */
export interface CsvProblem {
  line: number;
  offset: number;
  raw: string;
  reason: string;
}

export interface TableParse<T> {
  rows: { key: string; row: T; line: number; offset: number }[];
  /** Rows refused one by one (they go to the DLQ; the others are used). */
  errors: CsvProblem[];
  /** Set when the header is unusable: the file as a whole cannot be read. */
  refused?: CsvProblem;
}

/**
 * Reads a CSV table: the header must name every column in `columns`; each row goes through `row`.
 * A key seen twice in one file is an error on the later line (the first one stands).
 */
export function parseCsvTable<C extends string, T>(
  text: string,
  columns: readonly C[],
  row: (get: (column: C) => string) => RowResult<T>,
): TableParse<T> {
  const result: TableParse<T> = { rows: [], errors: [] };
  const lines = text.split('\n');
  let offset = 0;
  let header: string[] | undefined;
  const seen = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const lineOffset = offset;
    offset += Buffer.byteLength(lines[i]!, 'utf8') + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const cells = splitCsvLine(raw);
    if (!header) {
      header = cells.map((c) => c.toLowerCase());
      const missing = columns.filter((c) => !header!.includes(c));
      if (missing.length) {
        result.refused = {
          line: i + 1,
          offset: lineOffset,
          raw,
          reason: `header lacks column(s) ${missing.join(', ')}`,
        };
        return result;
      }
      continue;
    }
    const problem = (reason: string) =>
      result.errors.push({ line: i + 1, offset: lineOffset, raw, reason });
    const parsed = row((c) => cells[header!.indexOf(c)] ?? '');
    if ('error' in parsed) problem(parsed.error);
    else if (seen.has(parsed.key))
      problem(`duplicate of line ${seen.get(parsed.key)} (same key ${parsed.key})`);
    else {
      seen.set(parsed.key, i + 1);
      result.rows.push({ ...parsed, line: i + 1, offset: lineOffset });
    }
  }
  return result;
}
