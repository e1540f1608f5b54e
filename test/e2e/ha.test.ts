/**
 * Two controllers sharing a ZooKeeper store and one Mesos master (in-process
 * `startController`): only the leader syncs and launches, the follower serves the same
 * jobs from the store, and when the leader stops the follower takes over and launches.
 * (Process-level failover under load is in test/integration/ha*.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileServeConfig } from '../../src/config.js';
import type { Run } from '../../src/core/run.js';
import { startEmbeddedMaster, type EmbeddedMaster } from '../../src/mesos/embedded/index.js';
import type { JobSummary } from '../../src/ports/controller.js';
import { silentLogger } from '../../src/ports/logger.js';
import { startController, type RunningController } from '../../src/wiring.js';
import { jobManifest } from '../support/job-manifest.js';
import { startZooKeeper, type TestZooKeeper } from '../support/zookeeper.js';
import { api, TempRepo, until } from './support.js';

describe('two controllers on ZooKeeper', () => {
  let zk: TestZooKeeper;
  let master: EmbeddedMaster;
  let repo: TempRepo;
  const ctls: RunningController[] = [];

  beforeAll(async () => {
    zk = await startZooKeeper();
    master = await startEmbeddedMaster({ localAgents: 1, allocationIntervalMs: 100 });
    repo = new TempRepo();
    repo.commit('once.yaml', jobManifest('once', undefined, 'echo once'), 'add once');
  }, 60_000);
  afterAll(async () => {
    for (const c of ctls) await c.stop();
    await master?.stop();
    await zk?.destroy();
    repo?.remove();
  });

  const start = () =>
    startController(compileServeConfig({ source: repo.dir, ref: 'main', store: zk.url('/kairos'), mesos: master.url, listen: '127.0.0.1:0', poll: '1s' }), {
      logger: silentLogger,
    }).then((c) => (ctls.push(c), c));

  it('the leader works, the follower serves reads and forwards writes, and takes over when the leader stops', async () => {
    const a = await start();
    await until('a leading', async () => (a.controller.view.jobs().length === 1 ? true : undefined));
    const b = await start();
    await until('b serving the applied job', async () => ((await api<JobSummary[]>(b.url, 'GET', '/v1/jobs')).body.length === 1 ? true : undefined));

    const viaFollower = await api<Run>(b.url, 'POST', '/v1/jobs/once/runs', {});
    expect(viaFollower.status).toBe(201);
    const first = viaFollower.body.id;
    await until('the run done on the leader', async () => (a.controller.view.run(first)?.state === 'succeeded' ? true : undefined));

    const leading = b.events.next('leadership', (e) => e.leading);
    await a.stop();
    await leading;
    const second = (await api<Run>(b.url, 'POST', '/v1/jobs/once/runs', {})).body;
    expect(second.id).toBe('once@manual-2');
    const done = await until('the run done on the new leader', async () => {
      const r = b.controller.view.run(second.id);
      return r?.state === 'succeeded' ? r : undefined;
    });
    expect(done.attempts).toHaveLength(1);
  }, 60_000);
});
