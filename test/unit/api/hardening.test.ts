import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { accessConfig } from '../../../src/api/access.js';
import { makeApi } from './harness.js';

// Failure paths of the API: malformed queries and URLs, limits on public writes, and the
// OpenAPI document agreeing with the statuses the routes really answer.

const ADMIN = 'admin-token-0123456789abcdef';
const TOKENS = { viewer: 'viewer-token-0123456789abc', operator: 'operator-token-0123456789a', admin: ADMIN };
const access = accessConfig([
  { name: 'ada', role: 'admin', token: ADMIN },
  { name: 'otto', role: 'operator', token: TOKENS.operator },
  { name: 'vera', role: 'viewer', token: TOKENS.viewer },
]);
const auth = { authorization: `Bearer ${ADMIN}` };
const RUN = encodeURIComponent('nightly@2026-03-08T01:00:00.000Z');

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function setup(extra: Parameters<typeof makeApi>[0] = {}) {
  const h = makeApi({ access, triggerSync: () => {}, webhook: { onWebhook: () => {} }, ...extra });
  app = h.app;
  return h;
}

/** Injects and checks the response is a Kairos JSON error with `status`. */
async function expectError(a: FastifyInstance, req: InjectOptions, status: number) {
  const res = await a.inject({ ...req, headers: { ...auth, ...req.headers } });
  expect(res.statusCode, `${req.method ?? 'GET'} ${req.url}: ${res.body}`).toBe(status);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error.code).toBe('string');
  expect(body.error.message).not.toMatch(/\n\s+at /);
  return body.error as { code: string; message: string };
}

describe('malformed queries', () => {
  it('refuses a repeated query parameter with 400 naming it, instead of a 500 or a silently empty list', async () => {
    const { app } = setup();
    for (const [url, field] of [
      ['/v1/jobs/nightly/runs?state=failed&state=killed', 'state'],
      ['/v1/jobs?label=team&label=tier', 'label'],
      ['/v1/jobs?owner=web&owner=data-team', 'owner'],
      [`/v1/runs/${RUN}/logs?offset=1&offset=2`, 'offset'],
    ]) {
      const e = await expectError(app, { url }, 400);
      expect(e.message).toMatch(new RegExp(`^${field}: given more than once`));
    }
  });

  it('refuses a label filter without a key instead of matching nothing', async () => {
    const { app } = setup();
    expect((await expectError(app, { url: '/v1/jobs?label==gold' }, 400)).message).toBe('label: needs a key: key or key=value');
  });

  it('reads integer parameters only as plain decimal digits', async () => {
    const { app } = setup();
    for (const [url, field] of [
      ['/v1/jobs/nightly/runs?limit=1e3', 'limit'],
      ['/v1/jobs/nightly/runs?limit=0x10', 'limit'],
      ['/v1/jobs/nightly/runs?limit=0', 'limit'],
      [`/v1/runs/${RUN}/logs?length=%20`, 'length'],
      [`/v1/runs/${RUN}/logs?offset=-1`, 'offset'],
      [`/v1/runs/${RUN}/logs?offset=99999999999999999999`, 'offset'],
      [`/v1/runs/${RUN}/logs?attempt=1.5`, 'attempt'],
    ]) {
      expect((await expectError(app, { url }, 400)).message).toMatch(new RegExp(`^${field}: must be an integer`));
    }
    expect((await app.inject({ url: '/v1/jobs/nightly/runs?limit=10', headers: auth })).statusCode).toBe(200);
  });
});

describe('malformed URLs', () => {
  it('answers bad percent-encoding with a Kairos 400 that does not echo the URL', async () => {
    const { app } = setup();
    const e = await expectError(app, { url: `/v1/jobs/${ADMIN}%E0%A4%A` }, 400);
    expect(e.code).toBe('E_INVALID');
    expect(e.message).not.toContain(ADMIN);
  });

  it('answers an over-long path segment with a Kairos 414 that does not echo it', async () => {
    const { app } = setup();
    const e = await expectError(app, { url: `/v1/runs/${'x'.repeat(500)}/logs` }, 414);
    expect(e.code).toBe('E_TOO_LARGE');
    expect(e.message).not.toContain('xxxxxxxx');
  });
});

describe('authorization', () => {
  it('enforces the documented role on every route: 401 without a token, 403 below the role, never the token in the body', async () => {
    const { app } = setup({ rateLimit: { perMinute: 6000, burst: 1000 } });
    const doc = (await app.inject('/v1/openapi.json')).json();
    const ranks = ['viewer', 'operator', 'admin'] as const;
    let checked = 0;
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, { 'x-kairos-role': string }>>)) {
      for (const [method, op] of Object.entries(methods)) {
        // Without a webhook secret, the webhook needs an operator token (see its summary).
        const role = path === '/v1/webhook' ? 'operator' : op['x-kairos-role'];
        if (role === 'public') continue;
        const url = path.replace('{name}', 'nightly').replace('{id}', RUN);
        const req = { method: method.toUpperCase() as 'GET', url, headers: { 'content-type': 'application/json' }, payload: '{}' };
        const anonymous = await app.inject(req);
        expect(anonymous.statusCode, `${method} ${path} without a token`).toBe(401);
        for (const has of ranks) {
          const res = await app.inject({ ...req, headers: { ...req.headers, authorization: `Bearer ${TOKENS[has]}` } });
          const allowed = ranks.indexOf(has) >= ranks.indexOf(role as (typeof ranks)[number]);
          expect(res.statusCode === 403, `${method} ${path} as ${has}: ${res.statusCode}`).toBe(!allowed);
          expect(res.statusCode, `${method} ${path} as ${has}`).not.toBe(401);
          expect(res.body).not.toContain(TOKENS[has]);
        }
        checked++;
      }
    }
    expect(checked).toBe(23);
  });
});

