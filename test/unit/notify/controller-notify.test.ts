/**
 * Notifications and SLAs through a whole controller on the fake clock: the run lifecycle
 * writes the outbox with the run, the leader's delivery round sends each event once, and
 * the SLA check raises sla_missed once, visible in explain and the event stream.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { explain } from '../../../src/api/explain.js';
import type { Controller } from '../../../src/controller/controller.js';
import type { NotifyTarget } from '../../../src/core/types.js';
import type { FrameworkHooks, LaunchRequest } from '../../../src/ports/mesos.js';
import { DEFAULT_NOTIFY_CONFIG } from '../../../src/notify/config.js';
import type { OutboxEntry } from '../../../src/notify/events.js';
import { DirectorySource } from '../../../src/source/directory.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { RecordingFramework } from '../controller/recording-framework.js';
import { startSoloController } from '../controller/solo-controller.js';
import { FakeClock } from '../../support/fake-clock.js';
import { outcomeOf } from '../../../src/mesos/status.js';

const MANIFEST = `apiVersion: kairos/v1
kind: Job
metadata:
  name: etl
spec:
  schedule:
    cron: "* * * * *"
  command:
    shell: "true"
  resources: { cpus: 0.1, mem: 32 }
  retries: { count: 0 }
  sla: { finishWithinSeconds: 30 }
  notify:
    - on: [failed, sla_missed, recovered]
      webhook: { url: "http://127.0.0.1:9/hook", secret: { env: HOOK_SECRET } }
`;

let dir: string;
let clock: FakeClock;
let controller: Controller;
let hooks: FrameworkHooks;
const framework = new RecordingFramework();
const sent: { event: string; run: string; target: NotifyTarget }[] = [];
const slaEvents: string[] = [];

/** Lets timers due by `ms` fire, and the async work they start finish. */
async function passTime(ms: number): Promise<void> {
  await clock.advanceAsync(ms);
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

async function report(req: LaunchRequest, state: string, exitStatus?: number): Promise<void> {
  await hooks.onStatus({ taskId: req.taskId, mesosState: state, outcome: outcomeOf(state), agentId: 'a1', at: clock.now(), fromReconciliation: false, ...(exitStatus !== undefined && { exitStatus }) });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kairos-notify-'));
  await writeFile(join(dir, 'etl.yaml'), MANIFEST);
  clock = new FakeClock('2026-03-08T07:00:30Z');
  framework.launched = [];
  sent.length = 0;
  slaEvents.length = 0;
  controller = await startSoloController(
    {
      store: new MemoryStore(),
      source: new DirectorySource(dir),
      clock,
      framework: (h) => ((hooks = h), framework),
      notify: { config: DEFAULT_NOTIFY_CONFIG, intervalMs: 1000, sender: { send: async (e: OutboxEntry, target) => void sent.push({ event: e.event, run: e.run.id, target }) } },
    },
    (c) => c.events.on('run:sla_missed', (e) => slaEvents.push(e.runId)),
  );
});

afterEach(async () => {
  await controller.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('controller notifications', () => {
  it('raises sla_missed once for a run still running at its deadline, then failed, then recovered', async () => {
    await passTime(30_000); // 07:01:00: the run launches
    const first = framework.launched[0];
    await hooks.persistLaunch([{ request: first, agentId: 'a1', hostname: 'h1' }]);
    await report(first, 'TASK_RUNNING');
    await passTime(29_000);
    expect(sent).toEqual([]);
    await passTime(2_000); // past 07:01:30
    expect(sent.map((s) => [s.event, s.run])).toEqual([['sla_missed', first.runId]]);
    expect(sent[0].target).toEqual({ webhook: { url: 'http://127.0.0.1:9/hook', secret: { env: 'HOOK_SECRET' } } });
    await passTime(5_000);
    expect(slaEvents).toEqual([first.runId]);

    const job = controller.view.job('etl')!;
    const why = explain({ job, parents: {}, cluster: controller.view.cluster(), sync: controller.view.sync(), leader: { isLeader: true }, now: clock.now() });
    expect(why.reasons.find((r) => r.code === 'sla-missed')?.message).toBe(
      `run ${first.runId} missed its SLA (sla.finishWithinSeconds: 30, due 2026-03-08T07:01:30.000Z): still running 6s after it`,
    );

    await report(first, 'TASK_FAILED', 2);
    await passTime(1_000);
    expect(sent.map((s) => s.event)).toEqual(['sla_missed', 'failed']);

    await passTime(23_000); // 07:02:00: the next run
    const second = framework.launched.at(-1)!;
    expect(second.runId).not.toBe(first.runId);
    await hooks.persistLaunch([{ request: second, agentId: 'a1', hostname: 'h1' }]);
    await report(second, 'TASK_RUNNING');
    await report(second, 'TASK_FINISHED', 0);
    await passTime(1_000);
    expect(sent.map((s) => [s.event, s.run])).toEqual([['sla_missed', first.runId], ['failed', first.runId], ['recovered', second.runId]]);
    expect(await controller.notifications()).toEqual([]);
  });
});
