/**
 * The framework judged by real Apache Mesos 1.12 (one master and one agent for the whole
 * file, test/support/mesos.ts): the shared suite (framework.suite.ts) plus what only a real
 * master and agent can show: the registered FrameworkInfo, exit codes and kill grace from
 * the real command executor, URIs through the real fetcher, and a second framework
 * (`mesos-execute`, the C++ scheduler library) competing for the same agent.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MESOS_TEST_TIMEOUTS, type MesosCluster, startMesos } from '../support/mesos.js';
import { shellTask, startFramework, type TestFramework } from './framework.harness.js';
import { frameworkSuite } from './framework.suite.js';

vi.setConfig(MESOS_TEST_TIMEOUTS);

let mesos: MesosCluster;
let files: string;
beforeAll(async () => {
  [mesos, files] = await Promise.all([startMesos(), mkdtemp(join(tmpdir(), 'kairos-mesos-files-'))]);
});
afterAll(async () => {
  await mesos?.stop();
  if (files) await rm(files, { recursive: true, force: true });
});

frameworkSuite(async () => ({ url: mesos.url, stop: async () => {} }));

describe('the framework on a real master and agent', () => {
  const started: TestFramework[] = [];
  const start = async (...args: Parameters<typeof startFramework> extends [string, ...infer R] ? R : never) => {
    const t = await startFramework(mesos.url, ...args);
    started.push(t);
    return t;
  };
  afterAll(async () => {
    for (const t of started) await t.stop();
  });

  it('registers with checkpoint, its failover timeout and PARTITION_AWARE, as the master lists it', async () => {
    const t = await start({ failoverTimeoutSeconds: 3600 });
    const state = (await (await fetch(`${mesos.url}/master/frameworks?framework_id=${t.frameworkId.value}`)).json()) as { frameworks: Record<string, unknown>[] };
    expect(state.frameworks).toHaveLength(1);
    const fw = state.frameworks[0] as { checkpoint: boolean; failover_timeout: number; capabilities: string[]; active: boolean; connected: boolean };
    expect(fw).toMatchObject({ checkpoint: true, failover_timeout: 3600, active: true, connected: true });
    expect(fw.capabilities).toEqual(expect.arrayContaining(['PARTITION_AWARE', 'MULTI_ROLE', 'TASK_KILLING_STATE']));
  });

  it('reports exit codes and signals from the real command executor', async () => {
    const t = await start();
    const [ok, three, sig] = [shellTask('exit 0'), shellTask('exit 3'), shellTask('kill -9 $$')];
    t.fw.launch([ok, three, sig]);
    expect(await t.waitForState(ok.taskId, 'TASK_FINISHED')).toMatchObject({ exitStatus: 0 });
    expect(await t.waitForState(three.taskId, 'TASK_FAILED')).toMatchObject({ exitStatus: 3, message: expect.stringContaining('status 3') });
    expect((await t.waitForState(sig.taskId, 'TASK_FAILED')).message).toMatch(/signal|Killed/i);
  });

  it('kills with the grace period: SIGTERM first, the task cleans up, then TASK_KILLED', async () => {
    const t = await start();
    const marker = join(files, 'grace');
    const task = shellTask(`trap 'echo term >> ${marker}; exit 0' TERM; echo up >> ${marker}; while true; do sleep 0.1; done`, { killGracePeriodSeconds: 5 });
    t.fw.launch([task]);
    await t.waitForState(task.taskId, 'TASK_RUNNING');
    await waitForFile(marker, 'up\n');
    await t.fw.kill(task.taskId);
    await t.waitForState(task.taskId, 'TASK_KILLED');
    expect(await readFile(marker, 'utf8')).toBe('up\nterm\n');
  });

  it('fetches URIs through the real fetcher into the sandbox (plain and extracted)', async () => {
    const t = await start();
    const plain = join(files, 'greeting.txt');
    await writeFile(plain, 'hello from the fetcher\n');
    const archiveDir = join(files, 'tree');
    await import('node:fs/promises').then((f) => f.mkdir(archiveDir, { recursive: true }));
    await writeFile(join(archiveDir, 'inner.txt'), 'inside\n');
    const tgz = join(files, 'tree.tar.gz');
    await tarGz(files, 'tree', tgz);
    const out = join(files, 'fetched');
    const task = shellTask(`cat greeting.txt tree/inner.txt > ${out}; test -x greeting.txt`, {
      fetch: [
        { uri: `file://${plain}`, executable: true, extract: false, cache: false },
        { uri: `file://${tgz}`, executable: false, extract: true, cache: false },
      ],
    });
    t.fw.launch([task]);
    expect(await t.waitForState(task.taskId, 'TASK_FINISHED')).toMatchObject({ exitStatus: 0 });
    expect(await readFile(out, 'utf8')).toBe('hello from the fetcher\ninside\n');
  });

  it('gets offers and runs its task while mesos-execute competes for the same agent', async () => {
    const t = await start();
    // mesos-execute asks for the whole agent's memory minus a little: while its task runs,
    // Kairos's task fits only in what is left, and neither framework starves.
    const other = mesos.mesosExecute(['--name=competitor', '--command=sleep 2', '--resources=cpus:1;mem:2048']);
    const tasks = Array.from({ length: 4 }, () => shellTask('sleep 0.5'));
    t.fw.launch(tasks);
    for (const task of tasks) expect(await t.waitForState(task.taskId, 'TASK_FINISHED')).toMatchObject({ exitStatus: 0 });
    const res = await other;
    expect(res.output).toContain("Received status update TASK_FINISHED for task 'competitor'");
    expect(res.code).toBe(0);
  });
});

async function waitForFile(path: string, content: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await readFile(path, 'utf8').catch(() => '')) === content) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} never held ${JSON.stringify(content)}`);
}

async function tarGz(cwd: string, what: string, to: string): Promise<void> {
  const { execFile } = await import('node:child_process');
  await new Promise<void>((resolve, reject) => execFile('tar', ['czf', to, '-C', cwd, what], (e) => (e ? reject(e) : resolve())));
}
