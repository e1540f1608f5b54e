/**
 * The plan as a pull-request comment (GitHub-flavoured Markdown): a summary, then one
 * section per changed resource with a field table for updates and the next run times.
 */
import { actionWords, baseLine, noChanges, describeTrigger, formatValue, summaryLine, visibleEntries, where } from './format.js';
import { attributesLine, busyHours, clusterLine, demandWords, largestLine, peakLine } from './format-capacity.js';
import type { Plan, PlanCapacity } from './types.js';

const ICON = { create: '🟢 create', update: '🟡 update', prune: '🔴 prune', unchanged: 'unchanged' } as const;

/** Renders a plan as Markdown. */
export function renderMarkdown(plan: Plan): string {
  const out: string[] = [];
  out.push(`### Kairos plan for \`${plan.revision}\``);
  out.push('');
  const base = baseLine(plan, (s) => `\`${s}\``);
  out.push(`${base[0].toUpperCase()}${base.slice(1)} · **${summaryLine(plan)}**`);
  const shown = visibleEntries(plan);
  if (shown.length === 0) {
    out.push('', noChanges(plan));
    return out.join('\n') + '\n';
  }
  out.push('', '| action | kind | name | manifest |', '|---|---|---|---|');
  for (const e of shown) {
    const action = e.action === 'prune' && !e.willApply ? 'prune (held back: use `--prune`)' : ICON[e.action];
    out.push(`| ${action} | ${e.kind} | \`${e.name}\` | \`${where(e)}\` |`);
  }
  for (const e of shown) {
    if (e.action === 'prune') continue;
    out.push('', `#### ${e.kind} \`${e.name}\` ${actionWords(e)}`);
    if (e.resource && e.action === 'create') out.push('', `Runs: ${cell(describeTrigger(e.resource))}`);
    if (e.changes.length > 0) {
      out.push('', '| field | old | new |', '|---|---|---|');
      for (const ch of e.changes) out.push(`| \`${ch.path}\` | ${cell(formatValue(ch.old))} | ${cell(formatValue(ch.new))} |`);
    }
    if (e.nextRuns.length > 0) {
      out.push('', `Next runs (${e.nextRuns[0].timeZone} / UTC):`);
      for (const r of e.nextRuns) out.push(`- ${r.local} / ${r.utc}`);
    }
  }
  if (plan.capacity) out.push('', ...capacityMarkdown(plan.capacity));
  return out.join('\n') + '\n';
}

/** The capacity section (format-capacity.ts) as a heading, a fit table and a table of busy hours. */
function capacityMarkdown(cap: PlanCapacity): string[] {
  const out = ['#### Capacity', '', `Cluster facts ${clusterLine(cap)}; largest agent: ${largestLine(cap)}; attributes: ${attributesLine(cap)}.`, ''];
  out.push('| resource | fits | demand |', '|---|---|---|');
  for (const e of cap.entries) out.push(`| \`${e.name}\` | ${e.fits ? '✅ fits' : `❌ ${cell(e.reason ?? '')}`} | ${demandWords(e)} |`);
  const busy = busyHours(cap);
  if (busy.length === 0) return [...out, '', 'Demand of the change over the next 24 h: none (no scheduled run).'];
  out.push('', `Demand of the change per hour over the next 24 h (UTC; ${peakLine(cap)}):`, '', '| hour | cpus | mem (MiB) | |', '|---|---|---|---|');
  for (const b of busy) out.push(`| ${b.label} | ${b.hour.cpus} | ${b.hour.mem} | ${b.over ? '⚠️ over capacity' : ''} |`);
  return out;
}

/** A value safe inside a table cell: code-formatted, pipes escaped. */
function cell(s: string): string {
  return '`' + s.replace(/\|/g, '\\|').replace(/`/g, "'") + '`';
}
