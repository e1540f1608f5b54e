import { describe, expect, it } from 'vitest';
import { choose, moveTarget, type ClusterState, type Fit, type PlacementInput } from '../../../src/clusters/placement.js';
import { parseClusters } from '../../../src/clusters/config.js';
import { compileServeConfig } from '../../../src/config.js';
import { FakeClock } from '../../support/fake-clock.js';

const up: ClusterState = { connected: true, starving: false };

function input(facts: Record<string, ClusterState>, fits: Record<string, Fit>, preference?: string[]): PlacementInput {
  return { preference, configured: ['dc1', 'dc2', 'dc3'], facts: (c) => facts[c], fit: (c) => fits[c] ?? 'no-offers' };
}

describe('choose', () => {
  it('takes the first preferred cluster that is up, not starving and has a fitting offer', () => {
    const p = choose(input({ dc1: up, dc2: up, dc3: up }, { dc1: 'too-small', dc2: 'fits', dc3: 'fits' }));
    expect(p.cluster).toBe('dc2');
    expect(p.verdicts.map((v) => v.why)).toEqual(['connected; no recent offer is large enough', 'connected; a recent offer fits', 'connected; a recent offer fits']);
  });

  it('follows the job\'s order, and skips disconnected and starving clusters', () => {
    const facts = { dc1: { connected: false, starving: false }, dc2: { connected: true, starving: true }, dc3: up };
    const p = choose(input(facts, { dc1: 'fits', dc2: 'fits', dc3: 'fits' }, ['dc2', 'dc1', 'dc3']));
    expect(p.cluster).toBe('dc3');
    expect(p.verdicts.map((v) => [v.cluster, v.eligible])).toEqual([['dc2', false], ['dc1', false], ['dc3', true]]);
  });

  it('without any fitting offer yet, takes the first healthy cluster; with none healthy, waits on the first preference', () => {
    expect(choose(input({ dc1: { connected: false, starving: false }, dc2: up, dc3: up }, {})).cluster).toBe('dc2');
    const down = { connected: false, starving: false };
    expect(choose(input({ dc1: down, dc2: down, dc3: down }, {}, ['dc3', 'dc1'])).cluster).toBe('dc3');
  });

  it('never chooses a cluster the job does not list, and says when it lists none that exists', () => {
    expect(choose(input({ dc1: up, dc2: up, dc3: up }, { dc1: 'fits' }, ['dc2'])).cluster).toBe('dc2');
    const p = choose(input({ dc1: up, dc2: up, dc3: up }, {}, ['dc9']));
    expect(p.cluster).toBeUndefined();
    expect(p.verdicts[0].why).toBe('not configured (kairos serve --cluster names: dc1, dc2, dc3)');
  });
});

