/**
 * The embedded master's fast path for pipelined scheduler calls (src/mesos/embedded/
 * http-pipelined.ts), over a raw socket: answers come in request order, one per request,
 * whatever the split of the bytes; a request the fast path does not take (another
 * endpoint, Connection: close, chunked body) is answered by node:http on the same
 * connection, in order; a SUBSCRIBE on the fast path streams, and what was pipelined
 * behind it is answered once the master ends the stream. Judged by the answers and by the
 * master's side effects (its DECLINE counter).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCall } from '../../src/mesos/codec.js';
import { startEmbeddedMaster, type EmbeddedMaster } from '../../src/mesos/embedded/index.js';
import { parseResponse, type PipelinedResponse } from '../../src/mesos/pipeline.js';
import { frameworkInfo, Subscription } from './embedded-master-client.js';

let em: EmbeddedMaster;
let sub: Subscription;
let port: number;

beforeAll(async () => {
  em = await startEmbeddedMaster({ heartbeatIntervalMs: 60_000, localAgents: 0, simulatedAgents: 1 });
  port = Number(new URL(em.url).port);
  sub = await Subscription.open(em.url, frameworkInfo());
  await sub.take((e) => e.type === 'SUBSCRIBED');
});
afterAll(async () => {
  sub.close();
  await em.stop();
});

/** A raw connection that collects every answer it gets. */
function connect(): { socket: net.Socket; answers: (n: number) => Promise<PipelinedResponse[]>; closed: Promise<void> } {
  const socket = net.connect({ port, host: '127.0.0.1' });
  let buf = Buffer.alloc(0);
  const got: PipelinedResponse[] = [];
  let wake = () => {};
  socket.on('data', (c: Buffer) => {
    buf = Buffer.concat([buf, c]);
    for (;;) {
      const r = parseResponse(buf);
      if (r === 'incomplete' || r === 'invalid') break;
      got.push(r.response);
      buf = buf.subarray(r.consumed);
    }
    wake();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const answers = async (n: number) => {
    while (got.length < n) {
      if (socket.destroyed) throw new Error(`closed after ${got.length} answers`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return got.splice(0, n);
  };
  return { socket, answers, closed };
}

const post = (body: string, headers: Record<string, string> = {}) => {
  const all = { Host: 'master', 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers };
  return `POST /api/v1/scheduler HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`;
};
const decline = () => post(new TextDecoder().decode(encodeCall({ type: 'DECLINE', framework_id: { value: sub.frameworkId }, decline: { offer_ids: [] } }, 'application/json')), { 'Mesos-Stream-Id': sub.streamId });

describe('embedded master: pipelined scheduler calls', () => {
  it('answers every call of one write in order, and every call split byte by byte', async () => {
    const before = em.master.counters.declineCalls;
    const c = connect();
    c.socket.write(decline() + post('{"type":', {}) + decline() + decline().replace(sub.streamId, 'stale'));
    const [a, b, d, e] = await c.answers(4);
    expect([a.status, b.status, d.status, e.status]).toEqual([202, 400, 202, 400]);
    expect(b.body).toContain('Failed to convert JSON into Call protobuf');
    expect(e.body).toContain("The stream ID 'stale'");
    const bytes = Buffer.from(decline() + decline());
    for (const byte of bytes) c.socket.write(Buffer.of(byte));
    expect((await c.answers(2)).map((r) => r.status)).toEqual([202, 202]);
    // A body that arrives in many pieces (here 256 KiB of JSON whitespace), then one more call.
    const big = post(`${' '.repeat(256 * 1024)}${decline().split('\r\n\r\n')[1]}`, { 'Mesos-Stream-Id': sub.streamId });
    for (let i = 0; i < big.length; i += 16 * 1024) {
      c.socket.write(big.slice(i, i + 16 * 1024));
      await new Promise((resolve) => setImmediate(resolve));
    }
    c.socket.write(decline());
    expect((await c.answers(2)).map((r) => r.status)).toEqual([202, 202]);
    expect(em.master.counters.declineCalls - before).toBe(6);
    c.socket.destroy();
  });

  it('hands other requests to node:http on the same connection, answers still in order', async () => {
    const before = em.master.counters.declineCalls;
    const c = connect();
    const state = 'GET /master/state HTTP/1.1\r\nHost: master\r\n\r\n';
    const chunked = `POST /api/v1/scheduler HTTP/1.1\r\nHost: master\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nMesos-Stream-Id: ${sub.streamId}\r\n\r\n`;
    const body = decline().split('\r\n\r\n')[1];
    c.socket.write(decline() + state + decline() + `${chunked}${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`);
    const [a, s, d, ch] = await c.answers(4);
    expect([a.status, s.status, d.status, ch.status]).toEqual([202, 200, 202, 202]);
    expect(JSON.parse(s.body)).toHaveProperty('frameworks');
    c.socket.write(decline() + decline().replace('Host: master', 'Host: master\r\nConnection: close'));
    expect((await c.answers(2)).map((r) => r.status)).toEqual([202, 202]);
    await c.closed;
    expect(em.master.counters.declineCalls - before).toBe(5);
  });

  it('streams a SUBSCRIBE and answers what was pipelined behind it once the master ends the stream', async () => {
    const info = frameworkInfo({ name: 'pipelined' });
    const c = connect();
    c.socket.write(post(new TextDecoder().decode(encodeCall({ type: 'SUBSCRIBE', subscribe: { framework_info: info } }, 'application/json'))) + 'GET /master/state HTTP/1.1\r\nHost: master\r\n\r\n');
    const fw = await new Promise<string>((resolve) => {
      const poll = () => {
        const f = [...em.master.frameworks.values()].find((x) => x.info.name === 'pipelined' && x.stream);
        if (f) resolve(f.id);
        else setTimeout(poll, 10);
      };
      poll();
    });
    // A second SUBSCRIBE of that framework fails the first stream over: it ends (ERROR, last chunk).
    const again = await Subscription.open(em.url, { ...info, id: { value: fw } });
    await again.take((e) => e.type === 'SUBSCRIBED');
    const [stream, state] = await c.answers(2);
    expect(stream.status).toBe(200);
    expect(stream.body).toContain('Framework failed over');
    expect(state.status).toBe(200);
    again.close();
    c.socket.destroy();
  });
});
