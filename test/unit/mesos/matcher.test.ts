import { describe, expect, it } from 'vitest';
import type { Constraint } from '../../../src/core/types.js';
import { matchOffers, type Demand, type MatchOffer } from '../../../src/mesos/matcher.js';
import { needOf, type Pool } from '../../../src/mesos/resources.js';

function offer(id: string, r: { cpus?: number; mem?: number; disk?: number; gpus?: number; ports?: [number, number][] }, attributes: Record<string, string> = {}, role = 'kairos'): MatchOffer {
  const pools: Pool[] = [];
  for (const name of ['cpus', 'mem', 'disk', 'gpus'] as const) {
    const v = r[name];
    if (v !== undefined) pools.push({ name, template: { name, type: 'SCALAR', allocation_info: { role } }, milli: Math.round(v * 1000), ranges: [] });
  }
  if (r.ports) pools.push({ name: 'ports', template: { name: 'ports', type: 'RANGES' }, milli: 0, ranges: r.ports });
  return { id, agentId: `agent-${id}`, hostname: `host-${id}`, role, attributes, pools };
}

function demand(id: string, r: { cpus?: number; mem?: number; disk?: number; gpus?: number; ports?: number } = {}, more: Partial<Demand<string>> & { constraints?: Constraint[] } = {}): Demand<string> {
  return {
    id,
    group: more.group ?? 'job',
    need: needOf({ cpus: r.cpus ?? 1, mem: r.mem ?? 128, disk: r.disk ?? 0, gpus: r.gpus ?? 0, ports: r.ports ?? 0 }),
    constraints: more.constraints ?? [],
    priority: more.priority ?? 0,
    dueAt: more.dueAt ?? 0,
    payload: id,
  };
}

const ids = (r: ReturnType<typeof matchOffers<string>>) => r.launches.map((l) => [l.offer.id, l.tasks.map((t) => t.demand.id)]);

