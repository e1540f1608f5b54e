/**
 * Per-job Prometheus series (label `job`) and notification series. Cardinality is bounded
 * by the store: `observeJobs` at scrape time sets the timestamp gauges from the jobs that
 * are applied and removes every series of a job that is no longer, so a pruned job's
 * labels do not live on (Prometheus naming guide: base units, `_total` counters).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Run } from '../core/run.js';
import { TERMINAL_RUN_STATES } from '../core/types.js';
import { FAILED_STATES } from '../notify/events.js';
import type { NotifyMetricsSink } from '../notify/notifier.js';

/** Run durations and pending times: 1 s to 1 day. */
const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];

/** What `observeJobs` needs per applied job: its name and runs, newest first. */
export interface JobRuns {
  name: string;
  runs: readonly Run[];
}

/** The per-job and notification metrics, on the controller's registry. */
export class JobMetrics implements NotifyMetricsSink {
  private readonly lastSuccess: Gauge;
  private readonly lastFailure: Gauge;
  private readonly runs: Counter;
  private readonly duration: Histogram;
  private readonly pending: Histogram;
  private readonly sla: Counter;
  private readonly deliveries: Counter;
  private readonly dropped: Counter;
  private readonly outbox: Gauge;
  private readonly unschedulable: Gauge;
  /** Jobs with series, to remove them once the job is gone. */
  private readonly labelled = new Set<string>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.lastSuccess = new Gauge({ name: 'kairos_job_last_success_timestamp_seconds', help: 'End of the newest succeeded run kept in history, Unix seconds', labelNames: ['job'], registers });
    this.lastFailure = new Gauge({ name: 'kairos_job_last_failure_timestamp_seconds', help: 'End of the newest failed, timed out or lost run kept in history, Unix seconds', labelNames: ['job'], registers });
    this.runs = new Counter({ name: 'kairos_job_runs_total', help: 'Runs of the job that reached a terminal state, by outcome', labelNames: ['job', 'outcome'], registers });
    this.duration = new Histogram({ name: 'kairos_job_run_duration_seconds', help: 'First TASK_RUNNING to the end of the run', labelNames: ['job'], buckets: DURATION_BUCKETS, registers });
    this.pending = new Histogram({ name: 'kairos_job_pending_seconds', help: 'Scheduled instant to the first TASK_RUNNING of the run', labelNames: ['job'], buckets: DURATION_BUCKETS, registers });
    this.sla = new Counter({ name: 'kairos_job_sla_missed_total', help: 'Runs that missed spec.sla (raised once per run)', labelNames: ['job'], registers });
    this.deliveries = new Counter({ name: 'kairos_notifications_total', help: 'Notification deliveries tried, by target kind, event and result (ok, error)', labelNames: ['target', 'event', 'result'], registers });
    this.dropped = new Counter({ name: 'kairos_notifications_dropped_total', help: 'Notifications not written because the outbox was full', registers });
    this.outbox = new Gauge({ name: 'kairos_notification_outbox', help: 'Notifications in the outbox after the last delivery round, by status (pending, failed)', labelNames: ['status'], registers });
    this.unschedulable = new Gauge({ name: 'kairos_job_unschedulable_runs', help: 'Runs of the job that no known agent could ever hold (state unschedulable), at scrape time', labelNames: ['job'], registers });
  }

  /** A run ended; `run` is its stored record. */
  recordRunEnded(run: Run): void {
    this.labelled.add(run.job);
    this.runs.inc({ job: run.job, outcome: run.state });
    const started = run.attempts.find((a) => a.startedAt !== undefined)?.startedAt;
    if (started !== undefined && run.endedAt !== undefined) this.duration.observe({ job: run.job }, Math.max(0, run.endedAt - started) / 1000);
  }

  /** A run's first attempt reached TASK_RUNNING. */
  recordStarted(run: Run, startedAt: number): void {
    this.labelled.add(run.job);
    this.pending.observe({ job: run.job }, Math.max(0, startedAt - run.scheduledAt) / 1000);
  }

  /** A run missed its SLA. */
  recordSlaMissed(job: string): void {
    this.labelled.add(job);
    this.sla.inc({ job });
  }

  /** Sets the timestamp gauges from the applied jobs and drops series of jobs no longer applied. */
  observeJobs(jobs: readonly JobRuns[]): void {
    const names = new Set(jobs.map((j) => j.name));
    for (const job of [...this.labelled]) {
      if (names.has(job)) continue;
      for (const m of [this.lastSuccess, this.lastFailure, this.duration, this.pending, this.sla]) m.remove({ job });
      for (const outcome of TERMINAL_RUN_STATES) this.runs.remove({ job, outcome });
      this.labelled.delete(job);
    }
    this.lastSuccess.reset();
    this.lastFailure.reset();
    this.unschedulable.reset();
    for (const j of jobs) {
      const stuck = j.runs.filter((r) => r.state === 'unschedulable').length;
      if (stuck > 0) this.unschedulable.set({ job: j.name }, stuck);
      const ok = j.runs.find((r) => r.state === 'succeeded' && r.endedAt !== undefined);
      const bad = j.runs.find((r) => FAILED_STATES.has(r.state) && r.endedAt !== undefined);
      if (ok) this.lastSuccess.set({ job: j.name }, ok.endedAt! / 1000);
      if (bad) this.lastFailure.set({ job: j.name }, bad.endedAt! / 1000);
      if (ok || bad) this.labelled.add(j.name);
    }
  }

  recordDelivery(target: string, event: string, ok: boolean): void {
    this.deliveries.inc({ target, event, result: ok ? 'ok' : 'error' });
  }

  recordDropped(): void {
    this.dropped.inc();
  }

  observeOutbox(pending: number, failed: number): void {
    this.outbox.set({ status: 'pending' }, pending);
    this.outbox.set({ status: 'failed' }, failed);
  }
}

