// The dependency graph: jobs (`after:`), DAGs and their tasks (`dependsOn`), laid out by
// dagre (served from node_modules) and drawn as SVG; each node is coloured by the state of
// its last run and links to its job.
import dagre from '/ui/vendor/dagre.esm.js';
import { get } from './api.js';
import { badge, h, mount } from './dom.js';
import { s, STATES } from './svg.js';

/** Lays `graph` out with dagre; DAG nodes point at their root tasks so each DAG stays together. */
export function layout(graph) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 48, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: Math.max(90, n.label.length * 7.5 + 28), height: 34, node: n });
  const edges = [...graph.edges];
  const hasUpstream = new Set(graph.edges.filter((e) => e.kind === 'dependsOn').map((e) => e.to));
  for (const n of graph.nodes) if (n.kind === 'task' && n.dag && !hasUpstream.has(n.id) && g.hasNode(n.dag)) edges.push({ from: n.dag, to: n.id, kind: 'contains' });
  for (const e of edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to, { kind: e.kind });
  dagre.layout(g);
  return g;
}

function draw(g) {
  const { width, height } = g.graph();
  const svg = s('svg', { width: Math.ceil(width), height: Math.ceil(height), viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`, class: 'dag', role: 'img', 'aria-label': 'dependency graph' });
  svg.append(s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))));
  for (const e of g.edges()) {
    const { points, kind } = g.edge(e);
    const d = points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    svg.append(s('path', { d, class: `edge ${kind}`, 'marker-end': 'url(#arrow)' }));
  }
  for (const id of g.nodes()) {
    const { x, y, width: w, height: hgt, node } = g.node(id);
    const job = node.kind === 'task' ? node.dag : node.id;
    const a = s('a', { href: `#/jobs/${encodeURIComponent(job)}`, 'data-node': node.id, 'data-state': node.state ?? 'none' });
    a.append(
      s('rect', { x: x - w / 2, y: y - hgt / 2, width: w, height: hgt, rx: node.kind === 'dag' ? 2 : 8, class: `node ${node.kind} s-${node.state ?? 'none'}` }),
      s('text', { x, y: y + 4, 'text-anchor': 'middle' }, node.label),
      s('title', {}, `${node.id}${node.state ? ` — last run ${node.state}` : ''}${node.status ? ` — ${node.status}` : ''}`),
    );
    svg.append(a);
  }
  return svg;
}

export async function renderDag(el) {
  const graph = await get('/v1/graph');
  const legend = h('p', { class: 'legend' }, STATES.map((st) => [badge(st), ' ']), h('span', { class: 'muted' }, ' dashed: after (parents)'));
  const body = graph.nodes.length ? h('div', { class: 'dagwrap' }, draw(layout(graph))) : h('p', { class: 'muted' }, 'No jobs applied.');
  mount(el, h('h1', {}, 'Graph'), legend, body, h('p', {}, h('a', { href: '/v1/graph?format=dot' }, 'Download as DOT')));
}
