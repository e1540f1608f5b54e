/**
 * The router over recording doubles of the MesosFramework port (each keeps a real queue:
 * `withdraw` only takes back what is still queued), driven by the fake clock. The real
 * frameworks and masters are judged in test/integration/clusters.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ClusterRouter } from '../../../src/clusters/router.js';
import { silentLogger } from '../../../src/ports/logger.js';
import type { ClusterStatus, FrameworkHooks, KnownTask, LaunchRequest, MesosFramework, PendingInfo, PlacedLaunch, TaskStatusUpdate } from '../../../src/ports/mesos.js';
import type { Offer } from '../../../src/mesos/types.js';
import { FakeClock } from '../../support/fake-clock.js';
import { launchRequest, template } from '../mesos/fixtures.js';

class Recording implements MesosFramework {
  clusterView?: MesosFramework['clusterView'];
  queue = new Map<string, LaunchRequest>();
  killed: string[] = [];
  started: KnownTask[] = [];
  connected = true;
  starving = false;
  hooks!: FrameworkHooks;
  launch(rs: LaunchRequest[]): void {
    for (const r of rs) this.queue.set(r.taskId, r);
  }
  async kill(taskId: string): Promise<void> {
    this.queue.delete(taskId);
    this.killed.push(taskId);
  }
  withdraw(taskId: string): boolean {
    return this.queue.delete(taskId);
  }
  pending(): PendingInfo[] {
    return [...this.queue.values()].map((r) => ({ taskId: r.taskId, runId: r.runId, since: 0, reason: 'waiting for offers' }));
  }
  status(): ClusterStatus {
    return { connected: this.connected, starving: this.starving, offersReceived: 0, offersDeclined: 0, revives: 0, suppressed: false };
  }
  async start(o: { knownTasks: KnownTask[] }): Promise<void> {
    this.started = o.knownTasks;
  }
  async stop(): Promise<void> {}
  /** The framework placed a queued task: intent first (through the router's hooks). */
  async place(taskId: string): Promise<void> {
    const request = this.queue.get(taskId)!;
    this.queue.delete(taskId);
    await this.hooks.persistLaunch([{ request, agentId: 'a1', hostname: 'h1' }]);
  }
}

function offer(agent: string, cpus: number): Offer {
  return { id: { value: `o-${agent}` }, framework_id: { value: 'f' }, agent_id: { value: agent }, hostname: agent, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: cpus } }, { name: 'mem', type: 'SCALAR', scalar: { value: 4096 } }] } as Offer;
}

function status(taskId: string, state = 'TASK_RUNNING'): TaskStatusUpdate {
  return { taskId, mesosState: state, outcome: state === 'TASK_RUNNING' ? 'running' : 'succeeded', at: 0, fromReconciliation: false };
}

function setup(intents: Record<string, string> = {}) {
  const clock = new FakeClock();
  const persisted: PlacedLaunch[] = [];
  const statuses: TaskStatusUpdate[] = [];
  const hooks: FrameworkHooks = {
    persistLaunch: async (l) => void persisted.push(...l),
    onStatus: async (u) => void statuses.push(u),
    clusterOf: (t) => intents[t],
  };
  const router = new ClusterRouter(hooks, { clock, logger: silentLogger, moveAfterMs: 10_000, checkEveryMs: 1000 });
  const fw = { dc1: new Recording(), dc2: new Recording() };
  for (const [name, f] of Object.entries(fw)) {
    f.hooks = router.hooksFor(name);
    router.attach({ name, framework: f });
  }
  return { clock, router, fw, persisted, statuses };
}

