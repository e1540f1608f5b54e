/**
 * Followers read fresh: two real `kairos serve` processes on one real ZooKeeper and the
 * embedded master, with `--poll 10m` so a follower's backstop reload is ten minutes away.
 * A follower lists the leader's jobs and runs within seconds, through ZooKeeper's data watch
 * on the changes znode, also after a ZooKeeper outage; `/v1/sync` says it follows by watch.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedMaster, type EmbeddedMaster } from '../../src/mesos/embedded/index.js';
import { jobYaml } from '../fixtures/manifests/index.js';
import { ControllerCluster } from '../support/controllers.js';
import { startZooKeeper, type TestZooKeeper } from '../support/zookeeper.js';

let zk: TestZooKeeper;
let master: EmbeddedMaster;
let source: string;
let c: ControllerCluster;

beforeAll(async () => {
  zk = await startZooKeeper({ tickMs: 250 });
  master = await startEmbeddedMaster({ simulatedAgents: 1, simulatedTaskDurationMs: 100, allocationIntervalMs: 100 });
  source = mkdtempSync(join(tmpdir(), 'kairos-follower-src-'));
  writeFileSync(join(source, 'jobs.yaml'), jobYaml('on-demand', 'command: { shell: "true" }\nresources: { cpus: 0.1, mem: 32 }'));
  c = new ControllerCluster(['--source', source, '--store', `${zk.url('/follower')}?sessionTimeoutMs=4000`, '--mesos', master.url, '--poll', '10m']);
  await Promise.all([c.spawn(), c.spawn()]);
}, 120_000);
afterAll(async () => {
  await c?.stopAll();
  await master?.stop();
  await zk?.destroy();
  if (source) rmSync(source, { recursive: true, force: true });
}, 60_000);

const get = async (url: string, path: string) => {
  const res = await fetch(url + path);
  return { status: res.status, json: (await res.json()) as any };
};

/** Polls `probe` every 50 ms for at most `ms` (well below the ten-minute backstop). */
async function within<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The controller whose read view says it leads (after a ZooKeeper restart it may be a new one). */
const leading = () =>
  within('a leader', 30_000, async () => {
    for (const name of c.procs.keys()) if ((await get(c.url(name), '/v1/sync')).json.readView?.role === 'leader') return name;
    return undefined;
  });

/** Starts a manual run on the leader; resolves once a follower shows it ended as the leader does. */
async function runSeenByFollower(): Promise<void> {
  const leader = await leading();
  const follower = [...c.procs.keys()].find((k) => k !== leader)!;
  const id = await within('a manual run accepted by the leader', 30_000, async () => {
    const res = await fetch(`${c.url(leader)}/v1/jobs/on-demand/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    return res.status === 201 ? ((await res.json()) as { id: string }).id : undefined;
  });
  const path = `/v1/runs/${encodeURIComponent(id)}`;
  await within('the run to succeed on the leader', 30_000, async () => ((await get(c.url(leader), path)).json.state === 'succeeded' ? true : undefined));
  await within('the follower to show the run succeeded', 10_000, async () => ((await get(c.url(follower), path)).json.state === 'succeeded' ? true : undefined));
  const sync = (await get(c.url(follower), '/v1/sync')).json;
  expect(sync.readView).toMatchObject({ role: 'follower', watching: true });
}

describe('a follower reads what the leader wrote within seconds', () => {
  it('lists the applied job and a finished run without waiting for its backstop reload', async () => {
    await runSeenByFollower();
  }, 120_000);

  it('still does after a ZooKeeper outage longer than the session timeout', async () => {
    await zk.stop();
    await new Promise((r) => setTimeout(r, 5_000)); // sessions of 4 s cannot survive this
    await zk.start();
    await runSeenByFollower();
  }, 120_000);
});
