/**
 * An in-memory double of the controller ports for API, UI and browser tests: a small but
 * honest model (runs really move pending → running → terminal when the test says so)
 * plus a record of every action called (STYLE.md §10, nomad scheduler/testing.go Harness).
 *
 * Limits, on purpose: no schedule math (`nextRunAt` is whatever the test sets), no Mesos
 * (cluster status is a plain object the test edits), logs are strings the test appends.
 * Stats, timeline and backfill plans come from the same pure functions as the controller's
 * (src/api/stats.ts, timeline.ts, src/schedule/backfill.ts); a backfill creates no runs.
 */
import { KairosError } from '../../../src/core/errors.js';
import { backfillProgress } from '../../../src/api/backfills.js';
import { jobStats } from '../../../src/api/stats.js';
import { demandOf, expectedDuration, timeline } from '../../../src/api/timeline.js';
import { backfillId, manualRunId } from '../../../src/core/ids.js';
import type { BackfillProgress, JobStats, Timeline } from '../../../src/ports/charts.js';
import { backfillInstants, checkBackfillRequest, planBackfill } from '../../../src/schedule/backfill.js';
import { compileSchedule } from '../../../src/schedule/index.js';
import type { Run, RunOverrides } from '../../../src/core/run.js';
import { isTerminalRun, type JobSpec, type Resource, type RunState } from '../../../src/core/types.js';
import type { Clock } from '../../../src/ports/clock.js';
import { job as appliedJob } from '../schedule/harness.js';
import type {
  BackfillOptions,
  BackfillResult,
  ClusterView,
  ControllerActions,
  ControllerView,
  Graph,
  JobDetail,
  JobSummary,
  LogChunk,
  LogStream,
  PlanView,
  RunDetail,
  RunQuery,
  SyncStatus,
} from '../../../src/ports/controller.js';

/** A compiled job spec with defaults (the schedule harness's), overridable per test. */
export function jobSpec(over: Partial<JobSpec> = {}): JobSpec {
  return appliedJob('x', { history: { succeeded: 3, failed: 1 }, ...over }).resource.spec as JobSpec;
}

interface JobEntry {
  resource: Resource;
  manifest?: string;
  paused: boolean;
  pausedAt?: number;
  nextRuns: number[];
}

/** Options for `addJob`. */
export interface AddJob {
  spec?: Partial<JobSpec>;
  owner?: string;
  labels?: Record<string, string>;
  file?: string;
  revision?: string;
  nextRuns?: number[];
  manifest?: string;
}

/** The double. Public fields are state tests may read or edit directly. */
export class MemoryController implements ControllerView, ControllerActions {
  readonly jobsByName = new Map<string, JobEntry>();
  readonly runsById = new Map<string, Run>();
  private readonly runsByJob = new Map<string, Run[]>();
  readonly logText = new Map<string, { stdout: string; stderr: string }>();
  /** Every action called, in order: `['runNow', job, overrides]`, `['kill', runId]`, ... */
  readonly calls: unknown[][] = [];
  /** Notified after every run change (browser tests wait on it). */
  onRunChange: (run: Run) => void = () => {};
  syncStatus: SyncStatus = { source: 'examples', result: 'ok', appliedRevision: 'abc1234', appliedAt: 0, problems: [], drift: [], syncing: false };
  clusterStatus: ClusterView = { connected: true, master: 'embedded', frameworkId: 'fw-1', starving: false, offersReceived: 0, offersDeclined: 0, revives: 0, suppressed: false, pending: [] };
  planView: PlanView = { revision: 'abc1234', appliedRevision: 'abc1234', changes: [], summary: { create: 0, update: 0, prune: 0, unchanged: 0 }, problems: [] };
  private manualCount = 0;

  constructor(private readonly clock: Clock) {}

  addJob(name: string, o: AddJob = {}): void {
    const revision = o.revision ?? 'abc1234';
    const resource: Resource = {
      kind: 'Job',
      metadata: { name, owner: o.owner, labels: o.labels ?? {}, annotations: {} },
      spec: jobSpec(o.spec),
      source: { file: o.file ?? `jobs/${name}.yaml`, line: 1, commit: revision },
    };
    this.jobsByName.set(name, { resource, manifest: o.manifest, paused: false, nextRuns: o.nextRuns ?? [] });
  }

