/**
 * `explain`: why a job is (or is not) running right now, in words an operator can act on.
 * A pure function of what the controller view already shows (job, parents, cluster,
 * sync, leadership, now), so the answer is the same in the API, the UI and the CLI, and
 * it is tested with plain data.
 */
import type { Run } from '../core/run.js';
import { isTerminalRun } from '../core/types.js';
import type { ClusterView, JobDetail, SyncStatus } from '../ports/controller.js';
import { clusterReasons } from './explain-clusters.js';
import { preemptionReasons } from './explain-preemption.js';

/** One reason, most blocking first. `code` is stable for scripts; `message` is for people. */
export interface ExplainReason {
  code:
    | 'not-leader'
    | 'sync-failed'
    | 'suspended'
    | 'paused'
    | 'running'
    | 'sla-missed'
    | 'concurrency-forbid'
    | 'waiting-for-parents'
    | 'unschedulable'
    | 'no-offer-fits'
    | 'preempted'
    | 'preempting'
    | 'starving'
    | 'disconnected'
    | 'retry-backoff'
    | 'manual-only'
    | 'schedule-exhausted'
    | 'scheduled';
  message: string;
}

/** The answer to "why is this job not running right now?". */
export interface Explanation {
  job: string;
  /** True when a run of the job is launching or running at this moment. */
  running: boolean;
  /** First reason's message: one line for tables and the CLI. */
  summary: string;
  reasons: ExplainReason[];
}

/** Everything `explain` looks at. Parents are the jobs named in `after`, when applied. */
export interface ExplainFacts {
  job: JobDetail;
  parents: Record<string, JobDetail | undefined>;
  cluster: ClusterView;
  sync: SyncStatus;
  leader: { isLeader: boolean; leaderUrl?: string };
  now: number;
}

/** A duration as `45s`, `1m30s`, `2h5m`, `3d4h`: two units at most, zero parts left out. */
export function fmtDuration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  const two = (a: number, ua: string, b: number, ub: string) => `${a}${ua}${b ? `${b}${ub}` : ''}`;
  if (s < 60) return `${s}s`;
  if (s < 3600) return two(Math.floor(s / 60), 'm', s % 60, 's');
  if (s < 86400) return two(Math.floor(s / 3600), 'h', Math.floor((s % 3600) / 60), 'm');
  return two(Math.floor(s / 86400), 'd', Math.floor((s % 86400) / 3600), 'h');
}
const iso = (ms: number) => new Date(ms).toISOString();

/** The newest successful run's instant among `runs`, if any. */
function lastSuccess(runs: Run[]): number | undefined {
  let best: number | undefined;
  for (const r of runs) if (r.state === 'succeeded' && (best === undefined || r.scheduledAt > best)) best = r.scheduledAt;
  return best;
}

