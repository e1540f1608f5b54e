import { outcomeOf } from '../../../src/mesos/status.js';
import { describe, expect, it } from 'vitest';
import { ControllerEmitter } from '../../../src/controller/events.js';
import { RunLedger } from '../../../src/controller/run-ledger.js';
import { mergeRun, RunLifecycle } from '../../../src/controller/runs.js';
import type { AttemptChange } from '../../../src/controller/task-status.js';
import { mesosTaskId, scheduledRunId } from '../../../src/core/ids.js';
import type { Run } from '../../../src/core/run.js';
import type { TaskTemplate } from '../../../src/core/types.js';
import { silentLogger } from '../../../src/ports/logger.js';
import type { TaskStatusUpdate } from '../../../src/ports/mesos.js';
import type { Decision } from '../../../src/schedule/decisions.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { FakeClock } from '../../support/fake-clock.js';
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

function harness(store = new MemoryStore(), decide: (c: AttemptChange) => Decision[] = () => []) {
  const framework = new RecordingFramework();
  const ledger = new RunLedger(store);
  const events = new ControllerEmitter();
  const seen: string[] = [];
  events.on('run:state', (e) => seen.push(`${e.runId} ${e.state}`));
  const changes: AttemptChange[] = [];
  const life: RunLifecycle = new RunLifecycle({
    ledger,
    framework,
    clock: new FakeClock(T0),
    events,
    logger: silentLogger,
    onAttempt: (c, facts) => (changes.push(c), life.execute(decide(c), facts)),
    leading: () => true,
  });
  return { store, framework, ledger, life, seen, changes };
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

  it('records placement before ACCEPT and each status before it is acknowledged, then hands the change to the core', async () => {
    const h = harness();
    const run = newRun();
    await h.life.execute(fired(run));
    await h.life.persistLaunch([{ request: h.framework.launched[0], agentId: 'a1', hostname: 'agent-1' }]);
    expect((await h.store.get<Run>(`runs/${run.id}`))!.value).toMatchObject({ state: 'launching', attempts: [{ agentId: 'a1', hostname: 'agent-1' }] });

    await h.life.onStatus(status(run, 'TASK_RUNNING', { agentId: 'a1' }));
    await h.life.onStatus(status(run, 'TASK_RUNNING', { agentId: 'a1' }));
    await h.life.onStatus(status(run, 'TASK_FINISHED', { agentId: 'a1', exitStatus: 0, at: T0 + 5000 }));
    const stored = (await h.store.get<Run>(`runs/${run.id}`))!.value;
    expect(stored.attempts[0]).toMatchObject({ mesosState: 'TASK_FINISHED', startedAt: T0 + 1000, endedAt: T0 + 5000, exitStatus: 0 });
    expect(h.changes.map((c) => [c.started, c.final])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(h.seen).toEqual([`${run.id} pending`, `${run.id} launching`, `${run.id} running`]);
  });

  it('carries out the core decision after a final status, keeping what only Mesos knew', async () => {
    const h = harness(new MemoryStore(), (c) =>
      c.final ? [{ type: 'update', run: { ...c.run, state: 'succeeded', endedAt: T0 + 5000, attempts: [{ ...c.run.attempts[0], agentId: undefined }] } }] : [],
    );
    const run = newRun();
    await h.life.execute(fired(run));
    await h.life.onStatus(status(run, 'TASK_RUNNING', { agentId: 'a1', hostname: 'agent-1' }));
    await h.life.onStatus(status(run, 'TASK_FINISHED', { exitStatus: 0, at: T0 + 5000 }));
    const stored = h.ledger.get(run.id)!;
    expect(stored).toMatchObject({ state: 'succeeded', endedAt: T0 + 5000 });
    expect(stored.attempts[0]).toMatchObject({ agentId: 'a1', hostname: 'agent-1', exitStatus: 0 });
    expect(h.seen.at(-1)).toBe(`${run.id} succeeded`);
  });

  it('adopts a Kairos task the store does not know, and ignores tasks without Kairos labels', async () => {
    const h = harness();
    await h.life.onStatus({ taskId: 'someone-else', mesosState: 'TASK_RUNNING', outcome: outcomeOf('TASK_RUNNING'), at: T0, fromReconciliation: true });
    expect(h.ledger.all()).toEqual([]);
    const id = scheduledRunId('hello', T0);
    await h.life.onStatus({
      taskId: mesosTaskId(id, 1),
      mesosState: 'TASK_RUNNING', outcome: outcomeOf('TASK_RUNNING'),
      at: T0,
      agentId: 'a1',
      run: { runId: id, revision: 'c0ffee', attempt: 1 },
      fromReconciliation: true,
    });
    expect(h.ledger.get(id)).toMatchObject({ job: 'hello', state: 'running', revision: 'c0ffee', attempts: [{ n: 1, agentId: 'a1' }] });
  });

  it('kills through the framework', async () => {
    const h = harness();
    await h.life.execute([{ type: 'kill', runId: 'x@1', taskId: 'kairos.x@1.1', reason: 'replaced' }]);
    expect(h.framework.killed).toEqual(['kairos.x@1.1']);
  });
});

describe('mergeRun', () => {
  it('takes state from the core and Mesos facts from the store', () => {
    const stored = { ...newRun(), state: 'running' as const, attempts: [{ ...newRun().attempts[0], sandbox: '/s', startedAt: 5 }] };
    const decided = { ...newRun(), state: 'failed' as const, reason: 'exit 1' };
    expect(mergeRun(stored, decided)).toMatchObject({ state: 'failed', reason: 'exit 1', attempts: [{ sandbox: '/s', startedAt: 5 }] });
  });
});
