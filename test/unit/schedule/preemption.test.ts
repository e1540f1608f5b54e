import { describe, expect, it } from 'vitest';
import type { ClusterView } from '../../../src/core/cluster-view.js';
import { mesosTaskId } from '../../../src/core/ids.js';
import { Scheduler } from '../../../src/schedule/scheduler.js';
import { KILL_RESEND_MS, MAX_SEARCHES_PER_PLAN, RETRY_MS } from '../../../src/schedule/preemption.js';
import { FakeClock } from '../../support/fake-clock.js';
import { Harness, job, template } from './harness.js';

const NONE = { cpus: 0, mem: 0, disk: 0, gpus: 0, ports: 0 };
const low = (over = {}) => job('low', { ...template({ resources: { ...NONE, cpus: 2, mem: 256 }, priority: 0, preemptible: true }), ...over });
const high = (over = {}) => job('high', { ...template({ resources: { ...NONE, cpus: 1, mem: 128 }, priority: 10, preemption: { afterSeconds: 30 } }), ...over });
const task = (runId: string, n = 1) => mesosTaskId(runId, n);

/** One agent holding `running`, with `queued` still waiting for an offer. */
function view(running: string[], queued: string[], attributes: Record<string, string> = {}): ClusterView {
  return { agents: [{ agentId: 'a1', hostname: 'agent-1', attributes, free: NONE, taskIds: running }], queued: new Set(queued) };
}

/** A harness with a scheduler (default grace `dflt`), the fake clock, `low` running and `high` waiting since +5 s. */
function holding(resources = [low(), high()], dflt?: number) {
  const clock = new FakeClock('2026-01-01T00:00:00Z');
  const h = new Harness();
  h.scheduler = new Scheduler({ preemptAfterSeconds: dflt });
  h.apply(h.scheduler.load(resources, [], clock.now()));
  const lo = h.scheduler.requestRun('low', clock.now());
  h.apply(lo.decisions);
  clock.advance(1000);
  h.apply(h.scheduler.taskStarted(lo.runId, 1, clock.now()));
  clock.advance(4000);
  const hi = h.scheduler.requestRun('high', clock.now());
  h.apply(hi.decisions);
  return { h, clock, lo: lo.runId, hi: hi.runId };
}