  /** Adds a run in a given state (history for tables and explain). */
  addRun(run: Partial<Run> & { id: string; job: string; state: RunState }): Run {
    const full: Run = { trigger: 'schedule', scheduledAt: this.clock.now(), revision: 'abc1234', attempts: [], createdAt: this.clock.now(), ...run };
    this.runsById.set(full.id, full);
    this.runsByJob.set(full.job, [...(this.runsByJob.get(full.job) ?? []), full]);
    return full;
  }

  /** Moves a run to `state`, as the framework's status updates would. */
  transition(runId: string, state: RunState, fields: { exitStatus?: number; hostname?: string } = {}): Run {
    const run = this.runsById.get(runId);
    if (!run) throw new Error(`no run ${runId}`);
    const now = this.clock.now();
    if (state === 'launching' || (state === 'running' && run.attempts.length === 0)) {
      const n = run.attempts.length + 1;
      run.attempts.push({ n, taskId: `kairos.${runId}.${n}`, intentAt: now, notBefore: now, hostname: fields.hostname ?? 'agent-1', agentId: 'a1', sandbox: `/sandbox/${n}` });
    }
    const a = run.attempts[run.attempts.length - 1];
    if (state === 'running' && a) a.startedAt = now;
    if (isTerminalRun(state)) {
      run.endedAt = now;
      if (a) Object.assign(a, { endedAt: now, exitStatus: fields.exitStatus ?? (state === 'succeeded' ? 0 : 1) });
    }
    run.state = state;
    this.onRunChange(run);
    return run;
  }

  appendLog(runId: string, stream: LogStream, text: string): void {
    const l = this.logText.get(runId) ?? { stdout: '', stderr: '' };
    l[stream] += text;
    this.logText.set(runId, l);
  }

  // ---- ControllerView ----

  private runsOf(job: string): Run[] {
    return [...(this.runsByJob.get(job) ?? [])].sort((a, b) => b.scheduledAt - a.scheduledAt || b.createdAt - a.createdAt);
  }

  private summary(name: string, e: JobEntry): JobSummary {
    const runs = this.runsOf(name);
    const active = runs.filter((r) => !isTerminalRun(r.state));
    const last = runs.find((r) => isTerminalRun(r.state));
    const spec = e.resource.spec as JobSpec;
    const status = spec.suspend ? 'suspended' : e.paused ? 'paused' : active.some((r) => r.state !== 'pending') ? 'running' : active.length ? 'pending' : 'idle';
    return {
      name,
      kind: e.resource.kind,
      owner: e.resource.metadata.owner,
      labels: e.resource.metadata.labels,
      status,
      schedule: spec.schedule ? `${spec.schedule.kind} ${spec.schedule.expression} (${spec.schedule.timeZone})` : undefined,
      after: spec.after,
      nextRunAt: e.nextRuns[0],
      lastRun: last && { id: last.id, state: last.state, scheduledAt: last.scheduledAt, endedAt: last.endedAt, exitStatus: last.attempts.at(-1)?.exitStatus },
      activeRuns: active.length,
      revision: e.resource.source.commit ?? '',
      source: e.resource.source,
    };
  }

  jobs(): JobSummary[] {
    return [...this.jobsByName.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([n, e]) => this.summary(n, e));
  }

  job(name: string): JobDetail | undefined {
    const e = this.jobsByName.get(name);
    if (!e) return undefined;
    const pending = this.clusterStatus.pending.find((p) => p.runId.startsWith(`${name}@`));
    return {
      ...this.summary(name, e),
      resource: e.resource,
      manifest: e.manifest,
      paused: e.paused,
      nextRuns: e.nextRuns,
      lastRuns: this.runsOf(name),
      pendingReason: pending?.reason,
      drift: this.sync().drift.filter((d) => d.job === name),
    };
  }

  runs(job: string, q: RunQuery = {}): Run[] | undefined {
    if (!this.jobsByName.has(job)) return undefined;
    const runs = this.runsOf(job).filter((r) => !q.states || q.states.includes(r.state));
    return q.limit ? runs.slice(0, q.limit) : runs;
  }

  run(id: string): RunDetail | undefined {
    const r = this.runsById.get(id);
    return r && { ...r, children: [...this.runsById.values()].filter((c) => c.dagRunId === id) };
  }

