/**
 * The embedded master does not trust everyone on the machine: offers a framework sits on
 * are rescinded after --offer_timeout (so a silent local SUBSCRIBE cannot starve Kairos),
 * declines are counted, bodies over the limit get 413 before they are read (also with
 * Expect: 100-continue), the /__faults hooks exist only when asked for, and with
 * credentials only a framework that knows the secret may subscribe or call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedMaster, type EmbeddedMaster, type EmbeddedMasterOptions } from '../../src/mesos/embedded/index.js';
import { compileServeConfig } from '../../src/config.js';
import { silentLogger } from '../../src/ports/logger.js';
import { startController } from '../../src/wiring.js';
import { headersOnly } from '../support/expect-continue.js';
import { FakeClock } from '../support/fake-clock.js';
import { frameworkInfo, rawPost, Subscription } from './embedded-master-client.js';

let em: EmbeddedMaster | undefined;
let subs: Subscription[] = [];
afterEach(async () => {
  for (const s of subs) s.close();
  subs = [];
  await em?.stop();
  em = undefined;
});

async function start(o: EmbeddedMasterOptions = {}): Promise<EmbeddedMaster> {
  em = await startEmbeddedMaster({ localAgents: 0, simulatedAgents: 1, simulatedResources: 'cpus:2;mem:1024', ...o });
  return em;
}

async function subscribe(url: string, headers: Record<string, string> = {}, name = 'test'): Promise<Subscription> {
  const s = await Subscription.open(url, frameworkInfo({ name }), 'application/json', headers);
  subs.push(s);
  return s;
}

describe('offer timeout', () => {
  it('rescinds offers a framework never answers, so another framework gets the resources', async () => {
    const clock = new FakeClock();
    const m = await start({ clock, offerTimeoutMs: 5000 });
    const rogue = await subscribe(m.url, {}, 'rogue');
    await rogue.take((e) => e.type === 'SUBSCRIBED');
    const first = (await rogue.take((e) => e.type === 'OFFERS', 'offers')).offers!.offers!;
    const kairos = await subscribe(m.url, {}, 'kairos');
    await kairos.take((e) => e.type === 'SUBSCRIBED');
    await clock.advanceAsync(5000);
    const rescinded = await rogue.take((e) => e.type === 'RESCIND', 'rescind');
    expect(rescinded.rescind!.offer_id).toEqual(first[0].id);
    await clock.advanceAsync(1000);
    const got = await kairos.take((e) => e.type === 'OFFERS', 'offers for the second framework');
    expect(got.offers!.offers![0].resources).toEqual(first[0].resources);
    const metrics = (await (await fetch(`${m.url}/metrics/snapshot`)).json()) as Record<string, number>;
    expect(metrics['master/offers_rescinded_timeout']).toBe(1);
  });

  it('counts declines', async () => {
    const m = await start({ clock: new FakeClock() });
    const s = await subscribe(m.url);
    await s.take((e) => e.type === 'SUBSCRIBED');
    const offers = (await s.take((e) => e.type === 'OFFERS', 'offers')).offers!.offers!;
    expect((await s.call(m.url, { type: 'DECLINE', decline: { offer_ids: offers.map((o) => o.id) } })).status).toBe(202);
    const metrics = (await (await fetch(`${m.url}/metrics/snapshot`)).json()) as Record<string, number>;
    expect(metrics['master/messages_decline_offers']).toBe(1);
    expect(metrics['master/offers_declined']).toBe(offers.length);
  });
});

describe('request bodies', () => {
  it('answer 413 from Content-Length before reading, also with Expect: 100-continue', async () => {
    const m = await start({ maxBodyBytes: 1024 * 1024 });
    const big = String(100 * 1024 * 1024);
    expect(await headersOnly(`${m.url}/api/v1/scheduler`, { 'content-type': 'application/json', 'content-length': big })).toBe(413);
    expect(await headersOnly(`${m.url}/api/v1/scheduler`, { 'content-type': 'application/json', 'content-length': big, expect: '100-continue' })).toBe(413);
    expect(await headersOnly(`${m.url}/api/v1/scheduler`, { 'content-type': 'application/json', 'content-length': '10', expect: '100-continue' })).toBe('continue');
  });

  it('answer 413 (not a reset) to a chunked body that grows past the limit', async () => {
    const m = await start({ maxBodyBytes: 64 * 1024 });
    const res = await rawPost(m.url, 'x'.repeat(200 * 1024), { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    expect(res.status).toBe(413);
  });
});

describe('fault hooks', () => {
  it('are not reachable unless enabled', async () => {
    const m = await start();
    expect((await fetch(`${m.url}/__faults/stop-offering`, { method: 'POST' })).status).toBe(404);
    expect(m.master.offeringStopped).toBe(false);
    await m.stop();
    const t = await start({ faultHooks: true });
    expect((await fetch(`${t.url}/__faults/stop-offering`, { method: 'POST' })).status).toBe(204);
    expect(t.master.offeringStopped).toBe(true);
  });
});

describe('framework authentication', () => {
  it('with credentials, refuses frameworks without the secret (401) and accepts the right one', async () => {
    const m = await start({ credentials: [{ principal: 'kairos', secret: 'sekrit-123' }] });
    const basic = (p: string, s: string) => ({ Authorization: `Basic ${Buffer.from(`${p}:${s}`).toString('base64')}` });
    const sub = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo() } });
    const refused = await rawPost(m.url, sub, { 'content-type': 'application/json', accept: 'application/json' });
    expect([refused.status, refused.headers['www-authenticate']]).toEqual([401, 'Basic realm="mesos"']);
    expect((await rawPost(m.url, sub, { 'content-type': 'application/json', ...basic('kairos', 'wrong') })).status).toBe(401);
    expect(m.master.frameworks.size).toBe(0);
    const ok = await subscribe(m.url, basic('kairos', 'sekrit-123'));
    expect(ok.status).toBe(200);
    await ok.take((e) => e.type === 'SUBSCRIBED');
    const noAuth = await rawPost(m.url, JSON.stringify({ type: 'DECLINE', framework_id: { value: ok.frameworkId }, decline: { offer_ids: [] } }), { 'content-type': 'application/json', 'mesos-stream-id': ok.streamId });
    expect(noAuth.status).toBe(401);
  });
});

describe('kairos serve with the embedded master', () => {
  it('lets only its own framework subscribe', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kairos-guard-'));
    const ctl = await startController(compileServeConfig({ source: dir, store: 'memory', listen: '127.0.0.1:0', agents: '1', poll: '0' }), { logger: silentLogger });
    try {
      const sub = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo({ name: 'intruder' }) } });
      expect((await rawPost(ctl.mesosUrl!, sub, { 'content-type': 'application/json', accept: 'application/json' })).status).toBe(401);
      const names = () => [...ctl.embedded!.master.frameworks.values()].map((f) => f.info.name);
      for (let i = 0; i < 100 && names().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(names()).toEqual(['kairos']);
    } finally {
      await ctl.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
