// The cluster's next 24 hours, from `GET /v1/timeline`: every upcoming run per job on a time
// axis (as long as it is expected to last), and the expected peak demand for cpus and mem
// stacked per job and hour against the cluster's capacity.
import { get } from './api.js';
import { fmtTime, h, jobLink, mount } from './dom.js';
import { fmtDuration, fmtTick, s, scale } from './svg.js';

const W = 960;
const LABEL = 150;
const RIGHT = 120;
const PALETTE = 8;
const HOUR = 3_600_000;

/** Hour ticks along the top of a chart spanning [from, to]. */
function hourTicks(svg, x, from, to, y0, y1) {
  for (let t = Math.ceil(from / HOUR) * HOUR, i = 0; t <= to; t += HOUR, i++) {
    svg.append(s('line', { class: 'gridline', x1: x(t), x2: x(t), y1: y0, y2: y1 }));
    if (i % 3 === 0) svg.append(s('text', { class: 'axis', x: x(t), y: y0 - 4, 'text-anchor': 'middle' }, fmtTick(t).slice(6)));
  }
}

/** One row per job, one bar per upcoming run from its instant for its expected duration. */
function runsChart(tl, colour) {
  const row = 20;
  const height = 22 + tl.jobs.length * row;
  const x = scale(tl.from, tl.to, LABEL, W - RIGHT);
  const svg = s('svg', { class: 'chart timeline-runs', viewBox: `0 0 ${W} ${height}`, width: W, height, role: 'img', 'aria-label': 'upcoming runs per job' });
  hourTicks(svg, x, tl.from, tl.to, 16, height);
  tl.jobs.forEach((j, i) => {
    const y = 20 + i * row;
    svg.append(s('a', { href: `#/jobs/${encodeURIComponent(j.job)}` }, s('text', { class: 'axis', x: LABEL - 8, y: y + 12, 'text-anchor': 'end' }, j.job)));
    svg.append(s('text', { class: 'axis', x: W - RIGHT + 6, y: y + 12 }, `${j.count}×`));
    for (const r of tl.runs.filter((x) => x.job === j.job)) {
      const x0 = x(r.at);
      const w = Math.max(2, Math.min(x(r.at + r.expectedMs), W - RIGHT) - x0);
      svg.append(s('rect', { class: `run c${colour(j.job)}`, x: x0.toFixed(1), y: y + 2, width: w.toFixed(1), height: row - 6, 'data-job': j.job }, s('title', {}, `${j.job} at ${fmtTime(r.at)}, ~${fmtDuration(r.expectedMs)}`)));
    }
  });
  return svg;
}

/** Stacked bars of `key` (cpus or mem) per hour and job, with the capacity as a line. */
function demandChart(tl, key, unit, colour) {
  const height = 180;
  const top = 14;
  const bottom = height - 22;
  const cap = tl.capacity?.[key];
  const peak = Math.max(cap ?? 0, ...tl.hours.map((x) => x[key])) * 1.1 || 1;
  const y = scale(0, peak, bottom, top);
  const bw = (W - LABEL - RIGHT) / tl.hours.length;
  const svg = s('svg', { class: `chart demand demand-${key}`, viewBox: `0 0 ${W} ${height}`, width: W, height, role: 'img', 'aria-label': `expected ${key} per hour` });
  const fmt = (v) => (v >= 100 ? Math.round(v) : Math.round(v * 10) / 10);
  for (const v of [0, peak / 2, peak]) svg.append(s('text', { class: 'axis', x: LABEL - 8, y: y(v) + 4, 'text-anchor': 'end' }, `${fmt(v)} ${unit}`));
  tl.hours.forEach((hour, i) => {
    let acc = 0;
    const g = s('g', { class: 'hour', 'data-hour': i, 'data-total': hour[key] });
    for (const d of hour.byJob) {
      g.append(s('rect', { class: `bar c${colour(d.job)}`, x: (LABEL + i * bw + 1).toFixed(1), y: y(acc + d[key]).toFixed(1), width: (bw - 2).toFixed(1), height: (y(acc) - y(acc + d[key])).toFixed(1), 'data-job': d.job },
        s('title', {}, `${fmtTick(hour.start)}: ${d.job} ${d[key]} ${unit}`)));
      acc += d[key];
    }
    svg.append(g);
    if (i % 3 === 0) svg.append(s('text', { class: 'axis', x: LABEL + i * bw, y: height - 6 }, fmtTick(hour.start).slice(6)));
  });
  if (cap !== undefined) {
    svg.append(s('line', { class: 'capacity', x1: LABEL, x2: W - RIGHT, y1: y(cap), y2: y(cap) }), s('text', { class: 'axis', x: W - RIGHT + 6, y: y(cap) + 4 }, `capacity ${fmt(cap)} ${unit}`));
  }
  return svg;
}

export async function renderTimeline(el) {
  const tl = await get('/v1/timeline');
  const index = new Map(tl.jobs.map((j, i) => [j.job, i % PALETTE]));
  const colour = (job) => index.get(job) ?? 0;
  const legend = h('p', { class: 'legend' }, tl.jobs.map((j) => h('span', { class: 'key' }, h('span', { class: `swatch c${colour(j.job)}` }), jobLink(j.job),
    h('span', { class: 'muted' }, ` ${j.cpus} cpu, ${j.mem} MiB, ~${fmtDuration(j.expectedMs)} (${j.expectedFrom}) `))));
  const cap = tl.capacity ? `${tl.capacity.cpus} cpus, ${tl.capacity.mem} MiB on ${tl.capacity.agents} agents` : 'capacity unknown (not connected to a master)';
  mount(
    el,
    h('h1', {}, 'Next 24 hours'),
    h('p', { class: 'muted' }, `${fmtTime(tl.from)} to ${fmtTime(tl.to)} · ${tl.jobs.reduce((n, j) => n + j.count, 0)} runs · cluster ${cap}`),
    tl.jobs.length ? [legend, h('h2', {}, 'Upcoming runs'), runsChart(tl, colour), h('h2', {}, 'Expected CPUs per hour'), demandChart(tl, 'cpus', 'cpu', colour), h('h2', {}, 'Expected memory per hour'), demandChart(tl, 'mem', 'MiB', colour)]
      : h('p', { class: 'muted' }, 'Nothing is scheduled in the next 24 hours.'),
  );
}