describe('methods', () => {
  it('answers another method on a known path with 405 and Allow, OPTIONS with 204 and Allow, unknown paths with 404', async () => {
    const { app } = setup();
    const del = await app.inject({ method: 'DELETE', url: '/v1/jobs/nightly', headers: auth });
    expect(del.statusCode).toBe(405);
    expect(del.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(del.json().error).toEqual({ code: 'E_METHOD', message: 'DELETE is not allowed on /v1/jobs/nightly; use GET or HEAD' });
    const put = await app.inject({ method: 'PUT', url: '/v1/jobs/nightly/runs', headers: auth });
    expect([put.statusCode, put.headers.allow]).toEqual([405, 'GET, HEAD, POST, OPTIONS']);
    const options = await app.inject({ method: 'OPTIONS', url: '/v1/sync', headers: auth });
    expect([options.statusCode, options.headers.allow, options.body]).toEqual([204, 'GET, HEAD, POST, OPTIONS', '']);
    expect((await app.inject({ method: 'HEAD', url: '/v1/jobs', headers: auth })).statusCode).toBe(200);
    await expectError(app, { method: 'DELETE', url: '/v1/nothing/here' }, 404);
    expect((await app.inject({ method: 'DELETE', url: '/v1/jobs/nightly' })).statusCode).toBe(401);
  });
});

describe('public writes', () => {
  it('rate-limits the unauthenticated webhook per client address', async () => {
    const calls: unknown[] = [];
    const { app, clock } = setup({ rateLimit: { perMinute: 6, burst: 2 }, webhook: { secret: 'hook-secret', onWebhook: (e) => void calls.push(e) } });
    const forged = { method: 'POST' as const, url: '/v1/webhook', headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' }, payload: '{}' };
    expect((await app.inject(forged)).statusCode).toBe(401);
    expect((await app.inject(forged)).statusCode).toBe(401);
    const limited = await app.inject(forged);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('10');
    clock.advance(10_000);
    expect((await app.inject(forged)).statusCode).toBe(401);
    expect(calls).toEqual([]);
  });
});

describe('OpenAPI', () => {
  it('documents every status the routes answer, success and failure', async () => {
    const { app, leadership } = setup();
    const doc = (await app.inject('/v1/openapi.json')).json();
    const json = { 'content-type': 'application/json' };
    const cases: [method: 'GET' | 'POST', path: string, url: string, extra?: Partial<InjectOptions>][] = [
      ['POST', '/v1/sync', '/v1/sync', { headers: json, payload: '{}' }],
      ['POST', '/v1/jobs/{name}/runs', '/v1/jobs/nightly/runs', { headers: json, payload: '{}' }],
      ['POST', '/v1/jobs/{name}/runs', '/v1/jobs/nightly/runs', { headers: { 'content-type': 'text/plain' }, payload: 'x' }],
      ['POST', '/v1/jobs/{name}/runs', '/v1/jobs/nightly/runs', { headers: json, payload: JSON.stringify({ args: ['x'.repeat(70_000)] }) }],
      ['POST', '/v1/jobs/{name}/pause', '/v1/jobs/nightly/pause', { headers: json, payload: '{}' }],
      ['POST', '/v1/runs/{id}/kill', `/v1/runs/${RUN}/kill`, { headers: json, payload: '{}' }],
      ['GET', '/v1/runs/{id}/logs', `/v1/runs/${'x'.repeat(500)}/logs`],
      ['POST', '/v1/webhook', '/v1/webhook', { headers: { ...json, 'x-github-event': 'push' }, payload: '{}' }],
      ['POST', '/v1/webhook', '/v1/webhook', { headers: { ...json, 'x-github-event': 'ping' }, payload: '{}' }],
      ['GET', '/readyz', '/readyz'],
    ];
    const check = async ([method, path, url, extra]: (typeof cases)[number]) => {
      const res = await app.inject({ method, url, ...extra, headers: { ...auth, ...extra?.headers } });
      expect(doc.paths[path][method.toLowerCase()].responses, `${method} ${url.slice(0, 60)} answered ${res.statusCode}`).toHaveProperty(String(res.statusCode));
      return res.statusCode;
    };
    const seen = [];
    for (const c of cases) seen.push(await check(c));
    expect(seen).toEqual([202, 201, 415, 413, 200, 409, 414, 202, 200, 200]);
    leadership.leader = false;
    expect(await check(['GET', '/readyz', '/readyz'])).toBe(503);
  });
});
