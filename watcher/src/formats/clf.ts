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

// The usual line, whole: host ident user [time] "request" status bytes ["referrer" "agent"].
const LINE =
  /^(\S+) \S+ \S+ \[([^\]]*)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?\s*$/;
// What a line needs to count as a request: host, time, request and status. The tail is read apart.
const HEAD = /^(\S+) \S+ \S+ \[([^\]]*)\] "((?:[^"\\]|\\.)*)" (\d{3})(?=\s|$)/;
const BYTES = /^ (\d+|-)(?=\s|$)/;
const BOTH = /^ "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"/;
const CUT_AGENT = /^ "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*\\?)$/;
const REFERRER_ONLY = /^ "((?:[^"\\]|\\.)*)"\s*$/;
const CUT_REFERRER = /^ "((?:[^"\\]|\\.)*\\?)$/;
// Fields some servers append after the agent (nginx's "main" format adds X-Forwarded-For).
const EXTRA_FIELDS = /^(?:\s+(?:"(?:[^"\\]|\\.)*"|[^\s"]+))*\s*$/;
/** Characters that need escaping in JSON strings (quotes inside quoted fields come escaped). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /[\\\u0000-\u001f]/;
const METHOD = /^[A-Za-z][A-Za-z0-9_-]*$/;
const TIME = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/**
 * Kinds of oddity a line can be read past (counted per source in /metrics). The line still counts
 * as a request; what is odd is kept as written.
 */
export const CLF_WARNINGS = {
  /** No bytes field after the status (0 is sent). */
  noBytes: 'no_bytes',
  /** A combined line that ends after bytes ("-" is sent for both). */
  noReferrerAgent: 'no_referrer_agent',
  /** A referrer and no user agent ("-" is sent). */
  noUserAgent: 'no_user_agent',
  /** The referrer has no closing quote: kept as written, user agent "-". */
  cutReferrer: 'cut_referrer',
  /** The user agent has no closing quote: kept as written. */
  cutUserAgent: 'cut_user_agent',
  /** Text after the bytes (or the agent) that is not quoted fields: kept as the user agent, or dropped after one. */
  oddTail: 'odd_tail',
  /** The request is not `METHOD target [HTTP/x]` (a TLS handshake, "-"): path = the request as written. */
  invalidRequest: 'invalid_request',
} as const;

/** Method, path and protocol of a request line, or undefined when it is not HTTP. */
export function splitRequest(request: string): [string, string, string] | undefined {
  const sp1 = request.indexOf(' ');
  if (sp1 <= 0) return undefined;
  const method = request.slice(0, sp1);
  if (!METHOD.test(method)) return undefined;
  const sp2 = request.lastIndexOf(' ');
  if (sp2 > sp1 + 1 && request.startsWith('HTTP/', sp2 + 1))
    return [method, request.slice(sp1 + 1, sp2), request.slice(sp2 + 1)];
  const path = request.slice(sp1 + 1);
  // HTTP/0.9: no protocol.
  return path === '' || path.includes(' ') ? undefined : [method, path, ''];
}

/** Bytes, referrer and agent from what follows the status, and what was odd about it. */
function readTail(
  tail: string,
  format: 'combined' | 'common',
  warnings: string[],
): { bytes: number; referrer: string; agent: string } {
  let bytes = 0;
  const b = BYTES.exec(tail);
  if (b) {
    bytes = b[1] === '-' ? 0 : Number(b[1]);
    tail = tail.slice(b[0].length);
  } else warnings.push(CLF_WARNINGS.noBytes);
  let m;
  if ((m = BOTH.exec(tail))) {
    if (!EXTRA_FIELDS.test(tail.slice(m[0].length))) warnings.push(CLF_WARNINGS.oddTail);
    return { bytes, referrer: m[1]!, agent: m[2]! };
  }
  if ((m = CUT_AGENT.exec(tail))) {
    warnings.push(CLF_WARNINGS.cutUserAgent);
    return { bytes, referrer: m[1]!, agent: m[2]! };
  }
  if ((m = REFERRER_ONLY.exec(tail))) {
    warnings.push(CLF_WARNINGS.noUserAgent);
    return { bytes, referrer: m[1]!, agent: '-' };
  }
  if ((m = CUT_REFERRER.exec(tail))) {
    warnings.push(CLF_WARNINGS.cutReferrer);
    return { bytes, referrer: m[1]!, agent: '-' };
  }
  if (tail.trim() === '') {
    if (format === 'combined') warnings.push(CLF_WARNINGS.noReferrerAgent);
    return { bytes, referrer: '-', agent: '-' };
  }
  warnings.push(CLF_WARNINGS.oddTail);
  return { bytes, referrer: '-', agent: tail.trim() };
}

