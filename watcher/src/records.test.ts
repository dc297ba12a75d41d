import { describe, expect, it } from 'vitest';
import { Batch } from './batch.js';
import type { SourceConfig } from './config.js';
import { lineParser } from './formats/index.js';
import { linesToRecords } from './records.js';

const source: SourceConfig = {
  name: 'web',
  paths: ['/logs/*.log'],
  format: 'combined',
  topic: 'access_log',
  timezone: 'UTC',
  visitorId: 'ip',
  republishIntervalMs: 0,
};
const line = '1.2.3.4 - - [01/Jan/2026:00:00:01 +0000] "GET /x HTTP/1.1" 200 5 "-" "UA"';

describe('linesToRecords', () => {
  it('sends parsed lines to the topic and refused ones to the DLQ with reason and position', () => {
    const batch = new Batch();
    const refused: string[] = [];
    const lines = [
      { offset: 0, bytes: Buffer.from(`${line}\r`), oversize: false },
      { offset: 80, bytes: Buffer.from('   '), oversize: false },
      { offset: 84, bytes: Buffer.from('nonsense'), oversize: false },
      { offset: 93, bytes: Buffer.from([0x41, 0xff, 0x42]), oversize: false },
      { offset: 97, bytes: Buffer.from('x'.repeat(64)), oversize: true },
    ];
    const parser = lineParser('combined', { timezone: 'UTC', visitorId: 'ip' });
    linesToRecords(lines, { source, parser, path: '/logs/a.log', maxLineBytes: 64 }, batch, (s) =>
      refused.push(s.name),
    );
    const data = batch.byTopic.get('access_log')!;
    expect(data.keys.map((k, i) => [k, JSON.parse(data.values[i]!).user_agent])).toEqual([
      ['1.2.3.4', 'UA'],
    ]);
    const dlqRecords = batch.byTopic.get('access_log.dlq')!;
    const dlq = dlqRecords.keys.map((k, i) => [k, JSON.parse(dlqRecords.values[i]!)]);
    expect(dlq).toEqual([
      [
        '/logs/a.log:84',
        {
          raw: 'nonsense',
          source_file: '/logs/a.log',
          source_offset: 84,
          reason: 'not a combined log line',
          source: 'web',
          topic: 'access_log',
        },
      ],
      [
        '/logs/a.log:93',
        {
          raw: 'A\ufffdB',
          source_file: '/logs/a.log',
          source_offset: 93,
          reason: 'not valid UTF-8',
          source: 'web',
          topic: 'access_log',
        },
      ],
      [
        '/logs/a.log:97',
        {
          raw: 'x'.repeat(64),
          source_file: '/logs/a.log',
          source_offset: 97,
          reason: 'line longer than 64 bytes (kept its first 64)',
          source: 'web',
          topic: 'access_log',
        },
      ],
    ]);
    expect(refused).toEqual(['web', 'web', 'web']);
  });
});
