// The jobs table: status, schedule, next run, last result, owner and commit of every job,
// filterable by text and status. Filters live in the URL hash so a refresh keeps them.
import { get } from './api.js';
import { badge, fmtRel, fmtTime, h, jobLink, mount, runLink, short } from './dom.js';

const STATUSES = ['', 'running', 'pending', 'idle', 'paused', 'suspended'];

function matches(job, text) {
  if (!text) return true;
  const hay = [job.name, job.owner ?? '', ...Object.entries(job.labels).map(([k, v]) => `${k}=${v}`)].join(' ').toLowerCase();
  return text.toLowerCase().split(/\s+/).every((w) => hay.includes(w));
}

export async function renderJobs(el, params) {
  const status = params.get('status') ?? '';
  const text = params.get('q') ?? '';
  const jobs = await get(`/v1/jobs${status ? `?status=${encodeURIComponent(status)}` : ''}`);
  const shown = jobs.filter((j) => matches(j, text));
  const setFilter = (k, v) => {
    const p = new URLSearchParams(params);
    if (v) p.set(k, v);
    else p.delete(k);
    location.hash = `#/?${p}`;
  };
  const filters = h(
    'div',
    { class: 'filters' },
    h('input', { type: 'search', placeholder: 'filter by name, owner, label', value: text, 'aria-label': 'filter', onchange: (e) => setFilter('q', e.target.value) }),
    h('select', { 'aria-label': 'status', onchange: (e) => setFilter('status', e.target.value) }, STATUSES.map((s) => h('option', { value: s, selected: s === status }, s || 'any status'))),
    h('span', { class: 'muted' }, `${shown.length} of ${jobs.length} jobs`),
  );
  const rows = shown.map((j) =>
    h(
      'tr',
      { 'data-job': j.name },
      h('td', {}, jobLink(j.name), j.kind === 'DAG' ? h('span', { class: 'kind' }, 'DAG') : null),
      h('td', {}, badge(j.status)),
      h('td', {}, j.schedule ?? (j.after.length ? `after ${j.after.join(', ')}` : 'manual')),
      h('td', { title: fmtTime(j.nextRunAt) }, j.nextRunAt ? fmtRel(j.nextRunAt) : '—'),
      h('td', {}, j.lastRun ? [badge(j.lastRun.state), ' ', runLink(j.lastRun.id, fmtRel(j.lastRun.endedAt ?? j.lastRun.scheduledAt))] : '—'),
      h('td', {}, j.owner ?? '—'),
      h('td', { title: `${j.source.file}:${j.source.line}` }, h('code', {}, short(j.revision))),
    ),
  );
  const head = ['Job', 'Status', 'Schedule', 'Next run', 'Last result', 'Owner', 'Commit'].map((c) => h('th', {}, c));
  mount(el, h('h1', {}, 'Jobs'), filters, h('table', { class: 'grid', id: 'jobs' }, h('thead', {}, h('tr', {}, head)), h('tbody', {}, rows)));
}
