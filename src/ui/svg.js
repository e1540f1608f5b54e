// SVG helpers shared by the graph and the charts: elements built with setAttribute and
// text nodes only (nothing from the API is parsed as markup), and small axis maths.

export const SVG = 'http://www.w3.org/2000/svg';

/** Run states in the order legends list them. */
export const STATES = ['pending', 'unschedulable', 'launching', 'running', 'succeeded', 'failed', 'killed', 'timed_out', 'missed', 'skipped', 'lost'];

/** `s('rect', {x: 1}, child)`: an SVG element; undefined attributes are left out. */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** A linear scale from [d0, d1] to [r0, r1]; a zero-width domain maps to the middle. */
export function scale(d0, d1, r0, r1) {
  return (v) => (d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0));
}

/** `850ms`, `12.5s`, `3m20s`, `1h05m`: a duration short enough for an axis label. */
export function fmtDuration(ms) {
  if (ms === undefined || ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
  return `${Math.floor(ms / 3_600_000)}h${String(Math.round((ms % 3_600_000) / 60_000)).padStart(2, '0')}m`;
}

/** `03-08 14:00`: a UTC instant short enough for an axis label. */
export const fmtTick = (ms) => new Date(ms).toISOString().slice(5, 16).replace('T', ' ');
