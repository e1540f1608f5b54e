/**
 * Step 3 of loading: a schema-valid document (defaults already filled in by ajv) becomes
 * a typed Resource (src/core/types.ts). Only the shapes that differ between the manifest
 * and the model are mapped here (a schedule's `cron:`/`iso8601:` key becomes `kind`);
 * every value, default or not, is copied explicitly so nothing downstream guesses.
 */
import type {
  CommandSpec,
  DagSpec,
  DagTaskSpec,
  JobSpec,
  Metadata,
  Resource,
  ScheduleSpec,
  SourceRef,
  TaskTemplate,
} from '../core/types.js';
import type { Kind } from './schema.js';

// The manifest shapes as the schemas define them (after defaults).
type RawSchedule = { cron?: string; iso8601?: string; timeZone: string };
type RawTemplate = Omit<TaskTemplate, 'command'> & { command?: { shell?: string; argv?: string[] } };
type RawJob = RawTemplate & Omit<JobSpec, keyof TaskTemplate | 'schedule'> & { schedule?: RawSchedule };
type RawTask = Omit<DagTaskSpec, 'template'> & { template?: RawTemplate };
type RawDag = Omit<DagSpec, 'schedule' | 'tasks'> & { schedule?: RawSchedule; tasks: RawTask[] };
interface RawDoc {
  metadata: Metadata;
  spec: unknown;
}

/** Builds the Resource for one validated document. */
export function compileResource(kind: Kind, value: unknown, source: SourceRef): Resource {
  const doc = value as RawDoc;
  const m = doc.metadata;
  const metadata: Metadata = { name: m.name, ...(m.owner !== undefined && { owner: m.owner }), labels: m.labels, annotations: m.annotations };
  if (kind === 'Job') return { kind, metadata, spec: compileJob(doc.spec as RawJob), source };
  return { kind, metadata, spec: compileDag(doc.spec as RawDag), source };
}

/** `{cron: "0 2 * * *", timeZone}` → `{kind: 'cron', expression, timeZone}`. */
export function toScheduleSpec(s: RawSchedule): ScheduleSpec {
  return s.cron !== undefined
    ? { kind: 'cron', expression: s.cron, timeZone: s.timeZone }
    : { kind: 'iso8601', expression: s.iso8601 as string, timeZone: s.timeZone };
}

function compileCommand(c: { shell?: string; argv?: string[] }): CommandSpec {
  return c.shell !== undefined ? { shell: c.shell } : { argv: c.argv as string[] };
}

function compileTemplate(t: RawTemplate): TaskTemplate {
  return {
    ...(t.command && { command: compileCommand(t.command) }),
    ...(t.container && { container: t.container }),
    resources: t.resources,
    env: t.env,
    secrets: t.secrets,
    fetch: t.fetch,
    constraints: t.constraints,
    retries: t.retries,
    ...(t.timeoutSeconds !== undefined && { timeoutSeconds: t.timeoutSeconds }),
    killGracePeriodSeconds: t.killGracePeriodSeconds,
    ...(t.user !== undefined && { user: t.user }),
    priority: t.priority,
  };
}

type RunPolicy = Pick<JobSpec, 'concurrencyPolicy' | 'startingDeadlineSeconds' | 'catchUp' | 'suspend' | 'history' | 'onPrune' | 'notify' | 'sla'>;

/** The run-policy fields Jobs and DAGs share. */
function runPolicy(s: RunPolicy): RunPolicy {
  return {
    concurrencyPolicy: s.concurrencyPolicy,
    startingDeadlineSeconds: s.startingDeadlineSeconds,
    catchUp: s.catchUp,
    suspend: s.suspend,
    history: s.history,
    onPrune: s.onPrune,
    ...(s.notify?.length && { notify: s.notify }),
    ...(s.sla && { sla: s.sla }),
  };
}

function compileJob(s: RawJob): JobSpec {
  return {
    ...compileTemplate(s),
    ...(s.schedule && { schedule: toScheduleSpec(s.schedule) }),
    after: s.after,
    ...runPolicy(s),
  };
}

function compileDag(s: RawDag): DagSpec {
  return {
    ...(s.schedule && { schedule: toScheduleSpec(s.schedule) }),
    tasks: s.tasks.map((t) => ({
      name: t.name,
      ...(t.job !== undefined && { job: t.job }),
      ...(t.template && { template: compileTemplate(t.template) }),
      dependsOn: t.dependsOn,
      trigger: t.trigger,
    })),
    ...runPolicy(s),
  };
}
