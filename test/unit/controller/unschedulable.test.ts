/**
 * Unschedulable runs through a whole controller on the fake clock: a run needing more cpus
 * than any agent becomes `unschedulable` after the grace period (once, with the reason),
 * raises the `unschedulable` notification through the outbox, shows in explain and in
 * `GET /v1/cluster`'s facts; when an agent that fits is known it is pending again; an
 * offer that fits launches it even from `unschedulable`; and a new leader re-queues it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { explain } from '../../../src/api/explain.js';
import type { Controller } from '../../../src/controller/controller.js';
import type { ClusterFacts, FrameworkHooks } from '../../../src/ports/mesos.js';
import { DEFAULT_NOTIFY_CONFIG } from '../../../src/notify/config.js';
import type { OutboxEntry } from '../../../src/notify/events.js';
import { DirectorySource } from '../../../src/source/directory.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { RecordingFramework } from './recording-framework.js';
import { startSoloController } from './solo-controller.js';

const MANIFEST = `apiVersion: kairos/v1
kind: Job
metadata: { name: reindex-batch }
spec:
  command: { shell: reindex }
  resources: { cpus: 4, mem: 1024 }
  notify:
    - on: [unschedulable]
      webhook: { url: "http://127.0.0.1:9/hook" }
`;
const GRACE = 60_000;
const agent = (id: string, cpus: number) => ({ id, hostname: id, attributes: {}, resources: { cpus, mem: 8192, disk: 1000, gpus: 0, ports: 100 } });

/** The recording framework, plus cluster facts the test changes. */
class FactsFramework extends RecordingFramework {
  facts: ClusterFacts | undefined;
  async clusterFacts(): Promise<ClusterFacts | undefined> {
    return this.facts;
  }
}

let dir: string;
let clock: FakeClock;
let store: MemoryStore;
let framework: FactsFramework;
let hooks: FrameworkHooks;
let controller: Controller;
const sent: { event: string; run: string; state: string; reason?: string }[] = [];

async function passTime(ms: number): Promise<void> {
  await clock.advanceAsync(ms);
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

/** A controller on the shared store, started and through its first sync. */
function startController(): Promise<Controller> {
  return startSoloController({
    store,
    source: new DirectorySource(dir),
    clock,
    framework: (h) => ((hooks = h), framework),
    unschedulableAfterMs: GRACE,
    notify: { config: DEFAULT_NOTIFY_CONFIG, intervalMs: 1000, sender: { send: async (e: OutboxEntry) => void sent.push({ event: e.event, run: e.run.id, state: e.run.state, reason: e.run.reason }) } },
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kairos-unsched-'));
  await writeFile(join(dir, 'job.yaml'), MANIFEST);
  clock = new FakeClock('2026-05-01T10:00:00Z');
  store = new MemoryStore();
  framework = new FactsFramework();
  framework.facts = { at: clock.now(), agents: [agent('small-1', 2), agent('small-2', 1)] };
  sent.length = 0;
  controller = await startController();
});

afterEach(() => controller.stop().then(() => rm(dir, { recursive: true, force: true })));

describe('unschedulable runs', () => {
  it('become unschedulable after the grace period, notify once, and are pending again when an agent that fits joins', async () => {
    const { id } = await controller.actions.runNow('reindex-batch', {});
    expect(framework.launched.map((l) => l.runId)).toEqual([id]);
    await passTime(GRACE - 1000);
    expect(controller.view.run(id)?.state).toBe('pending');
    await passTime(12_000);
    const run = controller.view.run(id)!;
    expect(run.state).toBe('unschedulable');
    expect(run.reason).toBe('needs cpus 4 but the largest agent has 2');
    expect(sent).toEqual([{ event: 'unschedulable', run: id, state: 'unschedulable', reason: 'needs cpus 4 but the largest agent has 2' }]);
    expect(controller.view.cluster().facts?.agents.map((a) => a.id)).toEqual(['small-1', 'small-2']);
    const why = explain({ job: controller.view.job('reindex-batch')!, parents: {}, cluster: controller.view.cluster(), sync: controller.view.sync(), leader: { isLeader: true }, now: clock.now() });
    expect(why.reasons[0]).toEqual({ code: 'unschedulable', message: `run ${id} is unschedulable: needs cpus 4 but the largest agent has 2; it launches when an agent that fits joins` });
    expect(controller.view.jobs().find((j) => j.name === 'reindex-batch')?.status).toBe('pending');

    await passTime(60_000); // still too small: no second notification, no flapping
    expect(sent).toHaveLength(1);
    expect(framework.launched).toHaveLength(1); // the task stays queued, never re-requested

    framework.facts = { at: clock.now(), agents: [agent('small-1', 2), agent('big', 8)] };
    await passTime(11_000);
    expect(controller.view.run(id)?.state).toBe('pending');
    expect(controller.view.run(id)?.reason).toBeUndefined();
    await hooks.persistLaunch([{ request: framework.launched[0], agentId: 'big', hostname: 'big' }]);
    expect(controller.view.run(id)?.state).toBe('launching');
  });

  it('an offer that fits launches the run straight from unschedulable, and a new leader re-queues an unschedulable run', async () => {
    const { id } = await controller.actions.runNow('reindex-batch', {});
    await passTime(GRACE + 11_000);
    expect(controller.view.run(id)?.state).toBe('unschedulable');

    // leadership moves to a fresh controller on the same store: the unplaced task is asked for again
    await controller.stop();
    framework = new FactsFramework();
    framework.facts = { at: clock.now(), agents: [agent('small-1', 2)] };
    controller = await startController();
    expect(framework.launched.map((l) => l.runId)).toEqual([id]);
    expect(controller.view.run(id)?.state).toBe('unschedulable');

    await hooks.persistLaunch([{ request: framework.launched[0], agentId: 'joined', hostname: 'joined' }]);
    const launched = controller.view.run(id)!;
    expect(launched.state).toBe('launching');
    expect(launched.reason).toBeUndefined();
  });

  it('an unschedulable run can be killed: its queued task is withdrawn and the run ends killed, with no more checks on it', async () => {
    const { id } = await controller.actions.runNow('reindex-batch', {});
    await passTime(GRACE + 11_000);
    expect(controller.view.run(id)?.state).toBe('unschedulable');
    await controller.actions.kill(id);
    expect(framework.killed).toEqual([framework.launched[0].taskId]);
    expect(controller.view.run(id)?.state).toBe('killed');
    framework.facts = { at: clock.now(), agents: [agent('big', 8)] };
    await passTime(30_000);
    expect(controller.view.run(id)?.state).toBe('killed');
  });
});
