import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { accessConfig } from '../../src/api/access.js';
import { hmacHex } from '../../src/api/webhook.js';
import { forwardToLeader, type ForwardRequest } from '../../src/ha/forward.js';
import type { Leadership } from '../../src/ports/leader.js';
import { makeApi } from '../unit/api/harness.js';

// The API over real sockets on 127.0.0.1 (port 0): what app.inject cannot show —
// the HTTP server's own limits, and followers forwarding writes to a leader through
// the HA forwarder (src/ha/forward.ts) with its one-hop rule.

const OPERATOR = 'operator-token-0123456789';
const VIEWER = 'viewer-token-0123456789';
const access = accessConfig([
  { name: 'otto', role: 'operator', token: OPERATOR },
  { name: 'vera', role: 'viewer', token: VIEWER },
]);

const open: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
});

/**
 * Serves the test API on a free loopback port. With `forwarding`, writes on a follower go
 * through the real HA forwarder with this app's own leadership and URL.
 */
async function serve(extra: Parameters<typeof makeApi>[0] = {}, opts: { forwarding?: boolean } = {}) {
  const self: { leadership?: Leadership; url?: string } = {};
  const forward = opts.forwarding ? (req: ForwardRequest) => forwardToLeader(req, self.leadership!, self.url!) : undefined;
  const h = makeApi({ ...extra, forward });
  open.push(h.app);
  const url = await h.app.listen({ host: '127.0.0.1', port: 0 });
  Object.assign(self, { leadership: h.leadership, url });
  return { ...h, url };
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

const execFileP = promisify(execFile);

describe('kairos explain', () => {
  it('prints why a job is not running, asked over HTTP with a token; a missing job exits 1 with the message', async () => {
    const { url, ctl } = await serve({ access });
    ctl.addRun({ id: 'nightly@manual-5', job: 'nightly', state: 'pending', trigger: 'manual' });
    ctl.clusterStatus = { ...ctl.clusterStatus, pending: [{ taskId: 't', runId: 'nightly@manual-5', since: Date.parse('2026-03-08T11:58:00Z'), reason: 'no offer has mem 4096 (largest 2048)' }] };
    const cli = (...args: string[]) => execFileP(process.execPath, ['--import', 'tsx', 'src/main.ts', 'explain', ...args, '--server', url, '--token', VIEWER]);
    const { stdout } = await cli('nightly');
    expect(stdout).toBe(
      'nightly: not running\n' +
        '  no-offer-fits  run nightly@manual-5 pending for 2m: no offer has mem 4096 (largest 2048)\n' +
        '  scheduled      next run at 2026-03-09T01:00:00.000Z (in 13h) by cron 0 2 * * * (Europe/Berlin)\n',
    );
    const missing = await cli('ghost').catch((e: { code: number; stderr: string; stdout: string }) => e);
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'kairos: no job named "ghost"\n' });
  });
});

describe('API over HTTP', () => {
  it('reads, runs with an operator token, refuses a viewer and names a missing job', async () => {
    const { url, ctl } = await serve({ access });
    const jobs = await fetch(`${url}/v1/jobs`, { headers: bearer(VIEWER) });
    expect(jobs.status).toBe(200);
    expect(await jobs.json()).toHaveLength(2);

    const denied = await fetch(`${url}/v1/jobs/nightly/runs`, { method: 'POST', headers: bearer(VIEWER) });
    expect(denied.status).toBe(403);
    expect(ctl.calls).toEqual([]);

    const run = await fetch(`${url}/v1/jobs/nightly/runs`, { method: 'POST', headers: { ...bearer(OPERATOR), 'content-type': 'application/json' }, body: '{"args":["--since","2026-03-01"]}' });
    expect(run.status).toBe(201);
    expect(run.headers.get('location')).toBe('/v1/runs/nightly%40manual-1');
    expect(ctl.calls).toEqual([['runNow', 'nightly', { args: ['--since', '2026-03-01'] }]]);

    const missing = await fetch(`${url}/v1/jobs/no-such-job`, { headers: bearer(VIEWER) });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'E_NOT_FOUND', message: 'no job named "no-such-job"' } });
  });

  it('refuses an oversized body with 413 before reading it all', async () => {
    const { url, ctl } = await serve({ bodyLimit: 4096 });
    const res = await fetch(`${url}/v1/jobs/nightly/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ args: ['x'.repeat(100_000)] }) });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('E_TOO_LARGE');
    expect(ctl.calls).toEqual([]);
  });

  it('verifies a signed GitHub webhook delivered over HTTP', async () => {
    const synced: string[] = [];
    const { url } = await serve({ access, webhook: { secret: 's3cret-hook', onWebhook: (e) => void synced.push(e.after ?? '') } });
    const body = JSON.stringify({ ref: 'refs/heads/main', after: 'c0ffee' });
    const send = (sig: string) => fetch(`${url}/v1/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sig }, body });
    expect((await send(`sha256=${hmacHex('wrong', body)}`)).status).toBe(401);
    expect((await send(`sha256=${hmacHex('s3cret-hook', body)}`)).status).toBe(202);
    expect(synced).toEqual(['c0ffee']);
  });

  it('a follower forwards a write once to the leader, which runs it; reads stay local', async () => {
    const leader = await serve({ access });
    const follower = await serve({ access }, { forwarding: true });
    follower.leadership.leader = false;
    follower.leadership.url = leader.url;
    const res = await fetch(`${follower.url}/v1/jobs/nightly/runs`, { method: 'POST', headers: { ...bearer(OPERATOR), 'content-type': 'application/json' }, body: '{"env":{"MODE":"full"}}' });
    expect(res.status).toBe(201);
    expect((await res.json()).id).toBe('nightly@manual-1');
    expect(leader.ctl.calls).toEqual([['runNow', 'nightly', { env: { MODE: 'full' } }]]);
    expect(follower.ctl.calls).toEqual([]);
    expect((await fetch(`${follower.url}/v1/leader`, { headers: bearer(VIEWER) }).then((r) => r.json())).leader).toBe(false);
    const denied = await fetch(`${follower.url}/v1/jobs/nightly/runs`, { method: 'POST', headers: bearer(VIEWER) });
    expect(denied.status).toBe(403);
  });

  it('two followers that each think the other leads answer 503 after one hop, never looping', async () => {
    const a = await serve({ access }, { forwarding: true });
    const b = await serve({ access }, { forwarding: true });
    a.leadership.leader = false;
    b.leadership.leader = false;
    a.leadership.url = b.url;
    b.leadership.url = a.url;
    const res = await fetch(`${a.url}/v1/jobs/nightly/pause`, { method: 'POST', headers: { ...bearer(OPERATOR), 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(503);
    expect((await res.json()).error.message).toMatch(/already forwarded by http:\/\/127\.0\.0\.1:\d+; not forwarding again/);
    expect(a.ctl.calls).toEqual([]);
    expect(b.ctl.calls).toEqual([]);
  });
});
