/**
 * Renders the dependency graph in Graphviz DOT (graphviz.org/doc/info/lang.html), like
 * Chronos's `/v1/scheduler/graph/dot`: DAG tasks are grouped in a `cluster_` subgraph per
 * DAG, nodes are filled with the colour of their last run's state.
 */
import type { RunState } from '../core/types.js';
import type { Graph, GraphNode } from '../ports/controller.js';

/** Fill colour per run state; shared with the web UI's legend (same palette). */
export const STATE_COLOURS: Record<RunState, string> = {
  pending: '#f2d16b',
  unschedulable: '#c0392b',
  launching: '#9ecbf0',
  running: '#4a90d9',
  succeeded: '#5cb85c',
  failed: '#d9534f',
  killed: '#b0b0b0',
  timed_out: '#e07b39',
  missed: '#c9a0dc',
  skipped: '#dddddd',
  lost: '#8b0000',
};

/** A DOT double-quoted ID with `"` and `\` escaped. */
const q = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

function nodeLine(n: GraphNode, indent: string): string {
  const attrs = [`label=${q(n.label)}`, `shape=${n.kind === 'dag' ? 'folder' : 'box'}`];
  if (n.state) attrs.push('style=filled', `fillcolor=${q(STATE_COLOURS[n.state])}`);
  return `${indent}${q(n.id)} [${attrs.join(', ')}];`;
}

/** The whole graph as one `digraph kairos { ... }`. Output order is stable (input order). */
export function toDot(g: Graph): string {
  const lines = ['digraph kairos {', '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  const byDag = new Map<string, GraphNode[]>();
  for (const n of g.nodes) {
    if (n.kind === 'task' && n.dag) byDag.set(n.dag, [...(byDag.get(n.dag) ?? []), n]);
    else lines.push(nodeLine(n, '  '));
  }
  for (const [dag, tasks] of byDag) {
    lines.push(`  subgraph ${q(`cluster_${dag}`)} {`, `    label=${q(dag)};`);
    for (const t of tasks) lines.push(nodeLine(t, '    '));
    lines.push('  }');
  }
  for (const e of g.edges) lines.push(`  ${q(e.from)} -> ${q(e.to)}${e.kind === 'after' ? ' [style=dashed]' : ''};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
