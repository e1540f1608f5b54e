import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCall } from '../../src/mesos/codec.js';
import { startEmbeddedMaster, type EmbeddedMaster } from '../../src/mesos/embedded/index.js';
import { call, frameworkInfo, rawPost, Subscription } from './embedded-master-client.js';

let em: EmbeddedMaster;
const subs: Subscription[] = [];
const open = async (...args: Parameters<typeof Subscription.open>) => {
  const s = await Subscription.open(...args);
  subs.push(s);
  return s;
};

beforeAll(async () => {
  em = await startEmbeddedMaster({ heartbeatIntervalMs: 200, localAgents: 0, simulatedAgents: 1 });
});
afterAll(async () => {
  for (const s of subs) s.close();
  await em.stop();
});

const json = { 'Content-Type': 'application/json' };

describe('embedded master /api/v1/scheduler status codes', () => {
  it('405 for non-POST, 400 without Content-Type, 415 for any other media type', async () => {
    expect((await rawPost(em.url, '', {}, 'GET')).status).toBe(405);
    expect((await rawPost(em.url, '{}', {})).status).toBe(400);
    const r = await rawPost(em.url, '{}', { 'Content-Type': 'application/json; charset=utf-8' });
    expect(r.status).toBe(415);
    expect((await rawPost(em.url, '{}', { 'Content-Type': 'text/plain' })).status).toBe(415);
  });

  it('400 for bodies that do not parse or validate', async () => {
    expect((await rawPost(em.url, '{"type":', json)).status).toBe(400);
    expect((await rawPost(em.url, Uint8Array.from([0xff, 0xff]), { 'Content-Type': 'application/x-protobuf' })).status).toBe(400);
    const noType = await rawPost(em.url, '{}', json);
    expect(noType).toMatchObject({ status: 400, body: expect.stringContaining("Expecting 'type' to be present") });
    const mismatch = await call(em.url, { type: 'SUBSCRIBE', framework_id: { value: 'x' }, subscribe: { framework_info: frameworkInfo() } });
    expect(mismatch).toMatchObject({ status: 400, body: expect.stringContaining("'framework_id' differs") });
    const noFw = await call(em.url, { type: 'REVIVE' });
    expect(noFw).toMatchObject({ status: 400, body: expect.stringContaining("Expecting 'framework_id'") });
    const badUuid = await call(em.url, { type: 'ACKNOWLEDGE', framework_id: { value: 'f' }, acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: 'AAAA' } });
    expect(badUuid.status).toBe(400);
  });

  it('406 when Accept allows neither encoding; 400 when SUBSCRIBE carries a stream id', async () => {
    const body = encodeCall({ type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo() } }, 'application/json');
    expect((await rawPost(em.url, body, { ...json, Accept: 'text/html' })).status).toBe(406);
    expect((await rawPost(em.url, body, { ...json, Accept: 'application/json;q=0, text/html' })).status).toBe(406);
    expect((await rawPost(em.url, body, { ...json, 'Mesos-Stream-Id': 'abc' })).status).toBe(400);
  });

  it('400 for an unknown framework, 400 for a missing or stale stream id, 202 empty, 501 for UNKNOWN', async () => {
    expect(await call(em.url, { type: 'REVIVE', framework_id: { value: 'nope' } }, 'x')).toMatchObject({ status: 400, body: 'Framework cannot be found' });
    const s = await open(em.url, frameworkInfo());
    await s.take((e) => e.type === 'SUBSCRIBED');
    expect((await call(em.url, { type: 'REVIVE', framework_id: { value: s.frameworkId } })).status).toBe(400);
    expect((await call(em.url, { type: 'REVIVE', framework_id: { value: s.frameworkId } }, 'stale')).status).toBe(400);
    const ok = await s.call(em.url, { type: 'SUPPRESS' });
    expect(ok).toMatchObject({ status: 202, body: '' });
    expect((await s.call(em.url, { type: 'UNKNOWN' })).status).toBe(501);
    s.close();
  });

  it('307 with a protocol-relative Location when standby, 503 without a leader', async () => {
    em.setLeadership({ kind: 'standby', leader: 'other.example:5050' });
    const r = await rawPost(em.url, '{}', json);
    expect(r.status).toBe(307);
    // libprocess serves the master's routes under /master; the redirect names that path.
    expect(r.headers.location).toBe('//other.example:5050/master/api/v1/scheduler');
    const tasks = await fetch(`${em.url}/master/tasks?framework_id=x`, { redirect: 'manual' });
    expect([tasks.status, tasks.headers.get('location')]).toEqual([307, '//other.example:5050/master/tasks?framework_id=x']);
    em.setLeadership({ kind: 'none' });
    expect((await rawPost(em.url, '{}', json)).status).toBe(503);
    expect((await fetch(`${em.url}/master/state`)).status).toBe(503);
    em.setLeadership({ kind: 'leader' });
  });

  it('serves the scheduler API at /master/api/v1/scheduler too, as libprocess does', async () => {
    expect((await rawPost(`${em.url}/master`, '{}', json)).status).toBe(400);
    expect((await rawPost(`${em.url}/nope`, '{}', json)).status).toBe(404);
  });
});

