/** CSV (RFC 4180) of the same rows and columns the JSON answer carries. */

function field(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A header line, then one line per row, CRLF-terminated; null is an empty field. */
export function toCsv<T extends object>(columns: readonly (keyof T & string)[], rows: T[]): string {
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => field(row[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}
