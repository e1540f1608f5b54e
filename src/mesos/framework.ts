/**
 * The Kairos Mesos framework: implements the MesosFramework port over the v1 Scheduler
 * HTTP API. It owns the subscription (SUBSCRIBE, heartbeat watchdog, resubscribe with
 * capped exponential backoff, FrameworkID reuse), turns events into calls, and leaves
 * offer handling to OfferFlow and task-state bookkeeping to TaskBook.
 *
 * Guarantees the controller relies on (docs/high-availability-framework-guide.md):
 * `persistLaunch` resolves before ACCEPT is sent; `onStatus` resolves before ACKNOWLEDGE;
 * only updates carrying a uuid are acknowledged; reconciliation runs after every
 * (re)subscribe and on its own timer, never inside offer callbacks.
 */
import { EventEmitter } from 'node:events';
import { KairosError, messageOf } from '../core/errors.js';
import type { Clock, Timer } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { ClusterStatus, FrameworkHooks, LaunchRequest, MesosFramework, PendingInfo, TaskStatusUpdate } from '../ports/mesos.js';
import { SchedulerClient, type Subscription } from './client.js';
import { normalizeConfig, type FrameworkConfig } from './config.js';
import type { MasterDetector } from './leader.js';
import { OfferFlow } from './flow.js';
import { Reconciliation } from './reconcile.js';
import { AgentSandboxes } from './sandbox.js';
import { CapacityProbe, type Capacity } from './capacity.js';
import { fetchTaskLabels, LookupQueue } from './task-labels.js';
import { isFinalOutcome } from '../core/outcome.js';
import { outcomeOf } from './status.js';
import { TaskBook } from './taskbook.js';
import type { Call, Event, FrameworkInfo, Offer, TaskStatus } from './types.js';
import { HeartbeatWatchdog, StarvationWatchdog } from './watchdog.js';

/** Where the FrameworkID lives between runs (the controller keeps it in its store). */
export interface FrameworkIdStore {
  load(): Promise<string | undefined>;
  /** Saves a new id; `undefined` forgets it (the master removed the framework). */
  save(id: string | undefined): Promise<void>;
}

/** What the framework is built from; `main` builds the real ones. */
export interface FrameworkDeps {
  detector: MasterDetector;
  clock: Clock;
  logger: Logger;
  hooks: FrameworkHooks;
  frameworkIds: FrameworkIdStore;
}

/** Typed events for tests, metrics and logs: tests wait on these, never on sleeps. */
export interface FrameworkEvents {
  subscribed: [{ frameworkId: string; master: string }];
  disconnected: [{ reason: string }];
  /** Offers arrived (`offers`: as received, for placement across clusters, src/clusters). */
  offers: [{ count: number; offers: readonly Offer[] }];
  accepted: [{ offerId: string; taskIds: string[] }];
  declined: [{ count: number; refuseSeconds: number }];
  revived: [];
  suppressed: [];
  status: [TaskStatusUpdate];
  starving: [boolean];
  /** A reconciliation finished; `ms` is how long it took (for the reconcile duration metric). */
  reconciled: [{ unanswered: string[]; ms: number }];
}

/** The framework. Build with `createFramework`. */
export class KairosFramework extends EventEmitter<FrameworkEvents> implements MesosFramework {
  readonly config: FrameworkConfig;
  private readonly client: SchedulerClient;
  private readonly log: Logger;
  private readonly tasks: TaskBook;
  private readonly flow: OfferFlow;
  private readonly heartbeat: HeartbeatWatchdog;
  private readonly starvation: StarvationWatchdog;
  private sub: Subscription | undefined;
  /**
   * Aborted by `stop()`: abandons the master detection and the SUBSCRIBE in flight, which
   * may never finish (a ZooKeeper or a master that does not answer).
   */
  private readonly halt = new AbortController();
  private frameworkId: string | undefined;
  private stopped = true;
  private readonly sleeps = new Set<{ timer: Timer; resolve: () => void }>();
  private reconcileTimer: Timer | undefined;
  private reconciliation: Reconciliation | undefined;
  private reconcileGen = 0;
  private done: Promise<void> | undefined;
  private readonly ackChains = new Map<string, Promise<void>>();
  private readonly sandboxes = new AgentSandboxes();
  /** Label lookups of unknown tasks in flight at once (task-labels.ts). */
  private readonly lookups = new LookupQueue(8);
  private readonly capacityProbe: CapacityProbe;

