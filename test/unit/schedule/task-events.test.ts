/**
 * The core as the one owner of run state: placement and task statuses (src/schedule/
 * task-events.ts) decided with time from the fake clock. Each status yields one `update` of
 * its run that records the status together with what it caused; a repeated or stale status
 * decides nothing.
 */
import { describe, expect, it } from 'vitest';
import type { Run } from '../../../src/core/run.js';
import type { TaskStatusUpdate } from '../../../src/ports/mesos.js';
import { outcomeOf } from '../../../src/mesos/status.js';
import type { Decision } from '../../../src/schedule/decisions.js';
import { adoptedRun } from '../../../src/schedule/attempt-facts.js';
import { FakeClock } from '../../support/fake-clock.js';
import { Harness, job, T } from './harness.js';

const START = '2026-03-08T07:00:00Z';

/** A status of attempt `n` of `run` at the clock's time, as the Mesos edge translates it. */
function status(run: Run, state: string, clock: FakeClock, extra: Partial<TaskStatusUpdate> = {}, n = run.attempts.length): TaskStatusUpdate {
  return { taskId: run.attempts[n - 1].taskId, mesosState: state, outcome: outcomeOf(state), at: clock.now(), fromReconciliation: false, ...extra };
}

/** The harness with one applied job and a manual run of it requested at the clock's time. */
function started(over: Parameters<typeof job>[1] = {}) {
  const clock = new FakeClock(START);
  const h = new Harness();
  h.apply(h.scheduler.load([job('j', over, T(START))], [], clock.now()));
  const { runId, decisions } = h.scheduler.requestRun('j', clock.now());
  h.apply(decisions);
  const send = (u: TaskStatusUpdate): Decision[] => h.apply(h.scheduler.statusChanged(h.store.get(runId)!, u, clock.now()));
  return { clock, h, runId, run: () => h.store.get(runId)!, send };
}

const updatesOf = (ds: Decision[], runId: string) => ds.filter((d) => d.type === 'update' && d.run.id === runId);

