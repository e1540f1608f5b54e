/**
 * What people see of several clusters: explain per cluster, the `kairos status` table,
 * the `cluster` metrics label, and `spec.clusters` naming a cluster that is not configured
 * (file:line:column and field). Plain data, fake clock.
 */
import { describe, expect, it } from 'vitest';
import { explain } from '../../../src/api/explain.js';
import { unknownClusters } from '../../../src/clusters/manifest-check.js';
import { renderClusters } from '../../../src/cli/status.js';
import { validateSource } from '../../../src/cli/validate.js';
import { formatProblem } from '../../../src/core/errors.js';
import { loadManifests } from '../../../src/manifests/load.js';
import { Metrics } from '../../../src/metrics/metrics.js';
import type { ClusterView } from '../../../src/ports/controller.js';
import type { NamedClusterStatus } from '../../../src/ports/mesos.js';
import { jobYaml, snapshotOf } from '../../fixtures/manifests/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { MemoryController } from '../api/memory-controller.js';

const T = Date.parse('2026-03-08T12:00:00Z');
const named = (name: string, over: Partial<NamedClusterStatus> = {}): NamedClusterStatus => ({ name, connected: true, starving: false, offersReceived: 4, offersDeclined: 1, revives: 0, suppressed: false, ...over });

function view(): ClusterView {
  return {
    connected: true,
    starving: false,
    offersReceived: 4,
    offersDeclined: 1,
    revives: 0,
    suppressed: false,
    clusters: [named('dc1', { connected: false, master: 'm1:5050' }), named('dc2', { frameworkId: 'fw-2' })],
    pending: [
      {
        taskId: 'kairos.a@1.1',
        runId: 'a@1',
        since: T - 40_000,
        reason: 'waiting for offers',
        cluster: 'dc2',
        clusters: [
          { cluster: 'dc1', eligible: false, why: 'not subscribed to its Mesos master' },
          { cluster: 'dc2', eligible: true, why: 'connected; no recent offer is large enough' },
        ],
      },
    ],
  };
}

describe('several clusters, as shown', () => {
  it('explain says where a waiting run is, why it is not on each other cluster, and which cluster is down', () => {
    const ctl = new MemoryController(new FakeClock(T));
    ctl.addJob('a');
    ctl.addRun({ id: 'a@1', job: 'a', state: 'pending', attempts: [{ n: 1, taskId: 'kairos.a@1.1', intentAt: T, notBefore: T - 40_000 }] });
    ctl.clusterStatus = view();
    const e = explain({ job: ctl.job('a')!, parents: {}, cluster: ctl.cluster(), sync: ctl.sync(), leader: { isLeader: true }, now: T });
    expect(e.reasons.filter((r) => r.code !== 'manual-only')).toEqual([
      { code: 'no-offer-fits', message: 'run a@1 waits on cluster dc2 for 40s (waiting for offers); dc1: not subscribed to its Mesos master; dc2: connected; no recent offer is large enough' },
      { code: 'disconnected', message: 'cluster dc1: not subscribed to its Mesos master m1:5050; runs go to dc2 meanwhile' },
    ]);
  });

  it('explain names the cluster a running run is on', () => {
    const ctl = new MemoryController(new FakeClock(T));
    ctl.addJob('a');
    ctl.addRun({ id: 'a@1', job: 'a', state: 'running', attempts: [{ n: 1, taskId: 't', intentAt: T, notBefore: T, startedAt: T - 5000, hostname: 'h1', cluster: 'dc2' }] });
    const e = explain({ job: ctl.job('a')!, parents: {}, cluster: ctl.cluster(), sync: ctl.sync(), leader: { isLeader: true }, now: T });
    expect(e.summary).toBe('run a@1 is running on h1 (cluster dc2) for 5s');
  });

  it('kairos status shows one row per cluster', () => {
    expect(renderClusters(view())).toBe(
      ['CLUSTER  STATE         MASTER   OFFERS          PENDING  FRAMEWORK', 'dc1      disconnected  m1:5050  4 (declined 1)  0        -', 'dc2      connected     -        4 (declined 1)  1        fw-2', ''].join('\n'),
    );
    expect(renderClusters({ ...view(), clusters: undefined })).toBe('');
  });

  it('metrics carry a cluster label, counters as increments', async () => {
    const m = new Metrics(new FakeClock(T));
    m.observeCluster(view());
    m.observeCluster({ ...view(), clusters: [named('dc1', { connected: false, offersReceived: 6 }), named('dc2')] });
    const text = await m.render();
    expect(text).toContain('kairos_cluster_connected{cluster="dc1"} 0');
    expect(text).toContain('kairos_cluster_connected{cluster="dc2"} 1');
    expect(text).toContain('kairos_cluster_pending_tasks{cluster="dc2"} 1');
    expect(text).toContain('kairos_cluster_offers_received_total{cluster="dc1"} 6');
    m.observeCluster({ ...view(), clusters: [named('dc2')] });
    expect(await m.render()).not.toContain('cluster="dc1"');
  });

  it('a spec.clusters name no --cluster gives is a problem at its file, line and column', () => {
    const snap = snapshotOf({ 'a.yaml': jobYaml('a', 'command: { shell: "true" }\nclusters:\n  - dc1\n  - dc7'), 'b.yaml': jobYaml('b', 'command: { shell: "true" }\nclusters: [dc2, dc1]') });
    const { desired, problems } = loadManifests(snap);
    expect(problems).toEqual([]);
    expect(unknownClusters(desired!, snap.files, ['dc1', 'dc2', 'dc7']).map(formatProblem)).toEqual([]);
    expect(unknownClusters(desired!, snap.files, ['dc1']).map(formatProblem)).toEqual([
      'a.yaml:9:7: spec.clusters[1]: unknown cluster "dc7" (kairos serve --cluster names: dc1)',
      'b.yaml:7:14: spec.clusters[0]: unknown cluster "dc2" (kairos serve --cluster names: dc1)',
    ]);
  });

  it('the schema refuses an empty or repeated list, naming file:line and field', () => {
    const { problems } = loadManifests(snapshotOf({ 'a.yaml': jobYaml('a', 'command: { shell: "true" }\nclusters: [dc1, dc1]'), 'b.yaml': jobYaml('b', 'command: { shell: "true" }\nclusters: []') }));
    expect(problems.map((p) => `${p.file}:${p.line} ${p.path}`)).toEqual(['a.yaml:7 spec.clusters', 'b.yaml:7 spec.clusters']);
  });

  it('kairos validate --cluster reports the same problem; without --cluster it is not checked', async () => {
    const snap = snapshotOf({ 'a.yaml': jobYaml('a', 'command: { shell: "true" }\nclusters: [dc1, dc9]') });
    const source = { description: 'test', snapshot: async () => snap };
    await expect(validateSource(source, ['dc1'])).rejects.toThrow('a.yaml:7:19: spec.clusters[1]: unknown cluster "dc9" (kairos serve --cluster names: dc1)');
    expect((await validateSource(source)).resources).toHaveLength(1);
  });
});
