/**
 * The Kairos Mesos framework: the MesosFramework port over the v1 Scheduler HTTP API, as
 * a front that builds and wires the parts (mesos-go's scheduler controller as the model):
 * `subscription.ts` (master → SUBSCRIBE → events → handler, backoff, FrameworkID rule),
 * `handlers.ts` (one handler per event type), one `Caller` (caller.ts: stream, framework
 * id, metrics, reconcile on a refused ACCEPT) for every call, `flow.ts` (offers),
 * `status-pipe.ts` (UPDATE → hook → ACK), `reconciler.ts` and the watchdogs.
 *
 * Guarantees the controller relies on (docs/high-availability-framework-guide.md):
 * `persistLaunch` resolves before ACCEPT is sent; `onStatus` resolves before ACKNOWLEDGE;
 * only updates carrying a uuid are acknowledged; reconciliation runs after every
 * (re)subscribe and on its own timer, never inside offer callbacks.
 */
import { EventEmitter } from 'node:events';
import { messageOf } from '../core/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { ClusterStatus, FrameworkHooks, LaunchRequest, MesosFramework, PendingInfo, TaskStatusUpdate } from '../ports/mesos.js';
import { onFailure, streamCaller, withFrameworkId, withMetrics, type Caller, type CallEvents, type EmitCallEvent } from './caller.js';
import { CapacityProbe, type Capacity } from './capacity.js';
import { SchedulerClient } from './client.js';
import { frameworkInfoOf, normalizeConfig, type FrameworkConfig } from './config.js';
import { OfferFlow } from './flow.js';
import { eventHandlers, route } from './handlers.js';
import type { MasterDetector } from './leader.js';
import { Reconciler } from './reconciler.js';
import { AgentSandboxes } from './sandbox.js';
import { Sleeps } from './sleeps.js';
import { StatusPipe } from './status-pipe.js';
import { SubscriptionLoop, type FrameworkIdStore } from './subscription.js';
import { MasterLabels } from './task-labels.js';
import { TaskBook } from './taskbook.js';
import { HeartbeatWatchdog, StarvationWatchdog } from './watchdog.js';

export type { FrameworkIdStore } from './subscription.js';

/** What the framework is built from; `main` builds the real ones. */
export interface FrameworkDeps {
  detector: MasterDetector;
  clock: Clock;
  logger: Logger;
  hooks: FrameworkHooks;
  frameworkIds: FrameworkIdStore;
}

/** Typed events for tests, metrics and logs: tests wait on these, never on sleeps. */
export interface FrameworkEvents extends CallEvents {
  subscribed: [{ frameworkId: string; master: string }];
  disconnected: [{ reason: string }];
  offers: [{ count: number }];
  status: [TaskStatusUpdate];
  starving: [boolean];
  /** A reconciliation finished; `ms` is how long it took (for the reconcile duration metric). */
  reconciled: [{ unanswered: string[]; ms: number }];
}

/** The framework. Build with `createFramework`. */
export class KairosFramework extends EventEmitter<FrameworkEvents> implements MesosFramework {
  readonly config: FrameworkConfig;
  private readonly client: SchedulerClient;
  private readonly tasks = new TaskBook();
  private readonly sandboxes = new AgentSandboxes();
  private readonly sleeps: Sleeps;
  private readonly loop: SubscriptionLoop;
  private readonly flow: OfferFlow;
  private readonly reconciler: Reconciler;
  private readonly heartbeat: HeartbeatWatchdog;
  private readonly starvation: StarvationWatchdog;
  private readonly capacityProbe: CapacityProbe;
  /** Every call leaves through this one (stream, framework id, metrics). */
  private readonly caller: Caller;
  private stopped = true;
  private done: Promise<void> | undefined;