describe('moveTarget (fake clock)', () => {
  const clock = new FakeClock();
  const t0 = clock.now();
  const move = (facts: Record<string, ClusterState>, fits: Record<string, Fit>, preference?: string[]) =>
    moveTarget({ ...input(facts, fits, preference), current: 'dc1', queuedAt: t0, now: clock.now(), moveAfterMs: 30_000 });

  it('moves a waiting run once its cluster has been disconnected for the threshold, not before', () => {
    const facts = { dc1: { connected: false, starving: false, disconnectedSince: t0 + 1000 }, dc2: up, dc3: up };
    clock.set(t0 + 30_000);
    expect(move(facts, {})).toBeUndefined();
    clock.set(t0 + 31_000);
    expect(move(facts, {})).toEqual({ cluster: 'dc2', reason: 'dc1 disconnected for 30s' });
  });

  it('moves off a starving cluster, to the next cluster of the job only', () => {
    clock.set(t0 + 45_000);
    const facts = { dc1: { connected: true, starving: true, starvingSince: t0 }, dc2: up, dc3: up };
    expect(move(facts, {}, ['dc1', 'dc3'])).toEqual({ cluster: 'dc3', reason: 'dc1 starving for 45s' });
    expect(move(facts, {}, ['dc1'])).toBeUndefined();
  });

  it('on a healthy cluster, moves only a run that waited the threshold while another cluster has a fitting offer', () => {
    clock.set(t0 + 29_000);
    expect(move({ dc1: up, dc2: up, dc3: up }, { dc1: 'too-small', dc2: 'fits' })).toBeUndefined();
    clock.set(t0 + 30_000);
    expect(move({ dc1: up, dc2: up, dc3: up }, { dc1: 'too-small', dc2: 'fits' })).toEqual({ cluster: 'dc2', reason: 'no fitting offer from dc1 in 30s' });
    expect(move({ dc1: up, dc2: up, dc3: up }, { dc1: 'too-small', dc2: 'too-small' })).toBeUndefined();
    const offering = { ...up, lastOfferAt: t0 + 1 };
    expect(move({ dc1: offering, dc2: up, dc3: up }, { dc1: 'fits', dc2: 'fits' })).toBeUndefined();
    // Offers that fit, but none since the run came (the master stopped offering): it moves.
    expect(move({ dc1: { ...up, lastOfferAt: t0 - 1 }, dc2: up, dc3: up }, { dc1: 'fits', dc2: 'fits' })).toEqual({ cluster: 'dc2', reason: 'no fitting offer from dc1 in 30s' });
  });

  it('stays when no other cluster is healthy', () => {
    clock.set(t0 + 60_000);
    const down = { connected: false, starving: false, disconnectedSince: t0 };
    expect(move({ dc1: down, dc2: down, dc3: { connected: true, starving: true } }, {})).toBeUndefined();
  });
});

describe('--cluster', () => {
  it('parses names and masters in order', () => {
    expect(parseClusters(['dc1=embedded', 'dc2=http://m1:5050,m2:5050', 'dc3=zk://z:2181/mesos'], 2)).toEqual([
      { name: 'dc1', mesos: { kind: 'embedded', agents: 2 } },
      { name: 'dc2', mesos: { kind: 'remote', address: { kind: 'http', urls: ['http://m1:5050', 'http://m2:5050'] } } },
      { name: 'dc3', mesos: { kind: 'remote', address: { kind: 'zk', hosts: 'z:2181', path: '/mesos' } } },
    ]);
  });

  it('refuses a missing name, a bad master and a repeated name, naming the flag and the value', () => {
    expect(() => parseClusters(['embedded'], 1)).toThrow(/--cluster: expected NAME=embedded.*got "embedded"/);
    expect(() => parseClusters(['dc1=zk://nohost'], 1)).toThrow(/--cluster: .*got "dc1=zk:\/\/nohost"/);
    expect(() => parseClusters(['dc1=embedded', 'dc1=embedded'], 1)).toThrow(/dc1 is repeated/);
  });

  it('comes from the flag or KAIROS_CLUSTERS, never beside --mesos; --mesos alone stays one unnamed cluster', () => {
    expect(compileServeConfig({ cluster: ['a=embedded'], clusterMoveAfter: '5s' }, {}, '/')).toMatchObject({ clusters: [{ name: 'a' }], clusterMoveAfterMs: 5000 });
    expect(compileServeConfig({}, { KAIROS_CLUSTERS: 'a=embedded  b=http://m:5050' }, '/').clusters?.map((c) => c.name)).toEqual(['a', 'b']);
    expect(() => compileServeConfig({ cluster: ['a=embedded'], mesos: 'embedded' }, {}, '/')).toThrow(/either --cluster \(several clusters\) or --mesos \(one\), not both/);
    expect(compileServeConfig({ mesos: 'http://m:5050' }, {}, '/').clusters).toBeUndefined();
    expect(compileServeConfig({ cluster: ['a=embedded', 'b=http://m:5050'], agentResources: 'cpus:2;mem:2048' }, {}, '/').clusters?.map((c) => c.mesos)).toMatchObject([{ kind: 'embedded', agentResources: expect.stringContaining('cpus:2') }, { kind: 'remote' }]);
    expect(() => compileServeConfig({ cluster: ['b=http://m:5050'], agentResources: 'cpus:2;mem:2048' }, {}, '/')).toThrow(/--agent-resources: expected an embedded --cluster/);
  });
});
