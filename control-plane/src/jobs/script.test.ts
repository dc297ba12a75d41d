import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderJob } from './script.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jobs-script-'));
  await mkdir(join(dir, 'tables'));
  await writeFile(
    join(dir, 'tables/src.sql'),
    "-- var TOPIC = events\nCREATE TABLE src (x INT) WITH ('topic' = '${TOPIC}');\n",
  );
  await writeFile(
    join(dir, 'job.sql'),
    [
      '-- name: my_job',
      '-- description: counts',
      '-- parallelism: 2',
      '-- var SIZE = 60',
      '-- #include tables/src.sql',
      'SELECT ${SIZE}, BAD_${TOPIC};',
    ].join('\n'),
  );
  await writeFile(join(dir, 'escape.sql'), '-- #include ../outside.sql\n');
  await writeFile(join(dir, 'cycle.sql'), '-- #include cycle.sql\n');
  await writeFile(join(dir, 'undeclared.sql'), 'SELECT ${NOPE};\n');
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('renderJob', () => {
  it('reads the header, expands includes and substitutes defaults', async () => {
    const job = await renderJob(dir, 'job');
    expect(job).toMatchObject({
      name: 'my_job',
      description: 'counts',
      parallelism: 2,
      variables: { SIZE: '60', TOPIC: 'events' },
      files: ['job.sql', 'tables/src.sql'],
    });
    expect(job.script).toContain("'topic' = 'events'");
    expect(job.script).toContain('SELECT 60, BAD_events;');
  });

  it('maps each script line back to the file and line it came from', async () => {
    const job = await renderJob(dir, 'job');
    const lines = job.script.split('\n');
    const create = lines.findIndex((l) => l.startsWith('CREATE TABLE src'));
    const select = lines.findIndex((l) => l.startsWith('SELECT'));
    expect(job.lineMap[create]).toEqual({ file: 'tables/src.sql', line: 2 });
    expect(job.lineMap[select]).toEqual({ file: 'job.sql', line: 6 });
  });

  it('lets a deployment override a declared variable, including one from an include', async () => {
    const job = await renderJob(dir, 'job', { TOPIC: 't-123', SIZE: '5' });
    expect(job.script).toContain("'topic' = 't-123'");
    expect(job.script).toContain('SELECT 5, BAD_t-123;');
  });

  it('applies deployment-wide defaults only to variables the job declares', async () => {
    const job = await renderJob(dir, 'job', {}, { TOPIC: 'from-env', BROKERS: 'unused:9092' });
    expect(job.script).toContain("'topic' = 'from-env'");
  });

  it('refuses an override of a variable the job does not declare', async () => {
    await expect(renderJob(dir, 'job', { OTHER: '1' })).rejects.toMatchObject({
      code: 'JOB_UNKNOWN_VARIABLE',
    });
  });

  it('refuses a use of an undeclared variable, naming the file and line', async () => {
    await expect(renderJob(dir, 'undeclared')).rejects.toMatchObject({
      code: 'JOB_UNDEFINED_VARIABLE',
      file: 'undeclared.sql',
      line: 1,
    });
  });

  it('refuses job names and includes that would leave the jobs folder', async () => {
    await expect(renderJob(dir, '../job')).rejects.toMatchObject({ code: 'JOB_NAME_INVALID' });
    await expect(renderJob(dir, 'tables/src')).rejects.toMatchObject({ code: 'JOB_NAME_INVALID' });
    await expect(renderJob(dir, 'escape')).rejects.toMatchObject({ code: 'JOB_INCLUDE_OUTSIDE' });
  });

  it('reports a missing job and an include cycle', async () => {
    await expect(renderJob(dir, 'absent')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    await expect(renderJob(dir, 'cycle')).rejects.toMatchObject({ code: 'JOB_INCLUDE_CYCLE' });
  });

  it('changes the hash when an included table changes', async () => {
    const before = (await renderJob(dir, 'job')).hash;
    await writeFile(
      join(dir, 'tables/src.sql'),
      "-- var TOPIC = events\nCREATE TABLE src (x BIGINT) WITH ('topic' = '${TOPIC}');\n",
    );
    const after = (await renderJob(dir, 'job')).hash;
    expect(after).not.toBe(before);
    expect(after).toMatch(/^[0-9a-f]{12}$/);
  });

  it('takes the values into the identity: another topic is another job', async () => {
    const plain = await renderJob(dir, 'job');
    const same = await renderJob(dir, 'job', { TOPIC: 'events' });
    const other = await renderJob(dir, 'job', { TOPIC: 'other_events' });
    expect(same.hash).toBe(plain.hash);
    expect(other.hash).not.toBe(plain.hash);
    expect(other.values).toEqual({ SIZE: '60', TOPIC: 'other_events' });
  });

  it('refuses values that could close a string or add a statement', async () => {
    for (const bad of ["x'; DROP", 'a;b', 'a -- b', 'a /* b', 'a\nb', 'back\\slash']) {
      await expect(renderJob(dir, 'job', { TOPIC: bad })).rejects.toMatchObject({
        code: 'JOB_VARIABLE_INVALID',
      });
    }
    await expect(renderJob(dir, 'job', { TOPIC: 'ok.topic-1_2' })).resolves.toBeTruthy();
  });
});
