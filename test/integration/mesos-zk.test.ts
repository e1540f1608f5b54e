/**
 * Master detection through ZooKeeper with two real Mesos masters (`--zk`, `--quorum=1`,
 * replicated log): the framework finds the leader from its znode, and when the leader is
 * killed it follows the newly elected master with the same framework id; the running task
 * survives, is reconciled and finishes once (judged by the marker file the task writes).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MESOS_TEST_TIMEOUTS, PATIENT_RECONCILE, type MesosCluster, startMesos } from '../support/mesos.js';
import { startZooKeeper, type TestZooKeeper } from '../support/zookeeper.js';
import { shellTask, startFramework, type TestFramework } from './framework.harness.js';

vi.setConfig(MESOS_TEST_TIMEOUTS);

let zk: TestZooKeeper;
let mesos: MesosCluster;
let files: string;
let t: TestFramework | undefined;
beforeAll(async () => {
  [zk, files] = await Promise.all([startZooKeeper(), mkdtemp(join(tmpdir(), 'kairos-mesos-zk-'))]);
  mesos = await startMesos({ zk: zk.url('/mesos'), masters: 2 });
});
afterAll(async () => {
  await t?.stop();
  await mesos?.stop();
  await zk?.destroy();
  if (files) await rm(files, { recursive: true, force: true });
});

describe('real Mesos masters elected through ZooKeeper', () => {
  it('the framework follows a leader change: same framework id, the task survives, is reconciled and finishes once', async () => {
    t = await startFramework(zk.url('/mesos'), { failoverTimeoutSeconds: 3600, ...PATIENT_RECONCILE });
    const first = await mesos.leader();
    expect(t.fw.status()).toMatchObject({ connected: true });
    const marker = join(files, 'marks');
    const go = join(files, 'go');
    const task = shellTask(`echo start >> ${marker}; while [ ! -e ${go} ]; do sleep 0.1; done; echo end >> ${marker}`);
    t.fw.launch([task]);
    await t.waitForState(task.taskId, 'TASK_RUNNING');
    const id = t.frameworkId.value;

    const resubscribed = t.next('subscribed');
    await mesos.masters.find((m) => m.url === first)!.stop({ hard: true });
    const [{ frameworkId, master }] = await resubscribed;
    const second = await mesos.leader();
    expect(second).not.toBe(first);
    expect(frameworkId).toBe(id);
    expect(master.startsWith(second)).toBe(true);
    await t.waitFor((u) => u.taskId === task.taskId && u.mesosState === 'TASK_RUNNING' && u.fromReconciliation);

    await writeFile(go, '');
    expect(await t.waitForState(task.taskId, 'TASK_FINISHED')).toMatchObject({ exitStatus: 0 });
    expect(await readFile(marker, 'utf8')).toBe('start\nend\n');
    expect(t.persisted).toHaveLength(1);
  });
});