describe('embedded master SUBSCRIBE', () => {
  for (const enc of ['application/json', 'application/x-protobuf'] as const) {
    it(`streams RecordIO ${enc}: SUBSCRIBED, a HEARTBEAT at once, then every interval`, async () => {
      const s = await open(em.url, frameworkInfo(), enc);
      expect(s.status).toBe(200);
      expect(s.headers['content-type']).toBe(enc);
      expect(s.headers['transfer-encoding']).toBe('chunked');
      expect(s.streamId).toMatch(/^[0-9a-f-]{36}$/);
      const first = await s.take(() => true);
      expect(first.type).toBe('SUBSCRIBED');
      expect(first.subscribed!.framework_id.value).toMatch(new RegExp(`^${em.master.masterId}-\\d{4}$`));
      expect(first.subscribed!.heartbeat_interval_seconds).toBe(0.2);
      expect(first.subscribed!.master_info).toMatchObject({ id: em.master.masterId, address: { ip: '127.0.0.1' } });
      await s.take((e) => e.type === 'HEARTBEAT');
      await s.take((e) => e.type === 'HEARTBEAT');
      await s.take((e) => e.type === 'HEARTBEAT');
      s.close();
    });
  }

  it('picks JSON when Accept is missing or allows both, protobuf when only it is allowed', async () => {
    for (const [accept, expected] of [
      ['', 'application/json'],
      ['*/*', 'application/json'],
      ['application/*;q=0.5', 'application/json'],
      ['application/json;q=0, application/x-protobuf', 'application/x-protobuf'],
    ]) {
      const s = await open(em.url, frameworkInfo(), 'application/x-protobuf', { Accept: accept });
      expect(s.headers['content-type']).toBe(expected);
      expect((await s.take(() => true)).type).toBe('SUBSCRIBED');
      s.close();
    }
  });

  it('answers an invalid FrameworkInfo with 200, one ERROR event, and closes', async () => {
    const s = await open(em.url, frameworkInfo({ role: 'r', roles: ['batch'] }));
    expect(s.status).toBe(200);
    const e = await s.take(() => true);
    expect(e).toEqual({ type: 'ERROR', error: { message: "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable" } });
    await s.closed();
  });

  it('fails the old stream over on a second SUBSCRIBE; the old stream id is then refused', async () => {
    const a = await open(em.url, frameworkInfo());
    await a.take((e) => e.type === 'SUBSCRIBED');
    const id = a.frameworkId;
    const b = await open(em.url, frameworkInfo({ id: { value: id } }));
    expect((await b.take(() => true)).subscribed!.framework_id.value).toBe(id);
    expect(b.streamId).not.toBe(a.streamId);
    await a.take((e) => e.type === 'ERROR' && e.error!.message === 'Framework failed over');
    await a.closed();
    expect((await a.call(em.url, { type: 'REVIVE' })).status).toBe(400);
    expect((await b.call(em.url, { type: 'REVIVE' })).status).toBe(202);
    b.close();
  });

  it('deactivates a framework whose stream dropped (403), and removes one without failover timeout', async () => {
    const a = await open(em.url, frameworkInfo({ failover_timeout: 3600 }));
    await a.take((e) => e.type === 'SUBSCRIBED');
    em.faults.dropStream(a.frameworkId);
    await a.closed();
    expect((await a.call(em.url, { type: 'REVIVE' })).status).toBe(403);
    const b = await open(em.url, frameworkInfo({ failover_timeout: 0 }));
    await b.take((e) => e.type === 'SUBSCRIBED');
    b.close();
    await b.closed();
    for (let i = 0; i < 100 && em.master.frameworks.has(b.frameworkId); i++) await new Promise((r) => setTimeout(r, 20));
    expect((await b.call(em.url, { type: 'REVIVE' })).body).toBe('Framework cannot be found');
    const again = await open(em.url, frameworkInfo({ id: { value: b.frameworkId } }));
    expect(await again.take(() => true)).toEqual({ type: 'ERROR', error: { message: 'Framework has been removed' } });
  });

  it('serves a /master/state subset', async () => {
    const res = await fetch(`${em.url}/master/state`);
    const state = (await res.json()) as { id: string; slaves: { id: string; active: boolean }[]; frameworks: unknown[] };
    expect(state.id).toBe(em.master.masterId);
    expect(state.slaves).toHaveLength(1);
    expect(state.slaves[0]).toMatchObject({ id: em.agents[0].id, active: true, pid: `slave(1)@127.0.0.1:${new URL(em.url).port}`, port: Number(new URL(em.url).port) });
    expect(state.frameworks.length).toBeGreaterThan(0);
  });
});
