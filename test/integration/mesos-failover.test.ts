/**
 * Real Mesos daemons failing under a running task: the master restarted on its replicated
 * log (the framework resubscribes with its id, the task survives and is reconciled), the
 * agent killed and restarted (it recovers its checkpointed executor and the task
 * finishes), and the agent cut off past the ping timeout (TASK_UNREACHABLE, then back). Judged by side effect: each task appends to a marker file once at its start
 * and once at its end, and is launched once.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MESOS_TEST_TIMEOUTS, PATIENT_RECONCILE, type MesosCluster, startMesos } from '../support/mesos.js';
import { shellTask, startFramework, type TestFramework } from './framework.harness.js';

vi.setConfig(MESOS_TEST_TIMEOUTS);

/**
 * A standalone agent notices a restarted master only when the master's pings stop
 * (upstream default 15 s × 5); these make that 2 s × 3 (shorter marks a busy agent unreachable).
 */
const PING = ['--agent_ping_timeout=2secs', '--max_agent_ping_timeouts=3'];

let mesos: MesosCluster;
let files: string;
let t: TestFramework;
beforeAll(async () => {
  [mesos, files] = await Promise.all([startMesos({ registry: 'replicated_log', masterFlags: PING }), mkdtemp(join(tmpdir(), 'kairos-mesos-failover-'))]);
  t = await startFramework(mesos.url, { failoverTimeoutSeconds: 3600, ...PATIENT_RECONCILE });
});
afterAll(async () => {
  await t?.stop();
  await mesos?.stop();
  if (files) await rm(files, { recursive: true, force: true });
});

/** A task that marks its start, waits for `go` to exist, then marks its end. */
function markedTask(name: string) {
  const marker = join(files, `${name}.marks`);
  const go = join(files, `${name}.go`);
  const task = shellTask(`echo start >> ${marker}; while [ ! -e ${go} ]; do sleep 0.1; done; echo end >> ${marker}`);
  return { task, marker, release: () => import('node:fs/promises').then((f) => f.writeFile(go, '')) };
}

describe('real Mesos daemons restarting under a running task', () => {
  it('master restart (replicated log): the framework resubscribes with its id, the task survives, is reconciled and finishes once', async () => {
    const { task, marker, release } = markedTask('master');
    t.fw.launch([task]);
    await t.waitForState(task.taskId, 'TASK_RUNNING');
    const id = t.frameworkId.value;

    const resubscribed = t.next('subscribed');
    await mesos.masters[0].stop({ hard: true });
    await mesos.masters[0].start();
    expect((await resubscribed)[0].frameworkId).toBe(id);
    await mesos.agentsRegistered(1);
    const reconciled = await t.waitFor((u) => u.taskId === task.taskId && u.mesosState === 'TASK_RUNNING' && u.fromReconciliation);
    expect(reconciled.run?.runId).toBe(task.runId);

    await release();
    expect(await t.waitForState(task.taskId, 'TASK_FINISHED')).toMatchObject({ exitStatus: 0 });
    expect(await readFile(marker, 'utf8')).toBe('start\nend\n');
    expect(t.persisted.filter((p) => p.request.taskId === task.taskId)).toHaveLength(1);
    const tasks = (await (await fetch(`${mesos.url}/master/tasks?framework_id=${id}`)).json()) as { tasks: { id: string; state: string }[] };
    expect(tasks.tasks.filter((x) => x.id === task.taskId).map((x) => x.state)).toEqual(['TASK_FINISHED']);
  });

  it('agent killed and restarted: it recovers the executor, the task finishes once and its status reaches the framework', async () => {
    const { task, marker, release } = markedTask('agent');
    t.fw.launch([task]);
    await t.waitForState(task.taskId, 'TASK_RUNNING');
    const agent = mesos.agents[0];

    await agent.stop({ hard: true });
    await release();
    await agent.start();
    expect(await t.waitForState(task.taskId, 'TASK_FINISHED')).toMatchObject({ exitStatus: 0 });
    expect(await readFile(marker, 'utf8')).toBe('start\nend\n');
    expect(t.persisted.filter((p) => p.request.taskId === task.taskId)).toHaveLength(1);
    expect(t.statuses.filter((u) => u.taskId === task.taskId && ['TASK_LOST', 'TASK_GONE', 'TASK_FAILED'].includes(u.mesosState))).toEqual([]);
  });

  it('agent cut off (frozen past the ping timeout): TASK_UNREACHABLE for this partition-aware framework; back, the task finishes once', async () => {
    const { task, marker, release } = markedTask('partition');
    t.fw.launch([task]);
    await t.waitForState(task.taskId, 'TASK_RUNNING');
    const agent = mesos.agents[0];
    agent.freeze();
    try {
      expect(await t.waitForState(task.taskId, 'TASK_UNREACHABLE')).toMatchObject({ taskId: task.taskId });
    } finally {
      agent.thaw();
    }
    await release();
    expect(await t.waitForState(task.taskId, 'TASK_FINISHED')).toMatchObject({ exitStatus: 0 });
    expect(await readFile(marker, 'utf8')).toBe('start\nend\n');
    expect(t.persisted.filter((p) => p.request.taskId === task.taskId)).toHaveLength(1);
  });
});
