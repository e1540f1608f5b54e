// The single-page shell: a hash router (#/, #/jobs/<name>, #/runs/<id>, #/dag, #/timeline), the
// sync banner and cluster strip on every page, and a refresh every 2 s. No build step.
import { auth, setToken } from './api.js';
import { renderCluster, renderSync } from './chrome.js';
import { renderDag } from './dag.js';
import { h, mount } from './dom.js';
import { renderJob } from './job.js';
import { renderJobs } from './jobs.js';
import { renderRun } from './run.js';
import { renderTimeline } from './timeline.js';

const REFRESH_MS = 2000;
const main = document.getElementById('main');
const login = document.getElementById('login');
let timer;
let rendering = false;
let again = false;

function route() {
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, params: new URLSearchParams(query) };
}

/** Renders the current page; `auto` refreshes skip while the user is typing in a field. */
async function render(auto = false) {
  if (rendering) {
    again ||= !auto;
    return;
  }
  if (auto && document.activeElement?.matches('input, select')) return;
  rendering = true;
  const { parts, params } = route();
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('on', a.dataset.nav === (['dag', 'timeline'].includes(parts[0]) ? parts[0] : 'jobs'));
  try {
    await Promise.all([
      renderSync(document.getElementById('sync')),
      renderCluster(document.getElementById('cluster')),
      parts[0] === 'jobs' && parts[1] ? renderJob(main, parts[1], () => render())
        : parts[0] === 'runs' && parts[1] ? renderRun(main, parts.slice(1).join('/'), params, () => render())
        : parts[0] === 'dag' ? renderDag(main)
        : parts[0] === 'timeline' ? renderTimeline(main)
        : renderJobs(main, params),
    ]);
    document.body.dataset.ready = 'true';
  } catch (err) {
    if (err.status !== 401) mount(main, h('p', { class: 'error', role: 'alert' }, err.message));
  } finally {
    rendering = false;
    if (again) {
      again = false;
      render();
    }
  }
}

auth.onUnauthorized = () => {
  login.hidden = false;
  mount(main, h('p', { class: 'muted' }, 'Sign in with an API token to continue.'));
};
login.addEventListener('submit', (e) => {
  e.preventDefault();
  setToken(document.getElementById('token').value.trim());
  login.hidden = true;
  render();
});

window.addEventListener('hashchange', () => {
  main.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  render();
});
render();
timer = setInterval(() => render(true), REFRESH_MS);
window.addEventListener('pagehide', () => clearInterval(timer));
