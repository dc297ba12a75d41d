/**
 * The campus tables against the real broker: a roster row removed becomes a tombstone in the
 * compacted topic; an empty roster file (an editor saving in two steps) becomes a DLQ record naming
 * the file, and deletes nothing. The registry's MACs arrive in the Wi-Fi records' canonical form.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { readTopics, setup, startWatcher, stopWatcher, uid } from './helpers.js';

const ROSTER = 'course_id,section,student_id\n';
const key = (course_id: string, section: string, student_id: string) =>
  JSON.stringify({ course_id, section, student_id });

describe('campus tables', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child) await stopWatcher(child);
    child = undefined;
  });

  it('tombstones a roster row removed from the file, and refuses an empty file without deleting anything', async () => {
    const id = uid();
    const topics = { roster: `roster-${id}`, registry: `registry-${id}` };
    const s = await setup({
      sources: [
        {
          name: 'rosters',
          paths: ['logs/rosters*.csv'],
          format: 'roster-csv',
          topic: topics.roster,
        },
        {
          name: 'registry',
          paths: ['logs/registry.csv'],
          format: 'registry-csv',
          topic: topics.registry,
        },
      ],
    });
    const rosters = join(s.logs, 'rosters.csv');
    writeFileSync(rosters, `${ROSTER}CSC1001,L01,S1\nCSC1001,L01,S2\nMAT2040,L02,S1\n`);
    writeFileSync(join(s.logs, 'registry.csv'), 'mac,student_id\n60-8C-4A-57-12-4D,S1\n');
    child = startWatcher(s);

    const first = await readTopics(
      s.brokers,
      [topics.roster, topics.registry],
      (r) => r.length >= 4,
    );
    expect(
      first
        .filter((r) => r.topic === topics.roster)
        .map((r) => r.key)
        .sort(),
    ).toEqual([
      key('CSC1001', 'L01', 'S1'),
      key('CSC1001', 'L01', 'S2'),
      key('MAT2040', 'L02', 'S1'),
    ]);
    expect(first.find((r) => r.topic === topics.registry)).toMatchObject({
      key: '{"mac":"60:8c:4a:57:12:4d"}',
      value: { mac: '60:8c:4a:57:12:4d', student_id: 'S1' },
    });

    // S2 leaves CSC1001: one tombstone, nothing else sent again.
    writeFileSync(rosters, `${ROSTER}CSC1001,L01,S1\nMAT2040,L02,S1\n`);
    const removed = await readTopics(s.brokers, [topics.roster], (r) => r.length >= 4);
    // Partitions interleave: look for it by value, and count that nothing else came.
    expect(removed.filter((r) => r.value === null).map((r) => r.key)).toEqual([
      key('CSC1001', 'L01', 'S2'),
    ]);
    expect(removed).toHaveLength(4);

    // The file is emptied: a DLQ record names it, and the rosters stay as they were.
    writeFileSync(rosters, '');
    const dlq = await readTopics(s.brokers, [`${topics.roster}.dlq`], (r) => r.length >= 1);
    expect(dlq.map((r) => r.value)).toEqual([
      expect.objectContaining({
        source_file: rosters,
        source: 'rosters',
        reason: 'file refused, its last good rows stay published: line 1: the file is empty',
      }),
    ]);
    // The DLQ record and any tombstone would share one transaction: the topic has none.
    const after = await readTopics(s.brokers, [topics.roster], (r) => r.length >= 5, 3_000);
    expect(after).toHaveLength(4);
  });
});
