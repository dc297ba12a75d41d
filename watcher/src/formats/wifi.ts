import { canonicalMac } from '@pulse/contracts';
import type { LineParser, ParseResult } from './types.js';
import { naiveToUtc, sqlUtc } from './zone.js';

const NUMBERS = ['uppacketnum', 'upbyte', 'downpacketnum', 'downbyte'] as const;

/**
 * Campus Wi-Fi controller export: one JSON object per line, `connecttime` naive in the campus zone.
 * MACs are written in one form whatever the controller wrote (`60:8c:4a:57:12:4d`). With `ssids`,
 * an association to another network is skipped (a valid line, not counted, not a DLQ record).
 */
export function wifiParser(zone: string, ssids?: readonly string[]): LineParser {
  const counted = ssids && new Set(ssids);
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
    const mac = canonicalMac(r.mac as string);
    if (mac === undefined) return { ok: false, reason: `invalid mac "${r.mac as string}"` };
    const ssid = typeof r.ssid === 'string' ? r.ssid : '';
    if (counted && !counted.has(ssid)) return { ok: false, reason: 'ssid', skip: true };
    const local = (r.connecttime as string).trim();
    const ts = naiveToUtc(local, zone);
    if (ts === undefined) return { ok: false, reason: `invalid connecttime "${local}"` };
    const value: Record<string, unknown> = {
      event_time: sqlUtc(ts),
      ts_ms: ts,
      local_time: local.slice(0, 19).replace('T', ' '),
      mac,
      apname: typeof r.apname === 'string' ? r.apname : r.currentapname,
      currentapname: r.currentapname,
      ssid,
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
    return { ok: true, key: mac, json: JSON.stringify(value), ts };
  };
}
