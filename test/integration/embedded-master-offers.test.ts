import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedMaster, type EmbeddedMaster } from '../../src/mesos/embedded/index.js';
import type { Offer, TaskInfo } from '../../src/mesos/types.js';
import { FakeClock } from '../support/fake-clock.js';
import { frameworkInfo, Subscription } from './embedded-master-client.js';

// Offers, filters and faults with simulated agents on a FakeClock: time moves only when
// the test says so, so "no offer yet" is checked exactly. A RECONCILE of an unknown task
// is a barrier: its answer follows, on the same stream, everything sent before it.
let em: EmbeddedMaster;
let clock: FakeClock;
let subs: Subscription[] = [];

async function setup(agents = 1, fw = frameworkInfo()): Promise<Subscription> {
  clock = new FakeClock();
  em = await startEmbeddedMaster({
    clock,
    localAgents: 0,
    simulatedAgents: agents,
    simulatedResources: 'cpus:2;mem:1024;ports:[31000-31004]',
    simulatedTaskDurationMs: 60_000,
    faultHooks: true,
  });
  return subscribe(fw);
}

async function subscribe(fw = frameworkInfo()): Promise<Subscription> {
  const s = await Subscription.open(em.url, fw);
  subs.push(s);
  await s.take((e) => e.type === 'SUBSCRIBED');
  return s;
}

afterEach(async () => {
  for (const s of subs) s.close();
  subs = [];
  await em.stop();
});

let barrierSeq = 0;
/** Resolves once everything the master sent before now has arrived. */
async function barrier(s: Subscription): Promise<void> {
  const id = `barrier-${barrierSeq++}`;
  await s.call(em.url, { type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: id } }] } });
  await s.update(id);
}

const offers = async (s: Subscription) => (await s.take((e) => e.type === 'OFFERS', 'offers')).offers!.offers!;
const noMoreOffers = async (s: Subscription) => {
  await barrier(s);
  await expect(s.take((e) => e.type === 'OFFERS', 'offers', 0)).rejects.toThrow(/timed out/);
};
const decline = (s: Subscription, o: Offer[], refuse?: number) =>
  s.call(em.url, { type: 'DECLINE', decline: { offer_ids: o.map((x) => x.id), ...(refuse === undefined ? {} : { filters: { refuse_seconds: refuse } }) } });

/** ACCEPTs `offers` launching `tasks`; `refuse` seconds filter what is left (default 5). */
const accept = (s: Subscription, offers: { id: Offer['id'] }[], tasks: TaskInfo[], refuse?: number) =>
  s.call(em.url, {
    type: 'ACCEPT',
    accept: {
      offer_ids: offers.map((o) => o.id),
      operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }],
      ...(refuse === undefined ? {} : { filters: { refuse_seconds: refuse } }),
    },
  });

const simTask = (id: string, o: Offer, cpus = 1): TaskInfo => ({
  name: id,
  task_id: { value: id },
  agent_id: o.agent_id,
  resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: cpus } }],
  command: { value: 'true' },
});

