/**
 * The plan model: what a reconcile would do to go from the applied state (store) to the
 * desired state (manifests at a revision). Produced by the pure `plan()` (plan.ts), shown
 * by the renderers, written by `applyPlan()` (apply.ts). The JSON form is documented in
 * schemas/plan.schema.json.
 */
import type { AppliedResource, Resource, SourceRef } from '../core/types.js';
import type { ExpectedFrom } from '../ports/charts.js';
import type { AgentResources } from '../ports/mesos.js';

/** What the store holds before a reconcile, with the store versions needed for compare-and-set. */
export interface AppliedState {
  /** The revision of the last apply, if any. */
  revision?: string;
  resources: AppliedResource[];
  /** Store version of `resources/<name>` per resource name. */
  versions: Record<string, number>;
  /** Store version of `meta/applied`, when it exists. */
  metaVersion?: number;
}

/** One changed field of an update: its path (e.g. `spec.resources.cpus`), old and new value. */
export interface FieldChange {
  path: string;
  /** Absent when the field did not exist before. */
  old?: unknown;
  /** Absent when the field no longer exists. */
  new?: unknown;
}

/** One upcoming run instant, in UTC and in the schedule's own time zone. */
export interface NextRun {
  /** Epoch ms. */
  at: number;
  /** ISO 8601 in UTC, e.g. `2026-01-01T18:00:00Z`. */
  utc: string;
  /** ISO 8601 with the zone's offset, e.g. `2026-01-02T02:00:00+08:00`. */
  local: string;
  timeZone: string;
}

/** What a plan does to one resource (terraform's +, ~, - and no-op). */
export type PlanAction = 'create' | 'update' | 'prune' | 'unchanged';

/** What happens to one Job or DAG. */
export interface PlanEntry {
  action: PlanAction;
  kind: Resource['kind'];
  name: string;
  /** Where the manifest is (for prunes: where it was when applied). */
  source: SourceRef;
  /** Whether applying the plan performs this action; false for prunes not allowed (no --prune). */
  willApply: boolean;
  /** For updates: every changed field, in path order. Empty otherwise. */
  changes: FieldChange[];
  /** For creates and updates of scheduled resources: the next run instants. */
  nextRuns: NextRun[];
  /** The desired resource (absent for prunes). */
  resource?: Resource;
  /** Store version of the applied copy (updates and prunes), for compare-and-set. */
  expectedVersion?: number;
}

/** Counts per action. `prune` counts prunes that will be applied; `pruneSkipped` the others. */
export interface PlanSummary {
  create: number;
  update: number;
  prune: number;
  pruneSkipped: number;
  unchanged: number;
}

/** One created or changed resource against the cluster. */
export interface CapacityEntry {
  name: string;
  kind: Resource['kind'];
  /** Whether some known agent could hold each of its tasks. */
  fits: boolean;
  /** Why not, when it does not fit (a DAG's: `task <name>: …`). */
  reason?: string;
  /** cpus and mem one run holds (a DAG: its largest task's). */
  cpus: number;
  mem: number;
  expectedMs: number;
  expectedFrom: ExpectedFrom;
}

/** The demand of the plan's changes in one hour. */
export interface DemandHour {
  /** Epoch ms the hour starts. */
  start: number;
  cpus: number;
  mem: number;
}

/** The plan's capacity section (`Plan.capacity`). */
export interface PlanCapacity {
  source: string;
  /** Epoch ms the facts were read. */
  factsAt: number;
  agents: number;
  /** Summed cpus and mem of the agents. */
  total: { cpus: number; mem: number };
  /** The most of each resource on one agent. */
  largest: AgentResources;
  /** Each attribute the agents carry, with its values (sorted). */
  attributes: Record<string, string[]>;
  entries: CapacityEntry[];
  /** DEMAND_HOURS hours from the plan's instant. */
  hours: DemandHour[];
  /** The busiest hour's demand. */
  peak: { cpus: number; mem: number };
}

/** A complete plan. Entries are sorted by name. */
export interface Plan {
  revision: string;
  appliedRevision?: string;
  /**
   * Set when the plan compared against the manifests at another git ref (`--against`)
   * rather than the applied state: that ref as given, and the commit it resolved to.
   * `mergeBaseOf` (the source's ref, e.g. `HEAD`) says the commit is the merge base of the
   * two, as a pull request's diff uses; absent with `--against-tip` (the ref's tip).
   */
  against?: { ref: string; revision: string; mergeBaseOf?: string };
  /** Store version of `meta/applied` the plan was made against. */
  appliedMetaVersion?: number;
  /** Epoch ms the plan (and its next-run instants) was computed for. */
  planAt: number;
  entries: PlanEntry[];
  summary: PlanSummary;
  /**
   * Set when cluster facts were given (`--server`, `--cluster-facts`): whether each created
   * or changed resource fits an agent, and the demand of the change per hour (capacity.ts).
   */
  capacity?: PlanCapacity;
}

/** True when applying the plan would change any resource (terraform's exit code 2). */
export function hasChanges(p: Plan): boolean {
  return p.summary.create + p.summary.update + p.summary.prune > 0;
}
