/**
 * The terminal plan, modelled on `terraform plan`: `+` create, `~` update with `old → new`
 * per field, `-` prune, then next run times and a summary line. Colour only when asked
 * (the CLI asks when stdout is a TTY).
 */
import { createColors } from 'picocolors';
import { actionWords, baseLine, noChanges, describeTrigger, formatValue, summaryLine, visibleEntries, where } from './format.js';
import { attributesLine, busyHours, clusterLine, demandWords, fitWords, largestLine, peakLine } from './format-capacity.js';
import type { Plan, PlanCapacity, PlanEntry } from './types.js';

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
  if (plan.capacity) lines.push('', ...capacityText(plan.capacity, c));
  lines.push('');
  lines.push(c.bold(`Plan: ${summaryLine(plan)}.`));
  return lines.join('\n') + '\n';
}

/** The capacity section (format-capacity.ts): cluster, fit per changed resource, busy hours. */
function capacityText(cap: PlanCapacity, c: ReturnType<typeof createColors>): string[] {
  const lines = [`Capacity (${clusterLine(cap)})`, `  largest agent: ${largestLine(cap)}`, `  attributes: ${attributesLine(cap)}`];
  for (const e of cap.entries) lines.push(`  ${c.bold(e.name)}: ${e.fits ? c.green(fitWords(e)) : c.red(fitWords(e))}; ${demandWords(e)}`);
  const busy = busyHours(cap);
  if (busy.length === 0) return [...lines, '  demand of the change over the next 24 h: none (no scheduled run)'];
  lines.push(`  demand of the change per hour over the next 24 h (UTC; ${peakLine(cap)}):`);
  for (const b of busy) lines.push(`    ${b.label}  cpus ${b.hour.cpus}  mem ${b.hour.mem}${b.over ? c.red('  over capacity') : ''}`);
  return lines;
}
