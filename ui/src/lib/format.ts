/** Viewer-local formatting of instants and rates. */

/** "14:05:10" in the viewer's zone. */
export function localTime(ms: number, tag: string): string {
  return new Date(ms).toLocaleTimeString(tag, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

/** "75.0 %" for 0.75; a dash when the rate is unknown. */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined || Number.isNaN(rate)
    ? '–'
    : `${(rate * 100).toFixed(1)} %`;
}

/** The viewer's calendar date as yyyy-MM-dd, the format class dates use. */
export function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
