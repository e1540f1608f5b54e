import { serverNow } from './api.js';

// Small DOM helpers. All text goes in through textContent: nothing from the API is ever
// parsed as HTML.

/** `h('a', {href: '#/'}, 'text', child)`: attributes set with setAttribute, `on*` as listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the content of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** `2026-03-08 12:00:05 UTC`, or `—` for nothing. */
export function fmtTime(ms) {
  if (ms === undefined || ms === null) return '—';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** `in 5m`, `3h ago`: the distance from now, two units at most. */
export function fmtRel(ms, now = serverNow()) {
  if (ms === undefined || ms === null) return '';
  const d = Math.round((ms - now) / 1000);
  let rest = Math.abs(d);
  const parts = [];
  for (const [n, u] of [[86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']]) {
    if (rest >= n || (parts.length === 0 && n === 1)) parts.push(`${Math.floor(rest / n)}${u}`);
    rest %= n;
  }
  const text = parts.slice(0, 2).join('');
  return d === 0 ? 'now' : d > 0 ? `in ${text}` : `${text} ago`;
}

/** A coloured state label, e.g. for `succeeded`; `data-state` lets tests and CSS find it. */
export function badge(state) {
  return h('span', { class: `badge s-${state}`, 'data-state': state }, state.replace('_', ' '));
}

/** First 8 characters of a commit (or of a directory snapshot's content hash). */
export const short = (rev) => (rev ? String(rev).replace(/^sha256:/, '').slice(0, 8) : '—');

/** `#/jobs/<name>` and `#/runs/<id>` links. */
export const jobLink = (name) => h('a', { href: `#/jobs/${encodeURIComponent(name)}` }, name);
export const runLink = (id, text = id) => h('a', { href: `#/runs/${encodeURIComponent(id)}` }, text);
