/**
 * The plan as stable JSON (schemas/plan.schema.json): fixed key order, entries sorted by
 * name, no internal fields (store versions, full resources), so CI can diff and parse it.
 */
import type { Plan, PlanCapacity } from './types.js';

/** Version of the JSON plan format; bump on incompatible change. */
export const PLAN_FORMAT = 'kairos/v1';

/** Renders a plan as indented JSON. */
export function renderJson(plan: Plan): string {
  const doc = {
    apiVersion: PLAN_FORMAT,
    kind: 'Plan',
    revision: plan.revision,
    appliedRevision: plan.appliedRevision ?? null,
    against: plan.against ?? null,
    planAt: new Date(plan.planAt).toISOString(),
    summary: plan.summary,
    entries: plan.entries.map((e) => ({
      action: e.action,
      kind: e.kind,
      name: e.name,
      source: { file: e.source.file, line: e.source.line, commit: e.source.commit ?? null },
      willApply: e.willApply,
      changes: e.changes.map((c) => ({ path: c.path, old: c.old ?? null, new: c.new ?? null })),
      nextRuns: e.nextRuns.map((r) => ({ utc: r.utc, local: r.local, timeZone: r.timeZone })),
    })),
    capacity: plan.capacity ? capacityJson(plan.capacity) : null,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** The capacity section with instants as ISO 8601 and every key present (null reason when it fits). */
function capacityJson(c: PlanCapacity) {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    source: c.source,
    factsAt: iso(c.factsAt),
    agents: c.agents,
    total: c.total,
    largest: c.largest,
    attributes: c.attributes,
    entries: c.entries.map((e) => ({ name: e.name, kind: e.kind, fits: e.fits, reason: e.reason ?? null, cpus: e.cpus, mem: e.mem, expectedMs: e.expectedMs, expectedFrom: e.expectedFrom })),
    hours: c.hours.map((h) => ({ start: iso(h.start), cpus: h.cpus, mem: h.mem })),
    peak: c.peak,
  };
}
