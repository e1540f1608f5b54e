/**
 * `kairos status [job] [--server URL]`: what a running controller has applied and how its
 * jobs are doing, read over its API (GET /v1/sync, /v1/jobs, /v1/jobs/{name}). Rendering is
 * pure (plain text, UTC instants) so it is tested without a server.
 */
import type { Command } from 'commander';
import { formatProblem } from '../core/errors.js';
import type { Run } from '../core/run.js';
import type { ClusterView, JobDetail, JobSummary, RunBrief, SyncStatus } from '../ports/controller.js';
import { addServerOptions, ApiClient, type ServerFlags } from './api-client.js';

/** `2026-03-08T07:00:00Z`, or `-` for no instant. */
export function instant(ms: number | undefined): string {
  return ms === undefined ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z');
}

function brief(r: RunBrief | undefined): string {
  if (!r) return '-';
  return `${r.state}${r.exitStatus !== undefined ? ` (exit ${r.exitStatus})` : ''} ${instant(r.endedAt ?? r.scheduledAt)}`;
}

/** Left-aligned columns separated by two spaces. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

/** The sync banner: source, applied revision, last result with its problems. */
export function renderSync(s: SyncStatus): string {
  const lines = [
    `source:   ${s.source}`,
    `applied:  ${s.appliedRevision ?? '(nothing yet)'}${s.appliedAt ? ` at ${instant(s.appliedAt)}` : ''}`,
    `sync:     ${s.result}${s.lastRevision ? ` (${s.lastRevision} at ${instant(s.lastSyncAt)})` : ''}${s.syncing ? ', syncing' : ''}`,
  ];
  if (s.message) lines.push(`error:    ${s.message}`);
  for (const p of s.problems) lines.push(`  ${formatProblem(p)}`);
  for (const d of s.drift) lines.push(`drift:    ${d.job} ${d.field}: git ${JSON.stringify(d.desired)}, live ${JSON.stringify(d.live)}`);
  return lines.join('\n') + '\n';
}

/** The jobs table. */
export function renderJobs(jobs: JobSummary[]): string {
  if (jobs.length === 0) return 'no jobs applied\n';
  const rows = [['NAME', 'KIND', 'STATUS', 'SCHEDULE', 'NEXT RUN', 'LAST RUN']];
  for (const j of jobs) {
    const schedule = j.schedule ?? (j.after.length ? `after ${j.after.join(', ')}` : 'on demand');
    rows.push([j.name, j.kind, j.status, schedule, instant(j.nextRunAt), brief(j.lastRun)]);
  }
  return table(rows);
}

/** One job: what it is, why it is in its state, and its recent runs. */
export function renderJob(j: JobDetail): string {
  const head = [
    `${j.kind} ${j.name}${j.owner ? ` (owner ${j.owner})` : ''}`,
    `status:    ${j.status}${j.paused ? ' (paused through the API)' : ''}`,
    `schedule:  ${j.schedule ?? (j.after.length ? `after ${j.after.join(', ')}` : 'on demand')}`,
    `next runs: ${j.nextRuns.length ? j.nextRuns.map(instant).join(', ') : '-'}`,
    `from:      ${j.source.file}:${j.source.line} @ ${j.revision}`,
  ];
  if (j.pendingReason) head.push(`pending:   ${j.pendingReason}`);
  for (const d of j.drift) head.push(`drift:     ${d.field}: git ${JSON.stringify(d.desired)}, live ${JSON.stringify(d.live)}`);
  const rows = [['RUN', 'STATE', 'STARTED', 'ENDED', 'EXIT', 'AGENT']];
  for (const r of j.lastRuns) rows.push(runRow(r));
  return head.join('\n') + '\n\n' + (j.lastRuns.length ? table(rows) : 'no runs yet\n');
}

function runRow(r: Run): string[] {
  const a = r.attempts.at(-1);
  return [r.id, r.state, instant(a?.startedAt), instant(r.endedAt ?? a?.endedAt), a?.exitStatus?.toString() ?? '-', `${a?.hostname ?? '-'}${a?.cluster ? ` (${a.cluster})` : ''}`];
}

/** With several clusters (`--cluster`): one row per named cluster, and runs placed on none. */
export function renderClusters(c: ClusterView): string {
  if (!c.clusters?.length) return '';
  const rows = [['CLUSTER', 'STATE', 'MASTER', 'OFFERS', 'PENDING', 'FRAMEWORK']];
  for (const k of c.clusters) {
    const state = !k.connected ? 'disconnected' : k.starving ? `starving since ${instant(k.starvingSince ?? k.lastOfferAt)}` : 'connected';
    const pending = c.pending.filter((p) => p.cluster === k.name).length;
    rows.push([k.name, state, k.master ?? '-', `${k.offersReceived} (declined ${k.offersDeclined})`, String(pending), k.frameworkId ?? '-']);
  }
  const nowhere = c.pending.filter((p) => !p.cluster);
  return table(rows) + nowhere.map((p) => `not placed: ${p.runId}: ${p.reason}\n`).join('');
}

/** Registers `kairos status`. */
export function register(program: Command): void {
  addServerOptions(
    program
      .command('status [job]')
      .description('show what a running controller applied and how its jobs are doing')
      .option('--output <format>', 'text or json', 'text'),
  ).action(async (job: string | undefined, flags: ServerFlags & { output: string }) => {
    const api = new ApiClient(flags);
    const data = job
      ? await api.get<JobDetail>(`/v1/jobs/${encodeURIComponent(job)}`)
      : { sync: await api.get<SyncStatus>('/v1/sync'), jobs: await api.get<JobSummary[]>('/v1/jobs'), cluster: await api.get<ClusterView>('/v1/cluster') };
    if (flags.output === 'json') return void process.stdout.write(JSON.stringify(data, null, 2) + '\n');
    const clusters = 'sync' in data ? renderClusters(data.cluster) : '';
    const text = 'sync' in data ? renderSync(data.sync) + '\n' + (clusters && clusters + '\n') + renderJobs(data.jobs) : renderJob(data);
    process.stdout.write(text);
  });
}
