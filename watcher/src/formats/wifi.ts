import type { LineParser, ParseResult } from './types.js';
import { naiveToUtc, sqlUtc } from './zone.js';

const NUMBERS = ['uppacketnum', 'upbyte', 'downpacketnum', 'downbyte'] as const;

/** Campus Wi-Fi controller export: one JSON object per line, `connecttime` naive in the campus zone. */
export function wifiParser(zone: string): LineParser {
  return (line, ctx): ParseResult => {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      return { ok: false, reason: `invalid JSON: ${(err as Error).message}` };
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      return { ok: false, reason: 'not a JSON object' };
    const r = raw as Record<string, unknown>;
    for (const field of ['mac', 'connecttime', 'currentapname'] as const) {
      if (typeof r[field] !== 'string' || r[field] === '')
        return { ok: false, reason: `missing or empty "${field}"` };
    }
    const local = (r.connecttime as string).trim();
    const ts = naiveToUtc(local, zone);
    if (ts === undefined) return { ok: false, reason: `invalid connecttime "${local}"` };
    const value: Record<string, unknown> = {
      event_time: sqlUtc(ts),
      ts_ms: ts,
      local_time: local.slice(0, 19).replace('T', ' '),
      mac: (r.mac as string).toLowerCase(),
      apname: typeof r.apname === 'string' ? r.apname : r.currentapname,
      currentapname: r.currentapname,
      ssid: typeof r.ssid === 'string' ? r.ssid : '',
      connectresult: typeof r.connectresult === 'string' ? r.connectresult : '',
      source_file: ctx.sourceFile,
      source_offset: ctx.offset,
    };
    for (const n of NUMBERS) {
      const v = r[n];
      value[n] =
        typeof v === 'number' && Number.isFinite(v)
          ? v
          : typeof v === 'string' && /^\d+$/.test(v)
            ? Number(v)
            : 0;
    }
    return { ok: true, key: value.mac as string, json: JSON.stringify(value), ts };
  };
}
