import { clfParser, type VisitorId } from './clf.js';
import { parseCalendar, parseRegistry, parseRoster } from './campus.js';
import type { TableParse } from './csv.js';
import { parseSchedule } from './schedule.js';
import type { LineParser } from './types.js';
import { wifiParser } from './wifi.js';

export type LineFormat = 'combined' | 'common' | 'wifi-json';
/** Formats of files published whole as keyed snapshots (tables), not tailed line by line. */
export type TableFormat = 'schedule-csv' | 'registry-csv' | 'roster-csv' | 'calendar-csv';
export type Format = LineFormat | TableFormat;
export const TABLE_FORMATS: readonly TableFormat[] = [
  'schedule-csv',
  'registry-csv',
  'roster-csv',
  'calendar-csv',
];
export const FORMATS: readonly Format[] = ['combined', 'common', 'wifi-json', ...TABLE_FORMATS];

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

/** The parser of a table format: the whole file's rows, keyed. */
export function tableParser(
  format: TableFormat,
  timezone: string,
): (text: string) => TableParse<object> {
  switch (format) {
    case 'schedule-csv':
      return (text) => parseSchedule(text, timezone);
    case 'registry-csv':
      return parseRegistry;
    case 'roster-csv':
      return parseRoster;
    case 'calendar-csv':
      return parseCalendar;
  }
}

export type { LineParser, ParseResult, LineContext } from './types.js';
export type { VisitorId } from './clf.js';
export type { TableParse, CsvProblem } from './csv.js';
export { parseSchedule, scheduleKey, type ScheduleRow } from './schedule.js';
export { parseCalendar, parseRegistry, parseRoster } from './campus.js';
export { naiveToUtc, isValidZone, sqlUtc } from './zone.js';
