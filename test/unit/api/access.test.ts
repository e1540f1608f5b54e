import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { accessConfig, checkListenSafety, isLoopbackHost, loadAccessConfig } from '../../../src/api/access.js';
import { ManifestError } from '../../../src/core/errors.js';
import { makeApi } from './harness.js';

const TOKENS = { viewer: 'viewer-token-0123456789', operator: 'operator-token-0123456789', admin: 'admin-token-0123456789' };
const access = accessConfig([
  { name: 'vera', role: 'viewer', token: TOKENS.viewer },
  { name: 'otto', role: 'operator', token: TOKENS.operator },
  { name: 'ada', role: 'admin', token: TOKENS.admin },
]);
const auth = (t: string) => ({ authorization: `Bearer ${t}` });

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('bearer tokens and roles', () => {
  it('a viewer token reads but cannot trigger a run (403), and nothing is run', async () => {
    const h = makeApi({ access });
    app = h.app;
    expect((await app.inject({ url: '/v1/jobs', headers: auth(TOKENS.viewer) })).statusCode).toBe(200);
    const res = await app.inject({ method: 'POST', url: '/v1/jobs/nightly/runs', headers: auth(TOKENS.viewer), payload: {} });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toEqual({ code: 'E_FORBIDDEN', message: 'vera has role viewer; this needs operator' });
    expect(h.ctl.calls).toEqual([]);
  });

  it('an operator runs, kills and pauses; only an admin may trigger a sync', async () => {
    let syncs = 0;
    const h = makeApi({ access, triggerSync: () => void syncs++ });
    app = h.app;
    expect((await app.inject({ method: 'POST', url: '/v1/jobs/nightly/runs', headers: auth(TOKENS.operator), payload: {} })).statusCode).toBe(201);
    expect((await app.inject({ method: 'POST', url: '/v1/jobs/nightly/pause', headers: auth(TOKENS.operator), payload: {} })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/v1/sync', headers: auth(TOKENS.operator), payload: {} })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/v1/sync', headers: auth(TOKENS.admin), payload: {} })).statusCode).toBe(202);
    expect(syncs).toBe(1);
  });

  it('answers 401 with WWW-Authenticate without a token or with a wrong one', async () => {
    app = makeApi({ access }).app;
    const none = await app.inject('/v1/jobs');
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="kairos"');
    const wrong = await app.inject({ url: '/v1/jobs', headers: auth('not-a-real-token-at-all') });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('E_UNAUTHENTICATED');
    expect((await app.inject({ url: '/v1/jobs', headers: { authorization: `Basic ${TOKENS.admin}` } })).statusCode).toBe(401);
  });

  it('keeps probes, the OpenAPI document and the UI shell public', async () => {
    app = makeApi({ access }).app;
    for (const url of ['/healthz', '/readyz', '/v1/openapi.json', '/']) expect((await app.inject(url)).statusCode, url).toBe(200);
  });

  it('never echoes the caller token in a response', async () => {
    app = makeApi({ access }).app;
    const res = await app.inject({ url: `/v1/jobs/${TOKENS.admin}`, headers: auth(TOKENS.admin) });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain(TOKENS.admin);
    expect(res.json().error.message).toBe('no job named "***"');
  });

  it('rate-limits writes per principal with 429 and Retry-After, refilling with the clock', async () => {
    const h = makeApi({ access, rateLimit: { perMinute: 6, burst: 2 } });
    app = h.app;
    const post = (t: string) => app!.inject({ method: 'POST', url: '/v1/jobs/nightly/pause', headers: auth(t), payload: {} });
    expect((await post(TOKENS.operator)).statusCode).toBe(200);
    expect((await post(TOKENS.operator)).statusCode).toBe(200);
    const limited = await post(TOKENS.operator);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('10');
    expect((await post(TOKENS.admin)).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/jobs', headers: auth(TOKENS.operator) })).statusCode).toBe(200);
    h.clock.advance(10_000);
    expect((await post(TOKENS.operator)).statusCode).toBe(200);
  });
});

