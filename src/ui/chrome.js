// The parts around every page: the sync banner (applied commit, drift, last error) and
// the cluster health strip (Mesos connection, offers, starvation, leader, notifications).
import { get } from './api.js';
import { fmtRel, fmtTime, h, mount, short } from './dom.js';

export async function renderSync(el) {
  const s = await get('/v1/sync');
  const cls = s.result === 'failed' ? 'sync bad' : s.drift.length ? 'sync warn' : 'sync ok';
  el.className = cls;
  el.dataset.result = s.result;
  const parts = [
    h('strong', {}, s.result === 'failed' ? 'Sync failed' : s.result === 'never' ? 'Not synced yet' : 'In sync'),
    ' · applied ',
    h('code', { title: s.appliedRevision ?? '' }, short(s.appliedRevision)),
    ` from ${s.source}`,
    s.appliedAt ? ` at ${fmtTime(s.appliedAt)}` : '',
    s.lastSyncAt ? ` · last sync ${fmtRel(s.lastSyncAt)}` : '',
  ];
  if (s.drift.length) parts.push(` · drift from git (${s.drift.length})`);
  const problems = s.problems.map((p) => h('li', {}, `${p.file}:${p.line}:${p.column}${p.path ? ` ${p.path}` : ''}: ${p.message}`));
  const drift = s.drift.map((d) => h('li', { 'data-job': d.job, 'data-field': d.field }, driftText(d), d.since ? h('span', { class: 'muted' }, ` since ${fmtRel(d.since)}`) : null));
  mount(
    el,
    h('div', {}, parts),
    s.message ? h('div', { class: 'error' }, s.message) : null,
    problems.length ? h('ul', { class: 'problems' }, problems) : null,
    drift.length ? h('ul', { class: 'drift' }, drift) : null,
  );
}

/** One drift item in words (src/controller/drift.ts names the kinds). */
function driftText(d) {
  if (d.job === '*' && d.field === 'revision') return `git head ${short(d.desired)} is not applied; still running ${short(d.live)}`;
  if (d.field === 'exists') return d.live ? `${d.job}: applied, but not in git` : `${d.job}: in git, but not applied`;
  return `${d.job} ${d.field}=${JSON.stringify(d.live)} (git: ${JSON.stringify(d.desired)})`;
}

/** Hover text of one cluster's pill: its master, framework, offers and the runs waiting on it. */
function clusterTitle(k, pending) {
  const mine = k.name === undefined ? pending : pending.filter((p) => p.cluster === k.name);
  return [k.master ?? '', k.frameworkId ? `framework ${k.frameworkId}` : '', `offers ${k.offersReceived}, declined ${k.offersDeclined}`, ...mine.map((p) => `${p.runId}: ${p.reason}`)].filter(Boolean).join('\n');
}

export async function renderCluster(el) {
  const [c, l, n] = await Promise.all([get('/v1/cluster'), get('/v1/leader'), get('/v1/notifications')]);
  const failed = n.notifications.filter((x) => x.status === 'failed');
  const waiting = n.notifications.length - failed.length;
  const item = (ok, text, title) => h('span', { class: ok ? 'pill ok' : 'pill bad', title }, text);
  mount(
    el,
    ...(c.clusters ?? [c]).map((k) => item(k.connected && !k.starving, `${k.name ?? 'Mesos'} ${k.connected ? (k.starving ? 'starving' : 'connected') : 'disconnected'}`, clusterTitle(k, c.pending))),
    item(!c.starving, c.starving ? `starving${c.starvingSince ?? c.lastOfferAt ? ` since ${fmtRel(c.starvingSince ?? c.lastOfferAt)}` : ''}` : `offers ${c.offersReceived}`, `declined ${c.offersDeclined}, revives ${c.revives}`),
    item(c.pending.length === 0, `${c.pending.length} pending`, c.pending.map((p) => `${p.runId}: ${p.reason}`).join('\n')),
    item(l.leader, l.leader ? 'leader' : 'follower', l.leaderUrl ?? ''),
    h(
      'span',
      { class: failed.length ? 'pill bad' : 'pill ok', id: 'notifications', title: n.notifications.map((x) => `${x.event} ${x.run.id}: ${x.status}${x.lastError ? ` (${x.lastError})` : ''}`).join('\n') },
      failed.length ? `${failed.length} notification${failed.length > 1 ? 's' : ''} failed` : waiting ? `${waiting} notification${waiting > 1 ? 's' : ''} waiting` : 'notifications ok',
    ),
  );
}
