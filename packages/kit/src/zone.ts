/**
 * Wall-clock time in IANA zones from the platform's time-zone data (Intl), without a library, so
 * daylight-saving zones work too. Shared by the watcher (naive log times to UTC) and the history
 * (campus-local dates).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when the platform knows the IANA zone. */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's wall-clock time at an instant, written as if it were UTC (whole seconds). */
export function wallClock(utcMs: number, zone: string): number {
  const p = Object.fromEntries(
    formatter(zone)
      .formatToParts(new Date(utcMs))
      .map((x) => [x.type, x.value]),
  );
  return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
}

/** The zone's UTC offset in minutes at an instant. */
export function offsetAt(zone: string, utcMs: number): number {
  return Math.round((wallClock(utcMs, zone) - Math.floor(utcMs / 1000) * 1000) / 60_000);
}
