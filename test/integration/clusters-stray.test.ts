/**
 * At most once across clusters, with real frameworks and two embedded masters: a task
 * that runs on dc1 while the store's launch intent puts it on dc2 (a later controller
 * finds it by reconciliation) is killed on dc1, and none of its updates reaches the
 * controller's hooks, so it is never counted: the controller hears only dc2's answer (the
 * task is unknown there), as the store's intent says. Judged by what dc1's master reports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterRouter } from '../../src/clusters/router.js';
import { startEmbeddedMaster, type EmbeddedMaster } from '../../src/mesos/embedded/index.js';
import { createFramework, type KairosFramework } from '../../src/mesos/framework.js';
import { listDetector } from '../../src/mesos/leader.js';
import { systemClock } from '../../src/ports/clock.js';
import { silentLogger } from '../../src/ports/logger.js';
import type { FrameworkHooks, TaskStatusUpdate } from '../../src/ports/mesos.js';
import { launchRequest, template } from '../unit/mesos/fixtures.js';

const masters: EmbeddedMaster[] = [];
const routers: ClusterRouter[] = [];
afterEach(async () => {
  for (const r of routers.splice(0)) await r.stop();
  for (const m of masters.splice(0)) await m.stop();
});

/** A router over one real framework per master; FrameworkIDs kept in `ids` across routers (the store). */
function router(hooks: FrameworkHooks, ids: Map<string, string>): { router: ClusterRouter; fw: Record<string, KairosFramework> } {
  const r = new ClusterRouter(hooks, { clock: systemClock, logger: silentLogger, moveAfterMs: 30_000 });
  const fw: Record<string, KairosFramework> = {};
  masters.forEach((m, i) => {
    const name = `dc${i + 1}`;
    const frameworkIds = { load: async () => ids.get(name), save: async (id: string | undefined) => void (id ? ids.set(name, id) : ids.delete(name)) };
    fw[name] = createFramework({ detector: listDetector([m.url]), clock: systemClock, logger: silentLogger, hooks: r.hooksFor(name), frameworkIds }, { name: `kairos-${name}`, reconcileIntervalMs: 60_000 });
    fw[name].on('offers', (e) => r.offered(name, e.offers));
    r.attach({ name, framework: fw[name] });
  });
  routers.push(r);
  return { router: r, fw };
}

function until<T>(what: string, f: () => T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      const v = f();
      if (v !== undefined) return resolve(v);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

describe('a task on a cluster its intent does not name', () => {
  it('is killed there and never reaches the controller, which hears only the intended cluster', async () => {
    for (let i = 0; i < 2; i++) masters.push(await startEmbeddedMaster({ localAgents: 0, simulatedAgents: 1, simulatedTaskDurationMs: 120_000, allocationIntervalMs: 100 }));
    const ids = new Map<string, string>();
    const first: TaskStatusUpdate[] = [];
    const one = router({ persistLaunch: async () => {}, onStatus: async (u) => void first.push(u) }, ids);
    void one.router.start({ force: true, knownTasks: [] });
    const task = launchRequest('stray', 1, template({ clusters: ['dc1'] }));
    one.router.launch([task]);
    await until('the task running on dc1', () => first.find((u) => u.taskId === task.taskId && u.mesosState === 'TASK_RUNNING'));
    await one.router.stop(); // the controller goes; the task keeps running on dc1

    // The next controller's store says the task went to dc2 (its intent names dc2).
    const seen: TaskStatusUpdate[] = [];
    const hooks: FrameworkHooks = { persistLaunch: async () => {}, onStatus: async (u) => void seen.push(u), clusterOf: (id) => (id === task.taskId ? 'dc2' : undefined) };
    const two = router(hooks, ids);
    const reported: TaskStatusUpdate[] = [];
    two.fw.dc1.on('status', (u) => reported.push(u));
    void two.router.start({ force: true, knownTasks: [{ taskId: task.taskId, agentId: first[0].agentId, cluster: 'dc2' }] });
    await until('dc1 reporting the task killed', () => reported.find((u) => u.taskId === task.taskId && u.outcome === 'killed'));
    const dc1Tasks = [...masters[0].master.cluster.tasks.values()].flatMap((t) => [...t.active.keys()]);
    expect(dc1Tasks).not.toContain(task.taskId);
    // The controller hears only dc2, the cluster its intent names: the task is unknown there.
    expect(seen.filter((u) => u.taskId === task.taskId).map((u) => [u.mesosState, u.fromReconciliation])).toEqual([['TASK_UNKNOWN', true]]);
  }, 60_000);
});
