import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseResponse, PipelinedPool } from '../../../src/mesos/pipeline.js';

describe('parseResponse', () => {
  it('reads Content-Length and chunked bodies and waits for missing bytes', () => {
    const a = Buffer.from('HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\nHTTP/1.1 400 Bad Request\r\ncontent-length: 5\r\n\r\noops!');
    const first = parseResponse(a);
    expect(first).toEqual({ response: { status: 202, body: '' }, consumed: 44, close: false });
    const rest = a.subarray(44);
    expect(parseResponse(rest)).toMatchObject({ response: { status: 400, body: 'oops!' } });
    expect(parseResponse(rest.subarray(0, rest.length - 1))).toBe('incomplete');
    const chunked = Buffer.from('HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
    expect(parseResponse(chunked)).toEqual({ response: { status: 403, body: 'abcde' }, consumed: chunked.length, close: true });
    expect(parseResponse(chunked.subarray(0, chunked.length - 2))).toBe('incomplete');
    expect(parseResponse(Buffer.from('SMTP ready\r\n\r\n'))).toBe('invalid');
  });

  it('reads the head as bytes: any header case and spacing, a bare status line, several answers in one buffer', () => {
    const heads = [
      'HTTP/1.1 202 Accepted\r\nDate: Thu, 26 Nov 2026 19:00:00 GMT\r\nCONTENT-LENGTH:   3 \r\n\r\nabc',
      'HTTP/1.0 307\r\nLocation: //m2:5050/api/v1/scheduler\r\ncontent-length: 3\r\nConnection:   Close\r\n\r\nxyz',
      'HTTP/1.1 503 Service Unavailable\r\nX-Content-Length: 99\r\nContent-Length: 3\r\n\r\nnot',
    ];
    const all = Buffer.from(heads.join(''));
    let at = 0;
    const got = [];
    for (const h of heads) {
      const r = parseResponse(all, at);
      if (typeof r === 'string') throw new Error(`${h}: ${r}`);
      expect(r.consumed).toBe(Buffer.byteLength(h));
      got.push({ ...r.response, close: r.close });
      at += r.consumed;
    }
    expect(got).toEqual([
      { status: 202, body: 'abc', close: false },
      { status: 307, body: 'xyz', close: true },
      { status: 503, body: 'not', close: false },
    ]);
    for (const bad of ['HTTP/2 202 OK\r\n\r\n', 'HTTP/1.1 2x2 OK\r\n\r\n', 'HTTP/1.1 2022 OK\r\n\r\n']) expect(parseResponse(Buffer.from(bad))).toBe('invalid');
  });
});

describe('PipelinedPool against a node:http server', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  async function serve(handler: http.RequestListener): Promise<string> {
    server = http.createServer(handler);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('answers many pipelined requests in order over few connections', async () => {
    const sockets = new Set<unknown>();
    const url = await serve((req, res) => {
      sockets.add(req.socket);
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.statusCode = body.endsWith('7') ? 400 : 202;
        res.end(body.endsWith('7') ? `bad ${body} ${req.headers['x-id']}` : undefined);
      });
    });
    const pool = new PipelinedPool(url, { connections: 2, maxInFlight: 16, timeoutMs: 5000 });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => pool.post('/x', { 'X-Id': String(i) }, Buffer.from(`n${i}`))));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(180);
    expect(answers[7]).toEqual({ status: 400, body: 'bad n7 7' });
    expect(answers[197]).toEqual({ status: 400, body: 'bad n197 197' });
    expect(sockets.size).toBe(2);
    pool.close();
  });

  it('fails the requests of a connection that drops, and reconnects for the next', async () => {
    let n = 0;
    const url = await serve((req, res) => {
      if (n++ === 0) return void req.socket.destroy();
      res.statusCode = 202;
      res.end();
    });
    const pool = new PipelinedPool(url, { connections: 1, maxInFlight: 4, timeoutMs: 5000 });
    await expect(pool.post('/x', {}, Buffer.from('a'))).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
    expect(await pool.post('/x', {}, Buffer.from('b'))).toEqual({ status: 202, body: '' });
    pool.close();
  });
});
