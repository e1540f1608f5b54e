/**
 * Cross-site requests and DNS rebinding in the default no-token mode: a page on another
 * origin must not be able to change anything (form posts, bodyless posts, fetch with
 * Sec-Fetch-Site), and a request for another Host name (a rebinding attacker's domain
 * resolving to 127.0.0.1) must not even read.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { allowedHostsFor } from '../../../src/api/origin.js';
import { makeApi } from './harness.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const HOSTS = ['localhost', '127.0.0.1', '::1'];

describe('state-changing requests', () => {
  it('refuse a cross-site form post, a bodyless post and a cross-site fetch; nothing changes', async () => {
    let syncs = 0;
    const h = makeApi({ allowedHosts: HOSTS, triggerSync: () => void syncs++ });
    app = h.app;
    const host = '127.0.0.1:4400';
    const attempts = [
      { headers: { host, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1', status: 403 },
      { headers: { host, origin: 'https://evil.example', 'content-type': 'application/json' }, payload: '{}', status: 403 },
      { headers: { host, origin: 'null', 'content-type': 'application/json' }, payload: '{}', status: 403 },
      { headers: { host, 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, payload: '{}', status: 403 },
      { headers: { host, 'sec-fetch-site': 'same-site', 'content-type': 'application/json' }, payload: '{}', status: 403 },
      { headers: { host, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1', status: 415 },
      { headers: { host, 'content-type': 'text/plain' }, payload: '{}', status: 415 },
      { headers: { host }, payload: undefined, status: 415 },
    ];
    for (const a of attempts) {
      for (const url of ['/v1/jobs/nightly/runs', '/v1/jobs/nightly/pause', '/v1/sync']) {
        const res = await app.inject({ method: 'POST', url, headers: a.headers, payload: a.payload });
        expect([url, a.headers, res.statusCode]).toEqual([url, a.headers, a.status]);
        expect(res.json().error.message).toMatch(a.status === 403 ? /cross-origin|cross-site/ : /application\/json/);
      }
    }
    expect(h.ctl.runs('nightly')!.filter((r) => r.trigger === 'manual')).toEqual([]);
    expect((await app.inject({ url: '/v1/jobs/nightly', headers: { host } })).json().status).not.toBe('paused');
    expect(syncs).toBe(0);
  });

  it('accept the UI (same origin) and the CLI (no Origin), through 127.0.0.1 and localhost', async () => {
    const h = makeApi({ allowedHosts: HOSTS });
    app = h.app;
    for (const host of ['127.0.0.1:4400', 'localhost:4400', '[::1]:4400']) {
      const ui = await app.inject({ method: 'POST', url: '/v1/jobs/nightly/runs', headers: { host, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' }, payload: {} });
      expect(ui.statusCode).toBe(201);
      const cli = await app.inject({ method: 'POST', url: '/v1/jobs/nightly/runs', headers: { host }, payload: {} });
      expect(cli.statusCode).toBe(201);
    }
  });
});

describe('Host names', () => {
  it('answer only the names the server listens on; others get 421 and no data', async () => {
    app = makeApi({ allowedHosts: HOSTS }).app;
    const res = await app.inject({ url: '/v1/jobs', headers: { host: 'rebind.evil.example:4400' } });
    expect(res.statusCode).toBe(421);
    expect(res.body).not.toContain('nightly');
    expect(res.json().error.message).toMatch(/--allowed-hosts/);
    expect((await app.inject({ url: '/v1/jobs', headers: { host: 'localhost:4400' } })).statusCode).toBe(200);
  });

  it('derive from the listen address; --allowed-hosts adds names or allows any', () => {
    expect(allowedHostsFor('127.0.0.1', [])).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '::1']));
    expect(allowedHostsFor('127.0.0.1', [])).not.toContain('evil.example');
    expect(allowedHostsFor('10.1.2.3', ['kairos.example.com'])).toEqual(expect.arrayContaining(['10.1.2.3', 'kairos.example.com']));
    expect(allowedHostsFor('0.0.0.0', [])).toEqual(expect.arrayContaining(['localhost', '127.0.0.1']));
    expect(allowedHostsFor('127.0.0.1', ['*'])).toBeUndefined();
  });
});
