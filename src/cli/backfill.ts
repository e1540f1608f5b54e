/**
 * `kairos backfill <job> --from ISO --to ISO [--max-parallel N] [--dry-run]
 * [--rerun-failed | --rerun-all] [--wait] [--server URL]`: asks a running controller to run
 * the job's scheduled instants in the window (`POST /v1/jobs/{name}/backfill`), under the
 * same run ids as scheduled runs, skipping instants that already ran unless a rerun flag
 * says otherwise. `--dry-run` lists the instants; `--wait` follows the backfill
 * (`GET /v1/jobs/{name}/backfills`) with a progress bar and ends with a summary.
 * Exit status: 0 when accepted (or, with --wait, when every run succeeded), 1 otherwise.
 */
import type { Command } from 'commander';
import { KairosError } from '../core/errors.js';
import type { BackfillProgress } from '../ports/charts.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { BackfillOptions, BackfillResult } from '../ports/controller.js';
import { addServerOptions, ApiClient, type ServerFlags } from './api-client.js';
import { pollUntil } from './poll.js';

/** The flags of `kairos backfill`. */
export interface BackfillFlags extends ServerFlags {
  from: string;
  to: string;
  maxParallel?: string;
  dryRun?: boolean;
  rerunFailed?: boolean;
  rerunAll?: boolean;
  wait?: boolean;
}

/** The request body for the flags; E_INVALID naming the flag when they contradict. */
export function backfillBody(f: BackfillFlags): Record<string, unknown> {
  if (f.rerunFailed && f.rerunAll) throw new KairosError('E_INVALID', '--rerun-failed and --rerun-all: give at most one');
  const maxParallel = f.maxParallel === undefined ? undefined : /^\d+$/.test(f.maxParallel) ? Number(f.maxParallel) : NaN;
  if (Number.isNaN(maxParallel)) throw new KairosError('E_INVALID', `--max-parallel: expected a whole number, got ${JSON.stringify(f.maxParallel)}`);
  const rerun: BackfillOptions['rerun'] = f.rerunAll ? 'all' : f.rerunFailed ? 'failed' : undefined;
  return { from: f.from, to: f.to, ...(maxParallel !== undefined && { maxParallel }), ...(rerun && { rerun }), ...(f.dryRun && { dryRun: true }) };
}

/** What a backfill does (or would do): one line per instant, then the counts. */
export function describePlan(r: BackfillResult): string {
  const verb = { run: r.dryRun ? 'would run' : 'run', rerun: r.dryRun ? 'would re-run' : 're-run', skip: 'skip' };
  const lines = r.instants.map((i) => `${new Date(i.at).toISOString()}  ${verb[i.action].padEnd(12)} ${i.runId}${i.existing ? ` (${i.existing})` : ''}`);
  const n = (a: string) => r.instants.filter((i) => i.action === a).length;
  const head = r.dryRun ? `dry run of a backfill of ${r.job}` : `${r.id} of ${r.job}`;
  return [...lines, `${head}: ${r.instants.length} instants, ${n('run')} to run, ${n('rerun')} to re-run, ${n('skip')} skipped (already ran or active)`].join('\n');
}

/** `[######......]  6/12  5 succeeded, 1 failed, 2 running, 4 queued`. */
export function progressBar(p: BackfillProgress, width = 30): string {
  const finished = p.succeeded + p.failed;
  const full = p.total === 0 ? width : Math.round((finished / p.total) * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${finished}/${p.total}  ${p.succeeded} succeeded, ${p.failed} failed, ${p.active} running, ${p.queued} queued`;
}

/** The closing summary: counts, then each run that did not succeed. */
export function summarize(p: BackfillProgress): string {
  const bad = p.runs.filter((r) => r.state !== 'succeeded');
  return [`${p.id} of ${p.job} done: ${p.succeeded} of ${p.total} succeeded, ${p.failed} did not`, ...bad.map((r) => `  ${r.id} ${r.state}`)].join('\n');
}

/** Follows backfill `id` of `job` until no run of it is queued or active. */
export async function waitForBackfill(api: ApiClient, job: string, id: string, clock: Clock, onProgress: (p: BackfillProgress) => void, pollMs = 1000): Promise<BackfillProgress> {
  const read = async () => {
    const all = await api.get<BackfillProgress[]>(`/v1/jobs/${encodeURIComponent(job)}/backfills`);
    const p = all.find((x) => x.id === id);
    if (!p) throw new KairosError('E_NOT_FOUND', `backfill ${id} of ${job} is no longer listed (its runs left the history)`);
    return p;
  };
  return pollUntil(read, (p) => p.done, onProgress, clock, pollMs);
}

/** Registers `kairos backfill`. */
export function register(program: Command): void {
  addServerOptions(
    program
      .command('backfill <job>')
      .description("run a job's scheduled instants of a past window, under their scheduled run ids")
      .requiredOption('--from <ISO>', 'window start, inclusive (e.g. 2026-03-01T00:00:00Z)')
      .requiredOption('--to <ISO>', 'window end, inclusive; not in the future')
      .option('--max-parallel <n>', 'at most this many runs of the backfill at once (default 1)')
      .option('--dry-run', 'only list the instants and what would happen to each')
      .option('--rerun-failed', 're-run instants whose run did not succeed')
      .option('--rerun-all', 're-run every instant, also those that succeeded')
      .option('--wait', 'show progress until every run ended; exit 1 unless all succeeded'),
  ).action(async (job: string, flags: BackfillFlags) => {
    const api = new ApiClient(flags);
    const result = await api.post<BackfillResult>(`/v1/jobs/${encodeURIComponent(job)}/backfill`, backfillBody(flags));
    process.stdout.write(`${describePlan(result)}\n`);
    if (result.dryRun || !flags.wait || result.instants.every((i) => i.action === 'skip')) return;
    const tty = process.stdout.isTTY === true;
    let last = '';
    const end = await waitForBackfill(api, job, result.id, systemClock, (p) => {
      const line = progressBar(p);
      if (line === last) return;
      last = line;
      process.stdout.write(tty ? `\r${line}` : `${line}\n`);
    });
    process.stdout.write(`${tty ? '\n' : ''}${summarize(end)}\n`);
    if (end.failed > 0) process.exitCode = 1;
  });
}
