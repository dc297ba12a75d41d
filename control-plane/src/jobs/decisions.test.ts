import { describe, expect, it } from 'vitest';
import type { JobOverview } from '../flink/index.js';
import { decideDeploy, parseStart, type DeployFacts, type StateRecord } from './decisions.js';

const job = { name: 'pv_uv', hash: 'new' };
const copy = (hash: string, state = 'RUNNING', jid = `jid-${hash}`): JobOverview =>
  ({ jid, name: `pv_uv@${hash}`, state, 'start-time': 1 }) as JobOverview;
const saved: StateRecord = {
  kind: 'savepoint',
  jobId: 'old',
  hash: 'old',
  location: 'file:///sp/old',
  at: '2026-11-23T00:00:00Z',
};
const decide = (facts: Partial<DeployFacts>) =>
  decideDeploy({ job, active: [], latest: undefined, body: {}, start: undefined, ...facts });
const refusal = (facts: Partial<DeployFacts>) => {
  try {
    decide(facts);
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'no refusal';
};

describe('deploy decisions', () => {
  it('starts from now when nothing runs and the job left no state: never a silent replay', () => {
    expect(decide({})).toEqual({ action: 'start-fresh', position: { mode: 'latest-offset' } });
  });

  it('resumes from the latest state by default, and from a named savepoint when asked', () => {
    expect(decide({ latest: saved })).toEqual({
      action: 'start',
      state: saved,
      allowNonRestoredState: false,
    });
    expect(decide({ body: { savepointPath: 'file:///sp/x' } })).toMatchObject({
      action: 'start',
      state: { location: 'file:///sp/x' },
    });
  });

  it('starts fresh from the position asked for, even when state exists', () => {
    expect(decide({ latest: saved, start: { mode: 'earliest-offset' } })).toEqual({
      action: 'start-fresh',
      position: { mode: 'earliest-offset' },
    });
  });

  it('refuses start "state" when there is none', () => {
    expect(refusal({ start: 'state' })).toBe('NO_STATE');
  });

  it('does nothing when the same version already runs, and upgrades another', () => {
    expect(decide({ active: [copy('new')] })).toMatchObject({ action: 'unchanged' });
    expect(decide({ active: [copy('old')] })).toMatchObject({
      action: 'upgrade',
      runningHash: 'old',
    });
    expect(decide({ active: [copy('new')], start: 'state' })).toMatchObject({ action: 'upgrade' });
  });

  it('replaces the running copy with a fresh start when a position is asked for', () => {
    expect(decide({ active: [copy('old')], start: { mode: 'timestamp', at: 5 } })).toMatchObject({
      action: 'replace',
      position: { mode: 'timestamp', at: 5 },
    });
  });

  it('refuses two running copies, a copy that is not RUNNING, and a savepoint path over a running copy', () => {
    expect(refusal({ active: [copy('a'), copy('b')] })).toBe('JOB_DUPLICATED');
    expect(refusal({ active: [copy('old', 'RESTARTING')] })).toBe('JOB_NOT_RUNNING');
    expect(refusal({ active: [copy('old')], body: { savepointPath: 'x' } })).toBe('JOB_RUNNING');
  });

  it('reads start positions and refuses nonsense and the future', () => {
    const now = Date.parse('2026-11-24T00:00:00Z');
    expect(parseStart(undefined, now)).toBeUndefined();
    expect(parseStart('state', now)).toBe('state');
    expect(parseStart('now', now)).toEqual({ mode: 'latest-offset' });
    expect(parseStart('earliest', now)).toEqual({ mode: 'earliest-offset' });
    expect(parseStart('2026-11-23T08:00:00Z', now)).toEqual({
      mode: 'timestamp',
      at: Date.parse('2026-11-23T08:00:00Z'),
    });
    expect(() => parseStart('yesterday', now)).toThrow(/not "state", "now", "earliest"/);
    expect(() => parseStart('2026-11-25T00:00:00Z', now)).toThrow(/in the future/);
  });
});
