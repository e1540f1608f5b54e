/**
 * Wording shared by the human-readable plan renderers (text and markdown): the summary
 * line, values, where a manifest is, when a resource runs, and what happens to it.
 */
import type { Resource } from '../core/types.js';
import type { Plan, PlanEntry } from './types.js';

/** `2 to create, 1 to update, 1 to prune, 3 unchanged` (+ prunes held back, if any). */
export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  const held = s.pruneSkipped > 0 ? `, ${s.pruneSkipped} not pruned (use --prune)` : '';
  return `${s.create} to create, ${s.update} to update, ${s.prune} to prune, ${s.unchanged} unchanged${held}`;
}

/** What the plan compared with: `applied: <rev>`, or `against <ref> at <commit>` (`--against`). */
export function baseLine(plan: Plan, code: (s: string) => string = (s) => s): string {
  const a = plan.against;
  if (a?.mergeBaseOf !== undefined) return `against the merge base of ${code(a.ref)} and ${code(a.mergeBaseOf)} at ${code(a.revision)}`;
  if (a) return `against the tip of ${code(a.ref)} at ${code(a.revision)}`;
  return `applied: ${code(plan.appliedRevision ?? 'nothing yet')}`;
}

/** The line shown when nothing changes, naming what the manifests were compared with. */
export function noChanges(plan: Plan): string {
  const a = plan.against;
  if (!a) return 'No changes. The applied state matches the manifests.';
  return `No changes. The manifests match those at ${a.mergeBaseOf !== undefined ? `the merge base of ${a.ref} and ${a.mergeBaseOf}` : a.ref}.`;
}

/** A field value on one line: JSON, or `(none)` for an absent field. */
export function formatValue(v: unknown): string {
  return v === undefined ? '(none)' : JSON.stringify(v);
}

/** `file:line` of where an entry's manifest is (relative to the source root). */
export function where(e: PlanEntry): string {
  return `${e.source.file}:${e.source.line}`;
}

/** One line describing when a resource runs: its schedule, its parents, or on demand. */
export function describeTrigger(r: Resource): string {
  const s = r.spec.schedule;
  if (s) return `${s.kind} ${JSON.stringify(s.expression)} in ${s.timeZone}`;
  if (r.kind === 'Job' && r.spec.after.length > 0) return `after ${r.spec.after.join(', ')}`;
  return 'on demand';
}

/** The entries a reader needs to see (everything but unchanged ones). */
export function visibleEntries(plan: Plan): PlanEntry[] {
  return plan.entries.filter((e) => e.action !== 'unchanged');
}

/** The words for an entry's action, e.g. `will be created`, `not pruned (use --prune)`. */
export function actionWords(e: PlanEntry): string {
  if (e.action === 'prune') return e.willApply ? 'will be pruned' : 'no longer in the manifests; kept (use --prune to delete)';
  return e.action === 'create' ? 'will be created' : e.action === 'update' ? 'will be updated' : 'unchanged';
}