describe('matchOffers', () => {
  it('packs several tasks into one offer and declines the rest', () => {
    const r = matchOffers([demand('a'), demand('b'), demand('c')], [offer('o1', { cpus: 2, mem: 512 }), offer('o2', { cpus: 4, mem: 4096 })]);
    expect(ids(r)).toEqual([['o1', ['a', 'b']], ['o2', ['c']]]);
    expect(r.unused).toEqual([]);
    const r2 = matchOffers([demand('a')], [offer('o1', { cpus: 2, mem: 512 }), offer('o2', { cpus: 4, mem: 4096 })]);
    expect(r2.unused.map((o) => o.id)).toEqual(['o2']);
  });

  it('takes higher priority first, then the oldest due', () => {
    const r = matchOffers(
      [demand('new', {}, { dueAt: 30 }), demand('old', {}, { dueAt: 10 }), demand('vip', {}, { dueAt: 50, priority: 5 })],
      [offer('o1', { cpus: 2, mem: 1024 })],
    );
    expect(ids(r)).toEqual([['o1', ['vip', 'old']]]);
    expect(r.unplaced).toEqual([{ demand: expect.objectContaining({ id: 'new' }), reason: 'offers taken by higher-priority or older tasks' }]);
  });

  it('does not mutate the offers it is given, and keeps 3-decimal scalars exact', () => {
    const o = offer('o1', { cpus: 0.3, mem: 300 });
    const r = matchOffers([demand('a', { cpus: 0.1, mem: 100 }), demand('b', { cpus: 0.1, mem: 100 }), demand('c', { cpus: 0.1, mem: 100 })], [o]);
    expect(ids(r)).toEqual([['o1', ['a', 'b', 'c']]]);
    expect(o.pools[0].milli).toBe(300);
    expect(r.launches[0].tasks[2].resources.find((x) => x.name === 'cpus')?.scalar).toBe(0.1);
  });

  it('allocates ports from the ranges and reserves from the offer role', () => {
    const r = matchOffers([demand('a', { ports: 3 }), demand('b', { ports: 2 })], [offer('o1', { cpus: 4, mem: 1024, ports: [[31000, 31001], [31005, 31010]] })]);
    const [ta, tb] = r.launches[0].tasks;
    expect(ta.resources.filter((x) => x.name === 'ports').map((x) => x.ranges)).toEqual([[[31000, 31001], [31005, 31005]]]);
    expect(tb.resources.find((x) => x.name === 'ports')?.ranges).toEqual([[31006, 31007]]);
    expect(ta.resources.find((x) => x.name === 'cpus')?.template).toEqual({ name: 'cpus', type: 'SCALAR', allocation_info: { role: 'kairos' } });
  });

  it('takes a split resource from several pools of one offer (reserved and unreserved)', () => {
    const o = offer('o1', { cpus: 1, mem: 1024 });
    o.pools.push({ name: 'cpus', template: { name: 'cpus', type: 'SCALAR', reservations: [{ role: 'kairos' }] }, milli: 1000, ranges: [] });
    const r = matchOffers([demand('a', { cpus: 1.5 })], [o]);
    expect(r.launches[0].tasks[0].resources.filter((x) => x.name === 'cpus').map((x) => x.scalar)).toEqual([1, 0.5]);
  });

  it('explains why a task fits nowhere', () => {
    const offers = [offer('o1', { cpus: 2, mem: 1024 }, { rack: 'r1' })];
    const reason = (d: Demand<string>, os = offers) => matchOffers([d], os).unplaced[0]?.reason;
    expect(reason(demand('a'), [])).toBe('no offers');
    expect(reason(demand('a', { gpus: 1 }))).toBe('no offer has gpus');
    expect(reason(demand('a', { cpus: 3 }))).toBe('no offer has 3 cpus (largest offer: 2)');
    expect(reason(demand('a', { ports: 1 }))).toBe('no offer has ports');
    expect(reason(demand('a', {}, { constraints: [{ attribute: 'rack', operator: 'UNLIKE', value: 'r1' }] }))).toBe('constraint rack UNLIKE r1 unsatisfied');
    const two = [offer('o1', { cpus: 4, mem: 64 }, { rack: 'r1' }), offer('o2', { cpus: 1, mem: 4096 }, { rack: 'r2' })];
    expect(reason(demand('a', { cpus: 2, mem: 1024 }), two)).toBe('no single offer meets all resources and constraints together');
  });

  it('applies EQUALS, LIKE and UNLIKE on attributes and hostname', () => {
    const offers = [offer('o1', { cpus: 8, mem: 8192 }, { rack: 'r1' }), offer('o2', { cpus: 8, mem: 8192 }, { rack: 'r2' }), offer('o3', { cpus: 8, mem: 8192 })];
    const where = (c: Constraint) => ids(matchOffers([demand('a', {}, { constraints: [c] })], offers))[0]?.[0];
    expect(where({ attribute: 'rack', operator: 'EQUALS', value: 'r2' })).toBe('o2');
    expect(where({ attribute: 'hostname', operator: 'EQUALS', value: 'host-o3' })).toBe('o3');
    expect(where({ attribute: 'rack', operator: 'LIKE', value: 'r[2-9]' })).toBe('o2');
    expect(where({ attribute: 'rack', operator: 'LIKE', value: 'r' })).toBeUndefined();
    expect(where({ attribute: 'rack', operator: 'UNLIKE', value: 'r.' })).toBe('o3');
  });

  it('applies UNIQUE and MAX_PER per job, counting running tasks', () => {
    const offers = [offer('o1', { cpus: 8, mem: 8192 }), offer('o2', { cpus: 8, mem: 8192 })];
    const unique: Constraint[] = [{ attribute: 'hostname', operator: 'UNIQUE' }];
    const r = matchOffers([demand('a', {}, { constraints: unique }), demand('b', {}, { constraints: unique }), demand('c', {}, { constraints: unique }), demand('x', {}, { group: 'other', constraints: unique })], offers);
    expect(ids(r)).toEqual([['o1', ['a', 'x']], ['o2', ['b']]]);
    expect(r.unplaced.map((u) => [u.demand.id, u.reason])).toEqual([['c', 'offers taken by higher-priority or older tasks']]);

    const running = new Map([['job', [{ hostname: 'host-o1', attributes: {} }]]]);
    const maxPer: Constraint[] = [{ attribute: 'hostname', operator: 'MAX_PER', value: '2' }];
    const r2 = matchOffers([demand('a', {}, { constraints: maxPer }), demand('b', {}, { constraints: maxPer }), demand('c', {}, { constraints: maxPer })], offers, running);
    expect(ids(r2)).toEqual([['o1', ['a']], ['o2', ['b', 'c']]]);
    const full = new Map([['job', [{ hostname: 'host-o1', attributes: {} }, { hostname: 'host-o2', attributes: {} }]]]);
    expect(matchOffers([demand('a', {}, { constraints: unique })], offers, full).unplaced[0].reason).toBe('constraint hostname UNIQUE unsatisfied');
  });

  it('spreads a job evenly with GROUP_BY', () => {
    const offers = [offer('o1', { cpus: 8, mem: 8192 }, { zone: 'a' }), offer('o2', { cpus: 8, mem: 8192 }, { zone: 'b' }), offer('o3', { cpus: 8, mem: 8192 }, { zone: 'a' })];
    const g: Constraint[] = [{ attribute: 'zone', operator: 'GROUP_BY' }];
    const r = matchOffers(['a', 'b', 'c', 'd'].map((id) => demand(id, {}, { constraints: g })), offers);
    const zoneOf = new Map(offers.map((o) => [o.id, o.attributes.zone]));
    const perZone: Record<string, number> = {};
    for (const l of r.launches) perZone[zoneOf.get(l.offer.id)!] = (perZone[zoneOf.get(l.offer.id)!] ?? 0) + l.tasks.length;
    expect(perZone).toEqual({ a: 2, b: 2 });
  });

  it('leaves every task of an unfit shape pending once the shape is exhausted', () => {
    const r = matchOffers(Array.from({ length: 5 }, (_, i) => demand(`t${i}`, { cpus: 1 })), [offer('o1', { cpus: 2, mem: 4096 })]);
    expect(r.launches[0].tasks).toHaveLength(2);
    expect(r.unplaced).toHaveLength(3);
  });
});