/** Explains a job; see ExplainReason for the codes, in the order they are checked. */
export function explain(f: ExplainFacts): Explanation {
  const { job, now } = f;
  const reasons: ExplainReason[] = [];
  const add = (code: ExplainReason['code'], message: string) => reasons.push({ code, message });
  const active = job.lastRuns.filter((r) => !isTerminalRun(r.state));
  const running = active.some((r) => r.state === 'running' || r.state === 'launching');

  if (!f.leader.isLeader) {
    add('not-leader', `this controller is not the leader; the leader${f.leader.leaderUrl ? ` at ${f.leader.leaderUrl}` : ''} schedules runs`);
  }
  if (f.sync.result === 'failed') {
    const first = f.sync.problems[0];
    const where = first ? ` (${first.file}:${first.line}:${first.column}${first.path ? ` ${first.path}` : ''}: ${first.message})` : '';
    add('sync-failed', `the last sync failed, so revision ${f.sync.appliedRevision ?? '(none)'} stays applied: ${f.sync.message ?? 'see /v1/sync'}${where}`);
  }
  if (job.resource.spec.suspend) add('suspended', `suspend: true in ${job.source.file}:${job.source.line}`);
  if (job.paused) {
    const d = job.drift.find((x) => x.field === 'paused');
    add('paused', `paused through the API${d?.since !== undefined ? ` ${fmtDuration(now - d.since)} ago` : ''} (drift from git); resume to schedule again`);
  }
  for (const r of active.filter((x) => x.state === 'running' || x.state === 'launching')) {
    const a = r.attempts[r.attempts.length - 1];
    const where = `${a?.hostname ? ` on ${a.hostname}` : ''}${a?.cluster ? ` (cluster ${a.cluster})` : ''}`;
    const since = a?.startedAt ?? a?.intentAt;
    add('running', `run ${r.id} is ${r.state}${where}${since !== undefined ? ` for ${fmtDuration(now - since)}` : ''}`);
  }
  const sla = job.resource.spec.sla;
  const late = sla ? job.lastRuns.filter((r) => r.slaMissedAt !== undefined && (!isTerminalRun(r.state) || r === job.lastRuns[0])) : [];
  for (const r of late) {
    const due = r.scheduledAt + sla!.finishWithinSeconds * 1000;
    const how = isTerminalRun(r.state) ? `ended ${r.state}${r.endedAt !== undefined ? ` ${fmtDuration(r.endedAt - due)} after it` : ''}` : `still ${r.state} ${fmtDuration(now - due)} after it`;
    add('sla-missed', `run ${r.id} missed its SLA (sla.finishWithinSeconds: ${sla!.finishWithinSeconds}, due ${iso(due)}): ${how}`);
  }
  if (running && job.resource.spec.concurrencyPolicy === 'Forbid') {
    add('concurrency-forbid', 'concurrencyPolicy: Forbid — instants that fall due while a run is active are skipped');
  }
  if (job.kind === 'Job' && job.after.length > 0) {
    const mine = lastSuccess(job.lastRuns) ?? -Infinity;
    const waiting = job.after.filter((p) => {
      const parent = f.parents[p];
      const t = parent ? lastSuccess(parent.lastRuns) : undefined;
      return t === undefined || t <= mine;
    });
    if (waiting.length) {
      const names = waiting.map((p) => (f.parents[p] ? p : `${p} (not applied)`)).join(', ');
      add('waiting-for-parents', `waiting for a new successful run of: ${names}`);
    }
  }
  for (const r of active.filter((x) => x.state === 'unschedulable')) {
    add('unschedulable', `run ${r.id} is unschedulable: ${r.reason ?? 'no known agent could ever hold it'}; it launches when an agent that fits joins`);
  }
  const queued = active.filter((x) => x.state === 'pending');
  if (f.cluster.clusters) {
    for (const c of clusterReasons(job, f.cluster, queued, now, fmtDuration)) add(c.code, c.message);
  }
  for (const r of queued) {
    const p = f.cluster.pending.find((x) => x.runId === r.id);
    if (p?.cluster || p?.clusters) continue; // said per cluster above
    const a = r.attempts[r.attempts.length - 1];
    if (a && a.notBefore > now) {
      add('retry-backoff', `run ${r.id} retries attempt ${a.n} at ${iso(a.notBefore)} (in ${fmtDuration(a.notBefore - now)})`);
    } else if (p) {
      add('no-offer-fits', `run ${r.id} pending for ${fmtDuration(now - p.since)}: ${p.reason}`);
    } else if (r.reason) {
      add('no-offer-fits', `run ${r.id} pending: ${r.reason}`);
    }
  }
  reasons.push(...preemptionReasons(job, now));
  if (f.cluster.clusters) {
    // with named clusters, each one's state was said above
  } else if (!f.cluster.connected) add('disconnected', `not subscribed to the Mesos master${f.cluster.master ? ` ${f.cluster.master}` : ''}`);
  else if (f.cluster.starving) {
    const since = f.cluster.starvingSince ?? f.cluster.lastOfferAt;
    add('starving', `no offers from Mesos${since !== undefined ? ` for ${fmtDuration(now - since)}` : ' yet'} (revives sent: ${f.cluster.revives})`);
  }
  if (!running && job.nextRunAt !== undefined) {
    add('scheduled', `next run at ${iso(job.nextRunAt)} (in ${fmtDuration(job.nextRunAt - now)}) by ${job.schedule ?? 'schedule'}`);
  } else if (!running && job.schedule && job.nextRunAt === undefined && !job.resource.spec.suspend && !job.paused) {
    add('schedule-exhausted', `the schedule ${job.schedule} has no further instants`);
  } else if (!job.schedule && job.after.length === 0 && job.kind === 'Job') {
    add('manual-only', 'no schedule and no parents: runs only when started by hand (POST /v1/jobs/{name}/runs)');
  }
  const summary = reasons[0]?.message ?? 'nothing prevents this job from running';
  return { job: job.name, running, summary, reasons };
}
