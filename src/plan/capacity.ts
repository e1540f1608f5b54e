/**
 * Capacity in the plan (pure; the cluster's facts are an input, read at the CLI's edge by
 * src/cli/cluster-facts.ts). For every created or updated Job or DAG: whether one known
 * agent could ever hold it (src/mesos/fit.ts: total resources and attributes; a DAG: each
 * of its tasks), and the demand the changed jobs bring per hour of the next day (their
 * cpus and mem × runs active at once, src/api/timeline.ts), held against the cluster's
 * summed capacity. A run is expected to last its job's median duration from run history
 * when a controller was asked (`--server`), else its `timeoutSeconds`, else
 * DEFAULT_EXPECTED_MS, and the plan says which. Only called when facts were given, so a
 * plain dry run does none of this.
 */
import type { Resource, TaskTemplate } from '../core/types.js';
import type { ExpectedFrom } from '../ports/charts.js';
import type { ClusterFacts } from '../ports/mesos.js';
import { DEFAULT_EXPECTED_MS, demandOf, timeline, type TimelineInput } from '../api/timeline.js';
import { largestAgent, whyNoAgentFits } from '../mesos/fit.js';
import { compileSchedule } from '../schedule/index.js';
import type { CapacityEntry, Plan, PlanCapacity } from './types.js';

/** Hours of demand a plan shows (the next day). */
export const DEMAND_HOURS = 24;

/** What the plan's capacity is judged from. */
export interface CapacityInput {
  /** Where the facts came from, shown to the reader: `--server URL` or `--cluster-facts FILE`. */
  source: string;
  facts: ClusterFacts;
  /** Expected run duration (ms) from run history, by job name (a controller's `GET /v1/timeline`). */
  historyMs?: Readonly<Record<string, number>>;
}

/** The capacity section of `plan` against `input`. */
export function planCapacity(plan: Plan, input: CapacityInput): PlanCapacity {
  const { facts } = input;
  const byName = new Map(plan.entries.flatMap((e) => (e.resource ? [[e.name, e.resource] as const] : [])));
  const changed = plan.entries.filter((e) => (e.action === 'create' || e.action === 'update') && e.resource).map((e) => e.resource!);
  const entries: CapacityEntry[] = [];
  const inputs: TimelineInput[] = [];
  for (const r of changed) {
    const demand = demandOf(r, (n) => byName.get(n));
    const { expectedMs, expectedFrom } = expected(r, input.historyMs, byName);
    const reason = whyNot(r, facts, (n) => byName.get(n));
    entries.push({ name: r.metadata.name, kind: r.kind, fits: reason === undefined, ...(reason !== undefined && { reason }), ...demand, expectedMs, expectedFrom });
    const s = r.spec.schedule;
    if (s && !r.spec.suspend) inputs.push({ resource: r, schedule: compileSchedule(s, { reference: plan.planAt }), demand, expectedMs, expectedFrom });
  }
  const hours = timeline(inputs, plan.planAt, DEMAND_HOURS).hours.map((h) => ({ start: h.start, cpus: h.cpus, mem: h.mem }));
  const total = facts.agents.reduce((t, a) => ({ cpus: t.cpus + a.resources.cpus, mem: t.mem + a.resources.mem }), { cpus: 0, mem: 0 });
  return {
    source: input.source,
    factsAt: facts.at,
    agents: facts.agents.length,
    total: { cpus: Math.round(total.cpus * 1000) / 1000, mem: Math.round(total.mem) },
    largest: largestAgent(facts.agents),
    attributes: attributesOf(facts),
    entries,
    hours,
    peak: { cpus: Math.max(0, ...hours.map((h) => h.cpus)), mem: Math.max(0, ...hours.map((h) => h.mem)) },
  };
}

/** The templates a resource launches: the Job's, or each DAG task's (named). */
function templatesOf(r: Resource, resourceOf: (name: string) => Resource | undefined): { task?: string; tpl: TaskTemplate }[] {
  if (r.kind === 'Job') return [{ tpl: r.spec }];
  return r.spec.tasks.flatMap((t) => {
    const ref = t.job ? resourceOf(t.job) : undefined;
    const tpl = t.template ?? (ref?.kind === 'Job' ? ref.spec : undefined);
    return tpl ? [{ task: t.name, tpl }] : [];
  });
}

function whyNot(r: Resource, facts: ClusterFacts, resourceOf: (name: string) => Resource | undefined): string | undefined {
  for (const { task, tpl } of templatesOf(r, resourceOf)) {
    const why = whyNoAgentFits({ resources: tpl.resources, constraints: tpl.constraints }, facts.agents);
    if (why !== undefined) return task === undefined ? why : `task ${task}: ${why}`;
  }
  return undefined;
}

function expected(r: Resource, historyMs: CapacityInput['historyMs'], byName: ReadonlyMap<string, Resource>): { expectedMs: number; expectedFrom: ExpectedFrom } {
  const fromHistory = historyMs?.[r.metadata.name];
  if (fromHistory !== undefined && fromHistory > 0) return { expectedMs: fromHistory, expectedFrom: 'history' };
  const timeouts = templatesOf(r, (n) => byName.get(n)).flatMap(({ tpl }) => (tpl.timeoutSeconds !== undefined ? [tpl.timeoutSeconds] : []));
  if (timeouts.length > 0) return { expectedMs: Math.max(...timeouts) * 1000, expectedFrom: 'timeout' };
  return { expectedMs: DEFAULT_EXPECTED_MS, expectedFrom: 'default' };
}

function attributesOf(facts: ClusterFacts): Record<string, string[]> {
  const seen = new Map<string, Set<string>>();
  for (const a of facts.agents) for (const [k, v] of Object.entries(a.attributes)) (seen.get(k) ?? seen.set(k, new Set()).get(k)!).add(v);
  return Object.fromEntries([...seen.keys()].sort().map((k) => [k, [...seen.get(k)!].sort()]));
}
