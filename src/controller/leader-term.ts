/**
 * A leadership term: everything that runs only while this controller leads, built when it
 * wins leadership and stopped, whole, when it loses it (controller-runtime's
 * leader-election runnables: a manager starts them on election and stops them with it).
 * A term holds its own Mesos framework (built per term by src/wiring.ts: a stopped
 * framework is not restarted, its subscription and master detector are gone), the sync
 * loop, the directory watcher, and starts and stops Dispatch and the other leader-only
 * runnables (notifier, preemption). Nothing of a term outlives `stop()`, so a new term
 * never meets an old one's timers.
 */
import { KairosError, messageOf } from '../core/errors.js';
import type { ClusterView } from '../core/cluster-view.js';
import type { BackoffPolicy } from '../core/retry.js';
import type { Clock, Timer } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { MesosFramework } from '../ports/mesos.js';
import type { ControllerEmitter } from './events.js';
import { SyncLoop } from './sync-loop.js';
import { watchDirectory, type DirectoryWatch } from './watch.js';

/**
 * How long a term may take to stop before it is left behind (and logged), and how long its
 * start waits for the schedule core's load before going on. A part that hangs (a store or
 * Mesos call that is never answered) must neither keep a controller that lost leadership
 * from following the store (its read view would go stale) nor keep a SIGTERM from ending
 * the process. What is left behind cannot write once another leader is elected (writes
 * are fenced by the epoch) and ends with the process.
 */
export const TERM_STOP_WITHIN_MS = 10_000;

/** A part that runs only while leading: started with the term, stopped with it. */
export interface TermRunnable {
  start(): void;
  stop(): Promise<void> | void;
}

/** What a term is built from. */
export interface LeaderTermDeps {
  clock: Clock;
  logger: Logger;
  events: ControllerEmitter;
  /** This term's framework (one per term). */
  framework: MesosFramework;
  /** Tasks the store says were placed: handed to reconciliation at SUBSCRIBE. */
  knownTasks: { taskId: string; agentId?: string }[];
  /**
   * Started before the framework and stopped first, in order: Dispatch (the schedule core's
   * queue, src/controller/dispatch.ts) and what feeds it, so launching ends before syncing.
   */
  first: TermRunnable[];
  /** Loads the schedule core from the store's state and ticks it once (a failure is Dispatch's to retry). */
  load(): Promise<void>;
  /** Started once the first sync pass is asked for (notifications). */
  last: TermRunnable[];
  sync: {
    pollMs: number;
    backoff?: BackoffPolicy;
    /** One sync pass; throws on failure. */
    reconcile(reason: string): Promise<void>;
    onError(err: unknown, retryInMs: number | undefined): void;
  };
  /** For a directory source: sync on changes (debounced). */
  watch?: { dir: string; debounceMs: number };
  /** How long a stop (or the load of a start) may take; default {@link TERM_STOP_WITHIN_MS}. */
  stopWithinMs?: number;
}

/** One leadership term. */
export class LeaderTerm {
  /** The framework of this term. */
  readonly framework: MesosFramework;
  private readonly loop: SyncLoop;
  private watcher: DirectoryWatch | undefined;
  private frameworkRun: Promise<void> | undefined;
  /** Resolves when the first sync pass ended and the watcher (if any) reports changes. */
  ready: Promise<void> = Promise.resolve();

  constructor(private readonly d: LeaderTermDeps) {
    this.framework = d.framework;
    this.loop = new SyncLoop({ clock: d.clock, pollMs: d.sync.pollMs, backoff: d.sync.backoff, reconcile: d.sync.reconcile, onError: d.sync.onError });
  }

