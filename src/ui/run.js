// One run: state, attempts (agent, sandbox, exit status), DAG task runs, and the sandbox
// stdout/stderr of an attempt.
import { get, seg } from './api.js';
import { badge, fmtTime, h, jobLink, mount, runLink } from './dom.js';
import { action, actionStatus, RUN_HEAD, runRows } from './job.js';

const TERMINAL = new Set(['succeeded', 'failed', 'killed', 'timed_out', 'missed', 'skipped', 'lost']);

async function logPanel(id, stream) {
  try {
    const chunk = await get(`/v1/runs/${seg(id)}/logs?stream=${stream}`);
    return h('pre', { class: 'log', 'data-stream': stream }, chunk.data || `(empty ${stream})`);
  } catch (err) {
    return h('pre', { class: 'log muted', 'data-stream': stream }, err.message);
  }
}

export async function renderRun(el, id, params, refresh) {
  const run = await get(`/v1/runs/${seg(id)}`);
  const stream = params.get('stream') === 'stderr' ? 'stderr' : 'stdout';
  const tab = (s) => h('a', { href: `#/runs/${seg(id)}?stream=${s}`, class: s === stream ? 'tab on' : 'tab' }, s);
  const attempts = run.attempts.map((a) =>
    h('tr', {}, h('td', {}, a.n), h('td', {}, a.mesosState ?? '—'), h('td', {}, a.hostname ?? '—'), h('td', {}, h('code', {}, a.sandbox ?? '—')),
      h('td', {}, fmtTime(a.startedAt)), h('td', {}, fmtTime(a.endedAt)), h('td', {}, a.exitStatus ?? '—'),
      h('td', { class: 'muted' }, a.preemptedBy ? h('span', { 'data-preempted-by': a.preemptedBy }, 'preempted by ', runLink(a.preemptedBy), a.message ? ` · ${a.message}` : '') : a.message ?? '')),
  );
  const kill = TERMINAL.has(run.state) ? null : action(`run:${id}`, 'Kill', `/v1/runs/${seg(id)}/kill`, refresh);
  mount(
    el,
    h('h1', {}, run.id, ' ', badge(run.state)),
    h('p', { class: 'muted' }, 'job ', jobLink(run.job), ` · ${run.trigger} · scheduled ${fmtTime(run.scheduledAt)} · revision ${run.revision}`,
      run.overrides ? ` · overrides ${JSON.stringify(run.overrides)}` : ''),
    h('div', { class: 'actions' }, kill, actionStatus(`run:${id}`)),
    run.reason ? h('p', { class: 'error' }, run.reason) : null,
    h('h2', {}, 'Attempts'),
    h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ['#', 'Mesos state', 'Agent', 'Sandbox', 'Started', 'Ended', 'Exit', 'Message'].map((c) => h('th', {}, c)))), h('tbody', {}, attempts)),
    run.children.length ? [h('h2', {}, 'Tasks'), h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, RUN_HEAD.map((c) => h('th', {}, c)))), h('tbody', {}, runRows(run.children)))] : null,
    h('h2', {}, 'Logs ', tab('stdout'), ' ', tab('stderr')),
    run.attempts.length ? await logPanel(id, stream) : h('p', { class: 'muted' }, 'not launched yet'),
  );
}
