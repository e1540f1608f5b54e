/**
 * Several Mesos clusters behind the one MesosFramework port the controller knows: a router
 * over one framework per named cluster (each with its own FrameworkID, subscription,
 * reconciliation and watchdogs). It places each launch on a cluster (placement.ts), moves
 * a run still waiting for an offer when its cluster goes down or starves (`moveAfterMs`),
 * and keeps "at most once" across clusters:
 * - a run waits in exactly one cluster's queue; it moves only after `withdraw` took it
 *   back out of that queue (never while its intent is being written or after);
 * - the intent written before ACCEPT records the cluster (`PlacedLaunch.cluster`), and a
 *   cluster's framework may only write intents for the runs routed to it;
 * - a task a cluster reports although the store's intent (or this router) puts it on
 *   another cluster is killed there, and its updates never reach the controller.
 */
import { KairosError, messageOf } from '../core/errors.js';
import { isFinalOutcome } from '../core/outcome.js';
import type { Clock, Timer } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { ClusterView } from '../core/cluster-view.js';
import type { ClusterFacts, ClusterStatus, FrameworkHooks, KnownTask, LaunchRequest, MesosFramework, PendingInfo, PlacedLaunch, TaskStatusUpdate } from '../ports/mesos.js';
import { DEFAULT_CLUSTER } from './config.js';
import { ClusterHealth } from './health.js';
import { OfferMemory } from './offer-memory.js';
import { choose, moveTarget, type ClusterState, type Fit, type PlacementInput } from './placement.js';
import { combinedStatus } from './status.js';
import type { Offer } from '../mesos/types.js';

/** One named cluster's framework. */
export interface ClusterMember {
  name: string;
  framework: MesosFramework;
}

/** Router settings. */
export interface RouterOptions {
  clock: Clock;
  logger: Logger;
  /** How long a cluster may be down or starving (or a run wait without a fitting offer) before waiting runs move on. */
  moveAfterMs: number;
  /** How often waiting runs are looked at for a move. */
  checkEveryMs?: number;
}

/** Default of `--cluster-move-after`. */
export const DEFAULT_MOVE_AFTER_MS = 30_000;

interface Waiting {
  cluster: string;
  request: LaunchRequest;
  since: number;
}

/** The router (see the file comment). Build it, then `attach` each cluster's framework. */
export class ClusterRouter implements MesosFramework {
  private readonly members = new Map<string, MesosFramework>();
  private readonly memory = new Map<string, OfferMemory>();
  private readonly health = new ClusterHealth((c) => this.members.get(c)?.status());
  /** Runs routed to a cluster and not placed yet. */
  private readonly waiting = new Map<string, Waiting>();
  /** Tasks placed (or adopted, or seeded) on a cluster and not ended. */
  private readonly placed = new Map<string, string>();
  /** Runs whose job names no configured cluster. */
  private readonly unplaceable = new Map<string, PendingInfo>();
  private timer: Timer | undefined;
  private readonly log: Logger;

  constructor(
    private readonly hooks: FrameworkHooks,
    private readonly o: RouterOptions,
  ) {
    this.log = o.logger.child({ component: 'clusters' });
  }

  /** The configured cluster names, in preference order. */
  get names(): string[] {
    return [...this.members.keys()];
  }

  /** The hooks cluster `name`'s framework is built with: they record and guard its cluster. */
  hooksFor(name: string): FrameworkHooks {
    return {
      persistLaunch: (l) => this.persist(name, l),
      onStatus: (u) => this.reported(name, u),
    };
  }

  /** Adds a cluster's framework (built with `hooksFor(name)`), in preference order. */
  attach(m: ClusterMember): void {
    this.members.set(m.name, m.framework);
    this.memory.set(m.name, new OfferMemory());
  }

  /** Offers cluster `name` received (its framework's `offers` event). */
  offered(name: string, offers: readonly Offer[]): void {
    this.memory.get(name)?.offered(offers, this.o.clock.now());
  }