  constructor(
    private readonly deps: FrameworkDeps,
    config: Partial<FrameworkConfig> = {},
  ) {
    super();
    const c = (this.config = normalizeConfig(config));
    const { clock, hooks } = deps;
    const log = deps.logger.child({ component: 'mesos' });
    const authorization = c.principal && c.secret ? `Basic ${Buffer.from(`${c.principal}:${c.secret}`).toString('base64')}` : undefined;
    this.client = new SchedulerClient({ encoding: c.encoding, maxRedirects: c.maxRedirects, requestTimeoutMs: c.requestTimeoutMs, authorization });
    this.capacityProbe = new CapacityProbe(clock, this.client);
    this.sleeps = new Sleeps(clock);
    const emit = this.emit.bind(this) as <K extends keyof FrameworkEvents>(name: K, ...args: FrameworkEvents[K]) => void;
    this.heartbeat = new HeartbeatWatchdog(clock, () => this.loop.drop('no event for 5 heartbeat intervals'));
    this.loop = new SubscriptionLoop({ detector: deps.detector, client: this.client, log, frameworkIds: deps.frameworkIds, sleeps: this.sleeps, backoff: c.resubscribeBackoff, frameworkInfo: () => frameworkInfoOf(c), handle: (e, sub) => handle(e, sub), ended: (reason, was) => this.disconnected(reason, was) });
    const caller = (this.caller = withMetrics(withFrameworkId(streamCaller(this.client, () => this.loop.live), () => this.loop.frameworkId), emit as EmitCallEvent));
    this.reconciler = new Reconciler({ clock, caller, log, sleeps: this.sleeps, intervalMs: c.reconcileIntervalMs, backoff: c.reconcileBackoff, live: () => this.tasks.live(), connected: () => this.loop.stream !== undefined, reconciled: (e) => emit('reconciled', e) });
    this.flow = new OfferFlow({ clock, config: c, log, tasks: this.tasks, hooks, caller: onFailure(caller, 'ACCEPT', () => void this.reconciler.run()) });
    const labels = new MasterLabels(this.client, () => (this.loop.stream && this.loop.frameworkId ? { url: this.loop.stream.url, frameworkId: this.loop.frameworkId } : undefined), log);
    const statuses = new StatusPipe({ clock, log, caller, tasks: this.tasks, sandboxes: this.sandboxes, labels, hooks, observed: (id, at) => this.reconciler.observe(id, at), recorded: (u) => emit('status', u) });
    this.starvation = new StarvationWatchdog(clock, c.starvationTimeoutMs, {
      hasDemand: () => this.tasks.queued > 0,
      connected: () => this.loop.stream !== undefined,
      revive: () => void this.flow.revive().catch((e) => log.warn('REVIVE failed', { error: messageOf(e) })),
      resubscribe: () => this.loop.drop('starving: no offers after REVIVE'),
      starving: (on, quietMs) => {
        if (on) log.error('starving: tasks are waiting and no offers arrive', { queued: this.tasks.queued, quietMs });
        else log.info('offers are back, no longer starving');
        emit('starving', on);
      },
    });
    const table = eventHandlers({ log, heartbeat: this.heartbeat, heartbeatMisses: c.heartbeatMisses, starvation: this.starvation, sandboxes: this.sandboxes, offers: this.flow, statuses, reconcile: () => void this.reconciler.run(), events: { subscribed: (e) => emit('subscribed', e), offers: (e) => emit('offers', e) } });
    const handle = route(table, this.heartbeat);
  }

  launch(requests: LaunchRequest[]): void {
    if (this.tasks.enqueue(requests, this.deps.clock.now()) === 0) return;
    this.starvation.demandAppeared();
    if (this.loop.stream) this.flow.demandAppeared();
  }

  async kill(taskId: string): Promise<void> {
    if (this.tasks.dequeue(taskId)) return;
    const t = this.tasks.get(taskId);
    await this.caller.call({ type: 'KILL', kill: { task_id: { value: taskId }, ...(t?.agentId ? { agent_id: { value: t.agentId } } : {}) } });
  }

  /**
   * Where a task's sandbox is on its agent, for reading its logs (sandbox.ts
   * readAgentFile): known from its first status with an agent (until its end has been
   * handled) once an offer has told the agent's address.
   */
  sandboxOf(taskId: string): string | undefined {
    const id = this.loop.frameworkId;
    return id ? this.sandboxes.locate(id, taskId) : undefined;
  }

  pending(): PendingInfo[] {
    return this.tasks.pendingInfo();
  }

  /** The active agents' summed resources, asked from the master we are subscribed to (capacity.ts). */
  async capacity(): Promise<Capacity | undefined> {
    const sub = this.loop.stream;
    return sub ? this.capacityProbe.get(sub.url) : undefined;
  }

  status(): ClusterStatus {
    const sub = this.loop.stream;
    const frameworkId = this.loop.frameworkId;
    return {
      connected: sub !== undefined,
      ...(frameworkId ? { frameworkId } : {}),
      ...(sub ? { master: new URL(sub.url).host } : {}),
      starving: this.starvation.starving,
      ...(this.starvation.starvingSince !== undefined && { starvingSince: this.starvation.starvingSince }),
      ...this.flow.counters(),
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
    this.tasks.seed(opts.knownTasks);
    this.reconciler.start();
    this.starvation.start();
    this.done = this.loop.run();
    return this.done;
  }

  /** Resolves once subscribed (now, or at the next SUBSCRIBED). */
  subscribed(): Promise<void> {
    if (this.loop.stream) return Promise.resolve();
    return new Promise((resolve) => this.once('subscribed', () => resolve()));
  }

  /** Explicit then implicit reconciliation now (reconciler.ts); a new run supersedes the old. */
  reconcile(): Promise<void> {
    return this.reconciler.run();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.starvation.stop();
    this.heartbeat.disarm();
    this.reconciler.stop();
    this.flow.stop();
    this.loop.stop();
    this.sleeps.cancelAll();
    await this.done;
    this.client.close();
    await this.deps.detector.close();
  }

  /** The stream is gone: its offers, heartbeat and reconciliation go with it. */
  private disconnected(reason: string, wasSubscribed: boolean): void {
    this.heartbeat.disarm();
    this.flow.disconnected();
    this.reconciler.cancel();
    if (wasSubscribed) this.emit('disconnected', { reason });
  }
}

/** Builds the framework; call `start()` to subscribe. */
export function createFramework(deps: FrameworkDeps, config: Partial<FrameworkConfig> = {}): KairosFramework {
  return new KairosFramework(deps, config);
}
