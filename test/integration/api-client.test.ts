import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/api-client.js';
import { FIRST_POLL_MS, waitForRun, WAIT_UNAVAILABLE_MS } from '../../src/cli/run.js';
import { KairosError } from '../../src/core/errors.js';
import type { Run } from '../../src/core/run.js';
import { FakeClock } from '../support/fake-clock.js';

// The CLI's API client against a real loopback server that is not (or not only) Kairos:
// whatever comes back, the user gets a KairosError with a message, never a SyntaxError.

let server: Server | undefined;
afterEach(() => server?.close());

/** Serves every request with one canned status, content type and body (or the next of `script`). */
async function serve(status: number, type: string, body: string, script: [number, unknown][] = []): Promise<string> {
  server = createServer((_req, res) => {
    const next = script.shift();
    if (next) res.writeHead(next[0], { 'content-type': 'application/json' }).end(JSON.stringify(next[1]));
    else res.writeHead(status, { 'content-type': type }).end(body);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failure(p: Promise<unknown>): Promise<KairosError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KairosError);
  return err as KairosError;
}

describe('CLI API client failure paths', () => {
  it('reports an HTML error page (a proxy, another service) as an HTTP error, not a JSON SyntaxError', async () => {
    const url = await serve(502, 'text/html', '<html><body>Bad Gateway</body></html>');
    const err = await failure(new ApiClient({ server: url }, {}).get('/v1/jobs'));
    expect(err.code).toBe('E_INTERNAL');
    expect(err.message).toBe(`GET /v1/jobs: HTTP 502 from ${url}`);
  });

  it('refuses a 200 that is not JSON, naming the server it asked', async () => {
    const url = await serve(200, 'text/html', '<!doctype html><title>grafana</title>');
    const err = await failure(new ApiClient({ server: url }, {}).post('/v1/jobs/x/runs'));
    expect(err.code).toBe('E_UNAVAILABLE');
    expect(err.message).toContain(`${url} answered something that is not JSON`);
  });

  it('ignores an error body whose message is not a string', async () => {
    const url = await serve(400, 'application/json', JSON.stringify({ error: { message: { nested: true } } }));
    const err = await failure(new ApiClient({ server: url }, {}).get('/v1/sync'));
    expect(err.message).toBe('GET /v1/sync: HTTP 400');
  });
});

describe('kairos run --wait through an outage', () => {
  const T0 = Date.parse('2026-03-08T07:00:00Z');
  const run = (state: Run['state']): Run => ({ id: 'report@manual-1', job: 'report', trigger: 'manual', scheduledAt: T0, revision: 'abc', state, attempts: [], createdAt: T0 });
  const notLeader = { error: { code: 'E_NOT_LEADER', message: 'not the leader, and no leader is known' } };
  /** A FakeClock whose sleeps advance it at once, so polling loops run without real waiting. */
  const jumpingClock = () => {
    const clock = new FakeClock(T0);
    clock.sleep = async (ms: number) => void clock.advance(ms);
    return clock;
  };

  it('keeps following the run while the controller answers 503 for a while', async () => {
    const url = await serve(500, 'application/json', '{}', [[200, run('running')], [503, notLeader], [503, notLeader], [200, run('succeeded')]]);
    const seen: string[] = [];
    const end = await waitForRun(new ApiClient({ server: url }, {}), run('pending'), jumpingClock(), (r) => seen.push(r.state));
    expect(end.state).toBe('succeeded');
    expect(seen).toEqual(['running', 'succeeded']);
  });

  it('gives up once the controller has been unavailable for WAIT_UNAVAILABLE_MS in a row', async () => {
    const url = await serve(503, 'application/json', JSON.stringify(notLeader));
    const clock = jumpingClock();
    const err = await failure(waitForRun(new ApiClient({ server: url }, {}), run('pending'), clock, () => {}, 10_000));
    expect(err.code).toBe('E_UNAVAILABLE');
    // Polls back off from FIRST_POLL_MS to 10 s: it gives up at the first poll past the limit.
    const since = T0 + FIRST_POLL_MS;
    expect(clock.now() - since).toBeGreaterThanOrEqual(WAIT_UNAVAILABLE_MS);
    expect(clock.now() - since).toBeLessThan(WAIT_UNAVAILABLE_MS + 10_000);
  });

  it('does not retry other errors', async () => {
    const url = await serve(404, 'application/json', JSON.stringify({ error: { code: 'E_NOT_FOUND', message: 'no run named "x"' } }));
    const err = await failure(waitForRun(new ApiClient({ server: url }, {}), run('pending'), jumpingClock(), () => {}));
    expect([err.code, err.message]).toEqual(['E_NOT_FOUND', 'no run named "x"']);
  });
});
