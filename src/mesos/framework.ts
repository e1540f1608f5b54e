/**
 * The Kairos Mesos framework: the MesosFramework port over the v1 Scheduler HTTP API, as
 * a front over parts that each do one thing (mesos-go's scheduler controller as the
 * model; parts.ts wires them): `subscription.ts` (master → SUBSCRIBE → events → handler,
 * backoff, FrameworkID rule), `handlers.ts` (one handler per event type), one `Caller`
 * (caller.ts: stream, framework id, metrics) for every call, `flow.ts` (offers),
 * `status-pipe.ts` (UPDATE → hook → ACK), `reconciler.ts` and the watchdogs.
 *
 * Guarantees the controller relies on (mesos.apache.org/documentation/latest/high-availability-framework-guide/):
 * `persistLaunch` resolves before ACCEPT is sent; `onStatus` resolves before ACKNOWLEDGE;
 * only updates carrying a uuid are acknowledged; reconciliation runs after every
 * (re)subscribe and on its own timer, never inside offer callbacks.
 */
import { EventEmitter } from 'node:events';
import type { ClusterFacts, ClusterStatus, LaunchRequest, MesosFramework, PendingInfo } from '../ports/mesos.js';
import type { ClusterView } from '../core/cluster-view.js';
import type { Capacity } from './capacity.js';
import { normalizeConfig, type FrameworkConfig } from './config.js';
import { buildParts, type EmitFrameworkEvent, type FrameworkDeps, type FrameworkEvents, type FrameworkParts } from './parts.js';

export type { FrameworkDeps, FrameworkEvents } from './parts.js';
export type { FrameworkIdStore } from './subscription.js';

/** The framework. Build with `createFramework`. */
export class KairosFramework extends EventEmitter<FrameworkEvents> implements MesosFramework {
  readonly config: FrameworkConfig;
  private readonly p: FrameworkParts;
  private stopped = true;
  private done: Promise<void> | undefined;

  constructor(
    private readonly deps: FrameworkDeps,
    config: Partial<FrameworkConfig> = {},
  ) {
    super();
    this.config = normalizeConfig(config);
    this.p = buildParts(deps, this.config, this.emit.bind(this) as EmitFrameworkEvent, (reason, was) => this.disconnected(reason, was));
  }

  launch(requests: LaunchRequest[]): void {
    if (this.p.tasks.enqueue(requests, this.deps.clock.now()) === 0) return;
    this.p.starvation.demandAppeared();
    if (this.p.loop.stream) this.p.flow.demandAppeared();
  }

  withdraw(taskId: string): boolean {
    return this.p.tasks.dequeue(taskId);
  }

  async kill(taskId: string): Promise<void> {
    if (this.p.tasks.dequeue(taskId)) return;
    const t = this.p.tasks.get(taskId);
    await this.p.caller.call({ type: 'KILL', kill: { task_id: { value: taskId }, ...(t?.agentId ? { agent_id: { value: t.agentId } } : {}) } });
  }

  /**
   * Where a task's sandbox is on its agent, for reading its logs (sandbox.ts
   * readAgentFile): known from its first status with an agent (until its end has been
   * handled) once an offer has told the agent's address.
   */
  sandboxOf(taskId: string): string | undefined {
    const id = this.p.loop.frameworkId;
    return id ? this.p.sandboxes.locate(id, taskId) : undefined;
  }

  pending(): PendingInfo[] {
    return this.p.tasks.pendingInfo();
  }

  /** The agents, our live tasks on them and the queued task ids, for preemption (agent-view.ts). */
  clusterView(): ClusterView {
    return this.p.agents.view(this.p.tasks.live(), this.p.tasks.pendingInfo().map((p) => p.taskId), this.deps.clock.now());
  }

  /** The active agents' summed resources, asked from the master we are subscribed to (capacity.ts). */
  async capacity(): Promise<Capacity | undefined> {
    const sub = this.p.loop.stream;
    return sub ? this.p.capacity.get(sub.url) : undefined;
  }

  /** The active agents' totals and attributes, from the same `/master/state` answer as `capacity`. */
  async clusterFacts(): Promise<ClusterFacts | undefined> {
    const sub = this.p.loop.stream;
    return sub ? this.p.capacity.facts(sub.url) : undefined;
  }

  status(): ClusterStatus {
    const { loop, starvation, flow } = this.p;
    const sub = loop.stream;
    return {
      connected: sub !== undefined,
      ...(loop.frameworkId ? { frameworkId: loop.frameworkId } : {}),
      ...(sub ? { master: new URL(sub.url).host } : {}),
      starving: starvation.starving,
      ...(starvation.starvingSince !== undefined && { starvingSince: starvation.starvingSince }),
      ...flow.counters(),
    };
  }

  /**
   * Subscribes and keeps the subscription up until `stop()`; resolves when stopped.
   * `force` has no field in the v1 HTTP API (a SUBSCRIBE always fails over the previous
   * connection of the same FrameworkID), so it only documents intent. `knownTasks` seeds
   * reconciliation with the tasks the store says are live.
   */
  start(opts: { force: boolean; knownTasks: { taskId: string; agentId?: string }[] }): Promise<void> {
    if (this.done) return this.done;
    this.stopped = false;
    this.p.tasks.seed(opts.knownTasks);
    this.p.reconciler.start();
    this.p.starvation.start();
    this.done = this.p.loop.run();
    return this.done;
  }

  /** Resolves once subscribed (now, or at the next SUBSCRIBED). */
  subscribed(): Promise<void> {
    if (this.p.loop.stream) return Promise.resolve();
    return new Promise((resolve) => this.once('subscribed', () => resolve()));
  }

  /** Explicit then implicit reconciliation now (reconciler.ts); a new run supersedes the old. */
  reconcile(): Promise<void> {
    return this.p.reconciler.run();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const p = this.p;
    p.starvation.stop();
    p.heartbeat.disarm();
    p.reconciler.stop();
    p.flow.stop();
    p.loop.stop();
    await this.done;
    p.client.close();
    await this.deps.detector.close();
  }

  /** The stream is gone: its offers, heartbeat and reconciliation go with it. */
  private disconnected(reason: string, wasSubscribed: boolean): void {
    this.p.heartbeat.disarm();
    this.p.flow.disconnected();
    this.p.reconciler.cancel();
    if (wasSubscribed) this.emit('disconnected', { reason });
  }
}

/** Builds the framework; call `start()` to subscribe. */
export function createFramework(deps: FrameworkDeps, config: Partial<FrameworkConfig> = {}): KairosFramework {
  return new KairosFramework(deps, config);
}
