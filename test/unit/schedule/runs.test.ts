import { describe, expect, it } from 'vitest';
import { Harness, job, T } from './harness.js';
import { outcomeOf } from '../../../src/mesos/status.js';
import { KairosError } from '../../../src/core/errors.js';

const every10 = { schedule: { kind: 'cron' as const, expression: '*/10 * * * *', timeZone: 'UTC' } };
const start = T('2026-01-01T00:00:00Z');
const A = 'j@2026-01-01T00:10:00.000Z';
const B = 'j@2026-01-01T00:20:00.000Z';
const C = 'j@2026-01-01T00:30:00.000Z';

describe('concurrency policy', () => {
  it('Forbid skips and records fires while a long run is active', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('j', { ...every10, concurrencyPolicy: 'Forbid' })], [], start));
    h.tick('2026-01-01T00:10:00Z');
    h.started(A, '2026-01-01T00:10:05Z');
    h.tick('2026-01-01T00:20:00Z');
    expect(h.store.get(B)?.reason).toBe(`concurrencyPolicy Forbid: ${A} is still active`);
    h.ended(A, 'succeeded', '2026-01-01T00:25:00Z');
    h.tick('2026-01-01T00:30:00Z');
    expect(h.runs('j')).toEqual([`${A} succeeded`, `${B} skipped`, `${C} pending`]);
    expect(h.launchedIds()).toEqual([`${A}#1`, `${C}#1`]);
  });

  it('Replace kills the running run and starts the new one', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('j', { ...every10, concurrencyPolicy: 'Replace' })], [], start));
    h.tick('2026-01-01T00:10:00Z');
    h.started(A, '2026-01-01T00:10:05Z');
    h.tick('2026-01-01T00:20:00Z');
    expect(h.kills).toEqual([{ type: 'kill', runId: A, taskId: `kairos.${A}.1`, reason: 'replaced' }]);
    expect(h.store.get(A)).toMatchObject({ state: 'killed', reason: `replaced by ${B}`, endedAt: T('2026-01-01T00:20:00Z') });
    expect(h.launchedIds()).toEqual([`${A}#1`, `${B}#1`]);
    // the late TASK_KILLED of the replaced run changes nothing
    h.ended(A, 'killed', '2026-01-01T00:20:02Z');
    expect(h.state(A)).toBe('killed');
  });

  it('Allow runs concurrently', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('j', every10)], [], start));
    h.tick('2026-01-01T00:10:00Z');
    h.started(A, '2026-01-01T00:10:05Z');
    h.tick('2026-01-01T00:20:00Z');
    expect(h.runs('j')).toEqual([`${A} running`, `${B} pending`]);
  });
});

