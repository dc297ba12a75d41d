import type { LineParser, ParseResult } from './types.js';
import { sqlUtc } from './zone.js';

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

// host ident user [time] "request" status bytes ["referrer" "agent"]
const LINE =
  /^(\S+) (\S+) (\S+) \[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?\s*$/;

export type VisitorId = 'ip' | 'ip+ua';

/** UTC ms of a CLF time, honouring the offset as written (any offset). */
export function clfToUtc(
  dd: string,
  mon: string,
  yyyy: string,
  hh: string,
  mi: string,
  ss: string,
  sign: string,
  oh: string,
  om: string,
): number | undefined {
  const month = MONTHS[mon];
  if (month === undefined) return undefined;
  const local = Date.UTC(Number(yyyy), month, Number(dd), Number(hh), Number(mi), Number(ss));
  const check = new Date(local);
  if (
    check.getUTCDate() !== Number(dd) ||
    Number(hh) > 23 ||
    Number(mi) > 59 ||
    Number(ss) > 60 ||
    Number(om) > 59
  )
    return undefined;
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  return local - offset * 60_000;
}

/** Apache/nginx combined (and common, which lacks referrer and agent) log format. */
export function clfParser(format: 'combined' | 'common', visitorId: VisitorId): LineParser {
  return (line, ctx): ParseResult => {
    const m = LINE.exec(line);
    if (!m) return { ok: false, reason: `not a ${format} log line` };
    const [
      ,
      host,
      ,
      ,
      dd,
      mon,
      yyyy,
      hh,
      mi,
      ss,
      sign,
      oh,
      om,
      request,
      status,
      bytes,
      referrer,
      agent,
    ] = m as unknown as string[];
    if (format === 'combined' && referrer === undefined)
      return { ok: false, reason: 'combined log line without referrer and user agent' };
    const ts = clfToUtc(dd!, mon!, yyyy!, hh!, mi!, ss!, sign!, oh!, om!);
    if (ts === undefined)
      return {
        ok: false,
        reason: `invalid time [${dd}/${mon}/${yyyy}:${hh}:${mi}:${ss} ${sign}${oh}${om}]`,
      };
    const parts = request!.split(' ');
    const method = parts.length >= 2 ? parts[0]! : '-';
    const path = parts.length >= 2 ? parts[1]! : request!;
    const protocol = parts.length >= 3 ? parts[2]! : '-';
    const ua = agent ?? '-';
    const visitor = visitorId === 'ip+ua' ? `${host}|${ua}` : host!;
    return {
      ok: true,
      key: visitor,
      value: {
        event_time: sqlUtc(ts),
        ts_ms: ts,
        client_ip: host,
        visitor_id: visitor,
        method,
        path,
        protocol,
        status: Number(status),
        bytes: bytes === '-' ? 0 : Number(bytes),
        referrer: referrer ?? '-',
        user_agent: ua,
        source_file: ctx.sourceFile,
        source_offset: ctx.offset,
      },
    };
  };
}

const MONTH_NAMES = Object.keys(MONTHS);

/** The inverse of the parser's time: `dd/MMM/yyyy:HH:mm:ss ±hhmm` for an instant shown at an offset. */
export function formatClfTime(ms: number, offsetMinutes = 0): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  const pad = (x: number) => String(x).padStart(2, '0');
  const abs = Math.abs(offsetMinutes);
  const sign = offsetMinutes < 0 ? '-' : '+';
  return `${pad(d.getUTCDate())}/${MONTH_NAMES[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}
