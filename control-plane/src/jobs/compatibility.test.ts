import { describe, expect, it } from 'vitest';
import { compareState, operatorsOf, printPlan } from './compatibility.js';

// Descriptions as Flink 1.12 plans pv_uv.sql (from /jars/:id/plan), with the window as a parameter.
const windowVertex = (size: number, select = 'COUNT(*) AS pv, COUNT(DISTINCT visitor_id) AS uv') =>
  `GroupWindowAggregate(window=[SlidingGroupWindow('w$, event_time, ${size}, 10000)], properties=[w$start, w$end], select=[${select}, start('w$) AS w$start]) -&gt; (Calc(select=[(w$start DATE_FORMAT _UTF-16LE'yyyy-MM-dd''T''HH:mm:ss''Z''') AS window_start, pv, uv]) -&gt; Sink: Sink(table=[default_catalog.default_database.pvuv], fields=[window_start, pv, uv]), Calc(select=[w$start AS window_start, pv, uv]) -&gt; Sink: Sink(table=[default_catalog.default_database.pvuv_history], fields=[window_start, pv, uv]))`;
const sourceVertex =
  'Source: TableSourceScan(table=[[default_catalog, default_database, access_log, watermark=[-($0, 30000:INTERVAL SECOND)]]], fields=[event_time, visitor_id]) -&gt; Calc(select=[event_time, visitor_id])';
const script = (topic: string) =>
  `CREATE TABLE access_log (event_time TIMESTAMP(3), visitor_id STRING) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.group.id' = 'g', 'scan.startup.mode' = 'latest-offset');`;
const plan = (size: number, topic = 'access_log', select?: string) =>
  printPlan(
    {
      plan: {
        nodes: [
          { id: 'aaa', description: windowVertex(size, select) },
          { id: 'bbb', description: sourceVertex },
        ],
      },
    },
    script(topic),
  );

describe('state compatibility', () => {
  it('reads the operators of a chained, branched vertex', () => {
    expect(operatorsOf(windowVertex(60000)).map((o) => o.name)).toEqual([
      'GroupWindowAggregate',
      'Calc',
      'Sink: Sink',
      'Calc',
      'Sink: Sink',
    ]);
  });

  it('prints a source by the table it reads and its topic, not by its brokers or start', () => {
    const [, source] = plan(60000);
    expect(source).toEqual({
      id: 'bbb',
      label: 'Source access_log',
      state: ['Source access_log (connector=kafka, topic=access_log)'],
    });
  });

  it('finds the same graph compatible', () => {
    expect(compareState(plan(60000), plan(60000)).verdict).toBe('compatible');
  });

  it('calls a window of another size incompatible although the operator ids match', () => {
    const v = compareState(plan(60000), plan(120000));
    expect(v.verdict).toBe('incompatible');
    expect(v.summary).toContain('120000');
    expect(v.changed[0]?.vertex).toContain('GroupWindowAggregate');
  });

  it('calls another source topic incompatible', () => {
    const v = compareState(plan(60000), plan(60000, 'other_topic'));
    expect(v.verdict).toBe('incompatible');
    expect(v.summary).toContain('topic=other_topic');
  });

  it('calls another aggregate (a new accumulator) incompatible', () => {
    expect(compareState(plan(60000), plan(60000, 'access_log', 'COUNT(*) AS pv')).verdict).toBe(
      'incompatible',
    );
  });

  it('says which state a smaller graph drops, and which new vertices start empty', () => {
    const [windowPrint, sourcePrint] = plan(60000);
    const v = compareState([windowPrint!, sourcePrint!], [sourcePrint!]);
    expect(v.verdict).toBe('drops-state');
    expect(v.summary).toBe('drops state of GroupWindowAggregate → Sink pvuv → Sink pvuv_history');
    expect(compareState([sourcePrint!], [windowPrint!, sourcePrint!])).toMatchObject({
      verdict: 'compatible',
      added: ['GroupWindowAggregate → Sink pvuv → Sink pvuv_history'],
    });
  });
});