describe('embedded master offers', () => {
  it('offers each agent once, with its attributes and the role in allocation_info', async () => {
    const s = await setup(3);
    const got = [];
    while (got.length < 3) got.push(...(await offers(s)));
    expect(new Set(got.map((o) => o.agent_id.value)).size).toBe(3);
    for (const o of got) {
      expect(o.allocation_info).toEqual({ role: 'batch' });
      expect(o.framework_id.value).toBe(s.frameworkId);
      expect(o.attributes![0]).toMatchObject({ name: 'rack', type: 'TEXT' });
      expect(o.resources!.map((r) => r.name).sort()).toEqual(['cpus', 'mem', 'ports']);
    }
    await noMoreOffers(s);
  });

  it('keeps a declined agent filtered for refuse_seconds (default 5 s), then offers it again', async () => {
    const s = await setup();
    await decline(s, await offers(s));
    clock.advance(4_000);
    await noMoreOffers(s);
    clock.advance(1_100);
    await offers(s);
    await decline(s, [], 0);
  });

  it('REVIVE clears filters; SUPPRESS stops offers until REVIVE', async () => {
    const s = await setup();
    await decline(s, await offers(s), 3600);
    await noMoreOffers(s);
    expect((await s.call(em.url, { type: 'REVIVE', revive: { roles: ['batch'] } })).status).toBe(202);
    const o = await offers(s);
    expect((await s.call(em.url, { type: 'SUPPRESS' })).status).toBe(202);
    await decline(s, o, 0);
    clock.advance(10_000);
    await noMoreOffers(s);
    // A role the framework does not have makes the whole call a no-op.
    await s.call(em.url, { type: 'REVIVE', revive: { roles: ['batch', 'other'] } });
    await noMoreOffers(s);
    await s.call(em.url, { type: 'REVIVE' });
    await offers(s);
  });

  it('declines what ACCEPT leaves unused with its filter; freed resources beyond the filter are offered', async () => {
    const s = await setup();
    const [o] = await offers(s);
    await accept(s, [o], [simTask('t1', o)], 3600);
    await noMoreOffers(s); // the unused cpu is filtered
    const starting = await s.update('t1', 'TASK_STARTING');
    await s.call(em.url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: o.agent_id, task_id: { value: 't1' }, uuid: starting.uuid! } });
    const running = await s.update('t1', 'TASK_RUNNING');
    await s.call(em.url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: o.agent_id, task_id: { value: 't1' }, uuid: running.uuid! } });
    clock.advance(60_000); // the task finishes: 2 cpus free now, not a subset of the refused 1
    const [again] = await offers(s);
    expect(again.resources!.find((r) => r.name === 'cpus')!.scalar!.value).toBe(2);
  });

  it('rejects ACCEPT of offers that are not one agent, and rescinds on request', async () => {
    const s = await setup(2);
    const all = [...(await offers(s))];
    while (all.length < 2) all.push(...(await offers(s)));
    await accept(s, all, [simTask('x', all[0])]);
    const dropped = await s.update('x');
    expect(dropped).toMatchObject({ state: 'TASK_DROPPED', reason: 'REASON_INVALID_OFFERS', message: expect.stringContaining('one single agent') });
    const back = [...(await offers(s))];
    while (back.length < 2) back.push(...(await offers(s)));
    em.faults.rescindOffers();
    const rescinded = [await s.take((e) => e.type === 'RESCIND'), await s.take((e) => e.type === 'RESCIND')].map((e) => e.rescind!.offer_id.value);
    expect(rescinded.sort()).toEqual(back.map((o) => o.id.value).sort());
  });

  it('sends TASK_LOST for invalid offers to frameworks that are not partition-aware', async () => {
    const s = await setup(1, frameworkInfo({ capabilities: [{ type: 'MULTI_ROLE' }] }));
    await accept(s, [{ id: { value: 'gone' } }], [simTask('y', { agent_id: { value: 'a' } } as Offer)]);
    expect((await s.update('y')).state).toBe('TASK_LOST');
  });

  it('stops and resumes offering on request', async () => {
    const s = await setup();
    em.faults.stopOffering();
    await decline(s, await offers(s), 0);
    clock.advance(5_000);
    await noMoreOffers(s);
    em.faults.resumeOffering();
    await offers(s);
  });
});

