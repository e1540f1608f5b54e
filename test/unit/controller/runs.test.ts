import { outcomeOf } from '../../../src/mesos/status.js';
import { describe, expect, it } from 'vitest';
import { ControllerEmitter } from '../../../src/controller/events.js';
import { RunLedger } from '../../../src/controller/run-ledger.js';
import { Dispatch } from '../../../src/controller/dispatch.js';
import { RunLifecycle } from '../../../src/controller/runs.js';
import { mesosTaskId, scheduledRunId } from '../../../src/core/ids.js';
import type { Run } from '../../../src/core/run.js';
import type { TaskTemplate } from '../../../src/core/types.js';
import { silentLogger } from '../../../src/ports/logger.js';
import type { TaskStatusUpdate } from '../../../src/ports/mesos.js';
import type { Decision } from '../../../src/schedule/decisions.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { job } from '../schedule/harness.js';
import { RecordingFramework } from './recording-framework.js';

const T0 = Date.parse('2026-03-08T07:00:00Z');
const template = { command: { shell: 'echo hi' }, resources: { cpus: 0.1, mem: 32, disk: 0, gpus: 0, ports: 0 } } as TaskTemplate;

function newRun(job = 'hello', at = T0): Run {
  const id = scheduledRunId(job, at);
  return {
    id,
    job,
    trigger: 'schedule',
    scheduledAt: at,
    revision: 'c0ffee',
    state: 'pending',
    attempts: [{ n: 1, taskId: mesosTaskId(id, 1), intentAt: at, notBefore: at }],
    createdAt: at,
  };
}

function fired(run: Run): Decision[] {
  return [
    { type: 'create', run },
    { type: 'launch', run, attempt: run.attempts[0], template },
  ];
}

function status(run: Run, state: string, extra: Partial<TaskStatusUpdate> = {}): TaskStatusUpdate {
  return { taskId: run.attempts[0].taskId, mesosState: state, outcome: outcomeOf(state), at: T0 + 1000, fromReconciliation: false, ...extra };
}

/** A lifecycle and the Dispatch around it (the core drives `hello` when `drive` is set), over a store that counts run writes. */
function harness(store = new MemoryStore(), drive = false) {
  const framework = new RecordingFramework();
  const ledger = new RunLedger(store);
  const events = new ControllerEmitter();
  const seen: string[] = [];
  events.on('run:state', (e) => seen.push(`${e.runId} ${e.state}`));
  const clock = new FakeClock(T0);
  const life = new RunLifecycle({ ledger, framework, clock, events, logger: silentLogger });
  const views: number[] = [];
  const applied = new Map(drive ? [['hello', job('hello')]] : []);
  const dispatch = new Dispatch({ lifecycle: life, ledger, clock, logger: silentLogger, applied: () => applied, effective: (a) => a, afterRunsEnded: async () => {}, clusterView: () => (views.push(clock.now()), undefined) });
  const writes: string[] = [];
  const put = store.put.bind(store);
  store.put = async (key, value, version) => (key.startsWith('runs/') && writes.push(key), put(key, value, version));
  return { store, framework, ledger, life, dispatch, hooks: dispatch.hooks, seen, writes, views };
}

