/**
 * Capacity in the plan: whether each created or changed resource fits the cluster's
 * largest agent and its attributes, and the demand of the change per hour against the
 * cluster's capacity, in text, markdown and JSON (golden files, valid against
 * schemas/plan.schema.json); facts read from a saved GET /v1/cluster file (bad files
 * refused naming file, line and field) or from a running controller's API.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchClusterFacts, parseClusterFacts, readClusterFactsFile } from '../../../src/cli/cluster-facts.js';
import { reconcile } from '../../../src/cli/reconcile.js';
import { loadDesired } from '../../../src/manifests/load.js';
import { appliedFromDesired } from '../../../src/plan/apply.js';
import type { CapacityInput } from '../../../src/plan/capacity.js';
import { planCapacity } from '../../../src/plan/capacity.js';
import { plan } from '../../../src/plan/plan.js';
import { renderPlan } from '../../../src/plan/render.js';
import type { ClusterFacts } from '../../../src/ports/mesos.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { expectGolden, expectValidJson } from './golden.js';
import { dagYaml, jobYaml, snapshotOf } from '../../fixtures/manifests/index.js';
import { makeApi } from '../api/harness.js';

const clock = new FakeClock('2026-06-15T09:30:00Z');

const facts: ClusterFacts = {
  at: Date.parse('2026-06-15T09:29:00Z'),
  agents: [
    { id: 'S0', hostname: 'big.example', attributes: { rack: 'r0' }, resources: { cpus: 8, mem: 32768, disk: 102400, gpus: 0, ports: 1001 } },
    { id: 'S1', hostname: 'small.example', attributes: { rack: 'r1' }, resources: { cpus: 2, mem: 4096, disk: 10240, gpus: 0, ports: 1001 } },
  ],
};
const before = {
  'jobs/report.yaml': jobYaml('nightly-report', 'schedule: { cron: "30 2 * * *", timeZone: Asia/Shanghai }\ncommand: { shell: report }\nresources: { cpus: 1, mem: 2048 }'),
  'jobs/keep.yaml': jobYaml('cleanup', 'schedule: { cron: "0 4 * * *" }\ncommand: { shell: cleanup }'),
};
const after = {
  'jobs/report.yaml': jobYaml('nightly-report', 'schedule: { cron: "0 18 * * *", timeZone: Asia/Shanghai }\ncommand: { shell: report }\nresources: { cpus: 2, mem: 2048 }'),
  'jobs/keep.yaml': before['jobs/keep.yaml'],
  'jobs/reindex.yaml': jobYaml('reindex-batch', 'schedule: { cron: "15 */6 * * *" }\ncommand: { shell: reindex }\nresources: { cpus: 64, mem: 1000000 }\ntimeoutSeconds: 5400'),
  'dags/video.yaml': dagYaml(
    'video',
    'schedule: { cron: "0 12 * * *" }\ntasks:\n  - { name: split, template: { command: { shell: split }, resources: { cpus: 1, mem: 512 } } }\n' +
      '  - { name: encode, dependsOn: [split], template: { command: { shell: encode }, resources: { cpus: 4, mem: 8192 }, constraints: [{ attribute: rack, operator: LIKE, value: "r9" }] } }',
  ),
};
const input: CapacityInput = { source: '--server http://127.0.0.1:4400', facts, historyMs: { 'nightly-report': 12 * 60_000 } };
const thePlan = () => {
  const p = plan(loadDesired(snapshotOf(after, '9f2c1e7')), appliedFromDesired(loadDesired(snapshotOf(before, '41ab0d3'))), { now: clock.now() });
  return { ...p, capacity: planCapacity(p, input) };
};