  constructor(
    private readonly deps: FrameworkDeps,
    config: Partial<FrameworkConfig> = {},
  ) {
    super();
    this.config = normalizeConfig(config);
    this.log = deps.logger.child({ component: 'mesos' });
    const { principal, secret } = this.config;
    const authorization = principal && secret ? `Basic ${Buffer.from(`${principal}:${secret}`).toString('base64')}` : undefined;
    this.client = new SchedulerClient({ encoding: this.config.encoding, maxRedirects: this.config.maxRedirects, requestTimeoutMs: this.config.requestTimeoutMs, authorization });
    this.tasks = new TaskBook();
    this.capacityProbe = new CapacityProbe(deps.clock, this.client);
    this.flow = new OfferFlow({
      clock: deps.clock,
      config: this.config,
      log: this.log,
      tasks: this.tasks,
      persistLaunch: (l) => deps.hooks.persistLaunch(l),
      post: (c) => this.post(c),
      emit: (name, arg) => (this.emit as (n: string, ...a: unknown[]) => boolean)(name, ...(arg === undefined ? [] : [arg])),
      onAcceptFailed: () => void this.reconcile(),
    });
    this.heartbeat = new HeartbeatWatchdog(deps.clock, () => this.drop('no event for 5 heartbeat intervals'));
    this.starvation = new StarvationWatchdog(deps.clock, this.config.starvationTimeoutMs, {
      hasDemand: () => this.tasks.queued > 0,
      connected: () => this.sub !== undefined,
      revive: () => void this.flow.revive().catch((e) => this.log.warn('REVIVE failed', { error: messageOf(e) })),
      resubscribe: () => this.drop('starving: no offers after REVIVE'),
      starving: (on, quietMs) => {
        if (on) this.log.error('starving: tasks are waiting and no offers arrive', { queued: this.tasks.queued, quietMs });
        else this.log.info('offers are back, no longer starving');
        this.emit('starving', on);
      },
    });
  }

  launch(requests: LaunchRequest[]): void {
    const added = this.tasks.enqueue(requests, this.deps.clock.now());
    if (added === 0) return;
    this.starvation.demandAppeared();
    if (this.sub) this.flow.demandAppeared();
  }

  withdraw(taskId: string): boolean {
    return this.tasks.dequeue(taskId);
  }

  async kill(taskId: string): Promise<void> {
    if (this.tasks.dequeue(taskId)) return;
    const t = this.tasks.get(taskId);
    await this.post({ type: 'KILL', kill: { task_id: { value: taskId }, ...(t?.agentId ? { agent_id: { value: t.agentId } } : {}) } });
  }

  /**
   * Where a task's sandbox is on its agent, for reading its logs (sandbox.ts
   * readAgentFile): known from its first status with an agent (until its end has been
   * handled) once an offer has told the agent's address.
   */
  sandboxOf(taskId: string): string | undefined {
    return this.frameworkId ? this.sandboxes.locate(this.frameworkId, taskId) : undefined;
  }

  pending(): PendingInfo[] {
    return this.tasks.pendingInfo();
  }

  /** The active agents' summed resources, asked from the master we are subscribed to (capacity.ts). */
  async capacity(): Promise<Capacity | undefined> {
    return this.sub ? this.capacityProbe.get(this.sub.url) : undefined;
  }

