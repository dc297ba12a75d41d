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

// host ident user [time] "request" status bytes ["referrer" "agent"]; the time is checked on its own.
const LINE =
  /^(\S+) \S+ \S+ \[([^\]]*)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?\s*$/;
/** Characters that need escaping in JSON strings (quotes inside quoted fields come escaped). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /[\\\u0000-\u001f]/;
const TIME = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

export type VisitorId = 'ip' | 'ip+ua';

/** UTC ms of a CLF time `dd/MMM/yyyy:HH:mm:ss ±hhmm`, or undefined when it is not one. */
export function parseClfTime(time: string): number | undefined {
  const m = TIME.exec(time);
  if (!m) return undefined;
  const [, dd, mon, yyyy, hh, mi, ss, sign, oh, om] = m as unknown as string[];
  return clfToUtc(dd!, mon!, yyyy!, hh!, mi!, ss!, sign!, oh!, om!);
}

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
  // Consecutive lines mostly share their second: each parser keeps the last time it read.
  let lastTime = '';
  let lastTs = 0;
  let lastEventTime = '';
  let lastFile = '';
  let lastFileJson = '""';
  return (line, ctx): ParseResult => {
    const m = LINE.exec(line);
    if (!m) return { ok: false, reason: `not a ${format} log line` };
    const [, host, time, request, status, bytes, referrer, agent] = m as unknown as string[];
    if (format === 'combined' && referrer === undefined)
      return { ok: false, reason: 'combined log line without referrer and user agent' };
    if (time !== lastTime) {
      const ts = parseClfTime(time!);
      if (ts === undefined) return { ok: false, reason: `invalid time [${time}]` };
      lastTime = time!;
      lastTs = ts;
      lastEventTime = sqlUtc(ts);
    }
    const sp1 = request!.indexOf(' ');
    const sp2 = sp1 < 0 ? -1 : request!.indexOf(' ', sp1 + 1);
    const method = sp1 < 0 ? '-' : request!.slice(0, sp1);
    const path = sp1 < 0 ? request! : request!.slice(sp1 + 1, sp2 < 0 ? undefined : sp2);
    const protocol = sp2 < 0 ? '-' : request!.slice(sp2 + 1);
    const ua = agent ?? '-';
    const visitor = visitorId === 'ip+ua' ? `${host}|${ua}` : host!;
    if (ctx.sourceFile !== lastFile) {
      lastFile = ctx.sourceFile;
      lastFileJson = JSON.stringify(lastFile);
    }
    if (!NEEDS_ESCAPE.test(line) && !host!.includes('"')) {
      // The usual line: every field is JSON-safe as it stands, so write the JSON directly.
      const json = `{"event_time":"${lastEventTime}","ts_ms":${lastTs},"client_ip":"${host}","visitor_id":"${visitor}","method":"${method}","path":"${path}","protocol":"${protocol}","status":${Number(status)},"bytes":${bytes === '-' ? 0 : Number(bytes)},"referrer":"${referrer ?? '-'}","user_agent":"${ua}","source_file":${lastFileJson},"source_offset":${ctx.offset}}`;
      return { ok: true, key: visitor, json };
    }
    return {
      ok: true,
      key: visitor,
      json: JSON.stringify({
        event_time: lastEventTime,
        ts_ms: lastTs,
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
      }),
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
