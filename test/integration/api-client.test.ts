import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/api-client.js';
import { KairosError } from '../../src/core/errors.js';

// The CLI's API client against a real loopback server that is not (or not only) Kairos:
// whatever comes back, the user gets a KairosError with a message, never a SyntaxError.

let server: Server | undefined;
afterEach(() => server?.close());

/** Serves every request with one canned status, content type and body. */
async function serve(status: number, type: string, body: string): Promise<string> {
  server = createServer((_req, res) => res.writeHead(status, { 'content-type': type }).end(body));
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
