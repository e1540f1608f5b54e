import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { makeApi } from './harness.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function setup(extra: Parameters<typeof makeApi>[0] = {}) {
  const h = makeApi(extra);
  app = h.app;
  return h;
}

describe('jobs', () => {
  it('lists jobs with status, next run, last result, owner and commit', async () => {
    const { app } = setup();
    const res = await app.inject('/v1/jobs');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toHaveLength(2);
    const nightly = body.find((j: { name: string }) => j.name === 'nightly');
    expect(nightly).toMatchObject({
      owner: 'data-team',
      status: 'idle',
      nextRunAt: Date.parse('2026-03-09T01:00:00Z'),
      lastRun: { state: 'succeeded', exitStatus: 0 },
      revision: 'abc1234',
      schedule: 'cron 0 2 * * * (Europe/Berlin)',
    });
  });

  it('filters by label, owner and status', async () => {
    const { app, ctl } = setup();
    const names = async (q: string) => (await app.inject(`/v1/jobs?${q}`)).json().map((j: { name: string }) => j.name);
    expect(await names('label=team=web')).toEqual(['report']);
    expect(await names('label=tier')).toEqual(['nightly']);
    expect(await names('owner=data-team')).toEqual(['nightly']);
    await ctl.pause('report');
    expect(await names('status=paused')).toEqual(['report']);
    const bad = await app.inject('/v1/jobs?status=sleepy');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^status: must be one of/);
  });

  it('shows one job with its manifest, source and runs; 404 names the missing job', async () => {
    const { app } = setup();
    const res = await app.inject('/v1/jobs/nightly');
    expect(res.json()).toMatchObject({ name: 'nightly', manifest: expect.stringContaining('name: nightly'), source: { file: 'jobs/nightly.yaml', commit: 'abc1234' } });
    expect(res.json().lastRuns).toHaveLength(1);
    const missing = await app.inject('/v1/jobs/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'E_NOT_FOUND', message: 'no job named "nope"' } });
    expect((await app.inject('/v1/jobs/nope/runs')).statusCode).toBe(404);
    expect((await app.inject('/v1/jobs/nope/explain')).statusCode).toBe(404);
  });

  it('lists runs with limit and state filters, rejecting bad values', async () => {
    const { app, ctl } = setup();
    await ctl.runNow('nightly');
    expect((await app.inject('/v1/jobs/nightly/runs')).json()).toHaveLength(2);
    expect((await app.inject('/v1/jobs/nightly/runs?state=pending')).json().map((r: { id: string }) => r.id)).toEqual(['nightly@manual-1']);
    expect((await app.inject('/v1/jobs/nightly/runs?limit=1')).json()).toHaveLength(1);
    expect((await app.inject('/v1/jobs/nightly/runs?limit=0')).statusCode).toBe(400);
    expect((await app.inject('/v1/jobs/nightly/runs?state=weird')).statusCode).toBe(400);
  });
});