  status(): ClusterStatus {
    return {
      connected: this.sub !== undefined,
      ...(this.frameworkId ? { frameworkId: this.frameworkId } : {}),
      ...(this.sub ? { master: new URL(this.sub.url).host } : {}),
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
    this.starvation.start();
    this.done = this.run();
    return this.done;
  }

  /** Resolves once subscribed (now, or at the next SUBSCRIBED). */
  subscribed(): Promise<void> {
    if (this.sub) return Promise.resolve();
    return new Promise((resolve) => this.once('subscribed', () => resolve()));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.starvation.stop();
    this.heartbeat.disarm();
    this.reconcileTimer?.cancel();
    this.reconcileGen++;
    this.flow.stop();
    this.halt.abort();
    this.sub?.close();
    for (const w of this.sleeps) {
      w.timer.cancel();
      w.resolve();
    }
    this.sleeps.clear();
    await this.done;
    this.client.close();
    await this.deps.detector.close();
  }

  /** Drops the current stream; the run loop resubscribes with backoff. */
  private drop(reason: string): void {
    if (!this.sub) return;
    this.log.warn('dropping the subscription stream', { reason });
    this.sub.close();
  }

  private async run(): Promise<void> {
    this.frameworkId = await this.deps.frameworkIds.load();
    let attempt = 0;
    while (!this.stopped) {
      let master = '';
      try {
        master = await untilAborted(this.deps.detector.detect(), this.halt.signal);
        const closed = await this.subscribeOnce(master, () => (attempt = 0));
        const reason = await closed;
        this.log.warn('subscription ended', { master, reason });
      } catch (err) {
        this.log.warn('cannot subscribe', { master, error: messageOf(err) });
      }
      this.disconnected('stream closed');
      if (this.stopped) break;
      const b = this.config.resubscribeBackoff;
      await this.sleep(Math.min(b.maxMs, b.initialMs * 2 ** Math.min(attempt++, 20)));
    }
  }

  /** A sleep that `stop()` cuts short, so nothing outlives the framework. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const w = {
        timer: this.deps.clock.setTimeout(() => {
          this.sleeps.delete(w);
          resolve();
        }, ms),
        resolve,
      };
      this.sleeps.add(w);
    });
  }

  /** Opens one stream; resolves to a promise of its end (the reason). */
  private async subscribeOnce(master: string, onSubscribed: () => void): Promise<Promise<string>> {
    let ended!: (reason: string) => void;
    const closed = new Promise<string>((resolve) => (ended = resolve));
    const info = this.frameworkInfo();
    const call: Call = { type: 'SUBSCRIBE', subscribe: { framework_info: info } };
    if (info.id) call.framework_id = info.id;
    let sub: Subscription | undefined;
    const pending: Event[] = [];
    sub = await this.client.subscribe(
      master,
      call,
      {
        onEvent: (e) => (sub ? this.onEvent(sub, e, onSubscribed) : pending.push(e)),
        onClose: (err) => ended(err ? messageOf(err) : 'closed'),
      },
      this.halt.signal,
    );
    const s = sub;
    for (const e of pending.splice(0)) this.onEvent(s, e, onSubscribed);
    if (this.stopped) s.close();
    return closed;
  }

  private frameworkInfo(): FrameworkInfo {
    const c = this.config;
    const info: FrameworkInfo = {
      user: c.user,
      name: c.name,
      failover_timeout: c.failoverTimeoutSeconds,
      checkpoint: true,
      roles: c.roles,
      capabilities: [{ type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }, { type: 'GPU_RESOURCES' }, { type: 'MULTI_ROLE' }],
    };
    if (this.frameworkId) info.id = { value: this.frameworkId };
    if (c.hostname) info.hostname = c.hostname;
    if (c.principal) info.principal = c.principal;
    if (c.webuiUrl) info.webui_url = c.webuiUrl;
    return info;
  }

  private disconnected(reason: string): void {
    this.heartbeat.disarm();
    this.flow.disconnected();
    this.reconcileTimer?.cancel();
    this.reconcileGen++;
    if (this.sub) {
      this.sub = undefined;
      this.emit('disconnected', { reason });
    }
  }

  private onEvent(sub: Subscription, e: Event, onSubscribed: () => void): void {
    this.heartbeat.touch();
    switch (e.type) {
      case 'SUBSCRIBED':
        onSubscribed();
        this.onSubscribed(sub, e.subscribed!);
        break;
      case 'OFFERS':
        this.starvation.offerArrived();
        this.sandboxes.offers(e.offers?.offers ?? []);
        this.flow.offers(e.offers?.offers ?? []);
        break;
      case 'RESCIND':
        this.flow.rescind(e.rescind!.offer_id.value);
        break;
      case 'UPDATE':
        this.onUpdate(e.update!.status);
        break;
      case 'FAILURE':
        this.log.warn('agent or executor failure', { agentId: e.failure?.agent_id?.value, status: e.failure?.status });
        break;
      case 'ERROR':
        this.onError(sub, e.error?.message ?? '');
        break;
      default:
        break; // HEARTBEAT and the rest only feed the watchdog
    }
  }

  private onSubscribed(sub: Subscription, s: NonNullable<Event['subscribed']>): void {
    this.sub = sub;
    const id = s.framework_id.value;
    if (id !== this.frameworkId) {
      this.frameworkId = id;
      void this.deps.frameworkIds.save(id).catch((e) => this.log.error('cannot persist FrameworkID', { error: messageOf(e) }));
    }
    const interval = (s.heartbeat_interval_seconds ?? 15) * 1000;
    this.heartbeat.arm(interval * this.config.heartbeatMisses);
    this.log.info('subscribed', { frameworkId: id, master: sub.url, streamId: sub.streamId });
    this.flow.subscribed();
    this.emit('subscribed', { frameworkId: id, master: sub.url });
    void this.reconcile();
  }

  private onError(sub: Subscription, message: string): void {
    this.log.error('master sent ERROR', { message });
    if (/removed|not registered|unknown framework/i.test(message) && this.frameworkId) {
      this.frameworkId = undefined;
      void this.deps.frameworkIds.save(undefined).catch(() => {});
    }
    sub.close();
  }

  private onUpdate(s: TaskStatus): void {
    const now = this.deps.clock.now();
    const taskId = s.task_id.value;
    this.reconciliation?.observe(taskId, now);
    this.sandboxes.status(s);
    const needsLabels = this.tasks.needsLabels(taskId);
    let update = needsLabels ? undefined : this.tasks.update(s, now);
    const prev = this.ackChains.get(taskId) ?? Promise.resolve();
    const next = prev.then(async () => {
      if (needsLabels) update = this.tasks.update(s, now, await this.taskLabels(taskId));
      if (update) {
        try {
          await this.deps.hooks.onStatus(update);
        } catch (err) {
          this.log.warn('onStatus failed; the update stays unacknowledged and will be resent', { taskId, error: messageOf(err) });
          return;
        }
        this.emit('status', update);
      }
      if (isFinalOutcome(outcomeOf(s.state, s.reason))) this.sandboxes.forget(taskId);
      if (s.uuid && s.agent_id) await this.post({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: s.agent_id, task_id: s.task_id, uuid: s.uuid } }).catch((err) => this.log.warn('ACKNOWLEDGE failed', { taskId, error: messageOf(err) }));
    });
    this.ackChains.set(taskId, next);
    void next.then(() => {
      if (this.ackChains.get(taskId) === next) this.ackChains.delete(taskId);
    });
  }