describe('preemption in the schedule core', () => {
  it('waits for the grace, then kills the preemptible lower-priority task and requeues its run without using a retry', () => {
    const { h, clock, lo, hi } = holding();
    const v = () => view([task(lo)], [task(hi)]);
    clock.advance(29_999);
    expect(h.scheduler.preemptionDue(clock.now())).toBe(false);
    expect(h.apply(h.scheduler.preempt(v(), clock.now()))).toEqual([]);
    clock.advance(1);
    expect(h.scheduler.preemptionDue(clock.now())).toBe(true);
    h.apply(h.scheduler.preempt(v(), clock.now()));
    expect(h.kills).toEqual([{ type: 'kill', runId: lo, taskId: task(lo), reason: 'preempted', by: hi }]);
    expect(h.store.get(lo)).toMatchObject({ state: 'running', reason: `preempted by ${hi}` });
    expect(h.store.get(lo)!.attempts[0].preemptedBy).toBe(hi);
    expect(h.store.get(hi)!.reason).toBe(`preempting ${lo} on agent-1`);
    // while its victim is being killed, the waiting run preempts nothing more
    clock.advance(20_000);
    expect(h.scheduler.preemptionDue(clock.now())).toBe(false);
    h.apply(h.scheduler.taskEnded(lo, 1, 'killed', clock.now()));
    expect(h.store.get(lo)).toMatchObject({ state: 'pending', reason: `attempt 1 preempted by ${hi}: waiting to run again` });
    expect(h.launchedIds()).toEqual([`${lo}#1`, `${hi}#1`, `${lo}#2`]);
    h.apply(h.scheduler.taskStarted(hi, 1, clock.now()));
    h.apply(h.scheduler.taskEnded(hi, 1, 'succeeded', clock.now()));
    h.apply(h.scheduler.taskStarted(lo, 2, clock.now()));
    h.apply(h.scheduler.taskEnded(lo, 2, 'succeeded', clock.now()));
    expect(h.runs('low')).toEqual([`${lo} succeeded`]);
    expect(h.runs('high')).toEqual([`${hi} succeeded`]);
    expect(h.store.get(lo)!.attempts.map((a) => [a.n, a.outcome ?? null, a.preemptedBy ?? null])).toEqual([[1, 'killed', hi], [2, 'succeeded', null]]);
  });

  it('a preempted attempt uses no retry: with retries.count 0 the next attempt may still fail once', () => {
    const { h, clock, lo, hi } = holding();
    clock.advance(30_000);
    h.apply(h.scheduler.preempt(view([task(lo)], [task(hi)]), clock.now()));
    h.apply(h.scheduler.taskEnded(lo, 1, 'killed', clock.now()));
    h.apply(h.scheduler.taskStarted(lo, 2, clock.now()));
    h.apply(h.scheduler.taskEnded(lo, 2, 'failed', clock.now()));
    expect(h.runs('low')).toEqual([`${lo} failed`]);
    // with one retry, a preempted attempt and a failure still leave the retry
    const r = holding([low({ retries: { count: 1, initialDelaySeconds: 1, maxDelaySeconds: 1 } }), high()]);
    r.clock.advance(30_000);
    r.h.apply(r.h.scheduler.preempt(view([task(r.lo)], [task(r.hi)]), r.clock.now()));
    r.h.apply(r.h.scheduler.taskEnded(r.lo, 1, 'killed', r.clock.now()));
    r.h.apply(r.h.scheduler.taskStarted(r.lo, 2, r.clock.now()));
    r.h.apply(r.h.scheduler.taskEnded(r.lo, 2, 'failed', r.clock.now()));
    expect(r.h.state(r.lo)).toBe('pending');
    r.clock.advance(1000);
    r.h.tick(r.clock.now());
    expect(r.h.launchedIds()).toContain(`${r.lo}#3`);
  });

  it('a victim that finished before its kill landed stays succeeded', () => {
    const { h, clock, lo, hi } = holding();
    clock.advance(30_000);
    h.apply(h.scheduler.preempt(view([task(lo)], [task(hi)]), clock.now()));
    h.apply(h.scheduler.taskEnded(lo, 1, 'succeeded', clock.now()));
    expect(h.runs('low')).toEqual([`${lo} succeeded`]);
    expect(h.launchedIds()).not.toContain(`${lo}#2`);
  });

  it('never touches tasks that are not preemptible or not of strictly lower priority', () => {
    for (const victim of [low({ preemptible: undefined }), low({ priority: 10 }), low({ priority: 11 })]) {
      const { h, clock, lo, hi } = holding([victim, high()]);
      clock.advance(120_000);
      h.apply(h.scheduler.preempt(view([task(lo)], [task(hi)]), clock.now()));
      expect(h.kills).toEqual([]);
    }
  });

  it('without a grace in the job or a controller default, a run never preempts; the default applies to jobs without one', () => {
    const none = holding([low(), high({ preemption: undefined })]);
    none.clock.advance(3_600_000);
    expect(none.h.scheduler.preemptionDue(none.clock.now())).toBe(false);
    expect(none.h.scheduler.preempt(view([task(none.lo)], [task(none.hi)]), none.clock.now())).toEqual([]);
    const dflt = holding([low(), high({ preemption: undefined })], 10);
    dflt.clock.advance(9_999);
    expect(dflt.h.scheduler.preemptionDue(dflt.clock.now())).toBe(false);
    dflt.clock.advance(1);
    dflt.h.apply(dflt.h.scheduler.preempt(view([task(dflt.lo)], [task(dflt.hi)]), dflt.clock.now()));
    expect(dflt.h.kills.map((k) => k.runId)).toEqual([dflt.lo]);
  });

  it('does nothing for a run the framework no longer has queued (an offer took it meanwhile)', () => {
    const { h, clock, lo } = holding();
    clock.advance(30_000);
    expect(h.scheduler.preempt(view([task(lo)], []), clock.now())).toEqual([]);
  });

  it('a search that found no victim is tried again after RETRY_MS, not at every poll', () => {
    const { h, clock, lo, hi } = holding([low(), high({ constraints: [{ attribute: 'rack', operator: 'EQUALS', value: 'r9' }] })]);
    clock.advance(30_000);
    h.apply(h.scheduler.preempt(view([task(lo)], [task(hi)], { rack: 'r1' }), clock.now()));
    expect(h.kills).toEqual([]);
    expect(h.scheduler.preemptionDue(clock.now() + RETRY_MS - 1)).toBe(false);
    clock.advance(RETRY_MS);
    expect(h.scheduler.preemptionDue(clock.now())).toBe(true);
    h.apply(h.scheduler.preempt(view([task(lo)], [task(hi)], { rack: 'r9' }), clock.now()));
    expect(h.kills.map((k) => k.runId)).toEqual([lo]);
  });

  it('serves the highest-priority waiting run first and never picks one victim twice', () => {
    const top = job('top', template({ resources: { ...NONE, cpus: 2 }, priority: 20, preemption: { afterSeconds: 30 } }));
    const { h, clock, lo, hi } = holding([low(), high(), top]);
    const t = h.scheduler.requestRun('top', clock.now());
    h.apply(t.decisions);
    clock.advance(30_000);
    h.apply(h.scheduler.preempt(view([task(lo)], [task(hi), task(t.runId)]), clock.now()));
    expect(h.kills).toEqual([{ type: 'kill', runId: lo, taskId: task(lo), reason: 'preempted', by: t.runId }]);
    expect(h.store.get(hi)!.reason).toBeUndefined();
  });

  it('after a restart, a recorded preemption whose task still runs is killed again, and its end requeues the run', () => {
    const { h, clock, lo, hi } = holding();
    clock.advance(30_000);
    h.apply(h.scheduler.preempt(view([task(lo)], [task(hi)]), clock.now()));
    h.kills = [];
    h.restart([low(), high()], new Date(clock.now()).toISOString());
    expect(h.kills).toEqual([{ type: 'kill', runId: lo, taskId: task(lo), reason: 'preempted', by: hi }]);
    h.apply(h.scheduler.taskEnded(lo, 1, 'killed', clock.now() + 1000));
    expect(h.store.get(lo)).toMatchObject({ state: 'pending' });
    expect(h.launchedIds()).toContain(`${lo}#2`);
  });
});