  sync(): SyncStatus {
    const drift = [...this.jobsByName].filter(([, e]) => e.paused).map(([job, e]) => ({ job, field: 'paused', desired: false, live: true, since: e.pausedAt }));
    return { ...this.syncStatus, drift: [...this.syncStatus.drift, ...drift] };
  }

  async plan(): Promise<PlanView> {
    return this.planView;
  }

  graph(): Graph {
    const jobs = this.jobs();
    return {
      nodes: jobs.map((j) => ({ id: j.name, kind: 'job', label: j.name, state: j.lastRun?.state, status: j.status })),
      edges: jobs.flatMap((j) => j.after.map((p) => ({ from: p, to: j.name, kind: 'after' as const }))),
    };
  }

  cluster(): ClusterView {
    return this.clusterStatus;
  }

  async logs(runId: string, stream: LogStream, opts: { offset?: number; length?: number } = {}): Promise<LogChunk | undefined> {
    const run = this.runsById.get(runId);
    if (!run || run.attempts.length === 0) return undefined;
    const all = Buffer.from(this.logText.get(runId)?.[stream] ?? '');
    const offset = opts.offset ?? 0;
    const data = all.subarray(offset, offset + (opts.length ?? all.length)).toString('utf8');
    return { attempt: run.attempts.length, offset, data, size: all.length };
  }

  stats(job: string, opts: { points?: number; columns?: number } = {}): JobStats | undefined {
    const e = this.jobsByName.get(job);
    return e && jobStats(e.resource, this.runsByJob.get(job) ?? [], opts);
  }

  async timeline(hours = 24): Promise<Timeline> {
    const inputs = [...this.jobsByName.values()].map(({ resource: r, paused }) => ({
      resource: r,
      schedule: r.spec.schedule && !paused ? compileSchedule(r.spec.schedule) : undefined,
      demand: demandOf(r, (n) => this.jobsByName.get(n)?.resource),
      ...expectedDuration(jobStats(r, this.runsByJob.get(r.metadata.name) ?? [])),
    }));
    return timeline(inputs, this.clock.now(), hours, this.capacity);
  }

  /** What `timeline` reports as the cluster's capacity. */
  capacity: Timeline['capacity'] = { cpus: 8, mem: 16384, agents: 2 };

  backfills(job: string): BackfillProgress[] | undefined {
    return this.jobsByName.has(job) ? backfillProgress(this.runsByJob.get(job) ?? []) : undefined;
  }

  // ---- ControllerActions ----

  async backfill(job: string, opts: BackfillOptions): Promise<BackfillResult> {
    this.calls.push(['backfill', job, opts]);
    const e = this.must(job);
    if (!e.resource.spec.schedule) throw new KairosError('E_INVALID', `${job} has no schedule`);
    const req = { from: opts.from, to: opts.to, maxParallel: opts.maxParallel ?? 1, rerun: opts.rerun ?? 'none' };
    checkBackfillRequest(req, this.clock.now());
    const items = planBackfill(job, backfillInstants(compileSchedule(e.resource.spec.schedule), req.from, req.to), (id) => this.runsById.get(id), req.rerun);
    return { id: backfillId(this.clock.now()), job, dryRun: opts.dryRun === true, instants: items };
  }

  private must(job: string): JobEntry {
    const e = this.jobsByName.get(job);
    if (!e) throw new KairosError('E_NOT_FOUND', `no job named ${JSON.stringify(job)}`);
    return e;
  }

  async runNow(job: string, overrides?: RunOverrides): Promise<Run> {
    this.calls.push(['runNow', job, overrides]);
    const e = this.must(job);
    const run = this.addRun({ id: manualRunId(job, ++this.manualCount), job, state: 'pending', trigger: 'manual', overrides, revision: e.resource.source.commit ?? '' });
    this.onRunChange(run);
    return run;
  }

  async kill(runId: string): Promise<Run> {
    this.calls.push(['kill', runId]);
    if (!this.runsById.has(runId)) throw new KairosError('E_NOT_FOUND', `no run named ${JSON.stringify(runId)}`);
    return this.transition(runId, 'killed');
  }

  async pause(job: string): Promise<JobSummary> {
    this.calls.push(['pause', job]);
    const e = this.must(job);
    e.paused = true;
    e.pausedAt = this.clock.now();
    return this.summary(job, e);
  }

  async resume(job: string): Promise<JobSummary> {
    this.calls.push(['resume', job]);
    const e = this.must(job);
    e.paused = false;
    return this.summary(job, e);
  }
}
