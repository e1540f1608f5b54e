/**
 * Browser-borne attacks on an API that may run without tokens on loopback:
 * - DNS rebinding: a page on `evil.example` whose name later resolves to 127.0.0.1 sends
 *   requests with `Host: evil.example`. The server answers only to the names it listens
 *   on (`allowedHostsFor`), 421 otherwise, so such a page cannot even read.
 * - Cross-site request forgery: a form or `fetch` on another origin posts to the API.
 *   Writes must carry `Content-Type: application/json` (a cross-site form cannot send it,
 *   and `fetch` cannot without a CORS preflight, which is never granted), and are refused
 *   when `Origin` names another origin or `Sec-Fetch-Site` says cross-site or same-site.
 *   Clients without those headers (the CLI, curl, CI) are not browsers and pass.
 * The webhook takes form bodies (GitHub's form encoding) and is authenticated by HMAC.
 */
import { networkInterfaces, hostname } from 'node:os';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

const LOOPBACK = ['localhost', '127.0.0.1', '::1'];

/**
 * The Host names to answer for a listen address: loopback names for loopback, every local
 * interface address and the host name for a wildcard address, the address itself otherwise;
 * plus `extra` (`--allowed-hosts`). `*` in `extra` allows any name: undefined.
 */
export function allowedHostsFor(listenHost: string, extra: readonly string[]): string[] | undefined {
  if (extra.includes('*')) return undefined;
  const names = new Set<string>(LOOPBACK);
  const h = normalise(listenHost);
  if (h === '0.0.0.0' || h === '::') {
    for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) names.add(normalise(i.address));
    names.add(normalise(hostname()));
  } else names.add(h);
  for (const e of extra) names.add(normalise(e));
  return [...names];
}

/** The host name of a `Host` header value (`name:port`, `[v6]:port`), lower case, no trailing dot. */
export function hostOf(header: string): string {
  const v = header.trim();
  const name = v.startsWith('[') ? v.slice(1, v.indexOf(']') > 0 ? v.indexOf(']') : undefined) : v.replace(/:\d*$/, '');
  return normalise(name);
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

/** 421 unless the request's Host is one of `allowed` (undefined: any). */
export function checkHost(req: FastifyRequest, allowed: readonly string[] | undefined): void {
  if (!allowed) return;
  const host = req.headers.host;
  if (host && allowed.includes(hostOf(host))) return;
  throw new HttpError(421, 'E_MISDIRECTED', `this server does not answer to host ${JSON.stringify(host ?? '')}; start it with --allowed-hosts <name> to allow that name`);
}

/** 403 for a write a browser sends from another origin; 415 for a write that is not JSON. */
export function checkWriteRequest(req: FastifyRequest, opts: { formBodies: boolean }): void {
  const site = header(req, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new HttpError(403, 'E_FORBIDDEN', `cross-site request refused (Sec-Fetch-Site: ${site})`);
  }
  const origin = header(req, 'origin');
  if (origin !== undefined && !sameOrigin(origin, req.headers.host)) {
    throw new HttpError(403, 'E_FORBIDDEN', `cross-origin request refused (Origin: ${origin.slice(0, 100)})`);
  }
  if (opts.formBodies) return;
  const type = header(req, 'content-type')?.split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'E_UNSUPPORTED_MEDIA_TYPE', `a write must be sent as application/json (got ${type ? JSON.stringify(type) : 'no content type'}); send {} for no parameters`);
  }
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host.toLowerCase() === host.trim().toLowerCase();
  } catch {
    return false; // "null" (sandboxed frames, file:, some redirects) and garbage
  }
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}