describe('a kill that got lost', () => {
  it('is sent again while the victim keeps running past KILL_RESEND_MS + its kill grace, also after a restart', () => {
    const { h, clock, lo, hi } = holding();
    clock.advance(30_000);
    const v = () => view([task(lo)], []);
    h.apply(h.scheduler.preempt(view([task(lo)], [task(hi)]), clock.now()));
    expect(h.kills).toHaveLength(1);
    clock.advance(KILL_RESEND_MS + 1000 - 1); // kill grace of the victim: 1 s
    expect(h.scheduler.preemptionDue(clock.now())).toBe(false);
    clock.advance(1);
    expect(h.scheduler.preemptionDue(clock.now())).toBe(true);
    h.apply(h.scheduler.preempt(v(), clock.now()));
    expect(h.kills.map((k) => [k.taskId, k.reason, k.by])).toEqual([[task(lo), 'preempted', hi], [task(lo), 'preempted', hi]]);
    // a new leader: load re-sends the kill, then the clock starts over
    h.restart([low(), high()], new Date(clock.now()).toISOString());
    expect(h.kills).toHaveLength(3);
    expect(h.scheduler.preemptionDue(clock.now())).toBe(true); // starts the victim's clock
    expect(h.apply(h.scheduler.preempt(v(), clock.now())).filter((d) => d.type === 'kill')).toEqual([]);
    clock.advance(KILL_RESEND_MS + 1000);
    h.apply(h.scheduler.preempt(v(), clock.now()));
    expect(h.kills).toHaveLength(4);
    // once it ended, nothing more
    h.apply(h.scheduler.taskEnded(lo, 1, 'killed', clock.now()));
    clock.advance(10 * KILL_RESEND_MS);
    expect(h.apply(h.scheduler.preempt(v(), clock.now())).filter((d) => d.type === 'kill')).toEqual([]);
  });
});

describe('a large backlog', () => {
  it('searches at most MAX_SEARCHES_PER_PLAN waiting runs per call, highest priority first, and the rest in later calls', () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const h = new Harness();
    h.scheduler = new Scheduler();
    const many = job('many', template({ resources: { ...NONE, cpus: 1 }, priority: 5, preemption: { afterSeconds: 1 }, constraints: [{ attribute: 'rack', operator: 'EQUALS', value: 'nowhere' }] }));
    h.apply(h.scheduler.load([low(), high(), many], [], clock.now()));
    const lo = h.scheduler.requestRun('low', clock.now());
    h.apply(lo.decisions);
    h.apply(h.scheduler.taskStarted(lo.runId, 1, clock.now()));
    const queued = [];
    for (let i = 0; i < MAX_SEARCHES_PER_PLAN + 50; i++) queued.push(task(h.scheduler.requestRun('many', clock.now()).runId));
    const hi = h.scheduler.requestRun('high', clock.now());
    queued.push(task(hi.runId));
    clock.advance(30_000);
    // the 150 'many' runs find nothing (constraint), the high one is served first all the same
    h.apply(h.scheduler.preempt(view([task(lo.runId)], queued), clock.now()));
    expect(h.kills.map((k) => k.by)).toEqual([hi.runId]);
    expect(h.scheduler.preemptionDue(clock.now())).toBe(true); // 'many' runs not searched yet
    h.apply(h.scheduler.preempt(view([task(lo.runId)], queued), clock.now()));
    expect(h.scheduler.preemptionDue(clock.now())).toBe(false);
  });
});

describe('several clusters', () => {
  it('seeks victims only on the cluster whose queue the waiting task is in', () => {
    const { h, clock, lo, hi } = holding();
    clock.advance(30_000);
    const agentOn = (cluster: string) => ({ agentId: `a-${cluster}`, hostname: `agent-${cluster}`, attributes: {}, free: NONE, taskIds: [task(lo)], cluster });
    const elsewhere: ClusterView = { agents: [agentOn('dc2')], queued: new Set([task(hi)]), queuedOn: new Map([[task(hi), 'dc1']]) };
    expect(h.apply(h.scheduler.preempt(elsewhere, clock.now())).filter((d) => d.type === 'kill')).toEqual([]);
    clock.advance(RETRY_MS);
    const same: ClusterView = { ...elsewhere, agents: [agentOn('dc1')] };
    h.apply(h.scheduler.preempt(same, clock.now()));
    expect(h.kills.map((k) => k.runId)).toEqual([lo]);
  });
});