describe('actions', () => {
  it('runs a job now with overrides and answers 201 with the run and its location', async () => {
    const { app, ctl } = setup();
    const res = await app.inject({ method: 'POST', url: '/v1/jobs/nightly/runs', payload: { args: ['--full'], env: { MODE: 'x' } } });
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe('/v1/runs/nightly%40manual-1');
    expect(res.json()).toMatchObject({ id: 'nightly@manual-1', state: 'pending', trigger: 'manual' });
    expect(ctl.calls).toEqual([['runNow', 'nightly', { args: ['--full'], env: { MODE: 'x' } }]]);
    const empty = await app.inject({ method: 'POST', url: '/v1/jobs/nightly/runs', payload: {} });
    expect(empty.statusCode).toBe(201);
  });

  it('rejects bad bodies with 400 and names the field; unknown jobs with 404; nothing is run', async () => {
    const { app, ctl } = setup();
    const post = (payload: string, type = 'application/json') =>
      app.inject({ method: 'POST', url: '/v1/jobs/nightly/runs', payload, headers: { 'content-type': type } });
    const cases: [string, RegExp][] = [
      ['{"args": "x"}', /^args: must be a list of strings/],
      ['{"env": {"1BAD": "x"}}', /^env\.1BAD: is not a valid/],
      ['{"env": {"A": 1}}', /^env\.A: must be a string/],
      ['{"cpus": 4}', /^cpus: unknown field/],
      ['[1]', /^body: must be a JSON object/],
      ['{not json', /not valid JSON/],
    ];
    for (const [payload, message] of cases) {
      const res = await post(payload);
      expect(res.statusCode, payload).toBe(400);
      expect(res.json().error.message).toMatch(message);
    }
    expect((await post('x=1', 'text/plain')).statusCode).toBe(415);
    const unknown = await app.inject({ method: 'POST', url: '/v1/jobs/ghost/runs', payload: {} });
    expect(unknown.statusCode).toBe(404);
    expect(ctl.calls).toEqual([]);
  });

  it('refuses bodies over the limit with 413', async () => {
    const { app } = setup({ bodyLimit: 1024 });
    const res = await app.inject({ method: 'POST', url: '/v1/jobs/nightly/runs', payload: { args: ['x'.repeat(2000)] } });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('E_TOO_LARGE');
  });

  it('kills a running run, and answers 409 for one that already ended', async () => {
    const { app, ctl } = setup();
    const run = await ctl.runNow('nightly');
    ctl.transition(run.id, 'running');
    const res = await app.inject({ method: 'POST', url: `/v1/runs/${encodeURIComponent(run.id)}/kill`, payload: {} });
    expect(res.statusCode).toBe(200);
    expect(res.json().state).toBe('killed');
    const again = await app.inject({ method: 'POST', url: `/v1/runs/${encodeURIComponent(run.id)}/kill`, payload: {} });
    expect(again.statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: '/v1/runs/nope@manual-9/kill', payload: {} })).statusCode).toBe(404);
  });

  it('pauses and resumes, showing the pause as drift in /v1/sync', async () => {
    const { app } = setup();
    expect((await app.inject({ method: 'POST', url: '/v1/jobs/nightly/pause', payload: {} })).json().status).toBe('paused');
    expect((await app.inject('/v1/sync')).json().drift).toEqual([{ job: 'nightly', field: 'paused', desired: false, live: true, since: Date.parse('2026-03-08T12:00:00Z') }]);
    expect((await app.inject({ method: 'POST', url: '/v1/jobs/nightly/resume', payload: {} })).json().status).toBe('idle');
    expect((await app.inject({ method: 'POST', url: '/v1/jobs/ghost/pause', payload: {} })).statusCode).toBe(404);
  });

  it('never shows a stack trace when an action throws something unexpected', async () => {
    const { app, ctl } = setup();
    ctl.runNow = async () => {
      throw new TypeError('cannot read properties of undefined (secret internals)');
    };
    const res = await app.inject({ method: 'POST', url: '/v1/jobs/nightly/runs', payload: {} });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'E_INTERNAL', message: 'internal error (see the controller log)' } });
    expect(res.body).not.toMatch(/at |secret internals/);
  });
});

describe('runs and logs', () => {
  it('shows a run (DAG task ids with a slash too) with attempts and exit status', async () => {
    const { app, ctl } = setup();
    const res = await app.inject(`/v1/runs/${encodeURIComponent('nightly@2026-03-08T01:00:00.000Z')}`);
    expect(res.json()).toMatchObject({ state: 'succeeded', attempts: [{ hostname: 'agent-1', sandbox: '/sandbox/1', exitStatus: 0 }], children: [] });
    ctl.addRun({ id: 'etl@2026-03-08T01:00:00.000Z/split', job: 'etl', task: 'split', state: 'failed' });
    expect((await app.inject(`/v1/runs/${encodeURIComponent('etl@2026-03-08T01:00:00.000Z/split')}`)).json().task).toBe('split');
    expect((await app.inject('/v1/runs/none')).json().error.message).toBe('no run named "none"');
  });

  it('pages sandbox logs by stream and offset', async () => {
    const { app, ctl } = setup();
    const id = encodeURIComponent('nightly@2026-03-08T01:00:00.000Z');
    ctl.appendLog('nightly@2026-03-08T01:00:00.000Z', 'stdout', 'hello\nworld\n');
    ctl.appendLog('nightly@2026-03-08T01:00:00.000Z', 'stderr', 'oops\n');
    expect((await app.inject(`/v1/runs/${id}/logs`)).json()).toEqual({ attempt: 1, offset: 0, data: 'hello\nworld\n', size: 12 });
    expect((await app.inject(`/v1/runs/${id}/logs?stream=stdout&offset=6&length=3`)).json().data).toBe('wor');
    expect((await app.inject(`/v1/runs/${id}/logs?stream=stderr`)).json().data).toBe('oops\n');
    expect((await app.inject(`/v1/runs/${id}/logs?stream=stdin`)).statusCode).toBe(400);
    expect((await app.inject(`/v1/runs/${id}/logs?offset=-1`)).statusCode).toBe(400);
    const pending = await ctl.runNow('nightly');
    expect((await app.inject(`/v1/runs/${encodeURIComponent(pending.id)}/logs`)).statusCode).toBe(404);
  });
});

