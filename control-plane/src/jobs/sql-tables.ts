/**
 * What a rendered job script writes: its `CREATE TABLE` statements (columns, primary key, `WITH`
 * options) and the tables its `INSERT INTO` statements target. A panel declaration is checked
 * against these columns, which are the schema the planner gives the INSERT target. Read with a
 * small scanner that knows quotes and comments, not a SQL parser: it only has to find the names.
 */

/** One table a script declares. */
export interface DeclaredTable {
  name: string;
  columns: string[];
  primaryKey: string[];
  /** The `WITH ('key' = 'value', ...)` options, keys as written. */
  options: Record<string, string>;
}

/** The tables a script declares and the ones it inserts into. */
export interface ScriptTables {
  tables: Map<string, DeclaredTable>;
  insertTargets: Set<string>;
}

/** The statements of a script with comments removed and quotes kept, split at top-level `;`. */
export function statements(script: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    const next = script[i + 1];
    if (c === '-' && next === '-') {
      const end = script.indexOf('\n', i);
      i = end < 0 ? script.length : end - 1;
      continue;
    }
    // Hints (/*+ ... */) are comments to this reader: they name no table or column.
    if (c === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2);
      i = end < 0 ? script.length : end + 1;
      current += ' ';
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      for (; j < script.length; j++) {
        if (script[j] === c) {
          if (script[j + 1] === c) j++;
          else break;
        }
      }
      current += script.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === ';') {
      if (current.trim()) out.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** An identifier as Flink sees it: backquotes removed, the last part of a qualified name. */
export function bareName(identifier: string): string {
  const parts = identifier.match(/`(?:[^`]|``)*`|[^.]+/g) ?? [identifier];
  const last = parts.at(-1) ?? identifier;
  return last.startsWith('`') ? last.slice(1, -1).replace(/``/g, '`') : last;
}

/** Splits `text` at commas outside parentheses and quotes. */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '`' || c === '"') {
      const end = text.indexOf(c, i + 1);
      i = end < 0 ? text.length : end;
    } else if (c === '(' || c === '<') depth++;
    else if (c === ')' || c === '>') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter(Boolean);
}

/** The index of the parenthesis closing the one at `open`. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '`' || c === '"') {
      const end = text.indexOf(c, i + 1);
      i = end < 0 ? text.length : end;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

const IDENT = '(`(?:[^`]|``)*`|[\\w$]+)';
const CREATE_TABLE = new RegExp(
  `^CREATE\\s+(?:TEMPORARY\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?((?:${IDENT}\\.)*${IDENT})\\s*\\(`,
  'i',
);
const INSERT = new RegExp(`^INSERT\\s+(?:INTO|OVERWRITE)\\s+((?:${IDENT}\\.)*${IDENT})`, 'i');
const COLUMN_NAME = new RegExp(`^${IDENT}`);
const OPTION = /^'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'$/;

function columnList(text: string): string[] {
  return topLevelParts(text).map(bareName);
}

function parseTable(statement: string): DeclaredTable | undefined {
  const head = CREATE_TABLE.exec(statement);
  if (!head) return undefined;
  const open = head[0].length - 1;
  const close = closing(statement, open);
  if (close < 0) return undefined;
  const table: DeclaredTable = {
    name: bareName(head[1]!),
    columns: [],
    primaryKey: [],
    options: {},
  };
  for (const part of topLevelParts(statement.slice(open + 1, close))) {
    const key = /^(?:CONSTRAINT\s+\S+\s+)?PRIMARY\s+KEY\s*\(([^)]*)\)/i.exec(part);
    if (key) table.primaryKey = columnList(key[1]!);
    else if (/^(WATERMARK|CONSTRAINT)\s/i.test(part)) continue;
    else {
      const name = COLUMN_NAME.exec(part)?.[1];
      if (name) table.columns.push(bareName(name));
      if (/\bPRIMARY\s+KEY\b/i.test(part) && name) table.primaryKey = [bareName(name)];
    }
  }
  const rest = statement.slice(close + 1);
  const withOpen = /^\s*WITH\s*\(/i.exec(rest);
  if (withOpen) {
    const start = withOpen[0].length - 1;
    const end = closing(rest, start);
    for (const option of topLevelParts(rest.slice(start + 1, end < 0 ? undefined : end))) {
      const m = OPTION.exec(option);
      if (m) table.options[m[1]!.replace(/''/g, "'")] = m[2]!.replace(/''/g, "'");
    }
  }
  return table;
}

/** The tables a rendered script declares and the targets of its INSERTs. */
export function scriptTables(script: string): ScriptTables {
  const tables = new Map<string, DeclaredTable>();
  const insertTargets = new Set<string>();
  for (const statement of statements(script)) {
    const table = parseTable(statement);
    if (table) tables.set(table.name, table);
    const insert = INSERT.exec(statement);
    if (insert) insertTargets.add(bareName(insert[1]!));
  }
  return { tables, insertTargets };
}
