import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FORWARDED_BY, forwardToLeader, LEADER_HEADER } from '../../src/ha/forward.js';
import { soloLeadership, type Leadership } from '../../src/ports/leader.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A follower's view: not leader, believes `leader` leads. */
const follower = (leader: string | undefined): Leadership => ({
  isLeader: () => false,
  epoch: () => undefined,
  leaderUrl: () => leader,
  onChange: () => () => {},
});

type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void | Promise<void>;
async function serve(handler: Handler): Promise<{ url: string; seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] }> {
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: body.toString() });
      void handler(req, body, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** A controller that is a follower and forwards every write via forwardToLeader. */
async function followerServer(self: { url?: string }, leadership: () => Leadership) {
  return serve(async (req, body, res) => {
    const out = await forwardToLeader({ method: req.method!, url: req.url!, headers: req.headers, body }, leadership(), self.url!);
    res.writeHead(out.status, out.headers).end(out.body);
  });
}

function call(url: string, method: string, body = '', headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>((resolve, reject) => {
    const req = request(url, { method, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('forwardToLeader', () => {
  it('forwards a write once to the leader with the hop header and relays the answer', async () => {
    const leader = await serve((_req, body, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-run': 'r1' }).end(JSON.stringify({ echoed: body.toString() }));
    });
    const self = 'http://127.0.0.1:1';
    const out = await forwardToLeader(
      { method: 'POST', url: '/v1/jobs/a/runs?x=1', headers: { 'content-type': 'application/json', authorization: 'Bearer t', host: 'f' }, body: Buffer.from('{"a":1}') },
      follower(leader.url),
      self,
    );
    expect(out.status).toBe(201);
    expect(out.headers['x-run']).toBe('r1');
    expect(JSON.parse(out.body.toString())).toEqual({ echoed: '{"a":1}' });
    expect(leader.seen).toHaveLength(1);
    expect(leader.seen[0]).toMatchObject({ method: 'POST', url: '/v1/jobs/a/runs?x=1', body: '{"a":1}' });
    expect(leader.seen[0].headers[FORWARDED_BY]).toBe(self);
    expect(leader.seen[0].headers.authorization).toBe('Bearer t');
  });

  it('answers 503 naming the leader for an already-forwarded request, without forwarding', async () => {
    const leader = await serve((_q, _b, res) => void res.writeHead(200).end());
    const out = await forwardToLeader(
      { method: 'PUT', url: '/v1/x', headers: { [FORWARDED_BY]: 'http://127.0.0.1:2' }, body: Buffer.alloc(0) },
      follower(leader.url),
      'http://127.0.0.1:3',
    );
    expect(out.status).toBe(503);
    expect(out.headers[LEADER_HEADER]).toBe(leader.url);
    const body = JSON.parse(out.body.toString());
    expect(body.error.code).toBe('E_UNAVAILABLE');
    expect(body.leader).toBe(leader.url);
    expect(leader.seen).toHaveLength(0);
  });

  it('answers 503 when no leader is known, or when it would forward to itself', async () => {
    const req = { method: 'DELETE', url: '/v1/jobs/a', headers: {}, body: Buffer.alloc(0) };
    const none = await forwardToLeader(req, follower(undefined), 'http://127.0.0.1:4');
    expect(none.status).toBe(503);
    expect(none.headers[LEADER_HEADER]).toBeUndefined();
    const self = await forwardToLeader(req, follower('http://127.0.0.1:4/'), 'http://127.0.0.1:4');
    expect(self.status).toBe(503);
  });

  it('answers 503 naming the leader when the leader does not answer', async () => {
    const gone = await serve((_q, _b, res) => void res.end());
    const url = gone.url;
    await new Promise((r) => servers.pop()!.close(r));
    const out = await forwardToLeader({ method: 'POST', url: '/v1/x', headers: {}, body: Buffer.from('{}') }, follower(url), 'http://127.0.0.1:5');
    expect(out.status).toBe(503);
    expect(JSON.parse(out.body.toString()).error.message).toContain(url);
  });

  it('stops a loop between two followers that each think the other leads after one hop', async () => {
    const a: { url?: string } = {};
    const b: { url?: string } = {};
    const A = await followerServer(a, () => follower(b.url));
    const B = await followerServer(b, () => follower(a.url));
    a.url = A.url;
    b.url = B.url;
    const res = await call(`${A.url}/v1/jobs/nightly/runs`, 'POST', '{}');
    expect(res.status).toBe(503);
    expect(res.headers[LEADER_HEADER]).toBe(A.url);
    expect(A.seen).toHaveLength(1);
    expect(B.seen).toHaveLength(1);
    expect(B.seen[0].headers[FORWARDED_BY]).toBe(A.url);
  });
});

describe('soloLeadership', () => {
  it('always leads at epoch 1 and names itself', () => {
    const l = soloLeadership('http://127.0.0.1:8080');
    expect([l.isLeader(), l.epoch(), l.leaderUrl()]).toEqual([true, 1, 'http://127.0.0.1:8080']);
    l.onChange(() => expect.fail('solo leadership never changes'))();
  });
});