describe('system', () => {
  it('serves sync, plan, cluster and leader', async () => {
    const { app, ctl } = setup();
    expect((await app.inject('/v1/sync')).json()).toMatchObject({ result: 'ok', appliedRevision: 'abc1234' });
    ctl.planView = { ...ctl.planView, changes: [{ action: 'create', kind: 'Job', name: 'new', fields: [] }] };
    expect((await app.inject('/v1/plan')).json().changes).toHaveLength(1);
    expect((await app.inject('/v1/cluster')).json()).toMatchObject({ connected: true, frameworkId: 'fw-1', pending: [] });
    expect((await app.inject('/v1/leader')).json()).toEqual({ leader: true, epoch: 1, leaderUrl: 'http://127.0.0.1:4400' });
  });

  it('serves the graph as JSON and as DOT', async () => {
    const { app } = setup();
    expect((await app.inject('/v1/graph')).json().edges).toEqual([{ from: 'nightly', to: 'report', kind: 'after' }]);
    const dot = await app.inject('/v1/graph?format=dot');
    expect(dot.headers['content-type']).toMatch(/^text\/vnd\.graphviz/);
    expect(dot.body).toContain('"nightly" -> "report" [style=dashed];');
    expect(dot.body).toContain('"nightly" [label="nightly", shape=box, style=filled, fillcolor="#5cb85c"];');
    expect((await app.inject({ url: '/v1/graph', headers: { accept: 'text/vnd.graphviz' } })).body).toMatch(/^digraph kairos \{/);
    expect((await app.inject('/v1/graph?format=png')).statusCode).toBe(400);
  });

  it('is healthy always and ready only on the leader', async () => {
    const { app, leadership } = setup();
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    leadership.leader = false;
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ ready: false, leader: false, leaderUrl: 'http://127.0.0.1:4400' });
  });

  it('on a follower, forwards writes through deps.forward and serves reads locally', async () => {
    const forwarded: { method: string; url: string; body: string }[] = [];
    const { app, leadership, ctl } = setup({
      forward: async (req) => {
        forwarded.push({ method: req.method, url: req.url, body: req.body.toString() });
        return { status: 201, headers: { 'content-type': 'application/json', 'x-from': 'leader' }, body: Buffer.from('{"id":"nightly@manual-7"}') };
      },
    });
    leadership.leader = false;
    const res = await app.inject({ method: 'POST', url: '/v1/jobs/nightly/runs', payload: { args: ['a'] } });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-from']).toBe('leader');
    expect(res.json()).toEqual({ id: 'nightly@manual-7' });
    expect(forwarded).toEqual([{ method: 'POST', url: '/v1/jobs/nightly/runs', body: '{"args":["a"]}' }]);
    expect(ctl.calls).toEqual([]);
    expect((await app.inject('/v1/jobs')).statusCode).toBe(200);
  });

  it('on a follower without a forwarder, answers writes 503 naming the leader', async () => {
    const { app, leadership } = setup();
    leadership.leader = false;
    const res = await app.inject({ method: 'POST', url: '/v1/jobs/nightly/pause', payload: {} });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toEqual({ code: 'E_NOT_LEADER', message: 'not the leader; send writes to http://127.0.0.1:4400' });
  });

  it('documents every route in an OpenAPI 3.1 document whose references all resolve', async () => {
    const { app } = setup({ webhook: { onWebhook: () => {} }, triggerSync: () => {} });
    const doc = (await app.inject('/v1/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, m]) => Object.keys(m).map((method) => [method, path]));
    expect(ops.length).toBe(25);
    for (const [method, path] of ops) {
      expect(app.hasRoute({ method: method.toUpperCase() as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }), `${method} ${path}`).toBe(true);
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]);
    for (const r of new Set(refs)) expect(doc.components.schemas, r).toHaveProperty(r);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const { app } = setup();
    const res = await app.inject('/v2/whatever');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe('no route GET /v2/whatever');
  });

  it('masks known secret values in every response', async () => {
    const { app, ctl } = setup({ secretValues: () => ['hunter2-very-secret'] });
    ctl.appendLog('nightly@2026-03-08T01:00:00.000Z', 'stdout', 'DB_PASSWORD=hunter2-very-secret\n');
    const res = await app.inject(`/v1/runs/${encodeURIComponent('nightly@2026-03-08T01:00:00.000Z')}/logs`);
    expect(res.json().data).toBe('DB_PASSWORD=***\n');
  });
});
