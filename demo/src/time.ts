const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Shifts an instant by a fixed offset so its UTC fields read as local wall-clock time. */
function wall(ms: number, offsetMinutes: number): Date {
  return new Date(ms + offsetMinutes * 60_000);
}

/** `[dd/MMM/yyyy:HH:mm:ss ±hhmm]` body, as Apache and nginx write it. */
export function clfTime(ms: number, offsetMinutes: number): string {
  const d = wall(ms, offsetMinutes);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

/** `yyyy-MM-dd HH:mm:ss` local wall-clock time with no zone, as the campus Wi-Fi export writes it. */
export function naiveTime(ms: number, offsetMinutes: number): string {
  const d = wall(ms, offsetMinutes);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** Local hour of day (0-23.99) and ISO weekday (1 = Monday) at an instant. */
export function localClock(
  ms: number,
  offsetMinutes: number,
): { hour: number; weekday: number; minutesOfDay: number } {
  const d = wall(ms, offsetMinutes);
  const minutesOfDay = d.getUTCHours() * 60 + d.getUTCMinutes() + d.getUTCSeconds() / 60;
  return { hour: minutesOfDay / 60, weekday: ((d.getUTCDay() + 6) % 7) + 1, minutesOfDay };
}

export function hhmmss(minutesOfDay: number): string {
  const m = ((Math.round(minutesOfDay) % 1440) + 1440) % 1440;
  return `${pad(Math.floor(m / 60))}:${pad(m % 60)}:00`;
}

export function parseHhmmss(value: string): number {
  const [h, m, s] = value.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0) + (s ?? 0) / 60;
}
