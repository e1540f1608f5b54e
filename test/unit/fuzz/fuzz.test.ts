/**
 * Property tests (fast-check, fixed seed so failures reproduce): random YAML and JSON fed to
 * the manifest loader and to the API never crash and never hang; the loader always answers
 * with a state or problems that name the file and a line, the API with a 2xx/3xx/4xx and a
 * `{error: {code, message}}` body, never a 500 or a stack trace.
 */
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadManifests } from '../../../src/manifests/load.js';
import { jobYaml, snapshotOf } from '../../fixtures/manifests/index.js';
import { makeApi } from '../api/harness.js';

const SEED = 17;
/** Longest one input may take: far above normal (~1 ms), far below a hang. */
const BOUND_MS = 2000;

/** JSON-like values with manifest-ish keys mixed in, so generation reaches the schema and semantics. */
const keys = fc.constantFrom('apiVersion', 'kind', 'metadata', 'name', 'spec', 'schedule', 'cron', 'command', 'shell', 'argv', 'tasks', 'dependsOn', 'after', 'resources', 'env', 'overrides', 'retries', 'container', 'x');
const leaf = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom('Job', 'DAG', 'kairos/v1', '* * * * *', 'R/2026-01-01T00:00:00Z/PT1H'));
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(keys, tie('v'), { maxKeys: 5 })),
})).v;
const manifestText = fc.oneof(
  value.map((v) => dump(v, { skipInvalid: true })),
  value.map((v) => JSON.stringify(v) ?? ''),
  fc.string({ maxLength: 300 }),
  // A valid job with random bytes spliced in: reaches every stage of loading.
  fc.tuple(fc.nat(), fc.string({ maxLength: 12 })).map(([at, s]) => {
    const base = jobYaml('fuzzed', 'schedule: { cron: "0 2 * * *" }\ncommand: { shell: "true" }');
    const i = at % base.length;
    return base.slice(0, i) + s + base.slice(i);
  }),
);

describe('fuzz: manifest loader', () => {
  it('never throws and never hangs; answers a state or located problems', () => {
    fc.assert(
      fc.property(fc.array(manifestText, { minLength: 1, maxLength: 3 }), (texts) => {
        const files = Object.fromEntries(texts.map((t, i) => [`f${i}.yaml`, t]));
        const t = performance.now();
        const r = loadManifests(snapshotOf(files));
        expect(performance.now() - t).toBeLessThan(BOUND_MS);
        if (r.desired) return;
        expect(r.problems.length).toBeGreaterThan(0);
        for (const p of r.problems) {
          expect(Object.keys(files)).toContain(p.file);
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.message.length).toBeGreaterThan(0);
          expect(p.message).not.toMatch(/\n\s+at /);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('fuzz: API', () => {
  const h = makeApi({ triggerSync: () => undefined, webhook: { secret: 'fuzz-secret-123', onWebhook: () => undefined }, rateLimit: { perMinute: 1e9, burst: 1e9 } });
  afterAll(() => h.app.close());
  const path = fc.oneof(
    fc.constantFrom('/v1/jobs', '/v1/jobs/nightly', '/v1/jobs/nightly/runs', '/v1/jobs/nightly/pause', '/v1/sync', '/v1/plan', '/v1/webhook', '/v1/runs/x/kill', '/v1/runs/nightly%402026-03-08T01%3A00%3A00.000Z/logs', '/v1/graph', '/metrics'),
    fc.string({ maxLength: 40 }).map((s) => `/v1/${encodeURIComponent(s)}`),
  );
  const query = fc.dictionary(fc.constantFrom('offset', 'length', 'stream', 'state', 'label', 'limit', 'attempt', 'x'), fc.string({ maxLength: 10 }), { maxKeys: 3 });
  const body = fc.oneof(value.map((v) => JSON.stringify(v) ?? 'null'), fc.string({ maxLength: 200 }));
  const type = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', undefined);

  it('answers every request with a status below 500 and an error body, quickly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), path, query, body, type, async (method, p, q, b, t) => {
        const url = `${p}?${new URLSearchParams(q).toString()}`;
        const start = performance.now();
        const res = await h.app.inject({ method, url, headers: { ...(t && { 'content-type': t }), 'x-github-event': 'push' }, ...(method === 'GET' || method === 'DELETE' ? {} : { payload: b }) });
        expect(performance.now() - start).toBeLessThan(BOUND_MS);
        expect(res.statusCode, `${method} ${url} ${b.slice(0, 80)}`).toBeLessThan(500);
        if (res.statusCode >= 400) {
          expect(res.json().error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
        }
        expect(res.body).not.toMatch(/\n\s+at /);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });
});
