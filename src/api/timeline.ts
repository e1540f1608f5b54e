/**
 * The cluster's next hours for the UI's timeline (`GET /v1/timeline`), pure: every
 * upcoming scheduled run of every job in [now, now + hours), and the demand they bring,
 * stacked per job and hour, to hold against the cluster's capacity. A run is expected to
 * last the median of the job's recent successful runs, else its `timeoutSeconds` (the
 * longest it may last), else DEFAULT_EXPECTED_MS, and to hold its task's cpus and mem (a
 * DAG: its largest task's) that long. A job's demand in an hour is its peak: the most of
 * its runs active at once within the hour, times its cpus and mem. Stacked over jobs that
 * bounds the hour's peak from above, which is what to hold against capacity ("will 02:00
 * fit?"); an average would hide a short, wide burst.
 */
import type { Resource, Resources, TaskTemplate } from '../core/types.js';
import type { ExpectedFrom, JobStats, Timeline, TimelineHour, TimelineJob, UpcomingRun } from '../ports/charts.js';
import type { CompiledSchedule } from '../schedule/index.js';
import { percentile } from './stats.js';

/** Expected duration of a job that never succeeded and has no timeout. */
export const DEFAULT_EXPECTED_MS = 60_000;
/** Upcoming runs listed per job (demand still counts all of them up to MAX_INSTANTS). */
export const MAX_TIMELINE_RUNS = 200;
/** Instants looked at per job: a per-second schedule does not cost 86,400 iterations. */
export const MAX_INSTANTS = 5_000;
/** Recent successful runs the expected duration is the median of. */
export const RECENT_RUNS = 20;
const HOUR = 3_600_000;

/** One job as the timeline needs it. */
export interface TimelineInput {
  resource: Resource;
  /** Undefined when the job fires on no schedule now (parents only, suspended, paused). */
  schedule?: CompiledSchedule;
  demand: Pick<Resources, 'cpus' | 'mem'>;
  expectedMs: number;
  expectedFrom: ExpectedFrom;
}

/** The expected duration of a job's next run, from its stats (see the module comment). */
export function expectedDuration(stats: Pick<JobStats, 'points' | 'timeoutSeconds'>): { expectedMs: number; expectedFrom: ExpectedFrom } {
  const recent = stats.points.filter((p) => p.state === 'succeeded' && p.durationMs !== undefined).slice(-RECENT_RUNS);
  if (recent.length > 0) return { expectedMs: Math.max(1, percentile(recent.map((p) => p.durationMs!).sort((a, b) => a - b), 50)!), expectedFrom: 'history' };
  if (stats.timeoutSeconds !== undefined) return { expectedMs: stats.timeoutSeconds * 1000, expectedFrom: 'timeout' };
  return { expectedMs: DEFAULT_EXPECTED_MS, expectedFrom: 'default' };
}

/** What one run of the resource holds: the Job's resources, or a DAG's largest task's. */
export function demandOf(r: Resource, resourceOf: (name: string) => Resource | undefined): Pick<Resources, 'cpus' | 'mem'> {
  if (r.kind === 'Job') return { cpus: r.spec.resources.cpus, mem: r.spec.resources.mem };
  let cpus = 0;
  let mem = 0;
  for (const t of r.spec.tasks) {
    const ref = t.job ? resourceOf(t.job) : undefined;
    const tpl: TaskTemplate | undefined = t.template ?? (ref?.kind === 'Job' ? ref.spec : undefined);
    if (tpl) [cpus, mem] = [Math.max(cpus, tpl.resources.cpus), Math.max(mem, tpl.resources.mem)];
  }
  return { cpus, mem };
}

/** The timeline of `inputs` over [now, now + hours). */
export function timeline(inputs: readonly TimelineInput[], now: number, hours = 24, capacity?: Timeline['capacity']): Timeline {
  const to = now + hours * HOUR;
  const buckets: TimelineHour[] = Array.from({ length: hours }, (_, i) => ({ start: now + i * HOUR, cpus: 0, mem: 0, byJob: [] }));
  const jobs: TimelineJob[] = [];
  const runs: UpcomingRun[] = [];
  for (const input of inputs) {
    if (!input.schedule) continue;
    const name = input.resource.metadata.name;
    const starts: number[] = [];
    for (let t = input.schedule.next(now - 1); t !== undefined && t < to && starts.length < MAX_INSTANTS; t = input.schedule.next(t)) starts.push(t);
    if (starts.length === 0) continue;
    for (const at of starts.slice(0, MAX_TIMELINE_RUNS)) runs.push({ job: name, at, expectedMs: input.expectedMs });
    jobs.push({ job: name, kind: input.resource.kind, ...input.demand, expectedMs: input.expectedMs, expectedFrom: input.expectedFrom, count: starts.length });
    peakPerHour(starts, input.expectedMs, now, hours).forEach((n, i) => {
      if (n <= 0) return;
      const d = { job: name, cpus: round(n * input.demand.cpus), mem: round(n * input.demand.mem) };
      buckets[i].byJob.push(d);
      buckets[i].cpus = round(buckets[i].cpus + d.cpus);
      buckets[i].mem = round(buckets[i].mem + d.mem);
    });
  }
  runs.sort((a, b) => a.at - b.at || (a.job < b.job ? -1 : 1));
  return { from: now, to, jobs, runs, hours: buckets, ...(capacity && { capacity }) };
}

/**
 * Per hour of [now, now + hours): the most runs active at once, for runs starting at
 * ascending `starts` and lasting `ms` each. A sweep over start and end events.
 */
export function peakPerHour(starts: readonly number[], ms: number, now: number, hours: number): number[] {
  const peak = new Array<number>(hours).fill(0);
  const ends = starts.map((t) => t + ms); // ascending too: every run lasts the same
  let active = 0;
  for (let i = 0, j = 0; i < starts.length || j < ends.length; ) {
    const isStart = i < starts.length && starts[i] < ends[j];
    const at = isStart ? starts[i++] : ends[j++];
    active += isStart ? 1 : -1;
    if (active === 0) continue;
    const until = Math.min(i < starts.length ? starts[i] : Infinity, ends[j]);
    // `active` runs are active over [at, until): raise the peak of every hour it touches
    for (let h = Math.max(0, Math.floor((at - now) / HOUR)); h < hours && now + h * HOUR < until; h++) peak[h] = Math.max(peak[h], active);
  }
  return peak;
}

/** Three decimals: demand figures are for drawing, not accounting. */
function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
