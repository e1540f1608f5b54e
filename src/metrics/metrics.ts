/**
 * Prometheus metrics of one controller, on its own prom-client Registry (never the global
 * one, so several controllers in one test process do not collide).
 *
 * Two kinds of input:
 * - events, pushed by the controller and the framework through typed `record*` methods
 *   (a run ended, a task reached TASK_RUNNING, offers arrived, a reconcile took N s);
 * - state, pulled at scrape time through `observe*` (cluster status, sync status,
 *   leadership), so a gauge can never be stale because somebody forgot to update it.
 *
 * Names follow the Prometheus naming guide (prometheus.io/docs/practices/naming):
 * `kairos_` prefix, base units (seconds), `_total` for counters.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RunState } from '../core/types.js';
import type { Clock } from '../ports/clock.js';
import type { ClusterStatus, PendingInfo } from '../ports/mesos.js';
import type { SyncStatus } from '../ports/controller.js';
import { ClusterMetrics, delta } from './clusters.js';
import { JobMetrics } from './jobs.js';

/** Buckets for launch latency and lateness: 10 ms to 5 min. */
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];


/** The controller's metrics and the registry `/metrics` renders. */
export class Metrics {
  /** The registry holding every Kairos metric; `/metrics` renders it. */
  readonly registry = new Registry();
  private readonly runs = new Counter({ name: 'kairos_runs_total', help: 'Runs that reached a terminal state, by outcome', labelNames: ['outcome'], registers: [this.registry] });
  private readonly launchLatency = new Histogram({
    name: 'kairos_launch_latency_seconds',
    help: 'Scheduled instant to TASK_RUNNING of the first attempt',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly lateness = new Histogram({
    name: 'kairos_dispatch_lateness_seconds',
    help: 'Scheduled instant to the moment the run was dispatched (intent written)',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly reconcile = new Histogram({
    name: 'kairos_reconcile_duration_seconds',
    help: 'Duration of reconciles, by kind (sync: git to store; tasks: Mesos task reconciliation)',
    labelNames: ['kind'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly preemptions = new Counter({ name: 'kairos_preemptions_total', help: 'Tasks Kairos killed to make room for a waiting run of higher priority, by the victim\'s job', labelNames: ['job'], registers: [this.registry] });
  private readonly pending = new Gauge({ name: 'kairos_pending_tasks', help: 'Tasks waiting for a fitting offer', registers: [this.registry] });
  private readonly offers = new Counter({ name: 'kairos_offers_received_total', help: 'Offers received from Mesos', registers: [this.registry] });
  private readonly declined = new Counter({ name: 'kairos_offers_declined_total', help: 'Offers declined', registers: [this.registry] });
  private readonly revives = new Counter({ name: 'kairos_revives_total', help: 'REVIVE calls sent to Mesos', registers: [this.registry] });
  /** Last cumulative framework counters seen, to turn them into counter increments. */
  private seen = { offers: 0, declined: 0, revives: 0 };
  private readonly starving = new Gauge({ name: 'kairos_starvation_seconds', help: 'Seconds queued tasks have waited without any offer, once declared starving (0 when not starving)', registers: [this.registry] });
  private readonly connected = new Gauge({ name: 'kairos_mesos_connected', help: '1 when subscribed to the Mesos master', registers: [this.registry] });
  private readonly syncOk = new Gauge({ name: 'kairos_sync_ok', help: '1 when the last sync succeeded, 0 when it failed or never ran', registers: [this.registry] });
  private readonly syncProblems = new Gauge({ name: 'kairos_sync_problems', help: 'Validation problems found by the last sync', registers: [this.registry] });
  private readonly commitAge = new Gauge({ name: 'kairos_applied_revision_age_seconds', help: 'Seconds since the applied revision was applied', registers: [this.registry] });
  private readonly leader = new Gauge({ name: 'kairos_leader', help: '1 when this controller is the leader', registers: [this.registry] });

  /** Per-job series (label `job`) and notification series (./jobs.ts). */
  readonly jobs = new JobMetrics(this.registry);
  /** Per-cluster series (label `cluster`) with several clusters (./clusters.ts). */
  private readonly clusters = new ClusterMetrics(this.registry);

  constructor(private readonly clock: Clock) {
    // Process metrics (CPU, memory, event loop lag, handles) with prom-client's standard names.
    collectDefaultMetrics({ register: this.registry });
  }

  /** A run reached a terminal state. */
  recordRunEnded(outcome: RunState): void {
    this.runs.inc({ outcome });
  }

  /** A task of `job` was preempted (killed for a higher-priority waiting run). */
  recordPreemption(job: string): void {
    this.preemptions.inc({ job });
  }

  /** A run's first attempt reached TASK_RUNNING at `runningAt` for instant `scheduledAt` (epoch ms). */
  recordLaunch(scheduledAt: number, runningAt: number): void {
    this.launchLatency.observe(Math.max(0, runningAt - scheduledAt) / 1000);
  }

  /** A run was dispatched (intent written) at `dispatchedAt` for instant `scheduledAt` (epoch ms). */
  recordDispatch(scheduledAt: number, dispatchedAt: number): void {
    this.lateness.observe(Math.max(0, dispatchedAt - scheduledAt) / 1000);
  }

  /** A reconcile of `kind` took `ms` milliseconds. */
  recordReconcile(kind: 'sync' | 'tasks', ms: number): void {
    this.reconcile.observe({ kind }, ms / 1000);
  }

  /** Framework state at scrape time (ClusterStatus counters are cumulative). */
  observeCluster(c: ClusterStatus & { pending?: PendingInfo[] }): void {
    this.clusters.observe(c, this.clock.now());
    this.pending.set(c.pending?.length ?? 0);
    this.offers.inc(delta(this.seen.offers, c.offersReceived));
    this.declined.inc(delta(this.seen.declined, c.offersDeclined));
    this.revives.inc(delta(this.seen.revives, c.revives));
    this.seen = { offers: c.offersReceived, declined: c.offersDeclined, revives: c.revives };
    this.connected.set(c.connected ? 1 : 0);
    const since = c.starvingSince ?? c.lastOfferAt;
    this.starving.set(c.starving && since !== undefined ? Math.max(0, this.clock.now() - since) / 1000 : 0);
  }

  /** Sync state at scrape time. */
  observeSync(s: SyncStatus): void {
    this.syncOk.set(s.result === 'ok' ? 1 : 0);
    this.syncProblems.set(s.problems.length);
    if (s.appliedAt !== undefined) this.commitAge.set(Math.max(0, this.clock.now() - s.appliedAt) / 1000);
  }

  /** Leadership at scrape time. */
  observeLeader(isLeader: boolean): void {
    this.leader.set(isLeader ? 1 : 0);
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Content type of `render()`'s output. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