describe('ClusterRouter', () => {
  it('places on the first cluster with a fitting offer, and moves a waiting run when that cluster stays down', async () => {
    const { clock, router, fw, persisted } = setup();
    void router.start({ force: true, knownTasks: [] });
    router.offered('dc1', [offer('a1', 0.05)]);
    router.offered('dc2', [offer('b1', 4)]);
    const small = launchRequest('small', 1, template({ resources: { cpus: 0.01, mem: 32, disk: 0, gpus: 0, ports: 0 } }));
    const big = launchRequest('big', 1, template({ resources: { cpus: 1, mem: 32, disk: 0, gpus: 0, ports: 0 } }));
    router.launch([small, big]);
    expect([...fw.dc1.queue.keys()]).toEqual([small.taskId]);
    expect([...fw.dc2.queue.keys()]).toEqual([big.taskId]);
    expect(router.pending().map((p) => [p.taskId, p.cluster])).toEqual([[small.taskId, 'dc1'], [big.taskId, 'dc2']]);

    clock.advance(1000); // the first check sees both connected
    fw.dc1.connected = false;
    clock.advance(10_000); // down since the next check: not yet long enough
    expect(fw.dc1.queue.has(small.taskId)).toBe(true);
    clock.advance(10_000);
    expect(fw.dc1.queue.has(small.taskId)).toBe(false);
    expect(fw.dc2.queue.has(small.taskId)).toBe(true);

    // dc1 may not write an intent for it any more; dc2 does, recording its name.
    fw.dc1.queue.set(small.taskId, small);
    await expect(fw.dc1.place(small.taskId)).rejects.toThrow(/routed to another cluster than dc1/);
    await fw.dc2.place(small.taskId);
    expect(persisted.map((p) => [p.request.taskId, p.cluster])).toEqual([[small.taskId, 'dc2']]);
    await router.stop();
  });

  it('never moves a run of a job restricted to one cluster, and never places it elsewhere', () => {
    const { clock, router, fw } = setup();
    void router.start({ force: true, knownTasks: [] });
    fw.dc1.connected = false;
    const only = launchRequest('only', 1, template({ clusters: ['dc1'] }));
    router.launch([only]);
    clock.advance(60_000);
    expect(fw.dc1.queue.has(only.taskId)).toBe(true);
    expect(fw.dc2.queue.size).toBe(0);
  });

  it('a run naming no configured cluster waits with the reason and each cluster\'s verdict', () => {
    const { router } = setup();
    const lost = launchRequest('lost', 1, template({ clusters: ['dc9'] }));
    router.launch([lost]);
    expect(router.pending()).toMatchObject([{ taskId: lost.taskId, reason: 'spec.clusters names no configured cluster: dc9 (configured: dc1, dc2)', clusters: [{ cluster: 'dc9', eligible: false }] }]);
  });

  it('kills a task a cluster reports against its intent, and never hands its updates on', async () => {
    const { router, fw, statuses } = setup({ 'job@1.1': 'dc1' });
    await router.start({ force: true, knownTasks: [{ taskId: 'mine', agentId: 'a', cluster: 'dc2' }, { taskId: 'old', agentId: 'b' }] });
    expect(fw.dc2.started).toEqual([{ taskId: 'mine', agentId: 'a', cluster: 'dc2' }]);
    expect(fw.dc1.started).toEqual([{ taskId: 'old', agentId: 'b' }]); // no cluster recorded: the first

    await fw.dc1.hooks.onStatus(status('mine'));
    await fw.dc2.hooks.onStatus(status('job@1.1'));
    expect(fw.dc1.killed).toEqual(['mine']);
    expect(fw.dc2.killed).toEqual(['job@1.1']);
    expect(statuses).toEqual([]);

    await fw.dc2.hooks.onStatus(status('mine'));
    await fw.dc1.hooks.onStatus(status('adopted'));
    await fw.dc2.hooks.onStatus(status('adopted')); // the same task id from the other cluster
    expect(statuses.map((s) => s.taskId)).toEqual(['mine', 'adopted']);
    expect(fw.dc2.killed).toEqual(['job@1.1', 'adopted']);
  });

  it('reports every cluster with its own state and sums the counters', () => {
    const { router, fw } = setup();
    fw.dc2.connected = false;
    const s = router.status();
    expect(s.connected).toBe(true);
    expect(s.clusters?.map((c) => [c.name, c.connected])).toEqual([['dc1', true], ['dc2', false]]);
  });
});

describe('ClusterRouter: the view for preemption', () => {
  it('joins every cluster\'s agents tagged with their cluster, and says which cluster each queued task waits in', () => {
    const { router, fw } = setup();
    const none = { cpus: 0, mem: 0, disk: 0, gpus: 0, ports: 0 };
    fw.dc1.clusterView = () => ({ agents: [{ agentId: 'a1', hostname: 'h1', attributes: {}, free: none, taskIds: ['low.1'] }], queued: new Set(['hi.1']) });
    fw.dc2.clusterView = () => ({ agents: [{ agentId: 'b1', hostname: 'h2', attributes: {}, free: none, taskIds: [] }], queued: new Set(['other.1']) });
    const v = router.clusterView();
    expect(v.agents.map((a) => [a.agentId, a.cluster])).toEqual([['a1', 'dc1'], ['b1', 'dc2']]);
    expect(v.queued).toEqual(new Set(['hi.1', 'other.1']));
    expect(v.queuedOn).toEqual(new Map([['hi.1', 'dc1'], ['other.1', 'dc2']]));
  });
});