describe('retries and timeouts', () => {
  const retrying = { ...every10, retries: { count: 3, initialDelaySeconds: 10, maxDelaySeconds: 25 } };

  it('retries with exact exponential backoff capped at the maximum, then fails', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('j', retrying)], [], start));
    h.tick('2026-01-01T00:10:00Z');
    h.ended(A, 'failed', '2026-01-01T00:10:30Z', 1);
    expect(h.scheduler.nextWakeAt()).toBe(T('2026-01-01T00:10:40Z')); // +10 s
    expect(h.store.get(A)?.reason).toBe('attempt 1 failed; attempt 2 of 4 at 2026-01-01T00:10:40.000Z');
    h.tick('2026-01-01T00:10:39.999Z');
    expect(h.launches).toHaveLength(1);
    h.tick('2026-01-01T00:10:40Z');
    expect(h.launches[1].attempt).toMatchObject({ n: 2, taskId: `kairos.${A}.2`, notBefore: T('2026-01-01T00:10:40Z') });
    h.ended(A, 'lost', '2026-01-01T00:11:00Z', 2);
    expect(h.scheduler.nextWakeAt()).toBe(T('2026-01-01T00:11:20Z')); // +20 s
    h.tick('2026-01-01T00:11:20Z');
    h.ended(A, 'failed', '2026-01-01T00:12:00Z', 3);
    expect(h.scheduler.nextWakeAt()).toBe(T('2026-01-01T00:12:25Z')); // 40 s capped at 25 s
    h.tick('2026-01-01T00:12:25Z');
    h.ended(A, 'failed', '2026-01-01T00:13:00Z', 4);
    expect(h.store.get(A)).toMatchObject({ state: 'failed', endedAt: T('2026-01-01T00:13:00Z') });
    expect(h.launches.map((l) => l.attempt.notBefore)).toEqual(
      ['00:10:00', '00:10:40', '00:11:20', '00:12:25'].map((t) => T(`2026-01-01T${t}Z`)),
    );
  });

  it('retries: 0 means no retry', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('j', every10)], [], start));
    h.tick('2026-01-01T00:10:00Z');
    h.ended(A, 'lost', '2026-01-01T00:10:30Z');
    expect(h.state(A)).toBe('lost');
    h.tick('2026-01-01T00:19:00Z');
    expect(h.launches).toHaveLength(1);
  });

  it('a task Mesos never ran is launched again at once and uses no retry', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('j', every10)], [], start)); // retries: 0
    h.tick('2026-01-01T00:10:00Z');
    h.ended(A, 'dropped', '2026-01-01T00:10:01Z');
    expect(h.launchedIds()).toEqual([`${A}#1`, `${A}#2`]);
    expect(h.launches[1].attempt.notBefore).toBe(T('2026-01-01T00:10:01Z'));
    expect(h.store.get(A)?.attempts.map((a) => a.dropped ?? false)).toEqual([true, false]);
    h.ended(A, 'failed', '2026-01-01T00:10:30Z', 2);
    expect(h.state(A)).toBe('failed');
    expect(h.launches).toHaveLength(2);
  });

  it('retry backoff counts only attempts that ran', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('j', { ...every10, retries: { count: 1, initialDelaySeconds: 10, maxDelaySeconds: 60 } })], [], start));
    h.tick('2026-01-01T00:10:00Z');
    h.ended(A, 'dropped', '2026-01-01T00:10:01Z', 1);
    h.ended(A, 'failed', '2026-01-01T00:10:30Z', 2);
    expect(h.scheduler.nextWakeAt()).toBe(T('2026-01-01T00:10:40Z')); // first retry: initial delay
    h.tick('2026-01-01T00:10:40Z');
    h.ended(A, 'failed', '2026-01-01T00:11:00Z', 3);
    expect(h.state(A)).toBe('failed');
    expect(h.launches).toHaveLength(3);
  });

  it('a launch Mesos drops every time ends lost after a bounded number of relaunches', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('j', every10)], [], start));
    h.tick('2026-01-01T00:10:00Z');
    for (let n = 1; n <= 6; n++) h.ended(A, 'dropped', `2026-01-01T00:10:0${n}Z`, n);
    expect(h.launches).toHaveLength(6);
    expect(h.state(A)).toBe('lost');
  });

  it('duplicate and stale status updates are ignored', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('j', retrying)], [], start));
    h.tick('2026-01-01T00:10:00Z');
    h.ended(A, 'failed', '2026-01-01T00:10:30Z', 1);
    h.ended(A, 'failed', '2026-01-01T00:10:31Z', 1);
    h.tick('2026-01-01T00:10:40Z');
    h.ended(A, 'failed', '2026-01-01T00:10:45Z', 1); // stale attempt
    expect(h.store.get(A)?.attempts.map((a) => a.n)).toEqual([1, 2]);
    expect(h.state(A)).toBe('pending');
  });

  it('a run past timeoutSeconds is marked timed_out, killed and not retried', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('j', { ...retrying, timeoutSeconds: 120 })], [], start));
    h.tick('2026-01-01T00:10:00Z');
    h.started(A, '2026-01-01T00:10:30Z');
    h.tick('2026-01-01T00:12:29Z');
    expect(h.state(A)).toBe('running');
    h.tick('2026-01-01T00:12:30Z');
    expect(h.store.get(A)).toMatchObject({ state: 'timed_out', reason: 'exceeded maxDuration of 120 s' });
    expect(h.kills).toEqual([{ type: 'kill', runId: A, taskId: `kairos.${A}.1`, reason: 'timed_out' }]);
    h.ended(A, 'killed', '2026-01-01T00:12:31Z');
    expect(h.launches).toHaveLength(1);
  });

  it('a restart during backoff resumes the retry at the same instant', () => {
    const h = new Harness();
    const r = job('j', retrying);
    h.apply(h.scheduler.load([r], [], start));
    h.tick('2026-01-01T00:10:00Z');
    h.ended(A, 'failed', '2026-01-01T00:10:30Z', 1);
    h.restart([r], '2026-01-01T00:10:35Z');
    expect(h.scheduler.nextWakeAt()).toBe(T('2026-01-01T00:10:40Z'));
    h.tick('2026-01-01T00:10:40Z');
    expect(h.launchedIds()).toEqual([`${A}#1`, `${A}#2`]);
    h.ended(A, 'succeeded', '2026-01-01T00:11:00Z', 2);
    expect(h.store.get(A)).toMatchObject({ state: 'succeeded', endedAt: T('2026-01-01T00:11:00Z') });
    expect(h.store.get(A)?.reason).toBeUndefined();
  });
});