describe('core: placement and statuses', () => {
  it('records the placement, then each status once with what it caused', () => {
    const { clock, h, runId, run, send } = started({ timeoutSeconds: 600 });
    clock.advance(1000);
    h.apply(h.scheduler.placed(run(), run().attempts[0].taskId, { agentId: 'a1', hostname: 'agent-1' }, clock.now()));
    expect(run()).toMatchObject({ state: 'launching', attempts: [{ agentId: 'a1', hostname: 'agent-1', intentAt: clock.now() }] });

    clock.advance(1000);
    const running = send(status(run(), 'TASK_RUNNING', clock, { agentId: 'a1', sandbox: '/sb' }));
    expect(updatesOf(running, runId)).toHaveLength(1);
    expect(run()).toMatchObject({ state: 'running', attempts: [{ startedAt: clock.now(), mesosState: 'TASK_RUNNING', outcome: 'running', sandbox: '/sb' }] });
    expect(h.scheduler.nextWakeAt()).toBe(clock.now() + 600_000); // the timeout counts from the start
    expect(send(status(run(), 'TASK_RUNNING', clock, { agentId: 'a1' }))).toEqual([]);

    clock.advance(5000);
    const done = send(status(run(), 'TASK_FINISHED', clock, { exitStatus: 0 }));
    expect(updatesOf(done, runId)).toHaveLength(1);
    expect(run()).toMatchObject({ state: 'succeeded', endedAt: clock.now(), attempts: [{ endedAt: clock.now(), exitStatus: 0, outcome: 'succeeded', sandbox: '/sb' }] });
    expect(h.scheduler.activeRun(runId)).toBeUndefined();
    expect(send(status(run(), 'TASK_FAILED', clock))).toEqual([]); // an ended attempt stays ended
  });

  it('retries a failed attempt after the backoff, and ignores a late status of the old attempt', () => {
    const { clock, h, run, send } = started({ retries: { count: 1, initialDelaySeconds: 30, maxDelaySeconds: 30 } });
    send(status(run(), 'TASK_RUNNING', clock));
    clock.advance(2000);
    send(status(run(), 'TASK_FAILED', clock, { exitStatus: 3, message: 'Command exited with status 3' }));
    expect(run()).toMatchObject({ state: 'pending', attempts: [{ exitStatus: 3, outcome: 'failed' }] });
    expect(h.scheduler.nextWakeAt()).toBe(clock.now() + 30_000);
    clock.advance(30_000);
    h.tick(clock.now());
    expect(h.launchedIds()).toEqual([`${run().id}#1`, `${run().id}#2`]);
    expect(send(status(run(), 'TASK_KILLED', clock, {}, 1))).toEqual([]);
    send(status(run(), 'TASK_RUNNING', clock));
    expect(run()).toMatchObject({ state: 'running', attempts: [{ n: 1 }, { n: 2, startedAt: clock.now() }] });
  });

  it('ends a run it does not drive (adopted) as Mesos says, in the same write as the status', () => {
    const clock = new FakeClock(START);
    const h = new Harness();
    h.apply(h.scheduler.load([], [], clock.now()));
    const u: TaskStatusUpdate = { taskId: 'kairos.gone@1.1', mesosState: 'TASK_RUNNING', outcome: 'running', at: clock.now(), agentId: 'a9', fromReconciliation: true, run: { runId: 'gone@1', attempt: 1, revision: 'r0' } };
    const adopted = adoptedRun(u, clock.now())!;
    h.store.set(adopted.id, adopted);
    h.apply(h.scheduler.statusChanged(adopted, u, clock.now()));
    expect(h.state('gone@1')).toBe('running');
    clock.advance(4000);
    const ds = h.apply(h.scheduler.statusChanged(h.store.get('gone@1')!, { ...u, mesosState: 'TASK_FAILED', outcome: 'failed', at: clock.now(), fromReconciliation: false }, clock.now()));
    expect(ds.map((d) => d.type)).toEqual(['update']);
    expect(h.store.get('gone@1')).toMatchObject({ state: 'failed', endedAt: clock.now(), attempts: [{ agentId: 'a9', endedAt: clock.now() }] });
  });

  it('a status of a run resumed after a restart confirms it, so the fire its job held back is judged', () => {
    const { clock, h, run, send } = started({ schedule: { kind: 'cron' as const, expression: '* * * * *', timeZone: 'UTC' }, concurrencyPolicy: 'Forbid' as const });
    h.apply(h.scheduler.placed(run(), run().attempts[0].taskId, { agentId: 'a1', hostname: 'h' }, clock.now()));
    send(status(run(), 'TASK_RUNNING', clock));
    // A new leader: the run is in flight, its state unknown until Mesos answers.
    h.restart([job('j', { schedule: { kind: 'cron' as const, expression: '* * * * *', timeZone: 'UTC' }, concurrencyPolicy: 'Forbid' as const }, T(START))], START);
    clock.set('2026-03-08T07:01:00Z');
    h.tick(clock.now());
    expect(h.scheduler.awaitsStatus(run().id)).toBe(true);
    expect(h.runs('j')).toContain('j@2026-03-08T07:01:00.000Z pending'); // waits: is the resumed run still active?
    clock.advance(1000);
    expect(updatesOf(h.apply(h.scheduler.statusChanged(run(), status(run(), 'TASK_RUNNING', clock), clock.now())), run().id)).toEqual([]);
    expect(h.scheduler.awaitsStatus(run().id)).toBe(false);
    expect(h.runs('j')).toContain('j@2026-03-08T07:01:00.000Z skipped'); // still running: Forbid skips the fire
  });

  it('applies what the unschedulable check judged to the run it drives, until an offer places it', () => {
    const { clock, h, runId, run } = started();
    clock.advance(300_000);
    const judged = h.apply(h.scheduler.unschedulable([{ runId, to: 'unschedulable', reason: 'no agent has 64 cpus' }], (id) => h.store.get(id)));
    expect(updatesOf(judged, runId)).toHaveLength(1);
    expect(run()).toMatchObject({ state: 'unschedulable', reason: 'no agent has 64 cpus' });
    expect(h.scheduler.activeRun(runId)).toMatchObject({ state: 'unschedulable' }); // the core's own copy, not only the store's
    expect(h.apply(h.scheduler.unschedulable([{ runId, to: 'unschedulable', reason: 'no agent has 64 cpus' }], (id) => h.store.get(id)))).toEqual([]);
    h.apply(h.scheduler.placed(run(), run().attempts[0].taskId, { agentId: 'big', hostname: 'big-1' }, clock.now()));
    expect(run().state).toBe('launching');
    expect(run()).not.toHaveProperty('reason');
    expect(h.apply(h.scheduler.unschedulable([{ runId, to: 'pending' }], (id) => h.store.get(id)))).toEqual([]); // placed since: left alone
  });
});
