/**
 * The pure unschedulable core on the fake clock: the grace period, the verdict and its
 * reason, back to pending when an agent that fits joins, nothing without facts, and the
 * compare-and-set guard that skips runs that moved on meanwhile.
 */
import { describe, expect, it } from 'vitest';
import type { Run } from '../../../src/core/run.js';
import type { ClusterFacts } from '../../../src/ports/mesos.js';
import { applyUnschedulable, unschedulableChanges, waitingRuns } from '../../../src/schedule/unschedulable.js';
import { FakeClock } from '../../support/fake-clock.js';

const GRACE = 5 * 60_000;
const clock = new FakeClock('2026-05-01T10:00:00Z');
const t0 = clock.now();
const small: ClusterFacts = { at: t0, agents: [{ id: 'a', hostname: 'a', attributes: {}, resources: { cpus: 2, mem: 4096, disk: 1000, gpus: 0, ports: 100 } }] };
const big: ClusterFacts = { at: t0, agents: [...small.agents, { id: 'b', hostname: 'b', attributes: {}, resources: { cpus: 8, mem: 32768, disk: 1000, gpus: 0, ports: 100 } }] };
const need = { resources: { cpus: 4, mem: 1024, disk: 0, gpus: 0, ports: 0 }, constraints: [] };

function run(id: string, state: Run['state'], over: Partial<Run['attempts'][number]> = {}, reason?: string): Run {
  return {
    id,
    job: 'reindex-batch',
    trigger: 'schedule',
    scheduledAt: t0,
    revision: 'r1',
    state,
    attempts: [{ n: 1, taskId: `${id}.1`, intentAt: t0, notBefore: t0, ...over }],
    createdAt: t0,
    ...(reason !== undefined && { reason }),
  };
}

describe('unschedulable core', () => {
  it('waits the grace period, then names why no agent could ever hold the run', () => {
    const c = new FakeClock(t0);
    const waiting = waitingRuns([run('r', 'pending')], () => need);
    expect(waiting).toEqual([{ runId: 'r', state: 'pending', since: t0, need }]);
    c.advance(GRACE - 1);
    expect(unschedulableChanges(waiting, small, c.now(), GRACE)).toEqual([]);
    c.advance(1);
    expect(unschedulableChanges(waiting, small, c.now(), GRACE)).toEqual([{ runId: 'r', to: 'unschedulable', reason: 'needs cpus 4 but the largest agent has 2' }]);
  });

  it('a run that fits some agent stays pending however long it waits (the agents are busy, not too small)', () => {
    const waiting = waitingRuns([run('r', 'pending')], () => need);
    expect(unschedulableChanges(waiting, big, t0 + 24 * 3_600_000, GRACE)).toEqual([]);
  });

  it('goes back to pending as soon as an agent that fits is known, without waiting a grace period', () => {
    const waiting = waitingRuns([run('r', 'unschedulable', {}, 'needs cpus 4 but the largest agent has 2')], () => need);
    expect(unschedulableChanges(waiting, small, t0 + GRACE, GRACE)).toEqual([]);
    expect(unschedulableChanges(waiting, big, t0 + 1, GRACE)).toEqual([{ runId: 'r', to: 'pending' }]);
  });

  it('updates the reason of an unschedulable run when the cluster changed but still does not fit', () => {
    const waiting = waitingRuns([run('r', 'unschedulable', {}, 'no agent is registered with the master')], () => need);
    expect(unschedulableChanges(waiting, small, t0, GRACE)).toEqual([{ runId: 'r', to: 'unschedulable', reason: 'needs cpus 4 but the largest agent has 2' }]);
  });

  it('decides nothing without facts (not subscribed): not knowing the cluster is no verdict', () => {
    const waiting = waitingRuns([run('r', 'pending'), run('u', 'unschedulable', {}, 'x')], () => need);
    expect(unschedulableChanges(waiting, undefined, t0 + 10 * GRACE, GRACE)).toEqual([]);
  });

  it('counts the grace period from the end of a retry backoff, and skips placed, ended, queued and orphaned runs', () => {
    const retry = run('retry', 'pending', { notBefore: t0 + 60_000 });
    const placed = run('placed', 'launching', { agentId: 'a' });
    const placedPending = run('placed2', 'pending', { agentId: 'a' });
    const ended = run('ended', 'pending', { endedAt: t0 });
    const queued = { ...run('queued', 'pending'), attempts: [] };
    const gone = { ...run('gone', 'pending'), job: 'gone' };
    const waiting = waitingRuns([retry, placed, placedPending, ended, queued, gone], (r) => (r.job === 'gone' ? undefined : need));
    expect(waiting.map((w) => [w.runId, w.since])).toEqual([['retry', t0 + 60_000]]);
    expect(unschedulableChanges(waiting, small, t0 + GRACE, GRACE)).toEqual([]);
    expect(unschedulableChanges(waiting, small, t0 + 60_000 + GRACE, GRACE)).toHaveLength(1);
  });

  it('the write is skipped when the stored run moved on (launched, ended) and drops the verdict when pending again', () => {
    const verdict = { runId: 'r', to: 'unschedulable' as const, reason: 'needs cpus 4 but the largest agent has 2' };
    expect(applyUnschedulable(run('r', 'pending'), verdict)).toMatchObject({ state: 'unschedulable', reason: verdict.reason });
    expect(applyUnschedulable(run('r', 'launching', { agentId: 'a' }), verdict)).toBeUndefined();
    expect(applyUnschedulable(run('r', 'failed', { endedAt: t0 }), verdict)).toBeUndefined();
    expect(applyUnschedulable(run('r', 'unschedulable', {}, verdict.reason), verdict)).toBeUndefined();
    const back = applyUnschedulable(run('r', 'unschedulable', {}, verdict.reason), { runId: 'r', to: 'pending' });
    expect(back?.state).toBe('pending');
    expect(back).not.toHaveProperty('reason');
    expect(applyUnschedulable(run('r', 'pending'), { runId: 'r', to: 'pending' })).toBeUndefined();
  });
});
