import { describe, expect, it } from 'vitest';
import { CAPACITY_TTL_MS, CapacityProbe, capacityOfState } from '../../../src/mesos/capacity.js';
import { FakeClock } from '../../support/fake-clock.js';

const state = (cpus: number) => ({
  slaves: [
    { id: 'a1', active: true, resources: { cpus, mem: 4096, disk: 1000, ports: '[31000-32000]' } },
    { id: 'a2', active: true, resources: { cpus: 2.5, mem: 1024.4 } },
    { id: 'a3', active: false, resources: { cpus: 64, mem: 65536 } },
  ],
});

describe('cluster capacity', () => {
  it('sums the resources of the active agents in a /master/state answer', () => {
    expect(capacityOfState(state(4))).toEqual({ cpus: 6.5, mem: 5120, agents: 2 });
    expect(capacityOfState({})).toEqual({ cpus: 0, mem: 0, agents: 0 });
    expect(capacityOfState(null)).toEqual({ cpus: 0, mem: 0, agents: 0 });
  });

  it('asks the master at most once per TTL, shares a request in flight, and does not keep a failure', async () => {
    const clock = new FakeClock('2026-03-08T00:00:00Z');
    const asked: string[] = [];
    let fail = false;
    let cpus = 4;
    const probe = new CapacityProbe(clock, { getJson: async (url: string) => (asked.push(url), fail ? Promise.reject(new Error('down')) : state(cpus)) } as never);
    const [a, b] = await Promise.all([probe.get('http://m:5050'), probe.get('http://m:5050')]);
    expect([a.cpus, b.cpus, asked]).toEqual([6.5, 6.5, ['http://m:5050/master/state']]);
    cpus = 8;
    clock.advance(CAPACITY_TTL_MS - 1);
    expect((await probe.get('http://m:5050')).cpus).toBe(6.5);
    clock.advance(1);
    expect((await probe.get('http://m:5050')).cpus).toBe(10.5);
    fail = true;
    clock.advance(CAPACITY_TTL_MS);
    await expect(probe.get('http://m:5050')).rejects.toThrow('down');
    fail = false;
    expect((await probe.get('http://m:5050')).cpus).toBe(10.5);
    expect(asked).toHaveLength(4);
  });
});
