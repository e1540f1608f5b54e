/**
 * The controller's read view for the API and UI (src/ports/controller.ts ControllerView):
 * answered from the in-memory mirror of the store (applied resources, overrides, runs) and
 * the framework's own status, so every call is cheap and never touches the store.
 */
import { KairosError } from '../core/errors.js';
import type { Run } from '../core/run.js';
import type { AppliedResource, Resource, ScheduleSpec } from '../core/types.js';
import { awaitsOffer, isTerminalRun } from '../core/types.js';
import type { Clock } from '../ports/clock.js';
import type {
  ClusterView,
  ControllerView,
  DriftItem,
  Graph,
  JobDetail,
  JobStatus,
  JobSummary,
  LogChunk,
  LogStream,
  PlanView,
  ReadView,
  RunBrief,
  RunDetail,
  RunQuery,
  SyncStatus,
} from '../ports/controller.js';
import type { ClusterFacts, MesosFramework } from '../ports/mesos.js';
import { backfillProgress } from '../api/backfills.js';
import { jobStats } from '../api/stats.js';
import { demandOf, expectedDuration, timeline, type TimelineInput } from '../api/timeline.js';
import type { BackfillProgress, JobStats, Timeline } from '../ports/charts.js';
import { compileSchedule, nextRuns } from '../schedule/index.js';
import { pauseDrift, revisionDrift } from './drift.js';
import { readSandboxFile } from './logs.js';
import type { RunLedger } from './run-ledger.js';
import type { ControllerState } from './state.js';

/** What the view reads. */
export interface ViewDeps {
  state: ControllerState;
  ledger: RunLedger;
  framework: Pick<MesosFramework, 'pending' | 'status' | 'capacity'>;
  clock: Clock;
  /** Human description of the source, e.g. `git:/repo@main`. */
  source: string;
  /** Dry-run of the next sync (same path as a sync, stops before writing). */
  plan(): Promise<PlanView>;
  /** Who serves these reads and how fresh they are; absent in tools without leadership. */
  readView?(): ReadView;
  /** The cluster's facts last read by the leader's unschedulable check (./unschedulable-watch.ts). */
  facts?(): ClusterFacts | undefined;
}

/** `cron 0 2 * * * (Europe/Berlin)`. */
export function describeSchedule(s: ScheduleSpec): string {
  return `${s.kind} ${s.expression} (${s.timeZone})`;
}

function brief(r: Run): RunBrief {
  return { id: r.id, state: r.state, scheduledAt: r.scheduledAt, endedAt: r.endedAt, exitStatus: r.attempts.at(-1)?.exitStatus };
}

/** Implements ControllerView over the controller's state. */
export class StateView implements ControllerView {
  constructor(private readonly d: ViewDeps) {}

