import { clfParser, type VisitorId } from './clf.js';
import type { LineParser } from './types.js';
import { wifiParser } from './wifi.js';

export type LineFormat = 'combined' | 'common' | 'wifi-json';
export type Format = LineFormat | 'schedule-csv';
export const FORMATS: readonly Format[] = ['combined', 'common', 'wifi-json', 'schedule-csv'];

/** The line parser of a line-oriented format. */
export function lineParser(
  format: LineFormat,
  options: { timezone: string; visitorId: VisitorId; ssids?: readonly string[] | undefined },
): LineParser {
  switch (format) {
    case 'combined':
    case 'common':
      return clfParser(format, options.visitorId);
    case 'wifi-json':
      return wifiParser(options.timezone, options.ssids);
  }
}

export type { LineParser, ParseResult, LineContext } from './types.js';
export type { VisitorId } from './clf.js';
export { parseSchedule, scheduleKey, type ScheduleRow } from './schedule.js';
export { naiveToUtc, isValidZone, sqlUtc } from './zone.js';
