/**
 * The framework over real HTTP against a master, as one suite that runs against the
 * embedded master (framework.test.ts) and against real Apache Mesos
 * (framework-mesos.test.ts): the same expectations judge both.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSandboxFile } from '../../src/controller/logs.js';
import { jobOfRunId, mesosTaskId } from '../../src/core/ids.js';
import { readAgentFile } from '../../src/mesos/sandbox.js';
import { shellTask, startFramework, type MasterUnderTest, type TestFramework } from './framework.harness.js';

/**
 * Defines the suite for both encodings; `master()` gives each test its master (a fresh
 * embedded one, or a shared real cluster whose `stop()` does nothing).
 */
export function frameworkSuite(masterOf: () => Promise<MasterUnderTest>): void {
  describe.each(['application/x-protobuf', 'application/json'] as const)('framework over %s', (encoding) => {
    let master: MasterUnderTest;
    const frameworks: TestFramework[] = [];
    const start = async (...args: Parameters<typeof startFramework> extends [string, ...infer R] ? R : never) => {
      const t = await startFramework(master.url, { encoding, ...args[0] }, args[1]);
      frameworks.push(t);
      return t;
    };

    beforeEach(async () => {
      master = await masterOf();
    });
    afterEach(async () => {
      for (const f of frameworks.splice(0)) await f.stop();
      await master.stop();
    });

    it('launches a task that finishes, persisting the intent before ACCEPT', async () => {
      const t = await start();
      expect(t.fw.status()).toMatchObject({ connected: true, starving: false });
      expect(t.frameworkId.value).toBe(t.fw.status().frameworkId);
      const task = shellTask('echo hello');
      t.fw.launch([task]);
      const done = await t.waitForState(task.taskId, 'TASK_FINISHED');
      expect(done).toMatchObject({ exitStatus: 0, fromReconciliation: false, run: { runId: task.runId, revision: 'test', attempt: 1 } });
      expect(jobOfRunId(done.run!.runId)).toBe('itest');
      expect(t.statuses.filter((u) => u.taskId === task.taskId).map((u) => u.mesosState)).toContain('TASK_RUNNING');
      expect(t.order.slice(0, 2)).toEqual([`persist:${task.taskId}`, `accept:${task.taskId}`]);
      expect(t.persisted[0]).toMatchObject({ request: { taskId: task.taskId }, agentId: expect.any(String), hostname: expect.any(String) });
      expect(t.fw.pending()).toEqual([]);
    });

    it('reports a failing command with its exit code', async () => {
      const t = await start();
      const task = shellTask('exit 3');
      t.fw.launch([task]);
      expect(await t.waitForState(task.taskId, 'TASK_FAILED')).toMatchObject({ exitStatus: 3 });
    });

    it('kills a running task', async () => {
      const t = await start();
      const task = shellTask('sleep 30');
      t.fw.launch([task]);
      await t.waitForState(task.taskId, 'TASK_RUNNING');
      await t.fw.kill(task.taskId);
      expect((await t.waitForState(task.taskId, 'TASK_KILLED')).mesosState).toBe('TASK_KILLED');
    });

    it('withdraws a task that is still queued without asking Mesos', async () => {
      const t = await start();
      const task = shellTask('true', { resources: { cpus: 1000, mem: 32, disk: 0, gpus: 0, ports: 0 } });
      t.fw.launch([task]);
      await t.next('declined');
      expect(t.fw.pending()).toEqual([expect.objectContaining({ taskId: task.taskId, reason: expect.stringMatching(/^no offer has 1000 cpus/) })]);
      await t.fw.kill(task.taskId);
      expect(t.fw.pending()).toEqual([]);
      expect(t.persisted).toEqual([]);
    });

    it('answers a bad TaskInfo with TASK_ERROR', async () => {
      const t = await start();
      const task = shellTask('true', { killGracePeriodSeconds: -1 });
      t.fw.launch([task]);
      expect(await t.waitForState(task.taskId, 'TASK_ERROR')).toMatchObject({ reason: 'REASON_TASK_INVALID' });
    });

    it('after a restart reports running tasks through reconciliation and never relaunches them', async () => {
      const a = await start();
      const task = shellTask('sleep 30');
      a.fw.launch([task]);
      const running = await a.waitForState(task.taskId, 'TASK_RUNNING');
      await a.stop();
      frameworks.splice(frameworks.indexOf(a), 1);

      // Explicit: the store knew the task.
      const b = await start({}, { frameworkId: a.frameworkId.value, knownTasks: [{ taskId: task.taskId, agentId: running.agentId }] });
      expect(b.fw.status().frameworkId).toBe(a.frameworkId.value);
      // A real agent may first resend the RUNNING that `a` had no time to acknowledge.
      const again = await b.waitFor((u) => u.taskId === task.taskId && u.mesosState === 'TASK_RUNNING' && u.fromReconciliation);
      expect(again).toMatchObject({ fromReconciliation: true, run: { runId: task.runId } });
      expect(jobOfRunId(again.run!.runId)).toBe('itest');
      await b.stop();
      frameworks.splice(frameworks.indexOf(b), 1);

      // Implicit: the store lost it; the Kairos task id is enough to adopt it.
      const c = await start({}, { frameworkId: a.frameworkId.value });
      expect(await c.waitFor((u) => u.taskId === task.taskId && u.mesosState === 'TASK_RUNNING' && u.fromReconciliation)).toMatchObject({ fromReconciliation: true, run: { runId: task.runId } });
      await c.fw.kill(task.taskId);
      await c.waitForState(task.taskId, 'TASK_KILLED');
      expect([...b.persisted, ...c.persisted]).toEqual([]);
    });

    it("locates a task's sandbox on its agent and reads its logs through the agent's /files/read", async () => {
      const sandboxes = new Map<string, string | undefined>();
      const ref: { t?: TestFramework } = {};
      const asked = new Map<string, string | undefined>();
      // The sandbox travels with the update; the framework still answers for it while the task is known.
      ref.t = await start({}, { onStatus: async (u) => void (sandboxes.set(u.mesosState, u.sandbox), asked.set(u.mesosState, ref.t!.fw.sandboxOf(u.taskId))) });
      const task = shellTask('printf "line one\\nline two\\n"; printf oops >&2');
      ref.t.fw.launch([task]);
      await ref.t.waitForState(task.taskId, 'TASK_FINISHED');
      const sandbox = sandboxes.get('TASK_FINISHED')!;
      expect(decodeURIComponent(new URL(sandbox).pathname)).toBe(`/frameworks/${ref.t.frameworkId.value}/executors/${task.taskId}/runs/latest`);
      expect(sandboxes.get('TASK_RUNNING')).toBe(sandbox);
      expect(asked).toEqual(sandboxes);
      expect(await readSandboxFile(sandbox, 'stdout', 0)).toEqual({ offset: 0, data: 'line one\nline two\n', size: 18 });
      expect(await readSandboxFile(sandbox, 'stdout', 5, 3)).toEqual({ offset: 5, data: 'one', size: 18 });
      expect(await readSandboxFile(sandbox, 'stdout', 99)).toEqual({ offset: 18, data: '', size: 18 });
      // A real command executor logs to the task's stderr too, around the task's own bytes.
      const stderr = await readAgentFile(sandbox, 'stderr', 0, 100_000);
      expect(stderr).toMatchObject({ offset: 0, data: expect.stringContaining('oops'), size: stderr.data.length });
      expect(await readAgentFile(sandbox, 'no-such-file', 0, 100)).toEqual({ offset: 0, data: '', size: 0 });
      expect(ref.t.fw.sandboxOf('kairos.unknown@1.1')).toBeUndefined();
    });

    it('adopts unknown tasks by the labels the master lists, not by decoding their ids', async () => {
      const a = await start();
      // Both task ids hold a `~`: one stands for `/`, the other is a literal `~`.
      const slash = shellTask('sleep 30');
      const tilde = shellTask('sleep 30');
      for (const [t, runId] of [[slash, `${slash.runId}/child`], [tilde, `${tilde.runId}~x`]] as const) Object.assign(t, { runId, taskId: mesosTaskId(runId, 1) });
      expect(slash.taskId).toContain('~child');
      a.fw.launch([slash, tilde]);
      await Promise.all([a.waitForState(slash.taskId, 'TASK_RUNNING'), a.waitForState(tilde.taskId, 'TASK_RUNNING')]);
      await a.stop();
      frameworks.splice(frameworks.indexOf(a), 1);

      const b = await start({}, { frameworkId: a.frameworkId.value });
      for (const x of [slash, tilde]) {
        const u = await b.waitForState(x.taskId, 'TASK_RUNNING');
        expect(u).toMatchObject({ run: { runId: x.runId, revision: 'test' } });
        expect(jobOfRunId(u.run!.runId)).toBe('itest');
      }
      for (const t of [slash, tilde]) await b.fw.kill(t.taskId);
      expect((await b.waitForState(tilde.taskId, 'TASK_KILLED')).run?.runId).toBe(tilde.runId);
      await b.waitForState(slash.taskId, 'TASK_KILLED');
      expect(b.persisted).toEqual([]);
    });
  });
}