describe('capacity in the plan', () => {
  it('judges each created or changed resource against the largest agent and the attributes', () => {
    const cap = thePlan().capacity;
    expect(cap.entries.map((e) => [e.name, e.fits, e.reason, e.expectedMs, e.expectedFrom])).toEqual([
      ['nightly-report', true, undefined, 720_000, 'history'],
      ['reindex-batch', false, 'needs cpus 64 but the largest agent has 8', 5_400_000, 'timeout'],
      ['video', false, 'task encode: constraint rack LIKE r9 matches no agent (rack: r0, r1)', 60_000, 'default'],
    ]);
    expect(cap).toMatchObject({ agents: 2, total: { cpus: 10, mem: 36864 }, largest: { cpus: 8, mem: 32768 }, attributes: { rack: ['r0', 'r1'] } });
  });

  it('counts the demand of the change per hour of the next day: runs active at once × cpus and mem', () => {
    const { hours, peak } = thePlan().capacity;
    expect(hours).toHaveLength(24);
    const at = (iso: string) => hours.find((h) => h.start === Date.parse(iso))!;
    // reindex-batch at 12:15 (1.5 h long) and video at 12:00 (4 cpus, its largest task) share 12:00-13:00
    expect(at('2026-06-15T11:30:00Z')).toMatchObject({ cpus: 68, mem: 1008192 });
    // nightly-report at 18:00 Asia/Shanghai = 10:00 UTC, 12 minutes from its history
    expect(at('2026-06-15T09:30:00Z')).toMatchObject({ cpus: 2, mem: 2048 });
    expect(peak).toEqual({ cpus: 68, mem: 1008192 });
  });

  it('renders in text, markdown and JSON (valid against the schema)', async () => {
    const p = thePlan();
    await expectGolden('plan-capacity.txt', renderPlan(p, 'text'));
    await expectGolden('plan-capacity.md', renderPlan(p, 'markdown'));
    const json = renderPlan(p, 'json');
    await expectGolden('plan-capacity.json', json);
    expectValidJson(json);
  });

  it('reconcile adds the section only when facts are given', async () => {
    const src = { description: 'test', snapshot: async () => snapshotOf(after, 'c1') };
    const base = { source: src, store: new MemoryStore(), dryRun: true, prune: false, allowMassPrune: false, color: false, now: clock.now() };
    const plain = await reconcile({ ...base, output: 'json' });
    expect(JSON.parse(plain.output).capacity).toBeNull();
    expect((await reconcile({ ...base, output: 'text' })).output).not.toContain('Capacity');
    const withFacts = await reconcile({ ...base, output: 'text', capacity: { source: '--cluster-facts c.json', facts } });
    expect(withFacts.output).toContain('Capacity (--cluster-facts c.json, read 2026-06-15T09:29:00Z: 2 agents, 10 cpus, 36864 MiB mem in all)');
    expect(withFacts.output).toContain('  reindex-batch: does NOT fit: needs cpus 64 but the largest agent has 8; cpus 64, mem 1000000 a run, expected 1h30m (timeout)');
  });
});

describe('cluster facts for the plan', () => {
  it('reads a saved GET /v1/cluster answer, and refuses a bad one naming the file, the line and the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kairos-facts-'));
    try {
      await writeFile(join(dir, 'ok.json'), JSON.stringify({ connected: true, pending: [], facts }));
      expect((await readClusterFactsFile(join(dir, 'ok.json'), 'ok.json')).facts).toEqual(facts);
      await writeFile(join(dir, 'broken.json'), '{\n  "facts": {\n    "at": 1,,\n  }\n}\n');
      await expect(readClusterFactsFile(join(dir, 'broken.json'), 'broken.json')).rejects.toThrow(/^broken\.json:3: not JSON/);
      await expect(readClusterFactsFile(join(dir, 'absent.json'), 'absent.json')).rejects.toThrow('--cluster-facts absent.json: cannot read: ENOENT');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(() => parseClusterFacts({ connected: false, pending: [] }, 'c.json')).toThrow(/^c\.json: facts: missing/);
    expect(() => parseClusterFacts({ facts: { at: 1, agents: [{ resources: { cpus: 'many' } }] } }, 'c.json')).toThrow('c.json: facts.agents[0].resources.cpus: expected a number ≥ 0, got "many"');
    expect(() => parseClusterFacts({ facts: { agents: [] } }, 'c.json')).toThrow('c.json: facts.at: expected epoch milliseconds');
  });

  it('asks a running controller for its facts and for durations from run history', async () => {
    const h = makeApi();
    h.ctl.clusterStatus = { ...h.ctl.clusterStatus, facts };
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
      const got = await fetchClusterFacts({ server: url });
      expect(got.source).toBe(`--server ${url}`);
      expect(got.facts).toEqual(facts);
      expect(Object.keys(got.historyMs ?? {})).toEqual(['nightly']);
    } finally {
      await h.app.close();
    }
  });
});