  /**
   * The launch labels the master lists for a task Kairos does not remember
   * (task-labels.ts); undefined when it cannot be asked, so the id is the fallback.
   */
  private async taskLabels(taskId: string): Promise<Record<string, string> | null | undefined> {
    const sub = this.sub;
    if (!sub || !this.frameworkId) return undefined;
    try {
      const frameworkId = this.frameworkId;
      return await this.lookups.run(() => fetchTaskLabels(this.client, sub.url, frameworkId, taskId));
    } catch (err) {
      this.log.warn('cannot read task labels from the master; using the task id', { taskId, error: messageOf(err) });
      return undefined;
    }
  }

  /** Explicit then implicit reconciliation (reconcile.ts); a new run supersedes the old. */
  async reconcile(): Promise<void> {
    if (this.stopped) return; // e.g. an ACCEPT that failed after stop(): no timer may outlive it
    const gen = ++this.reconcileGen;
    this.reconcileTimer?.cancel();
    this.reconcileTimer = this.deps.clock.setTimeout(() => void this.reconcile(), this.config.reconcileIntervalMs);
    const startedAt = this.deps.clock.now();
    const r = new Reconciliation(startedAt, this.tasks.live(), this.config.reconcileBackoff);
    this.reconciliation = r;
    try {
      for (;;) {
        if (gen !== this.reconcileGen || !this.sub) return;
        const step = r.next();
        if (step.kind === 'done') {
          if (step.unanswered.length > 0) this.log.warn('reconciliation left tasks unanswered', { count: step.unanswered.length, first: step.unanswered[0] });
          this.emit('reconciled', { unanswered: step.unanswered, ms: this.deps.clock.now() - startedAt });
          return;
        }
        if (step.kind === 'implicit') {
          await this.post({ type: 'RECONCILE', reconcile: {} });
          continue;
        }
        await this.post({ type: 'RECONCILE', reconcile: { tasks: step.tasks.map((t) => ({ task_id: { value: t.taskId }, ...(t.agentId ? { agent_id: { value: t.agentId } } : {}) })) } });
        await this.sleep(step.waitMs);
      }
    } catch (err) {
      this.log.warn('reconciliation interrupted', { error: messageOf(err) });
    }
  }

  /** Sends a call on the current subscription. */
  private post(call: Call): Promise<void> {
    const sub = this.sub;
    if (!sub || !this.frameworkId || this.stopped) return Promise.reject(new KairosError('E_UNAVAILABLE', 'not subscribed to a Mesos master'));
    return this.client.call(sub, { ...call, framework_id: { value: this.frameworkId } });
  }
}

/** `p`, or a rejection as soon as `signal` aborts (what `p` does afterwards is ignored). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new KairosError('E_UNAVAILABLE', 'stopped'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Builds the framework; call `start()` to subscribe. */
export function createFramework(deps: FrameworkDeps, config: Partial<FrameworkConfig> = {}): KairosFramework {
  return new KairosFramework(deps, config);
}
