/**
 * The plan as a pull-request comment (GitHub-flavoured Markdown): a summary, then one
 * section per changed resource with a field table for updates and the next run times.
 */
import { actionWords, baseLine, noChanges, describeTrigger, formatValue, summaryLine, visibleEntries, where } from './format.js';
import type { Plan } from './types.js';

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
  return out.join('\n') + '\n';
}

/** A value safe inside a table cell: code-formatted, pipes escaped. */
function cell(s: string): string {
  return '`' + s.replace(/\|/g, '\\|').replace(/`/g, "'") + '`';
}