describe('RunLifecycle', () => {
  it('writes the run before asking Mesos, and a second controller computing the same run launches nothing', async () => {
    const store = new MemoryStore();
    const a = harness(store);
    const b = harness(store);
    await a.life.execute(fired(newRun()));
    await b.life.execute(fired(newRun()));
    expect(a.framework.launched.map((l) => l.runId)).toEqual(['hello@2026-03-08T07:00:00.000Z']);
    expect(a.framework.launched[0]).toMatchObject({ taskId: 'kairos.hello@2026-03-08T07:00:00.000Z.1', attempt: 1, revision: 'c0ffee', dueAt: T0 });
    expect(b.framework.launched).toEqual([]);
  });

  it('records placement before ACCEPT and each status before it is acknowledged, once, with what the core decided', async () => {
    const h = harness(new MemoryStore(), true);
    await h.dispatch.post({ type: 'Loaded' });
    const runId = await h.dispatch.post({ type: 'RunRequested', job: 'hello' });
    const run = h.ledger.get(runId)!;
    await h.hooks.persistLaunch([{ request: h.framework.launched[0], agentId: 'a1', hostname: 'agent-1' }]);
    expect((await h.store.get<Run>(`runs/${run.id}`))!.value).toMatchObject({ state: 'launching', attempts: [{ agentId: 'a1', hostname: 'agent-1' }] });

    const writes = () => h.writes.splice(0).length;
    writes();
    await h.hooks.onStatus(status(run, 'TASK_RUNNING', { agentId: 'a1' }));
    expect(writes()).toBe(1);
    await h.hooks.onStatus(status(run, 'TASK_RUNNING', { agentId: 'a1' }));
    expect(writes()).toBe(0); // a repeated status changes nothing
    await h.hooks.onStatus(status(run, 'TASK_FINISHED', { agentId: 'a1', exitStatus: 0, at: T0 + 5000 }));
    expect(writes()).toBe(1); // the status and the run's end in one write
    const stored = (await h.store.get<Run>(`runs/${run.id}`))!.value;
    expect(stored.attempts[0]).toMatchObject({ mesosState: 'TASK_FINISHED', startedAt: T0 + 1000, endedAt: T0 + 5000, exitStatus: 0 });
    expect(stored).toMatchObject({ state: 'succeeded', endedAt: T0 + 5000 });
    expect(h.seen).toEqual([`${run.id} pending`, `${run.id} launching`, `${run.id} running`, `${run.id} succeeded`]);
  });

  it('carries out the core decision after a final status, keeping what only Mesos knew', async () => {
    const h = harness(new MemoryStore(), true);
    await h.dispatch.post({ type: 'Loaded' });
    const run = h.ledger.get(await h.dispatch.post({ type: 'RunRequested', job: 'hello' }))!;
    await h.hooks.onStatus(status(run, 'TASK_RUNNING', { agentId: 'a1', hostname: 'agent-1' }));
    await h.hooks.onStatus(status(run, 'TASK_FINISHED', { exitStatus: 0, at: T0 + 5000 }));
    const stored = h.ledger.get(run.id)!;
    expect(stored).toMatchObject({ state: 'succeeded', endedAt: T0 + 5000 });
    expect(stored.attempts[0]).toMatchObject({ agentId: 'a1', hostname: 'agent-1', exitStatus: 0 });
    expect(h.seen.at(-1)).toBe(`${run.id} succeeded`);
  });

  it('keeps what only the store knew (an SLA already flagged) when it writes the core\'s run', async () => {
    const h = harness(new MemoryStore(), true);
    await h.dispatch.post({ type: 'Loaded' });
    const run = h.ledger.get(await h.dispatch.post({ type: 'RunRequested', job: 'hello' }))!;
    await h.ledger.update(run.id, (r) => ({ ...r, slaMissedAt: T0 + 10 }));
    await h.hooks.onStatus(status(run, 'TASK_FAILED', { exitStatus: 1, at: T0 + 5000 }));
    expect(h.ledger.get(run.id)).toMatchObject({ state: 'failed', slaMissedAt: T0 + 10 });
  });

  it('adopts a Kairos task the store does not know, and ignores tasks without Kairos labels', async () => {
    const h = harness();
    await h.hooks.onStatus({ taskId: 'someone-else', mesosState: 'TASK_RUNNING', outcome: outcomeOf('TASK_RUNNING'), at: T0, fromReconciliation: true });
    expect(h.ledger.all()).toEqual([]);
    const id = scheduledRunId('hello', T0);
    await h.hooks.onStatus({
      taskId: mesosTaskId(id, 1),
      mesosState: 'TASK_RUNNING', outcome: outcomeOf('TASK_RUNNING'),
      at: T0,
      agentId: 'a1',
      run: { runId: id, revision: 'c0ffee', attempt: 1 },
      fromReconciliation: true,
    });
    expect(h.ledger.get(id)).toMatchObject({ job: 'hello', state: 'running', revision: 'c0ffee', attempts: [{ n: 1, agentId: 'a1' }] });
    // Its end, as Mesos says: the core does not drive a run whose job it was never given.
    await h.hooks.onStatus({ taskId: mesosTaskId(id, 1), mesosState: 'TASK_FAILED', outcome: outcomeOf('TASK_FAILED'), at: T0 + 9, exitStatus: 2, fromReconciliation: false });
    expect(h.ledger.get(id)).toMatchObject({ state: 'failed', endedAt: T0 + 9, attempts: [{ exitStatus: 2, endedAt: T0 + 9 }] });
  });

  it('refuses placements and statuses once it stopped leading, so they are neither accepted nor acknowledged', async () => {
    const h = harness(new MemoryStore(), true);
    await h.dispatch.post({ type: 'Loaded' });
    const run = h.ledger.get(await h.dispatch.post({ type: 'RunRequested', job: 'hello' }))!;
    await h.dispatch.stop();
    await expect(h.hooks.persistLaunch([{ request: h.framework.launched[0], agentId: 'a1', hostname: 'agent-1' }])).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
    await expect(h.hooks.onStatus(status(run, 'TASK_RUNNING'))).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
    expect(h.ledger.get(run.id)).toMatchObject({ state: 'pending' });
  });

  it('takes the cluster view for preemption only when a run waits past its grace', async () => {
    const h = harness(new MemoryStore(), true);
    await h.dispatch.post({ type: 'Loaded' });
    await h.dispatch.post({ type: 'RunRequested', job: 'hello' });
    await h.dispatch.post({ type: 'PreemptionDue' });
    expect(h.dispatch.preemptionDue(T0)).toBe(false);
    expect(h.views).toEqual([]);
  });

  it('kills through the framework', async () => {
    const h = harness();
    await h.life.execute([{ type: 'kill', runId: 'x@1', taskId: 'kairos.x@1.1', reason: 'replaced' }]);
    expect(h.framework.killed).toEqual(['kairos.x@1.1']);
  });
});
