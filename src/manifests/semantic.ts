/**
 * Step 4 of loading: checks that need more than one document or more than the schema:
 * names unique across all files, `after` parents and DAG `dependsOn`/`job` references
 * exist, dependency graphs are acyclic (the cycle is named), a job has a schedule or
 * parents but not both (Chronos), and schedules and time zones parse (src/schedule).
 */
import { KairosError, type Problem } from '../core/errors.js';
import type { DagSpec, JobSpec, Resource, ScheduleSpec } from '../core/types.js';
import { compileSchedule, isValidTimeZone } from '../schedule/index.js';
import { describeCycle, findCycles } from './graph.js';
import { formatPath } from './schema.js';
import { didYouMean } from './suggest.js';
import type { ParsedDoc } from './yaml.js';

/** A compiled resource and the document it came from (for positions). */
export interface Located {
  resource: Resource;
  doc: ParsedDoc;
}

type Path = (string | number)[];

/**
 * Environment variables a shell or the dynamic loader acts on before the command runs
 * (bash expands BASH_ENV, so `$(...)` in its value executes): a manual run's env override
 * must never set them, whatever a manifest lists in `spec.overrides.env`.
 */
const STARTUP_ENV = /^(BASH_ENV|ENV|SHELLOPTS|BASHOPTS|PS4|PROMPT_COMMAND|IFS|CDPATH|GLOBIGNORE|PATH|HOME|SHELL|BASH_FUNC_.*|LD_.*|DYLD_.*|NODE_OPTIONS|PYTHONSTARTUP|PYTHONPATH|PERL5OPT|PERL5LIB|RUBYOPT|JAVA_TOOL_OPTIONS|KAIROS_.*|MESOS_.*|LIBPROCESS_.*)$/;

/**
 * All semantic problems of a set of resources, in document order. `declared` holds the
 * names of documents that failed the schema: references to them are not reported again
 * as missing (their own problems already are).
 */
export function checkSemantics(items: readonly Located[], declared: ReadonlySet<string> = new Set()): Problem[] {
  const problems: Problem[] = [];
  const at = (item: Located, path: Path, message: string) =>
    problems.push({ file: item.doc.file, ...item.doc.locate(path), path: formatPath(path), message });

  const byName = new Map<string, Located>();
  for (const item of items) {
    const name = item.resource.metadata.name;
    const first = byName.get(name);
    if (first) {
      const where = first.doc.locate(['metadata', 'name']);
      at(item, ['metadata', 'name'], `duplicate name ${JSON.stringify(name)}: already defined at ${first.doc.file}:${where.line}:${where.column}`);
    } else byName.set(name, item);
  }
  const jobNames = [...byName.values()].filter((i) => i.resource.kind === 'Job').map((i) => i.resource.metadata.name);
  const refersToJob = (item: Located, path: Path, name: string, what: string) => {
    const target = byName.get(name)?.resource;
    if (!target && declared.has(name)) return;
    if (!target) at(item, path, `${what} ${JSON.stringify(name)} does not exist${didYouMean(name, jobNames)}`);
    else if (target.kind !== 'Job') at(item, path, `${what} ${JSON.stringify(name)} is a ${target.kind}; only Jobs can be referenced here`);
  };

  const parents = new Map<string, string[]>();
  for (const item of items) {
    const r = item.resource;
    if (r.spec.schedule) checkSchedule(item, r.spec.schedule, at);
    (r.spec.overrides?.env ?? []).forEach((name, i) => {
      if (STARTUP_ENV.test(name)) at(item, ['spec', 'overrides', 'env', i], `${name} changes how a shell or program starts; it cannot be overridden by a manual run`);
    });
    if (r.kind === 'Job') {
      checkJob(item, r.spec, refersToJob, at);
      if (byName.get(r.metadata.name) === item) parents.set(r.metadata.name, r.spec.after);
    } else checkDag(item, r.spec, refersToJob, at);
  }
  for (const cycle of findCycles(parents)) {
    const item = byName.get(cycle[0]) as Located;
    const job = item.resource.spec as JobSpec;
    at(item, ['spec', 'after', job.after.indexOf(cycle[1 % cycle.length])], `dependency cycle: ${describeCycle(cycle)} (each job runs after the next)`);
  }
  return problems;
}

type At = (item: Located, path: Path, message: string) => void;
type RefCheck = (item: Located, path: Path, name: string, what: string) => void;

function checkSchedule(item: Located, s: ScheduleSpec, at: At): void {
  if (!isValidTimeZone(s.timeZone)) {
    at(item, ['spec', 'schedule', 'timeZone'], `unknown time zone ${JSON.stringify(s.timeZone)}: expected an IANA name such as UTC, Europe/London or Asia/Shanghai`);
    return;
  }
  try {
    compileSchedule(s);
  } catch (err) {
    if (!(err instanceof KairosError) || err.code !== 'E_SCHEDULE') throw err;
    const what = s.kind === 'cron' ? 'a cron expression (5 fields: minute hour day-of-month month day-of-week)' : 'an ISO 8601 repeating interval R[n]/start/period';
    at(item, ['spec', 'schedule', s.kind], `${err.message} (expected ${what})`);
  }
}

function checkJob(item: Located, spec: JobSpec, refersToJob: RefCheck, at: At): void {
  if (spec.schedule && spec.after.length > 0) {
    at(item, ['spec', 'after'], 'a job runs on a schedule or after its parents, not both: remove schedule or after');
  }
  spec.after.forEach((p, i) => refersToJob(item, ['spec', 'after', i], p, 'parent job'));
}

function checkDag(item: Located, spec: DagSpec, refersToJob: RefCheck, at: At): void {
  const index = new Map<string, number>();
  spec.tasks.forEach((t, i) => {
    if (index.has(t.name)) at(item, ['spec', 'tasks', i, 'name'], `duplicate task name ${JSON.stringify(t.name)} (also task ${index.get(t.name)})`);
    else index.set(t.name, i);
    if (t.job !== undefined) refersToJob(item, ['spec', 'tasks', i, 'job'], t.job, 'job');
  });
  const names = [...index.keys()];
  spec.tasks.forEach((t, i) =>
    t.dependsOn.forEach((d, j) => {
      if (!index.has(d)) at(item, ['spec', 'tasks', i, 'dependsOn', j], `task ${JSON.stringify(d)} does not exist in this DAG${didYouMean(d, names)}`);
    }),
  );
  const edges = new Map(spec.tasks.filter((t, i) => index.get(t.name) === i).map((t) => [t.name, t.dependsOn] as const));
  for (const cycle of findCycles(edges)) {
    const i = index.get(cycle[0]) as number;
    const j = spec.tasks[i].dependsOn.indexOf(cycle[1 % cycle.length]);
    at(item, ['spec', 'tasks', i, 'dependsOn', j], `dependency cycle between tasks: ${describeCycle(cycle)} (each depends on the next)`);
  }
}