  jobs(): JobSummary[] {
    return [...this.d.state.applied.values()].map((a) => this.summary(a)).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  job(name: string): JobDetail | undefined {
    const applied = this.d.state.applied.get(name);
    if (!applied) return undefined;
    const runs = this.topRuns(name);
    const pendingTasks = new Set(runs.filter((r) => awaitsOffer(r.state)).flatMap((r) => r.attempts.map((a) => a.taskId)));
    const pending = this.d.framework.pending().find((p) => pendingTasks.has(p.taskId));
    return {
      ...this.summary(applied),
      resource: applied.resource,
      manifest: applied.manifest,
      paused: this.d.state.isPaused(name),
      nextRuns: this.upcoming(applied.resource, 5),
      lastRuns: runs.slice(0, 20),
      pendingReason: pending?.reason,
      drift: this.drift().filter((x) => x.job === name),
    };
  }

  runs(job: string, query: RunQuery = {}): Run[] | undefined {
    if (!this.d.state.applied.has(job) && this.d.ledger.ofJob(job).length === 0) return undefined;
    const runs = this.topRuns(job).filter((r) => !query.states || query.states.includes(r.state));
    return query.limit === undefined ? runs : runs.slice(0, query.limit);
  }

  run(id: string): RunDetail | undefined {
    const run = this.d.ledger.get(id);
    if (!run) return undefined;
    const children = this.d.ledger.all().filter((r) => r.dagRunId === id);
    return { ...run, children };
  }

  sync(): SyncStatus {
    const s = this.d.state.sync;
    const readView = this.d.readView?.();
    return { source: this.d.source, ...s, problems: s.problems, drift: this.drift(), syncing: this.d.state.syncing, ...(readView && { readView }) };
  }

  plan(): Promise<PlanView> {
    return this.d.plan();
  }

  graph(): Graph {
    const g: Graph = { nodes: [], edges: [] };
    for (const { resource: r } of this.d.state.applied.values()) {
      const name = r.metadata.name;
      const last = this.topRuns(name)[0];
      g.nodes.push({ id: name, kind: r.kind === 'Job' ? 'job' : 'dag', label: name, state: last?.state, status: this.status(r) });
      if (r.kind === 'Job') for (const p of r.spec.after) g.edges.push({ from: p, to: name, kind: 'after' });
      else {
        const tasks = last ? this.d.ledger.all().filter((x) => x.dagRunId === last.id) : [];
        for (const t of r.spec.tasks) {
          const id = `${name}/${t.name}`;
          g.nodes.push({ id, kind: 'task', label: t.name, dag: name, state: tasks.find((x) => x.task === t.name)?.state });
          for (const dep of t.dependsOn) g.edges.push({ from: `${name}/${dep}`, to: id, kind: 'dependsOn' });
        }
      }
    }
    return g;
  }

  cluster(): ClusterView {
    const facts = this.d.facts?.();
    return { ...this.d.framework.status(), pending: this.d.framework.pending(), ...(facts && { facts }) };
  }

  async logs(runId: string, stream: LogStream, opts: { offset?: number; length?: number; attempt?: number } = {}): Promise<LogChunk | undefined> {
    const run = this.d.ledger.get(runId);
    const attempt = opts.attempt === undefined ? run?.attempts.at(-1) : run?.attempts.find((a) => a.n === opts.attempt);
    if (!attempt?.agentId) return undefined;
    if (!attempt.sandbox) throw new KairosError('E_UNAVAILABLE', `the agent did not report a sandbox for ${attempt.taskId}`);
    return { attempt: attempt.n, ...(await readSandboxFile(attempt.sandbox, stream, opts.offset ?? 0, opts.length)) };
  }

  stats(job: string, opts: { points?: number; columns?: number } = {}): JobStats | undefined {
    const applied = this.d.state.applied.get(job);
    return applied && jobStats(applied.resource, this.d.ledger.ofJob(job), opts);
  }

  async timeline(hours = 24): Promise<Timeline> {
    const applied = [...this.d.state.applied.values()];
    const resourceOf = (name: string) => this.d.state.applied.get(name)?.resource;
    const inputs = applied.map(({ resource: r, appliedAt }): TimelineInput => {
      const fires = r.spec.schedule && !r.spec.suspend && !this.d.state.isPaused(r.metadata.name);
      return {
        resource: r,
        schedule: fires ? compileSchedule(r.spec.schedule!, { reference: appliedAt }) : undefined,
        demand: demandOf(r, resourceOf),
        ...expectedDuration(jobStats(r, this.d.ledger.ofJob(r.metadata.name), { points: 50, columns: 1 })),
      };
    });
    const capacity = await this.d.framework.capacity?.().catch(() => undefined);
    return timeline(inputs, this.d.clock.now(), hours, capacity);
  }

  backfills(job: string): BackfillProgress[] | undefined {
    const runs = this.d.ledger.ofJob(job);
    if (!this.d.state.applied.has(job) && runs.length === 0) return undefined;
    return backfillProgress(runs);
  }

  /** Everything that disagrees with git (drift.ts): the head not applied, hand edits, pauses. */
  private drift(): DriftItem[] {
    const s = this.d.state;
    return [...revisionDrift(s.sync), ...s.outOfBand, ...pauseDrift(s.overrides, s.applied)];
  }

  private topRuns(job: string): Run[] {
    return this.d.ledger.ofJob(job).filter((r) => r.dagRunId === undefined);
  }

  private status(r: Resource): JobStatus {
    if (r.spec.suspend) return 'suspended';
    if (this.d.state.isPaused(r.metadata.name)) return 'paused';
    const active = this.topRuns(r.metadata.name).filter((x) => !isTerminalRun(x.state));
    if (active.some((x) => !awaitsOffer(x.state))) return 'running';
    return active.length ? 'pending' : 'idle';
  }

  private upcoming(r: Resource, count: number): number[] {
    const s = r.spec.schedule;
    if (!s || r.spec.suspend || this.d.state.isPaused(r.metadata.name)) return [];
    const applied = this.d.state.applied.get(r.metadata.name);
    return nextRuns(s, this.d.clock.now(), count, { reference: applied?.appliedAt });
  }

  private summary(a: AppliedResource): JobSummary {
    const r = a.resource;
    const runs = this.topRuns(r.metadata.name);
    const last = runs.find((x) => isTerminalRun(x.state));
    return {
      name: r.metadata.name,
      kind: r.kind,
      owner: r.metadata.owner,
      labels: r.metadata.labels,
      status: this.status(r),
      schedule: r.spec.schedule && describeSchedule(r.spec.schedule),
      after: r.kind === 'Job' ? r.spec.after : [],
      nextRunAt: this.upcoming(r, 1)[0],
      lastRun: last && brief(last),
      activeRuns: runs.filter((x) => !isTerminalRun(x.state)).length,
      revision: a.revision,
      source: r.source,
    };
  }
}
