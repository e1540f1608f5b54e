/**
 * Unschedulable end to end: `kairos serve` as wired, on the embedded master with one real
 * local agent of 1 cpu. A job needing 2 cpus becomes `unschedulable` after
 * `--unschedulable-after 1s` and the signed webhook receiver gets the `unschedulable`
 * notification with the reason; its task never ran (no side effect). Then an agent of 4
 * cpus joins the master: the run launches and its shell really runs, once (judged by the
 * line it appends to a file). Last, a dry-run plan with `--server` judges a bigger
 * change against this controller's agents.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileServeConfig } from '../../src/config.js';
import type { Run } from '../../src/core/run.js';
import { LocalAgent } from '../../src/mesos/embedded/local-agent.js';
import { ResourceBag } from '../../src/mesos/embedded/resources.js';
import type { ClusterView } from '../../src/ports/controller.js';
import { systemClock } from '../../src/ports/clock.js';
import { startController, type RunningController } from '../../src/wiring.js';
import { fetchClusterFacts } from '../../src/cli/cluster-facts.js';
import { reconcile } from '../../src/cli/reconcile.js';
import { DirectorySource } from '../../src/source/directory.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { startHttpReceiver } from '../support/notify-receivers.js';
import { api, until } from './support.js';

const SECRET = 'e2e-unschedulable-secret';
const dir = mkdtempSync(join(tmpdir(), 'kairos-e2e-unsched-'));
const sideEffect = join(dir, 'ran.log');
let http: Awaited<ReturnType<typeof startHttpReceiver>>;
let ctl: RunningController | undefined;

beforeAll(async () => {
  http = await startHttpReceiver(SECRET);
  process.env.KAIROS_E2E_UNSCHED_SECRET = SECRET;
});
afterAll(async () => {
  await ctl?.stop();
  await http?.close();
  delete process.env.KAIROS_E2E_UNSCHED_SECRET;
  rmSync(dir, { recursive: true, force: true });
});

describe('kairos serve with a job bigger than every agent', () => {
  it('marks the run unschedulable and notifies, then runs it once an agent that fits joins', async () => {
    const src = join(dir, 'src');
    mkdirSync(src);
    writeFileSync(
      join(src, 'big.yaml'),
      `apiVersion: kairos/v1\nkind: Job\nmetadata: {name: reindex-batch}\nspec:\n  command: {shell: "echo ran >> ${sideEffect}"}\n  resources: {cpus: 2, mem: 64}\n` +
        `  notify:\n    - on: [unschedulable]\n      webhook: {url: "${http.url}/kairos", secret: {env: KAIROS_E2E_UNSCHED_SECRET}}\n`,
    );
    ctl = await startController(compileServeConfig({ source: src, store: 'memory', listen: '127.0.0.1:0', poll: '0', agents: '1', unschedulableAfter: '1s' }), {
      embedded: { localResources: 'cpus:1;mem:1024;disk:1024;ports:[31000-31010]' },
    });
    await ctl.controller.whenReady();
    const started = await api<{ id: string }>(ctl.url, 'POST', '/v1/jobs/reindex-batch/runs', {});
    expect(started.status).toBe(201);
    const runId = started.body.id;

    const hook = await until('the unschedulable webhook', async () => http.got.find((g) => g.path === '/kairos'), 30_000);
    expect(hook.signatureOk).toBe(true);
    expect(JSON.parse(hook.body)).toMatchObject({ event: 'unschedulable', job: 'reindex-batch', run: { id: runId, state: 'unschedulable', reason: 'needs cpus 2 but the largest agent has 1' } });
    const stuck = (await api<Run>(ctl.url, 'GET', `/v1/runs/${encodeURIComponent(runId)}`)).body;
    expect(stuck).toMatchObject({ state: 'unschedulable', reason: 'needs cpus 2 but the largest agent has 1' });
    const cluster = (await api<ClusterView>(ctl.url, 'GET', '/v1/cluster')).body;
    expect(cluster.facts?.agents.map((a) => a.resources.cpus)).toEqual([1]);
    expect(existsSync(sideEffect)).toBe(false);

    const sandboxRoot = join(dir, 'big-agent');
    mkdirSync(sandboxRoot);
    const embedded = ctl.embedded!;
    embedded.master.addAgent(new LocalAgent({ id: `${embedded.master.masterId}-big`, hostname: hostname(), resources: ResourceBag.parse('cpus:4;mem:4096;disk:1024;ports:[32000-32010]'), clock: systemClock, sandboxRoot }));

    const done = await until('the run to succeed on the new agent', async () => {
      const r = (await api<Run>(ctl!.url, 'GET', `/v1/runs/${encodeURIComponent(runId)}`)).body;
      return r.state === 'succeeded' ? r : undefined;
    }, 30_000);
    expect(done.reason).toBeUndefined();
    expect(done.attempts).toHaveLength(1);
    expect(readFileSync(sideEffect, 'utf8')).toBe('ran\n');
    expect(http.got.filter((g) => g.path === '/kairos')).toHaveLength(1);

    // `kairos reconcile --dry-run --server`: a change asking for 16 cpus is judged against this controller's agents
    const bigger = join(dir, 'bigger');
    mkdirSync(bigger);
    writeFileSync(join(bigger, 'big.yaml'), `apiVersion: kairos/v1\nkind: Job\nmetadata: {name: reindex-batch}\nspec:\n  command: {shell: "true"}\n  resources: {cpus: 16, mem: 64}\n`);
    const capacity = await fetchClusterFacts({ server: ctl.url });
    const planned = await reconcile({ source: new DirectorySource(bigger), store: new MemoryStore(), dryRun: true, prune: false, allowMassPrune: false, output: 'json', color: false, now: Date.now(), capacity });
    const entry = JSON.parse(planned.output).capacity.entries[0];
    expect(entry).toMatchObject({ name: 'reindex-batch', fits: false, cpus: 16 });
    expect(entry.reason).toMatch(/^needs cpus 16 but the largest agent has (1|4)$/);
  });
});
