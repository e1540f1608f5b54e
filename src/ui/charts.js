// A job's history at a glance, from `GET /v1/jobs/{name}/stats`: run duration over time
// (one point per run, coloured by outcome, with timeout, SLA and p50/p95 lines), the figures
// over the history kept, and the runs × tasks grid (newest run on the right).
import { fmtTime, h } from './dom.js';
import { fmtDuration, fmtTick, s, scale } from './svg.js';

const W = 760;
const H = 220;
const PAD = { left: 56, right: 90, top: 12, bottom: 28 };

/** `success 92% of 25 · p50 12.0s · p95 40s · timeout 1m00s`. */
export function statsLine(st) {
  const parts = [
    st.successRate === undefined ? 'no finished runs' : `success ${Math.round(st.successRate * 100)}% of ${st.finished}`,
    st.p50Ms === undefined ? null : `p50 ${fmtDuration(st.p50Ms)}`,
    st.p95Ms === undefined ? null : `p95 ${fmtDuration(st.p95Ms)}`,
    st.timeoutSeconds === undefined ? null : `timeout ${fmtDuration(st.timeoutSeconds * 1000)}`,
    st.slaSeconds === undefined ? null : `SLA ${fmtDuration(st.slaSeconds * 1000)}`,
  ];
  return h('p', { class: 'stats', 'data-success-rate': st.successRate ?? '' }, parts.filter(Boolean).join(' · '));
}

/** A horizontal reference line across the plot with its label on the right, `dy` from it. */
function refLine(cls, y, label, dy) {
  return s('g', { class: `ref ${cls}` },
    s('line', { class: cls, x1: PAD.left, x2: W - PAD.right, y1: y, y2: y }),
    s('text', { x: W - PAD.right + 6, y: y + dy }, label));
}

/** Run duration over time; undefined when no run has a duration yet. */
export function durationChart(st) {
  const pts = st.points.filter((p) => p.durationMs !== undefined);
  if (pts.length === 0) return undefined;
  const limit = st.timeoutSeconds === undefined ? 0 : st.timeoutSeconds * 1000;
  const sla = st.slaSeconds === undefined ? 0 : st.slaSeconds * 1000;
  const top = Math.max(limit, sla, ...pts.map((p) => p.durationMs)) * 1.1 || 1;
  const t0 = pts[0].scheduledAt;
  const t1 = pts.at(-1).scheduledAt;
  const x = scale(t0, t1, PAD.left + 8, W - PAD.right - 8);
  const y = scale(0, top, H - PAD.bottom, PAD.top);
  const svg = s('svg', { class: 'chart duration', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': `run duration of ${st.job}` });
  for (const v of [0, top / 2, top]) {
    svg.append(s('line', { class: 'gridline', x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }), s('text', { class: 'axis', x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, fmtDuration(v)));
  }
  svg.append(s('text', { class: 'axis', x: PAD.left, y: H - 8 }, fmtTick(t0)), s('text', { class: 'axis', x: W - PAD.right, y: H - 8, 'text-anchor': 'end' }, fmtTick(t1)));
  // p95 labelled above its line and p50 below its own, so close lines keep readable labels
  if (st.p50Ms !== undefined) svg.append(refLine('p50', y(st.p50Ms), `p50 ${fmtDuration(st.p50Ms)}`, 12));
  if (st.p95Ms !== undefined) svg.append(refLine('p95', y(st.p95Ms), `p95 ${fmtDuration(st.p95Ms)}`, -3));
  if (limit) svg.append(refLine('timeout', y(limit), `timeout ${fmtDuration(limit)}`, -3));
  // The SLA counts from the scheduled instant, a duration from the start: a point above
  // the line certainly missed it; one just below may still have, by its wait for an offer.
  if (sla) svg.append(refLine('sla', y(sla), `SLA ${fmtDuration(sla)}`, 12));
  for (const p of pts) {
    svg.append(s('a', { href: `#/runs/${encodeURIComponent(p.id)}`, 'data-run': p.id, 'data-state': p.state },
      s('circle', { class: `pt s-${p.state}`, cx: x(p.scheduledAt).toFixed(1), cy: y(p.durationMs).toFixed(1), r: 4 }),
      s('title', {}, `${p.id}: ${p.state} in ${fmtDuration(p.durationMs)}${p.backfill ? ` (${p.backfill})` : ''}`)));
  }
  return svg;
}

/** The runs × tasks grid: one column per run (newest right), one row per DAG task (or the job). */
export function runGrid(st) {
  if (st.columns.length === 0) return undefined;
  const cell = 16;
  const gap = 3;
  const labelW = Math.min(180, 12 + 7 * Math.max(...st.rows.map((r) => r.length)));
  const width = Math.max(labelW + 200, labelW + st.columns.length * (cell + gap) + 8);
  const height = st.rows.length * (cell + gap) + 22;
  const svg = s('svg', { class: 'chart runs-grid', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': `runs of ${st.job} by task` });
  st.rows.forEach((row, i) => svg.append(s('text', { class: 'axis', x: labelW - 8, y: i * (cell + gap) + cell - 3, 'text-anchor': 'end' }, row)));
  st.columns.forEach((col, j) => {
    const cx = labelW + j * (cell + gap);
    st.rows.forEach((row, i) => {
      const c = col.cells[row];
      const rect = s('rect', { class: `cell s-${c?.state ?? 'none'}`, x: cx, y: i * (cell + gap), width: cell, height: cell, rx: 2 });
      const title = s('title', {}, `${c?.runId ?? `${col.runId} (no run of ${row})`}: ${c?.state ?? '—'} · ${fmtTime(col.scheduledAt)}`);
      svg.append(c ? s('a', { href: `#/runs/${encodeURIComponent(c.runId)}`, 'data-run': c.runId, 'data-state': c.state }, rect, title) : s('g', {}, rect, title));
    });
  });
  const first = st.columns[0].scheduledAt;
  const last = st.columns.at(-1).scheduledAt;
  svg.append(s('text', { class: 'axis', x: labelW, y: height - 4 }, fmtTick(first)));
  const lastX = labelW + (st.columns.length - 1) * (cell + gap) + cell;
  if (st.columns.length > 8) svg.append(s('text', { class: 'axis', x: lastX, y: height - 4, 'text-anchor': 'end' }, fmtTick(last)));
  return svg;
}

/** A backfill as a group: its progress and one badge-coloured square per run. */
export function backfillGroup(b) {
  const finished = b.succeeded + b.failed;
  return h('div', { class: 'backfill', 'data-backfill': b.id, 'data-done': String(b.done) },
    h('div', {}, h('strong', {}, b.id), ` · ${finished}/${b.total} finished: ${b.succeeded} succeeded, ${b.failed} failed, ${b.active} running, ${b.queued} queued · max ${b.maxParallel} at once`),
    h('progress', { max: b.total, value: finished }),
    h('div', { class: 'squares' }, b.runs.map((r) => h('a', { href: `#/runs/${encodeURIComponent(r.id)}`, class: `sq s-${r.state}`, title: `${r.id}: ${r.state}`, 'data-run': r.id, 'data-state': r.state }))));
}
