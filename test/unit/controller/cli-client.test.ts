import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../src/cli/api-client.js';
import { describeRun, FIRST_POLL_MS, parseEnvPairs, waitForRun } from '../../../src/cli/run.js';
import { renderJobs, renderSync } from '../../../src/cli/status.js';
import type { Run } from '../../../src/core/run.js';
import { KairosError } from '../../../src/core/errors.js';
import type { Clock } from '../../../src/ports/clock.js';

const T0 = Date.parse('2026-03-08T07:00:00Z');

function run(state: Run['state'], extra: Partial<Run> = {}): Run {
  return { id: 'report@manual-1', job: 'report', trigger: 'manual', scheduledAt: T0, revision: 'abc', state, attempts: [], createdAt: T0, ...extra };
}

/** A loopback server answering from a list of canned responses, recording requests. */
async function serve(answers: { status: number; body: unknown }[]) {
  const seen: { method: string; url: string; auth?: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      const a = answers.shift() ?? { status: 500, body: {} };
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const instantClock: Clock = { now: () => T0, setTimeout: () => ({ cancel() {} }), sleep: () => Promise.resolve() };

describe('CLI API client', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('posts a manual run with a bearer token and follows it until it ends', async () => {
    const s = await serve([
      { status: 200, body: run('running') },
      { status: 200, body: run('running') },
      { status: 200, body: run('succeeded', { endedAt: T0 + 5000, attempts: [{ n: 1, taskId: 't', intentAt: T0, notBefore: T0, exitStatus: 0, hostname: 'agent-1' }] }) },
    ]);
    server = s.server;
    const api = new ApiClient({ server: s.url + '/' }, { KAIROS_TOKEN: 'tok' });
    const started = await api.post<Run>('/v1/jobs/report/runs', { args: ['--full'] });
    const states: string[] = [];
    const end = await waitForRun(api, started, instantClock, (r) => states.push(describeRun(r)));
    expect(end.state).toBe('succeeded');
    expect(states).toEqual(['report@manual-1 succeeded on agent-1 (exit 0) at 2026-03-08T07:00:05Z']);
    expect(s.seen.map((r) => `${r.method} ${r.url} ${r.auth}`)).toEqual([
      'POST /v1/jobs/report/runs Bearer tok',
      'GET /v1/runs/report%40manual-1 Bearer tok',
      'GET /v1/runs/report%40manual-1 Bearer tok',
    ]);
    expect(JSON.parse(s.seen[0].body)).toEqual({ args: ['--full'] });
  });

  it('polls a run soon after starting and backs off to the poll interval, so a short run is seen to end at once', async () => {
    const s = await serve([...Array.from({ length: 6 }, () => ({ status: 200, body: run('running') })), { status: 200, body: run('succeeded') }]);
    server = s.server;
    const sleeps: number[] = [];
    const clock: Clock = { ...instantClock, sleep: async (ms) => void sleeps.push(ms) };
    const end = await waitForRun(new ApiClient({ server: s.url }, {}), run('pending'), clock, () => {});
    expect(end.state).toBe('succeeded');
    expect(sleeps).toEqual([FIRST_POLL_MS, 100, 200, 400, 800, 1000, 1000]);
  });

  it('turns an API error body into a KairosError with its message, and an unreachable server into E_UNAVAILABLE', async () => {
    const s = await serve([{ status: 404, body: { error: { code: 'E_NOT_FOUND', message: 'no job named "nope"' } } }]);
    server = s.server;
    const err = await new ApiClient({ server: s.url }, {}).get('/v1/jobs/nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KairosError);
    expect(err).toMatchObject({ code: 'E_NOT_FOUND', message: 'no job named "nope"' });
    s.server.close();
    await expect(new ApiClient({ server: s.url }, {}).get('/v1/sync')).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
  });

  it('parses --env pairs and refuses one without a name', () => {
    expect(parseEnvPairs(['A=1', 'B=x=y'])).toEqual({ A: '1', B: 'x=y' });
    expect(() => parseEnvPairs(['=1'])).toThrow(/--env: expected NAME=VALUE/);
  });
});

describe('status rendering', () => {
  it('shows the applied revision, the failure with file:line:column, drift, and a jobs table', () => {
    const text = renderSync({
      source: 'git:/tmp/jobs@main',
      appliedRevision: 'abc123',
      appliedAt: T0,
      lastRevision: 'def456',
      lastSyncAt: T0 + 1000,
      result: 'failed',
      message: '1 problem(s) in manifests',
      problems: [{ file: 'jobs/a.yaml', line: 3, column: 5, path: 'spec.schedule', message: 'bad cron' }],
      drift: [{ job: 'a', field: 'paused', desired: false, live: true }],
      syncing: false,
    });
    expect(text).toContain('applied:  abc123 at 2026-03-08T07:00:00Z');
    expect(text).toContain('sync:     failed (def456 at 2026-03-08T07:00:01Z)');
    expect(text).toContain('  jobs/a.yaml:3:5: spec.schedule: bad cron');
    expect(text).toContain('drift:    a paused: git false, live true');
    const jobs = renderJobs([
      { name: 'a', kind: 'Job', labels: {}, status: 'idle', schedule: 'cron * * * * * (UTC)', after: [], nextRunAt: T0, activeRuns: 0, revision: 'abc', source: { file: 'a.yaml', line: 1 }, lastRun: { id: 'a@x', state: 'failed', scheduledAt: T0, endedAt: T0, exitStatus: 2 } },
      { name: 'child', kind: 'Job', labels: {}, status: 'pending', after: ['a'], activeRuns: 1, revision: 'abc', source: { file: 'a.yaml', line: 9 } },
    ]).split('\n');
    expect(jobs[0]).toMatch(/^NAME\s+KIND\s+STATUS\s+SCHEDULE\s+NEXT RUN\s+LAST RUN$/);
    expect(jobs[1]).toMatch(/^a\s+Job\s+idle\s+cron \* \* \* \* \* \(UTC\)\s+2026-03-08T07:00:00Z\s+failed \(exit 2\) 2026-03-08T07:00:00Z$/);
    expect(jobs[2]).toMatch(/^child\s+Job\s+pending\s+after a\s+-\s+-$/);
  });
});
