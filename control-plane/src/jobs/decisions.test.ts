import { describe, expect, it } from 'vitest';
import type { JobOverview } from '../flink/index.js';
import { decideDeploy, type DeployFacts } from './decisions.js';

const job = { name: 'pv_uv', hash: 'new' };
const copy = (hash: string, state = 'RUNNING', jid = `jid-${hash}`): JobOverview =>
  ({ jid, name: `pv_uv@${hash}`, state, 'start-time': 1 }) as JobOverview;
const savepoint = (hash: string) => ({
  job: 'pv_uv',
  jobId: 'old',
  hash,
  location: `file:///sp/${hash}`,
  at: '2026-11-23T00:00:00Z',
  reason: 'stop' as const,
});
const decide = (facts: Partial<DeployFacts>) =>
  decideDeploy({ job, active: [], latest: undefined, body: {}, ...facts });
const refusal = (facts: Partial<DeployFacts>) => {
  try {
    decide(facts);
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'no refusal';
};

describe('deploy decisions', () => {
  it('starts fresh when nothing runs and no savepoint is asked for', () => {
    expect(decide({ latest: savepoint('new') })).toEqual({ action: 'start', savepoint: null });
  });

  it('starts from the savepoint the request names', () => {
    expect(decide({ body: { savepointPath: 'file:///sp/x' } })).toEqual({
      action: 'start',
      savepoint: 'file:///sp/x',
    });
  });

  it('restores the latest savepoint of the same script, refuses another script’s unless allowed', () => {
    const body = { restoreLatestSavepoint: true };
    expect(decide({ body, latest: savepoint('new') })).toEqual({
      action: 'start',
      savepoint: 'file:///sp/new',
    });
    expect(refusal({ body, latest: savepoint('old') })).toBe('SCRIPT_CHANGED');
    expect(
      decide({ body: { ...body, allowNonRestoredState: true }, latest: savepoint('old') }),
    ).toEqual({ action: 'start', savepoint: 'file:///sp/old' });
    expect(refusal({ body })).toBe('NO_SAVEPOINT');
  });

  it('upgrades a running copy of the same script through a savepoint', () => {
    const running = copy('new');
    expect(decide({ active: [running] })).toEqual({
      action: 'upgrade',
      running,
      runningHash: 'new',
    });
  });

  it('refuses to upgrade a changed script unless state may be dropped', () => {
    expect(refusal({ active: [copy('old')] })).toBe('SCRIPT_CHANGED');
    expect(decide({ active: [copy('old')], body: { allowNonRestoredState: true } })).toMatchObject({
      action: 'upgrade',
      runningHash: 'old',
    });
  });

  it('refuses while a copy is not RUNNING, and when two copies run', () => {
    expect(refusal({ active: [copy('new', 'RESTARTING')] })).toBe('JOB_NOT_RUNNING');
    expect(refusal({ active: [copy('a', 'RUNNING', 'j1'), copy('b', 'RUNNING', 'j2')] })).toBe(
      'JOB_DUPLICATED',
    );
  });
});
