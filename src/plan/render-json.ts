/**
 * The plan as stable JSON (schemas/plan.schema.json): fixed key order, entries sorted by
 * name, no internal fields (store versions, full resources), so CI can diff and parse it.
 */
import type { Plan } from './types.js';

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
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