describe('a crash between storing a task end and storing what follows', () => {
  // The controller stores the Mesos status (and the edge's outcome) on the attempt first, then asks the core.
  const crashAfterStatus = (h: Harness, mesosState: string, at: string) => {
    const run = structuredClone(h.store.get(A)!);
    const outcome = outcomeOf(mesosState);
    Object.assign(run.attempts[0], { mesosState, outcome, startedAt: T(at) - 1000, endedAt: T(at) });
    run.state = 'running';
    h.store.set(A, run);
  };

  it('a failed attempt without retries ends the run after the restart, never attempt 2', () => {
    const h = new Harness();
    const r = job('j', every10);
    h.apply(h.scheduler.load([r], [], start));
    h.tick('2026-01-01T00:10:00Z');
    crashAfterStatus(h, 'TASK_FAILED', '2026-01-01T00:10:30Z');
    h.restart([r], '2026-01-01T00:11:00Z');
    h.tick('2026-01-01T00:19:00Z');
    expect(h.store.get(A)).toMatchObject({ state: 'failed', endedAt: T('2026-01-01T00:10:30Z') });
    expect(h.launchedIds()).toEqual([`${A}#1`]);
  });

  it('a finished attempt ends the run succeeded and triggers its children', () => {
    const h = new Harness();
    const rs = [job('j', { ...every10, retries: { count: 2, initialDelaySeconds: 1, maxDelaySeconds: 1 } }), job('c', { after: ['j'] })];
    h.apply(h.scheduler.load(rs, [], start));
    h.tick('2026-01-01T00:10:00Z');
    crashAfterStatus(h, 'TASK_FINISHED', '2026-01-01T00:10:30Z');
    h.restart(rs, '2026-01-01T00:11:00Z');
    h.tick('2026-01-01T00:19:00Z');
    expect(h.state(A)).toBe('succeeded');
    expect(h.runs('c')).toEqual(['c@2026-01-01T00:10:30.000Z pending']);
    expect(h.launchedIds()).toEqual([`${A}#1`, 'c@2026-01-01T00:10:30.000Z#1']);
  });

  it('a lost attempt with retries left retries at its original backoff time', () => {
    const h = new Harness();
    const r = job('j', { ...every10, retries: { count: 1, initialDelaySeconds: 60, maxDelaySeconds: 60 } });
    h.apply(h.scheduler.load([r], [], start));
    h.tick('2026-01-01T00:10:00Z');
    crashAfterStatus(h, 'TASK_LOST', '2026-01-01T00:10:30Z');
    h.restart([r], '2026-01-01T00:11:00Z');
    expect(h.scheduler.nextWakeAt()).toBe(T('2026-01-01T00:11:30Z'));
    h.tick('2026-01-01T00:11:30Z');
    expect(h.launchedIds()).toEqual([`${A}#1`, `${A}#2`]);
  });
});

describe('manual runs', () => {
  it('gets <job>@manual-<n> with overrides, counting on after a restart', () => {
    const h = new Harness();
    const r = job('j');
    h.apply(h.scheduler.load([r], [], start));
    const first = h.scheduler.requestRun('j', T('2026-01-01T05:00:00Z'), { args: ['--full'], env: { MODE: 'x' } });
    h.apply(first.decisions);
    expect(first.runId).toBe('j@manual-1');
    expect(h.launches[0]).toMatchObject({ overrides: { args: ['--full'], env: { MODE: 'x' } } });
    expect(h.store.get('j@manual-1')).toMatchObject({ trigger: 'manual', scheduledAt: T('2026-01-01T05:00:00Z') });
    h.restart([r], '2026-01-01T06:00:00Z');
    expect(h.scheduler.requestRun('j', T('2026-01-01T06:00:00Z')).runId).toBe('j@manual-2');
  });

  it('counts on from the highest stored n, also for a job removed and applied again', () => {
    const h = new Harness();
    const r = job('j');
    const old = { id: 'j@manual-7', job: 'j', trigger: 'manual' as const, scheduledAt: start, revision: 'r', state: 'failed' as const, attempts: [], createdAt: start };
    h.apply(h.scheduler.load([], [old], start));
    h.apply(h.scheduler.upsert(r, start));
    expect(h.scheduler.requestRun('j', start).runId).toBe('j@manual-8');
    h.apply(h.scheduler.remove('j', start));
    h.apply(h.scheduler.upsert(r, start));
    expect(h.scheduler.requestRun('j', start).runId).toBe('j@manual-9');
  });

  it('an unknown job is E_NOT_FOUND', () => {
    const h = new Harness();
    expect(() => h.scheduler.requestRun('nope', start)).toThrow(KairosError);
  });
});

