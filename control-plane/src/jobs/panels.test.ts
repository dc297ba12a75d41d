import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredPanels, PanelError, parsePanelDuration } from './panels.js';
import { renderJob } from './script.js';
import { scriptTables, statements } from './sql-tables.js';

const SINKS = `
CREATE TABLE minute_out (
  window_start STRING,
  window_end STRING,
  requests BIGINT,
  \`bytes\` BIGINT,
  tags ARRAY<STRING>, -- a comment, with a comma
  WATERMARK FOR x AS x - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'web_minute',
  'value.format' = 'json'
);
CREATE TABLE top_out (
  window_end STRING,
  rank_no BIGINT,
  page STRING,
  views BIGINT,
  PRIMARY KEY (window_end, rank_no) NOT ENFORCED
) WITH ('connector' = 'upsert-kafka', 'topic' = 'web_top', 'key.format' = 'json');
CREATE TABLE history (bucket TIMESTAMP(3), pv BIGINT) WITH ('connector' = 'jdbc');
CREATE TABLE unused (a STRING) WITH ('connector' = 'kafka', 'topic' = 'nobody');
INSERT INTO minute_out SELECT 'a;b', '--', 1, 2, ARRAY['x'] FROM src;
INSERT INTO top_out SELECT * FROM t;
INSERT INTO \`history\` SELECT * FROM h;
`;

const job = (header: string[]) => `${header.join('\n')}\n${SINKS}`;
const PANEL = [
  '-- name: web',
  '-- panel: traffic',
  '--   kind: timeseries',
  '--   table: minute_out',
  '--   time: window_end',
  '--   values: requests, bytes',
  '--   title.en: Requests per minute',
  '--   title.zh: 每分钟请求数',
  '--   label.requests.en: Requests',
  '--   format: number',
  '--   order: 5',
];

