import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { makeApi } from '../unit/api/harness.js';

// Raw bytes to the API on a loopback socket: requests Node's HTTP parser rejects before
// fastify routes them, which app.inject cannot produce.

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Sends `text` as is and resolves with everything the server wrote before closing. */
function send(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let got = '';
    socket.on('data', (d) => (got += d));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}

async function serve(): Promise<number> {
  const h = makeApi();
  app = h.app;
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as AddressInfo).port;
}

describe('API over a raw socket', () => {
  it('answers requests the HTTP parser rejects with a Kairos JSON 400, and closes', async () => {
    const port = await serve();
    for (const head of ['FOO /v1/jobs HTTP/1.1', 'POST /v1/jobs/nightly/runs HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: abc']) {
      const answer = await send(port, `${head}\r\nHost: x\r\n\r\n{}`);
      const [status, ...rest] = answer.split('\r\n');
      expect(status, head).toBe('HTTP/1.1 400 Bad Request');
      expect(rest).toContain('Content-Type: application/json; charset=utf-8');
      expect(JSON.parse(answer.split('\r\n\r\n')[1])).toEqual({
        error: { code: 'E_INVALID', message: 'the request is not valid HTTP (method, headers or Content-Length)' },
      });
    }
  });

  it('keeps path traversal in a run id a plain, unknown name', async () => {
    const port = await serve();
    const answer = await send(port, 'GET /v1/runs/%2e%2e%2f%2e%2e%2fetc%2fpasswd/logs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
    expect(JSON.parse(answer.split('\r\n\r\n')[1]).error.message).toBe('no run named "../../etc/passwd"');
  });
});