describe('lifecycle', () => {
  it('pruning with onPrune kill kills active runs; finish lets them end', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('k', { ...every10, onPrune: 'kill' }), job('f', every10)], [], start));
    h.tick('2026-01-01T00:10:00Z');
    h.apply(h.scheduler.remove('k', T('2026-01-01T00:11:00Z')));
    h.apply(h.scheduler.remove('f', T('2026-01-01T00:11:00Z')));
    expect(h.state('k@2026-01-01T00:10:00.000Z')).toBe('killed');
    expect(h.state('f@2026-01-01T00:10:00.000Z')).toBe('pending');
    h.ended('f@2026-01-01T00:10:00.000Z', 'succeeded', '2026-01-01T00:12:00Z');
    expect(h.state('f@2026-01-01T00:10:00.000Z')).toBe('succeeded');
    h.tick('2026-01-01T01:00:00Z');
    expect(h.launches).toHaveLength(2);
  });

  it('a changed schedule fires from now on, without treating the gap as missed', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('j', { schedule: { kind: 'cron', expression: '0 * * * *', timeZone: 'UTC' } })], [], start));
    h.apply(h.scheduler.upsert(job('j', every10), T('2026-01-01T00:35:00Z')));
    h.tick('2026-01-01T00:40:00Z');
    expect(h.runs('j')).toEqual(['j@2026-01-01T00:40:00.000Z pending']);
  });

  it('a created-but-never-launched run is launched after a restart, once', () => {
    const h = new Harness();
    const r = job('j', every10);
    h.apply(h.scheduler.load([r], [], start));
    const ds = h.scheduler.tick(T('2026-01-01T00:10:00Z'));
    const created = ds.find((d) => d.type === 'create')!;
    h.store.set(created.run.id, structuredClone(created.run)); // crashed before the framework placed it
    h.restart([r], '2026-01-01T00:11:00Z');
    h.tick('2026-01-01T00:11:00Z');
    expect(h.launchedIds()).toEqual([`${A}#1`]);
  });

  it('a run the framework was placing (launching) is left to reconciliation after a restart', () => {
    const h = new Harness();
    const r = job('j', { ...every10, retries: { count: 1, initialDelaySeconds: 5, maxDelaySeconds: 5 } });
    h.apply(h.scheduler.load([r], [], start));
    h.tick('2026-01-01T00:10:00Z');
    h.store.get(A)!.state = 'launching';
    h.restart([r], '2026-01-01T00:11:00Z');
    expect(h.launchedIds()).toEqual([`${A}#1`]);
    h.ended(A, 'lost', '2026-01-01T00:11:01Z'); // reconciliation: TASK_LOST
    h.tick('2026-01-01T00:11:06Z');
    expect(h.launchedIds()).toEqual([`${A}#1`, `${A}#2`]);
  });
});

describe('outcomes the core resolves itself', () => {
  const every10 = { schedule: { kind: 'cron' as const, expression: '*/10 * * * *', timeZone: 'UTC' } };
  const A = 'j@2026-01-01T00:10:00.000Z';
  const retrying = { ...every10, retries: { count: 3, initialDelaySeconds: 10, maxDelaySeconds: 25 } };

  it('gone before RUNNING: never ran, relaunched without a retry; gone after RUNNING: lost, retried', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('j', retrying)], [], T('2026-01-01T00:00:00Z')));
    h.tick('2026-01-01T00:10:00Z');
    h.ended(A, 'gone', '2026-01-01T00:10:01Z', 1);
    expect(h.store.get(A)?.attempts[0]).toMatchObject({ dropped: true, outcome: 'gone' });
    expect(h.launchedIds()).toEqual([`${A}#1`, `${A}#2`]);
    h.started(A, '2026-01-01T00:10:02Z', 2);
    h.ended(A, 'gone', '2026-01-01T00:10:03Z', 2);
    expect(h.store.get(A)?.attempts[1].dropped).toBeUndefined();
    expect(h.state(A)).toBe('pending'); // a retry after backoff
  });

  it('error (TASK_ERROR: refused) fails the run without retry', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('j', retrying)], [], T('2026-01-01T00:00:00Z')));
    h.tick('2026-01-01T00:10:00Z');
    h.ended(A, 'error', '2026-01-01T00:10:01Z', 1);
    expect(h.state(A)).toBe('failed');
    expect(h.launches).toHaveLength(1);
  });
});