/** Why a line is not a request: the first of host, time, request and status it lacks. */
function refusal(line: string, format: string): string {
  const what = `not a ${format} log line`;
  const m = /^\S+ \S+ \S+ \[[^\]]*\] ?/.exec(line);
  if (!m) return what;
  const rest = line.slice(m[0].length);
  if (!rest.startsWith('"')) return `${what}: no quoted request after the time`;
  if (!/^"(?:[^"\\]|\\.)*"/.test(rest)) return `${what}: the request has no closing quote`;
  return `${what}: no status after the request`;
}

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

/**
 * Apache/nginx combined (and common, which lacks referrer and agent) log format. A line whose host,
 * time, request and status parse is a request; a cut or missing tail, `-` bytes or a request that
 * is not HTTP are read past and named in the result's warnings.
 */
export function clfParser(format: 'combined' | 'common', visitorId: VisitorId): LineParser {
  // Consecutive lines mostly share their second: each parser keeps the last time it read.
  let lastTime = '';
  let lastTs = 0;
  let lastEventTime = '';
  let lastFile = '';
  let lastFileJson = '""';
  const readTime = (time: string): boolean => {
    if (time === lastTime) return true;
    const ts = parseClfTime(time);
    if (ts === undefined) return false;
    lastTime = time;
    lastTs = ts;
    lastEventTime = sqlUtc(ts);
    return true;
  };
  return (line, ctx): ParseResult => {
    const m = LINE.exec(line);
    const parts = m && (format === 'common' || m[6] !== undefined) && splitRequest(m[3]!);
    if (m && parts && !NEEDS_ESCAPE.test(line) && !m[1]!.includes('"')) {
      // The usual line: every field is JSON-safe as it stands, so write the JSON directly.
      const [, host, time, , status, bytes, referrer, agent] = m as unknown as string[];
      if (!readTime(time!)) return { ok: false, reason: `invalid time [${time}]` };
      const [method, path, protocol] = parts;
      const ua = agent ?? '-';
      const visitor = visitorId === 'ip+ua' ? `${host}|${ua}` : host!;
      if (ctx.sourceFile !== lastFile) {
        lastFile = ctx.sourceFile;
        lastFileJson = JSON.stringify(lastFile);
      }
      const json = `{"event_time":"${lastEventTime}","ts_ms":${lastTs},"client_ip":"${host}","visitor_id":"${visitor}","method":"${method}","path":"${path}","protocol":"${protocol}","status":${Number(status)},"bytes":${bytes === '-' ? 0 : Number(bytes)},"referrer":"${referrer ?? '-'}","user_agent":"${ua}","source_file":${lastFileJson},"source_offset":${ctx.offset}}`;
      return { ok: true, key: visitor, json, ts: lastTs };
    }
    // Anything else: the head must parse, the rest is read as it comes.
    const h = HEAD.exec(line);
    if (!h) return { ok: false, reason: refusal(line, format) };
    const [head, host, time, request, status] = h as unknown as string[];
    if (!readTime(time!)) return { ok: false, reason: `invalid time [${time}]` };
    const warnings: string[] = [];
    const { bytes, referrer, agent } = readTail(line.slice(head!.length), format, warnings);
    let request3 = splitRequest(request!);
    if (!request3) {
      warnings.push(CLF_WARNINGS.invalidRequest);
      request3 = ['', request!, ''];
    }
    const [method, path, protocol] = request3;
    const visitor = visitorId === 'ip+ua' ? `${host}|${agent}` : host!;
    return {
      ok: true,
      key: visitor,
      ts: lastTs,
      ...(warnings.length ? { warnings } : {}),
      json: JSON.stringify({
        event_time: lastEventTime,
        ts_ms: lastTs,
        client_ip: host,
        visitor_id: visitor,
        method,
        path,
        protocol,
        status: Number(status),
        bytes,
        referrer,
        user_agent: agent,
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
