/**
 * A job's run statistics for the UI's charts (`GET /v1/jobs/{name}/stats`), pure: duration
 * points coloured by outcome, success rate and p50/p95 duration over every run kept, and
 * the runs × tasks grid. One pass over the runs plus two sorts, so 10,000 runs of history
 * cost a few milliseconds (bench/api.bench.ts).
 */
import type { Run } from '../core/run.js';
import type { Resource, RunState } from '../core/types.js';
import type { GridColumn, JobStats, RunPoint } from '../ports/charts.js';

/** Default and highest number of duration points returned. */
export const DEFAULT_POINTS = 500;
export const MAX_POINTS = 10_000;
/** Default and highest number of grid columns returned. */
export const DEFAULT_COLUMNS = 40;
export const MAX_COLUMNS = 500;

/** Outcomes of runs whose task ran: they count for success rate and durations. */
const FINISHED: ReadonlySet<RunState> = new Set(['succeeded', 'failed', 'timed_out', 'lost', 'killed']);

/** Nearest-rank percentile of ascending `sorted` (p in 0..100); undefined when empty. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The timeout line of a resource: the Job's, or the largest of a DAG's inline tasks'. */
function timeoutOf(r: Resource): number | undefined {
  if (r.kind === 'Job') return r.spec.timeoutSeconds;
  const all = r.spec.tasks.flatMap((t) => (t.template?.timeoutSeconds !== undefined ? [t.template.timeoutSeconds] : []));
  return all.length ? Math.max(...all) : undefined;
}

/** When a run's first attempt started. */
function firstStart(run: Run): number | undefined {
  let min: number | undefined;
  for (const a of run.attempts) if (a.startedAt !== undefined && (min === undefined || a.startedAt < min)) min = a.startedAt;
  return min;
}

/** Oldest first by instant, then id; input already newest first (the ledger's order) is reversed in O(n). */
function oldestFirst(runs: Run[]): Run[] {
  const before = (a: Run, b: Run) => a.scheduledAt - b.scheduledAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  let descending = true;
  for (let i = 1; i < runs.length && descending; i++) descending = before(runs[i], runs[i - 1]) <= 0;
  return descending ? runs.reverse() : runs.sort(before);
}

/**
 * Computes JobStats for `resource` from `runs`: its top-level runs and, for a DAG, its
 * task runs, in any order. Figures cover every run; only the returned points and columns
 * are built as objects, so the cost stays a few passes over plain numbers.
 */
export function jobStats(resource: Resource, runs: readonly Run[], opts: { points?: number; columns?: number } = {}): JobStats {
  const name = resource.metadata.name;
  const isDag = resource.kind === 'DAG';
  const list: Run[] = [];
  const dagStart = new Map<string, number>(); // DAG run id → first start of any of its tasks
  for (const r of runs) {
    if (r.dagRunId === undefined) list.push(r);
    else {
      const t = firstStart(r);
      const cur = dagStart.get(r.dagRunId);
      if (t !== undefined && (cur === undefined || t < cur)) dagStart.set(r.dagRunId, t);
    }
  }
  const top = oldestFirst(list);
  const startOf = (r: Run) => (isDag ? dagStart.get(r.id) : firstStart(r));
  const durationOf = (r: Run, start: number | undefined) => (start !== undefined && r.endedAt !== undefined && FINISHED.has(r.state) ? r.endedAt - start : undefined);

  const counts: Partial<Record<RunState, number>> = {};
  const durations: number[] = [];
  let finished = 0;
  let succeeded = 0;
  for (const r of top) {
    counts[r.state] = (counts[r.state] ?? 0) + 1;
    if (!FINISHED.has(r.state)) continue;
    finished++;
    if (r.state === 'succeeded') succeeded++;
    const d = durationOf(r, startOf(r));
    if (d !== undefined) durations.push(d);
  }
  durations.sort((a, b) => a - b);

  const points = top.slice(-clamp(opts.points, DEFAULT_POINTS, MAX_POINTS)).map((r): RunPoint => {
    const startedAt = startOf(r);
    const durationMs = durationOf(r, startedAt);
    const p: RunPoint = { id: r.id, state: r.state, trigger: r.trigger, scheduledAt: r.scheduledAt };
    if (startedAt !== undefined) p.startedAt = startedAt;
    if (r.endedAt !== undefined) p.endedAt = r.endedAt;
    if (durationMs !== undefined) p.durationMs = durationMs;
    if (r.backfill) p.backfill = r.backfill.id;
    return p;
  });

  const shown = top.slice(-clamp(opts.columns, DEFAULT_COLUMNS, MAX_COLUMNS));
  const columns: GridColumn[] = shown.map((r) => ({ runId: r.id, scheduledAt: r.scheduledAt, state: r.state, cells: isDag ? {} : { [name]: { runId: r.id, state: r.state } } }));
  if (isDag) {
    const byId = new Map(columns.map((c) => [c.runId, c]));
    for (const t of runs) {
      const col = t.dagRunId !== undefined && t.task !== undefined ? byId.get(t.dagRunId) : undefined;
      if (col) col.cells[t.task!] = { runId: t.id, state: t.state };
    }
  }
  const timeoutSeconds = timeoutOf(resource);
  const slaSeconds = resource.spec.sla?.finishWithinSeconds;
  return {
    job: name,
    kind: resource.kind,
    ...(timeoutSeconds !== undefined && { timeoutSeconds }),
    ...(slaSeconds !== undefined && { slaSeconds }),
    counts,
    finished,
    ...(finished > 0 && { successRate: succeeded / finished }),
    ...(durations.length > 0 && { p50Ms: percentile(durations, 50), p95Ms: percentile(durations, 95) }),
    points,
    rows: isDag ? resource.spec.tasks.map((t) => t.name) : [name],
    columns,
  };
}

function clamp(v: number | undefined, dflt: number, max: number): number {
  return v === undefined || !Number.isFinite(v) ? dflt : Math.max(1, Math.min(max, Math.floor(v)));
}
