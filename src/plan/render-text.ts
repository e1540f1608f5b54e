/**
 * The terminal plan, modelled on `terraform plan`: `+` create, `~` update with `old → new`
 * per field, `-` prune, then next run times and a summary line. Colour only when asked
 * (the CLI asks when stdout is a TTY).
 */
import { createColors } from 'picocolors';
import { actionWords, baseLine, noChanges, describeTrigger, formatValue, summaryLine, visibleEntries, where } from './format.js';
import type { Plan, PlanEntry } from './types.js';

const SIGN = { create: '+', update: '~', prune: '-', unchanged: ' ' } as const;

/** Renders a plan for a terminal. */
export function renderText(plan: Plan, color: boolean): string {
  const c = createColors(color);
  const paint = (e: PlanEntry, s: string) =>
    e.action === 'create' ? c.green(s) : e.action === 'update' ? c.yellow(s) : e.willApply ? c.red(s) : c.dim(s);
  const lines: string[] = [];
  lines.push(`Plan for revision ${plan.revision} (${baseLine(plan)})`);
  lines.push('');
  const shown = visibleEntries(plan);
  if (shown.length === 0) lines.push(noChanges(plan));
  for (const e of shown) {
    lines.push(paint(e, `  ${SIGN[e.action]} ${e.kind} ${c.bold(e.name)} ${actionWords(e)}`) + c.dim(`  (${where(e)})`));
    if (e.resource && e.action === 'create') lines.push(`      runs: ${describeTrigger(e.resource)}`);
    for (const ch of e.changes) lines.push(`      ${ch.path}: ${c.red(formatValue(ch.old))} → ${c.green(formatValue(ch.new))}`);
    if (e.nextRuns.length > 0) {
      lines.push('      next runs:');
      for (const r of e.nextRuns) lines.push(`        ${r.local} (${r.timeZone})  =  ${r.utc}`);
    }
  }
  lines.push('');
  lines.push(c.bold(`Plan: ${summaryLine(plan)}.`));
  return lines.join('\n') + '\n';
}
