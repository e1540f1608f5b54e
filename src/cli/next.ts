/**
 * `kairos next <job> [--source DIR|URL] [--ref REF] [--count N] [--after ISO] [--output text|json]`:
 * the next N run instants of a Job or DAG, in its own time zone and in UTC, computed by the
 * same code as the plan's "next runs" (src/plan/next-runs.ts over src/schedule). An ISO 8601
 * schedule without a start counts from `--after` (as it would if applied then).
 */
import type { Command } from 'commander';
import { parseSource } from '../config.js';
import { KairosError } from '../core/errors.js';
import type { Resource } from '../core/types.js';
import { loadDesired } from '../manifests/load.js';
import { upcomingRuns } from '../plan/next-runs.js';
import type { NextRun } from '../plan/types.js';
import { systemClock } from '../ports/clock.js';
import { addSourceOptions, openSource, type SourceFlags } from '../source/open.js';

/** The answer of `kairos next`, also its JSON output. */
export interface NextReport {
  job: string;
  kind: 'Job' | 'DAG';
  /** `cron 0 2 * * * (Europe/Berlin)`, or absent for jobs without a schedule. */
  schedule?: string;
  /** Why there are no runs to show, when there are none. */
  note?: string;
  runs: NextRun[];
}

/** Parsed `next` flags. */
export interface NextOptions {
  count: number;
  after: number;
}

/** Validates `--count` and `--after`; throws KairosError E_INVALID naming the flag. */
export function parseNextOptions(flags: { count?: string; after?: string }, now: number): NextOptions {
  const count = flags.count === undefined ? 5 : Number(flags.count);
  if (!Number.isInteger(count) || count < 1 || count > 10_000) {
    throw new KairosError('E_INVALID', `--count: ${JSON.stringify(flags.count)} is not a whole number from 1 to 10000`);
  }
  const after = flags.after === undefined ? now : Date.parse(flags.after);
  if (Number.isNaN(after) || (flags.after !== undefined && !/^\d{4}-\d\d-\d\d(T.*(Z|[+-]\d\d:?\d\d))?$/i.test(flags.after))) {
    throw new KairosError('E_INVALID', `--after: ${JSON.stringify(flags.after)} is not an ISO 8601 instant with a zone, e.g. 2026-03-08T00:00:00Z`);
  }
  return { count, after };
}

/** Computes the report for `name` among `resources`; E_NOT_FOUND if there is no such Job/DAG. */
export function nextReport(resources: Resource[], name: string, opts: NextOptions): NextReport {
  const r = resources.find((x) => x.metadata.name === name);
  if (!r) {
    const known = resources.map((x) => x.metadata.name).sort();
    throw new KairosError('E_NOT_FOUND', `no Job or DAG named ${JSON.stringify(name)}${known.length ? ` (known: ${known.join(', ')})` : ''}`);
  }
  const s = r.spec.schedule;
  const base = { job: name, kind: r.kind };
  if (!s) {
    const after = r.kind === 'Job' ? r.spec.after : [];
    return { ...base, note: after.length ? `runs after its parents succeed: ${after.join(', ')}` : 'has no schedule: runs on demand only', runs: [] };
  }
  const runs = upcomingRuns(s, opts.after, opts.count);
  const note = r.spec.suspend ? 'suspended: these runs will not start while suspend is true' : runs.length < opts.count ? 'the schedule has no further runs' : undefined;
  return { ...base, schedule: `${s.kind === 'cron' ? 'cron' : 'ISO 8601'} ${s.expression} (${s.timeZone})`, ...(note && { note }), runs };
}

/** Plain text: a header, then one `local  UTC` line per run. */
export function renderNext(rep: NextReport): string {
  const lines = [`${rep.kind} ${rep.job}${rep.schedule ? `: ${rep.schedule}` : ''}`];
  if (rep.note) lines.push(rep.note);
  for (const r of rep.runs) lines.push(`  ${r.local}  ${r.utc}`);
  return lines.join('\n') + '\n';
}

/** Registers `next` on the program. */
export function register(program: Command): void {
  addSourceOptions(program.command('next <job>').description("print a Job's or DAG's next run instants, in its time zone and UTC"))
    .option('--count <n>', 'how many runs', '5')
    .option('--after <instant>', 'list runs strictly after this ISO 8601 instant (default: now)')
    .option('--output <format>', 'text or json', 'text')
    .action(async (name: string, flags: SourceFlags & { count?: string; after?: string; output?: string }) => {
      if (flags.output !== 'text' && flags.output !== 'json') throw new KairosError('E_INVALID', `--output: ${JSON.stringify(flags.output)} must be text or json`);
      const opts = parseNextOptions(flags, systemClock.now());
      const source = openSource(parseSource(flags.source ?? '.', flags.ref, process.cwd()));
      const rep = nextReport(loadDesired(await source.snapshot()).resources, name, opts);
      process.stdout.write(flags.output === 'json' ? JSON.stringify(rep, null, 2) + '\n' : renderNext(rep));
    });
}