  launch(requests: LaunchRequest[]): void {
    const now = this.o.clock.now();
    const facts = this.factsNow();
    const batches = new Map<string, LaunchRequest[]>();
    for (const r of requests) {
      const home = this.placed.get(r.taskId) ?? this.waiting.get(r.taskId)?.cluster ?? this.place(r, now, facts);
      if (home === undefined) continue;
      let b = batches.get(home);
      if (!b) batches.set(home, (b = []));
      b.push(r);
    }
    for (const [name, b] of batches) this.members.get(name)!.launch(b);
  }

  private place(r: LaunchRequest, now: number, facts: PlacementInput['facts']): string | undefined {
    const p = choose(this.input(r, now, facts));
    if (p.cluster === undefined) {
      const reason = `spec.clusters names no configured cluster: ${(r.template.clusters ?? []).join(', ')} (configured: ${this.names.join(', ')})`;
      this.unplaceable.set(r.taskId, { taskId: r.taskId, runId: r.runId, since: now, reason, clusters: p.verdicts });
      return undefined;
    }
    this.waiting.set(r.taskId, { cluster: p.cluster, request: r, since: now });
    return p.cluster;
  }

  /** Each cluster's facts, read once for a whole batch of placements. */
  private factsNow(): PlacementInput['facts'] {
    const memo = new Map<string, ClusterState>();
    return (c) => memo.get(c) ?? memo.set(c, this.health.facts(c)).get(c)!;
  }

  private input(r: LaunchRequest, now: number, facts: PlacementInput['facts']): PlacementInput {
    return {
      preference: r.template.clusters,
      configured: this.names,
      facts,
      fit: (c): Fit => this.memory.get(c)?.fit(r.template.resources, now) ?? 'no-offers',
    };
  }

