// One job: status and actions (run now, pause, resume), why it is or is not running,
// its manifest as in git (file@commit), next runs, run history with its charts
// (./charts.js), its backfills as groups, and run history.
import { get, post, seg } from './api.js';
import { backfillGroup, durationChart, runGrid, statsLine } from './charts.js';
import { badge, fmtRel, fmtTime, h, mount, runLink, short } from './dom.js';

/** The outcome of the last action, by page key; survives the re-render that follows it. */
let flash = { key: '', text: '' };

/** The status line showing the last action's outcome on the page `key`. */
export const actionStatus = (key) => h('span', { class: 'muted', role: 'status' }, flash.key === key ? flash.text : '');

/** A button that POSTs to `path`, then re-renders; the outcome shows in `actionStatus(key)`. */
export function action(key, label, path, refresh) {
  return h('button', {
    type: 'button',
    onclick: async (e) => {
      e.target.disabled = true;
      try {
        await post(path);
        flash = { key, text: `${label}: done` };
      } catch (err) {
        flash = { key, text: `${label}: ${err.message}` };
      }
      await refresh();
    },
  }, label);
}

export function runRows(runs) {
  return runs.map((r) => {
    const a = r.attempts.at(-1);
    return h(
      'tr',
      { 'data-run': r.id },
      h('td', {}, runLink(r.id, r.task ? `${r.task} (${r.id})` : r.id)),
      h('td', {}, r.trigger),
      h('td', {}, badge(r.state)),
      h('td', {}, fmtTime(r.scheduledAt)),
      h('td', {}, fmtTime(a?.startedAt)),
      h('td', {}, fmtTime(r.endedAt)),
      h('td', {}, a?.exitStatus ?? '—'),
      h('td', {}, a?.hostname ?? '—'),
      h('td', { class: 'muted' }, r.reason ?? a?.message ?? ''),
    );
  });
}

export const RUN_HEAD = ['Run', 'Trigger', 'State', 'Scheduled', 'Started', 'Ended', 'Exit', 'Agent', 'Reason'];

export async function renderJob(el, name, refresh) {
  const [job, why, stats, backfills] = await Promise.all(['', '/explain', '/stats', '/backfills'].map((p) => get(`/v1/jobs/${seg(name)}${p}`)));
  const base = `/v1/jobs/${seg(name)}`;
  const actions = h(
    'div',
    { class: 'actions' },
    job.kind === 'Job' ? action(`job:${name}`, 'Run now', `${base}/runs`, refresh) : null,
    job.paused ? action(`job:${name}`, 'Resume', `${base}/resume`, refresh) : action(`job:${name}`, 'Pause', `${base}/pause`, refresh),
    actionStatus(`job:${name}`),
  );
  const src = `${job.source.file}:${job.source.line}@${short(job.source.commit ?? job.revision)}`;
  mount(
    el,
    h('h1', {}, job.name, ' ', badge(job.status)),
    h('p', { class: 'muted' }, `${job.kind} · owner ${job.owner ?? '—'} · ${job.schedule ?? (job.after.length ? `after ${job.after.join(', ')}` : 'manual only')}`,
      Object.entries(job.labels).map(([k, v]) => h('span', { class: 'label' }, `${k}=${v}`))),
    actions,
    h('section', { class: 'explain', id: 'explain' }, h('h2', {}, 'Why'), h('ul', {}, why.reasons.map((r) => h('li', { 'data-code': r.code }, r.message)))),
    h('section', {}, h('h2', {}, 'Next runs'), job.nextRuns.length ? h('ul', {}, job.nextRuns.map((t) => h('li', {}, `${fmtTime(t)} (${fmtRel(t)})`))) : h('p', { class: 'muted' }, 'none scheduled')),
    h('section', { id: 'history' }, h('h2', {}, 'History'), statsLine(stats),
      durationChart(stats) ?? h('p', { class: 'muted' }, 'No finished runs to chart yet.'),
      h('h3', {}, job.kind === 'DAG' ? 'Runs × tasks' : 'Runs'), runGrid(stats) ?? h('p', { class: 'muted' }, 'No runs yet.')),
    backfills.length ? h('section', { id: 'backfills' }, h('h2', {}, 'Backfills'), backfills.map(backfillGroup)) : null,
    h('section', {}, h('h2', {}, 'Runs'), job.lastRuns.length ? null : h('p', { class: 'muted' }, 'No runs yet.'),
      h('table', { class: 'grid', id: 'runs', hidden: job.lastRuns.length === 0 }, h('thead', {}, h('tr', {}, RUN_HEAD.map((c) => h('th', {}, c)))), h('tbody', {}, runRows(job.lastRuns)))),
    h('section', {}, h('h2', {}, job.manifest ? 'Manifest ' : 'Compiled spec ', h('code', { class: 'src' }, src)),
      job.manifest ? null : h('p', { class: 'muted' }, 'The manifest text is not kept by this source; this is the spec as compiled from it.'),
      h('pre', { class: 'manifest' }, job.manifest ?? JSON.stringify(job.resource.spec, null, 2))),
  );
}
