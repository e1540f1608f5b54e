/**
 * `spec.clusters` against the clusters `kairos serve --cluster` configured: a name no
 * cluster has is a manifest problem (file:line:column, field), so the commit is not
 * applied and the problem shows where every other one does (log, `kairos status`, API).
 * Pure. The schema already checked the shape (a non-empty list of unique names).
 */
import type { Problem } from '../core/errors.js';
import type { DesiredState, Resource, TaskTemplate } from '../core/types.js';
import type { SourceFile } from '../ports/source.js';

/** Every `spec.clusters` entry (Jobs, and DAG inline task templates) naming no configured cluster. */
export function unknownClusters(desired: DesiredState, files: readonly SourceFile[], configured: readonly string[]): Problem[] {
  const known = new Set(configured);
  const out: Problem[] = [];
  for (const r of desired.resources) {
    for (const { path, template } of templatesOf(r)) {
      (template.clusters ?? []).forEach((name, i) => {
        if (known.has(name)) return;
        const at = locate(files.find((f) => f.path === r.source.file)?.content, r.source.line, name);
        out.push({ file: r.source.file, line: at.line, column: at.column, path: `${path}.clusters[${i}]`, message: `unknown cluster ${JSON.stringify(name)} (kairos serve --cluster names: ${configured.join(', ')})` });
      });
    }
  }
  return out;
}

function templatesOf(r: Resource): { path: string; template: TaskTemplate }[] {
  if (r.kind === 'Job') return [{ path: 'spec', template: r.spec }];
  return r.spec.tasks.flatMap((t, i) => (t.template ? [{ path: `spec.tasks[${i}].template`, template: t.template }] : []));
}

/** The line and column of `name` after the first `clusters` key at or below the document's line. */
function locate(content: Buffer | undefined, fromLine: number, name: string): { line: number; column: number } {
  const lines = content === undefined ? [] : content.toString().split('\n');
  let inList = false;
  for (let i = Math.max(0, fromLine - 1); i < lines.length; i++) {
    if (/^---\s*$/.test(lines[i]) && i > fromLine - 1) break;
    if (/\bclusters\s*:/.test(lines[i])) inList = true;
    const m = inList ? new RegExp(`(^|[\\s\\[,'"-])${name.replace(/[.]/g, '\\.')}(?=$|[\\s\\],'"])`).exec(lines[i]) : null;
    if (m) return { line: i + 1, column: m.index + m[1].length + 1 };
  }
  return { line: fromLine, column: 1 };
}