  async kill(taskId: string): Promise<void> {
    if (this.unplaceable.delete(taskId)) return;
    const home = this.placed.get(taskId) ?? this.waiting.get(taskId)?.cluster;
    this.waiting.delete(taskId);
    if (home !== undefined) return this.members.get(home)!.kill(taskId);
    // Unknown here (e.g. reported by no cluster yet): ask every cluster; one success is enough.
    const results = await Promise.allSettled([...this.members.values()].map((f) => f.kill(taskId)));
    const failed = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed.length === results.length && failed.length > 0) throw failed[0].reason;
  }

  withdraw(taskId: string): boolean {
    if (this.unplaceable.delete(taskId)) return true;
    const w = this.waiting.get(taskId);
    if (!w || !this.members.get(w.cluster)!.withdraw?.(taskId)) return false;
    this.waiting.delete(taskId);
    return true;
  }

  pending(): PendingInfo[] {
    const out: PendingInfo[] = [...this.unplaceable.values()];
    const now = this.o.clock.now();
    const facts = this.factsNow();
    for (const [name, f] of this.members) {
      for (const p of f.pending()) {
        const w = this.waiting.get(p.taskId);
        out.push({ ...p, cluster: name, ...(w && { clusters: choose(this.input(w.request, now, facts)).verdicts }) });
      }
    }
    return out;
  }

  async capacity(): Promise<{ cpus: number; mem: number; agents: number } | undefined> {
    const all = await Promise.all([...this.members.values()].map((f) => f.capacity?.()));
    const known = all.filter((c) => c !== undefined);
    if (known.length === 0) return undefined;
    return known.reduce((a, c) => ({ cpus: a.cpus + c.cpus, mem: a.mem + c.mem, agents: a.agents + c.agents }));
  }

  /** Every cluster's agents together (unschedulable runs: no agent of any cluster could hold them). */
  async clusterFacts(): Promise<ClusterFacts | undefined> {
    const known = (await Promise.all([...this.members.values()].map((f) => f.clusterFacts?.()))).filter((c) => c !== undefined);
    if (known.length === 0) return undefined;
    return { at: Math.min(...known.map((k) => k.at)), agents: known.flatMap((k) => k.agents) };
  }

  /** Every cluster's agents and queued tasks together, for the preemption decision (agent ids are unique across masters). */
  clusterView(): ClusterView {
    const views = [...this.members].map(([name, f]) => ({ name, v: f.clusterView?.() })).filter((x) => x.v !== undefined);
    const queuedOn = new Map(views.flatMap(({ name, v }) => [...v!.queued].map((id) => [id, name] as const)));
    return { agents: views.flatMap(({ name, v }) => v!.agents.map((a) => ({ ...a, cluster: name }))), queued: new Set(queuedOn.keys()), queuedOn };
  }

  status(): ClusterStatus {
    return combinedStatus([...this.members].map(([name, f]) => ({ name, ...f.status() })));
  }

  /** Starts every cluster's framework (each reconciles the tasks its intents record) and the move check. */
  start(opts: { force: boolean; knownTasks: KnownTask[] }): Promise<void> {
    const fallback = this.members.has(DEFAULT_CLUSTER) ? DEFAULT_CLUSTER : this.names[0];
    const known = new Map<string, KnownTask[]>(this.names.map((n) => [n, []]));
    for (const k of opts.knownTasks) {
      const home = k.cluster !== undefined && this.members.has(k.cluster) ? k.cluster : fallback;
      this.placed.set(k.taskId, home);
      known.get(home)!.push(k);
    }
    this.health.start(this.names, this.o.clock.now());
    this.scheduleCheck();
    return Promise.all([...this.members].map(([name, f]) => f.start({ force: opts.force, knownTasks: known.get(name)! }))).then(() => {});
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await Promise.all([...this.members.values()].map((f) => f.stop()));
  }

  private scheduleCheck(): void {
    this.timer = this.o.clock.setTimeout(() => {
      try {
        this.check();
      } catch (err) {
        this.log.error('cluster move check failed', { error: messageOf(err) });
      }
      this.scheduleCheck();
    }, this.o.checkEveryMs ?? 1000);
  }

  /** Follows each cluster's health and moves waiting runs whose cluster let them down. */
  check(): void {
    const now = this.o.clock.now();
    this.health.observe(this.names, now);
    const facts = this.factsNow();
    const moves = new Map<string, LaunchRequest[]>();
    for (const [taskId, w] of this.waiting) {
      const to = moveTarget({ ...this.input(w.request, now, facts), current: w.cluster, queuedAt: w.since, now, moveAfterMs: this.o.moveAfterMs });
      if (!to || !this.members.get(w.cluster)!.withdraw?.(taskId)) continue;
      this.log.warn('run moves to another cluster', { run: w.request.runId, task: taskId, from: w.cluster, to: to.cluster, reason: to.reason });
      this.waiting.set(taskId, { cluster: to.cluster, request: w.request, since: now });
      let b = moves.get(to.cluster);
      if (!b) moves.set(to.cluster, (b = []));
      b.push(w.request);
    }
    for (const [name, b] of moves) this.members.get(name)!.launch(b);
  }

  /** Cluster `name` placed tasks: only runs routed to it may have their intent written. */
  private async persist(name: string, launches: PlacedLaunch[]): Promise<void> {
    const stray = launches.find((l) => (this.waiting.get(l.request.taskId)?.cluster ?? this.placed.get(l.request.taskId) ?? name) !== name);
    if (stray) throw new KairosError('E_CONFLICT', `task ${stray.request.taskId} is routed to another cluster than ${name}`);
    await this.hooks.persistLaunch(launches.map((l) => ({ ...l, cluster: name })));
    for (const l of launches) {
      this.waiting.delete(l.request.taskId);
      this.placed.set(l.request.taskId, name);
    }
  }

  /** A status from cluster `name`: killed and dropped when the task belongs on another cluster. */
  private async reported(name: string, u: TaskStatusUpdate): Promise<void> {
    const home = this.placed.get(u.taskId) ?? this.hooks.clusterOf?.(u.taskId) ?? this.waiting.get(u.taskId)?.cluster;
    if (home !== undefined && home !== name) {
      this.log.error('task found on a cluster its intent does not name: killing it there, not counting it', { task: u.taskId, on: name, intended: home, state: u.mesosState });
      if (!isFinalOutcome(u.outcome)) await this.members.get(name)!.kill(u.taskId).catch((err) => this.log.warn('kill of the stray task failed', { task: u.taskId, error: messageOf(err) }));
      return;
    }
    await this.hooks.onStatus(u);
    if (isFinalOutcome(u.outcome)) this.placed.delete(u.taskId);
    else this.placed.set(u.taskId, name);
  }
}