describe('embedded master status updates and agent faults', () => {
  async function running(s: Subscription, id: string) {
    const [o] = await offers(s);
    await accept(s, [o], [simTask(id, o)]);
    for (const st of ['TASK_STARTING', 'TASK_RUNNING']) {
      const u = await s.update(id, st);
      await s.call(em.url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: o.agent_id, task_id: { value: id }, uuid: u.uuid! } });
    }
    return o.agent_id.value;
  }

  it('resends an unacknowledged update after 10 s, then 20 s, and sends the next only after the ack', async () => {
    const s = await setup();
    const [o] = await offers(s);
    await accept(s, [o], [simTask('r', o)], 3600);
    const first = await s.update('r');
    const updatesOfR = () => s.events.filter((e) => e.type === 'UPDATE' && e.update!.status.task_id.value === 'r').length;
    clock.advance(9_000);
    await barrier(s);
    expect(updatesOfR()).toBe(1);
    clock.advance(1_000);
    expect(await s.update('r')).toEqual(first);
    clock.advance(19_000);
    await barrier(s);
    expect(updatesOfR()).toBe(2);
    clock.advance(1_000);
    expect(await s.update('r')).toEqual(first);
    await s.call(em.url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: o.agent_id, task_id: { value: 'r' }, uuid: first.uuid! } });
    const next = await s.update('r');
    expect(next.state).toBe('TASK_RUNNING');
    expect(next.uuid).not.toBe(first.uuid);
  });

  it('partition-aware: agent partitioned → TASK_UNREACHABLE; healed → RUNNING again', async () => {
    const s = await setup();
    const agentId = await running(s, 'p');
    em.faults.partitionAgent(agentId);
    const u = await s.update('p');
    expect(u).toMatchObject({ state: 'TASK_UNREACHABLE', reason: 'REASON_AGENT_REMOVED', source: 'SOURCE_MASTER' });
    expect(u.unreachable_time!.nanoseconds).toBe(clock.now() * 1e6);
    await s.call(em.url, { type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'p' }, agent_id: { value: agentId } }] } });
    expect((await s.update('p')).state).toBe('TASK_UNREACHABLE');
    em.faults.healAgent(agentId);
    await s.call(em.url, { type: 'RECONCILE', reconcile: {} });
    expect((await s.update('p')).state).toBe('TASK_RUNNING');
    em.faults.removeAgent(agentId);
    expect((await s.update('p')).state).toBe('TASK_GONE_BY_OPERATOR');
  });

  it('not partition-aware: TASK_LOST on partition', async () => {
    const s = await setup(1, frameworkInfo({ capabilities: [{ type: 'MULTI_ROLE' }] }));
    const agentId = await running(s, 'q');
    em.faults.partitionAgent(agentId);
    expect((await s.update('q')).state).toBe('TASK_LOST');
  });

  it('duplicates updates on request', async () => {
    const s = await setup();
    em.faults.duplicateUpdates(true);
    await s.call(em.url, { type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'dup' } }] } });
    expect(await s.update('dup')).toEqual(await s.update('dup'));
  });

  it('master failover: streams cut, offers forgotten, the framework resubscribes with its id', async () => {
    const s = await setup();
    const [old] = await offers(s);
    const oldMaster = em.master.masterId;
    em.faults.failover('new-master');
    await s.closed();
    const again = await subscribe(frameworkInfo({ id: { value: s.frameworkId } }));
    expect(again.events[0].subscribed!.master_info!.id).toBe('new-master');
    expect(again.frameworkId).toBe(s.frameworkId);
    const [fresh] = await offers(again);
    expect(fresh.id.value).toMatch(/^new-master-O/);
    expect(oldMaster).not.toBe('new-master');
    await accept(again, [old], [simTask('late', old)]);
    expect((await again.update('late')).state).toBe('TASK_DROPPED');
  });

  it('master failover with slow agents: no offers and no reconciliation answers until they re-register', async () => {
    const s = await setup();
    const agentId = await running(s, 'w');
    em.faults.failover('m2', 10_000);
    await s.closed();
    const again = await subscribe(frameworkInfo({ id: { value: s.frameworkId } }));
    await again.call(em.url, { type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'w' }, agent_id: { value: agentId } }, { task_id: { value: 'w2' } }] } });
    await again.call(em.url, { type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'probe' }, agent_id: { value: 'no-such-agent' } }] } });
    expect((await again.update('probe')).state).toBe('TASK_UNKNOWN'); // an agent this master never knew
    expect(again.events.filter((e) => e.type === 'UPDATE' || e.type === 'OFFERS')).toHaveLength(1);
    clock.advance(10_000);
    await offers(again);
    await again.call(em.url, { type: 'RECONCILE', reconcile: {} });
    expect((await again.update('w')).state).toBe('TASK_RUNNING');
  });

  it('delays updates on request; faults are reachable over HTTP too', async () => {
    const s = await setup();
    const [o] = await offers(s);
    expect((await fetch(`${em.url}/__faults/delay-updates?ms=5000`, { method: 'POST' })).status).toBe(204);
    expect((await fetch(`${em.url}/__faults/no-such-fault`, { method: 'POST' })).status).toBe(404);
    await s.call(em.url, { type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'late' } }] } });
    expect((await fetch(`${em.url}/__faults/rescind-offers`, { method: 'POST' })).status).toBe(204);
    expect((await s.take((e) => e.type === 'RESCIND')).rescind!.offer_id).toEqual(o.id);
    expect(s.events.some((e) => e.type === 'UPDATE')).toBe(false); // written after RESCIND, if at all
    clock.advance(5_000);
    expect((await s.update('late')).state).toBe('TASK_UNKNOWN');
  });

  it('silences a stream: no heartbeats while the socket stays open', async () => {
    const s = await setup();
    em.faults.silence(s.frameworkId);
    const before = s.events.length;
    clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.events.length).toBe(before);
    expect(s.ended).toBe(false);
  });
});