function errorOf(header: string[]): PanelError {
  try {
    declaredPanels('web', job(header), job(header));
  } catch (err) {
    if (err instanceof PanelError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('the tables a script writes', () => {
  it('splits statements outside quotes and comments, and reads columns, keys and options', () => {
    expect(statements("SELECT ';' -- ;\n; /* ; */ SELECT 2;")).toEqual(["SELECT ';'", 'SELECT 2']);
    const { tables, insertTargets } = scriptTables(SINKS);
    expect(tables.get('minute_out')).toEqual({
      name: 'minute_out',
      columns: ['window_start', 'window_end', 'requests', 'bytes', 'tags'],
      primaryKey: [],
      options: { connector: 'kafka', topic: 'web_minute', 'value.format': 'json' },
    });
    expect(tables.get('top_out')?.primaryKey).toEqual(['window_end', 'rank_no']);
    expect([...insertTargets]).toEqual(['minute_out', 'top_out', 'history']);
  });
});

describe('panel declarations', () => {
  it('turns a declaration into a panel on its output topic, with labels for every column', () => {
    const { outputs, panels } = declaredPanels('web', job(PANEL), job(PANEL));
    expect(outputs).toEqual([
      {
        table: 'minute_out',
        topic: 'web_minute',
        kind: 'window',
        columns: ['window_start', 'window_end', 'requests', 'bytes', 'tags'],
        timeColumn: 'window_end',
        keyColumns: [],
      },
    ]);
    expect(panels).toEqual([
      {
        id: 'web.traffic',
        job: 'web',
        panel: 'traffic',
        kind: 'timeseries',
        channel: 'web_minute',
        title: { en: 'Requests per minute', zh: '每分钟请求数' },
        time: 'window_end',
        key: [],
        values: ['requests', 'bytes'],
        labels: {
          requests: { en: 'Requests', zh: 'requests' },
          window_end: { en: 'window_end', zh: 'window_end' },
          bytes: { en: 'bytes', zh: 'bytes' },
        },
        order: 5,
        format: 'number',
        limit: 50,
        stack: false,
        staleAfterMs: 300_000,
      },
    ]);
  });

  it('reads an upsert output as a table keyed by Kafka, with the retention asked for', () => {
    const header = [
      '-- panel: pages',
      '--   kind: top',
      '--   table: top_out',
      '--   time: window_end',
      '--   key: page',
      '--   values: views',
      '--   retain: 2h',
      '--   stale_after: 10m',
      '--   title.en: Top pages',
      '--   title.zh: 热门页面',
    ];
    const { outputs, panels } = declaredPanels('web', job(header), job(header));
    expect(outputs[0]).toMatchObject({
      topic: 'web_top',
      kind: 'table',
      timeColumn: 'window_end',
      keyColumns: ['page'],
      retainMs: 7_200_000,
    });
    expect(panels[0]).toMatchObject({ kind: 'top', limit: 10, staleAfterMs: 600_000 });
  });

  it('refuses a column the output does not have, naming the line of the declaration', () => {
    const bad = PANEL.map((l) => (l.includes('values:') ? '--   values: requests, visitors' : l));
    const err = errorOf(bad);
    expect(err.line).toBe(6);
    expect(err.message).toBe(
      'panel "traffic": column "visitors" is not a column of minute_out (its columns: window_start, window_end, requests, bytes, tags)',
    );
    expect(errorOf([...PANEL, '--   label.visits.en: Visits']).line).toBe(12);
  });

  it('refuses a table the job does not insert into, or that is not a Kafka output', () => {
    const unused = PANEL.map((l) => (l.includes('table:') ? '--   table: unused' : l));
    expect(errorOf(unused)).toMatchObject({ line: 4 });
    expect(errorOf(unused).message).toMatch(/"unused" is not a Kafka output of this job/);
    const jdbc = PANEL.map((l) => (l.includes('table:') ? '--   table: history' : l));
    expect(errorOf(jdbc).message).toMatch(/inserts into: minute_out, top_out/);
    // Two Kafka outputs: the panel has to say which one it reads.
    expect(errorOf(PANEL.filter((l) => !l.includes('table:'))).message).toMatch(/needs "table:"/);
  });

  it('refuses unknown kinds and properties, missing titles and incomplete panels', () => {
    expect(errorOf([...PANEL.slice(0, 2), '--   kind: pie'])).toMatchObject({ line: 3 });
    expect(errorOf([...PANEL, '--   colour: red']).message).toMatch(/unknown property "colour"/);
    expect(errorOf(PANEL.filter((l) => !l.includes('title.zh'))).message).toMatch(/both languages/);
    expect(errorOf(PANEL.filter((l) => !l.includes('time:'))).message).toMatch(
      /a timeseries needs "time:" and "values:"/,
    );
    expect(errorOf([...PANEL, '--   stale_after: soon']).message).toMatch(/not a duration/);
    expect(errorOf([...PANEL, '-- panel: traffic']).message).toMatch(/declared twice/);
  });

  it('ends a block at the first line that is not an indented property', () => {
    const header = [...PANEL, '-- var KIND = pie', '--   kind: bar'];
    expect(declaredPanels('web', job(header), job(header)).panels).toHaveLength(1);
  });

  it('reads durations', () => {
    expect(parsePanelDuration('90')).toBe(90_000);
    expect(parsePanelDuration('90s')).toBe(90_000);
    expect(parsePanelDuration('5m')).toBe(300_000);
    expect(parsePanelDuration('1.5h')).toBe(5_400_000);
    expect(parsePanelDuration('2d')).toBe(172_800_000);
    expect(parsePanelDuration('0s')).toBeUndefined();
  });
});

describe('panels in a rendered job', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobs-panels-'));
    const header = ['-- var TOPIC = web_minute', ...PANEL.slice(1)];
    await writeFile(join(dir, 'web.sql'), job(header).replace("'web_minute'", "'${TOPIC}'"));
    const bad = header.map((l) => (l.includes('time:') ? '--   time: minute' : l));
    await writeFile(join(dir, 'bad.sql'), job(bad));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads the topic after variables are substituted', async () => {
    const rendered = await renderJob(dir, 'web', { TOPIC: 'e2e-minute-1' });
    expect(rendered.panels.panels.map((p) => [p.id, p.channel])).toEqual([
      ['web.traffic', 'e2e-minute-1'],
    ]);
  });

  it('makes a bad declaration a job script error with the file and line', async () => {
    await expect(renderJob(dir, 'bad')).rejects.toMatchObject({
      code: 'JOB_PANEL_INVALID',
      file: 'bad.sql',
      line: 5,
    });
  });
});