describe('token file', () => {
  const files: Record<string, string> = {
    'ok.yaml': 'tokens:\n  - name: alice\n    role: admin\n    token: "0123456789abcdef0"\n  - name: ci\n    role: operator\n    tokenEnv: CI_TOKEN\n  - name: graf\n    role: viewer\n    tokenFile: graf.txt\n',
    'graf.txt': 'graf-token-abcdefghijk\n',
    'bad.yaml': 'tokens:\n  - name: alice\n    role: root\n    token: short\n  - name: bob\n    role: viewer\n',
    'json.json': '{"tokens": [{"name": "a", "role": "viewer", "token": "json-token-0123456789"}]}',
  };
  const io = {
    readFile: (p: string) => {
      if (!(p in files)) throw new Error('ENOENT');
      return files[p];
    },
    env: { CI_TOKEN: 'ci-token-from-env-0123' },
  };

  it('loads literal, environment and file tokens (YAML and JSON)', () => {
    const cfg = loadAccessConfig('ok.yaml', io);
    expect(cfg.tokens.map((t) => [t.name, t.role])).toEqual([['alice', 'admin'], ['ci', 'operator'], ['graf', 'viewer']]);
    expect(JSON.stringify(cfg)).not.toContain('0123456789abcdef0');
    expect(loadAccessConfig('json.json', io).tokens).toHaveLength(1);
  });

  it('never prints a token value when the file has a syntax error', () => {
    const broken = {
      'a.yaml': 'tokens:\n  - name: alice\n    role: admin\n    token: "s3cr3t-token-value-0001\n  - name: bob\n',
      'b.yaml': 'tokens:\n  - name: alice\n    role: admin\n    token: s3cr3t-token-value-0002: x\n',
      'c.json': '{"tokens": [{"name": "a", "role": "viewer", "token": "s3cr3t-token-value-0003"]}',
      'd.yaml': 'tokens:\n  - name: alice\n    token: s3cr3t-token-value-0004\n     role: admin\n',
    };
    for (const [file, text] of Object.entries(broken)) {
      const err = (() => {
        try {
          loadAccessConfig(file, { readFile: () => text });
        } catch (e) {
          return e as ManifestError;
        }
      })();
      expect(err, file).toBeInstanceOf(ManifestError);
      expect(err!.message, file).not.toMatch(/s3cr3t|token-value/);
      expect(err!.problems[0].file).toBe(file);
    }
  });

  it('reports every problem with file:line:column and field', () => {
    let err: unknown;
    try {
      loadAccessConfig('bad.yaml', io);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ManifestError);
    expect((err as ManifestError).problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.path}: ${p.message}`)).toEqual([
      'bad.yaml:2:5 tokens.0.role: must be viewer, operator or admin',
      'bad.yaml:2:5 tokens.0.token: token must be at least 16 characters',
      'bad.yaml:5:5 tokens.1: needs exactly one of token, tokenEnv, tokenFile',
    ]);
    expect(() => loadAccessConfig('missing.yaml', io)).toThrow(/cannot read token file missing.yaml/);
    expect(() => loadAccessConfig('ok.yaml', { ...io, env: {} })).toThrow(/environment variable CI_TOKEN is not set/);
  });
});

describe('listen safety', () => {
  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.org', '192.168.1.1']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('refuses a non-loopback address without tokens, allows it with them', () => {
    expect(() => checkListenSafety('0.0.0.0', undefined)).toThrow(/refusing to listen on 0\.0\.0\.0 without access tokens/);
    expect(() => checkListenSafety('10.1.2.3', accessConfig([]))).toThrow(/refusing/);
    expect(() => checkListenSafety('0.0.0.0', access)).not.toThrow();
    expect(() => checkListenSafety('127.0.0.1', undefined)).not.toThrow();
  });
});