  /** Starts the term: Dispatch, the framework's subscription, the core's load, then syncing and the runnables. */
  async start(): Promise<void> {
    const { d } = this;
    for (const r of d.first) r.start();
    this.frameworkRun = this.framework.start({ force: true, knownTasks: d.knownTasks }).catch((err) => {
      d.logger.error('mesos framework stopped', { error: messageOf(err) });
    });
    // A failure is logged by Dispatch, which reloads from the store and retries: the term goes on,
    // as it does past the stop bound (a store call never answered), so a stop can still come.
    if (!(await settlesWithin(d.clock, this.stopWithinMs, d.load().catch(() => {})))) d.logger.error('loading the schedule core is taking too long: the term goes on', { withinMs: this.stopWithinMs });
    if (d.watch) this.watcher = watchDirectory(d.watch.dir, d.clock, d.watch.debounceMs, () => this.trigger('watch'));
    const firstPass = Promise.race([d.events.next('sync:ok'), d.events.next('sync:error')]);
    this.ready = Promise.all([firstPass, this.watcher?.ready]).then(() => {});
    this.loop.trigger('start');
    for (const r of d.last) r.start();
  }

  /** Asks for a sync pass. */
  trigger(reason: string): void {
    this.loop.trigger(reason);
  }

  /**
   * Stops the term: launching first (before its first await), then the rest; resolves when
   * nothing of it runs, or after {@link TERM_STOP_WITHIN_MS} with what still runs logged.
   */
  async stop(): Promise<void> {
    const pending = new Set<string>();
    const parts = this.stopParts(pending);
    parts.catch(() => undefined); // a part failing after the deadline is not this caller's error any more
    if (!(await settlesWithin(this.d.clock, this.stopWithinMs, parts))) this.d.logger.error('leadership term did not stop in time: left behind', { withinMs: this.stopWithinMs, stillStopping: [...pending].join(', ') });
  }

  private get stopWithinMs(): number {
    return this.d.stopWithinMs ?? TERM_STOP_WITHIN_MS;
  }

  /** Stops every part; `pending` names those whose stop has not ended yet. */
  private async stopParts(pending: Set<string>): Promise<void> {
    const track = (what: string, p: Promise<void> | void): Promise<void> => (pending.add(what), Promise.resolve(p).finally(() => pending.delete(what)));
    const stopping = [...this.d.first, ...this.d.last].map((r) => track(r.constructor.name, r.stop()));
    const fwStopped = track('framework', this.framework.stop());
    await track('directory watcher', this.watcher?.close());
    this.watcher = undefined;
    await track('sync loop', this.loop.stop());
    for (const s of stopping) await s;
    await fwStopped;
    await track('framework subscription', this.frameworkRun);
  }
}

/** Whether `p` settles within `ms` on `clock` (it runs on either way); a rejection in time is rethrown. */
async function settlesWithin(clock: Clock, ms: number, p: Promise<unknown>): Promise<boolean> {
  let timer: Timer | undefined;
  const late = new Promise<boolean>((resolve) => (timer = clock.setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true), late]);
  } finally {
    timer?.cancel();
  }
}

/** The framework calls of parts that outlive terms (read view, actions, run lifecycle). */
export type OfficeFramework = Pick<MesosFramework, 'launch' | 'kill' | 'pending' | 'status' | 'capacity' | 'clusterFacts'> & { clusterView(): ClusterView | undefined };

/**
 * The framework of the term in office, for the parts that outlive terms: while no term
 * leads there is no framework, which reads as not connected with nothing pending, and a
 * kill is refused (E_UNAVAILABLE) rather than lost.
 */
export function officeFramework(term: () => LeaderTerm | undefined): OfficeFramework {
  return {
    clusterView: () => term()?.framework.clusterView?.(),
    launch: (r) => term()?.framework.launch(r),
    kill: (t) => term()?.framework.kill(t) ?? Promise.reject(new KairosError('E_UNAVAILABLE', 'not leading: no Mesos framework to kill through')),
    pending: () => term()?.framework.pending() ?? [],
    capacity: async () => term()?.framework.capacity?.(),
    clusterFacts: async () => term()?.framework.clusterFacts?.(),
    status: () => term()?.framework.status() ?? { connected: false, starving: false, offersReceived: 0, offersDeclined: 0, revives: 0, suppressed: false },
  };
}
