/**
 * `kairos serve --mesos zk://.../mesos` end to end on real Apache Mesos (two masters
 * elected through ZooKeeper, one agent): a run's logs come from the real agent's
 * `/files/read` through the Kairos API; after `kill -9` of the controller a new one
 * resubscribes with the same framework id and adopts the running task; after the leading
 * master is killed the controller follows the new leader with that id; the task finishes
 * and its side effect (a line appended to a marker file) happens once.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Run } from '../../src/core/run.js';
import type { JobSummary } from '../../src/ports/controller.js';
import { ControllerCluster } from '../support/controllers.js';
import { jobManifest } from '../support/job-manifest.js';
import { MESOS_TEST_TIMEOUTS, type MesosCluster, startMesos } from '../support/mesos.js';
import { startZooKeeper, type TestZooKeeper } from '../support/zookeeper.js';
import { api, TempRepo, until } from './support.js';

vi.setConfig(MESOS_TEST_TIMEOUTS);

/** `until` with room for real daemons on a loaded machine. */
const wait = <T>(what: string, probe: () => Promise<T | undefined>) => until(what, probe, 60_000);

interface MasterFrameworks {
  frameworks: { id: string; name: string; active: boolean; tasks: { id: string; state: string }[] }[];
}

describe('kairos serve against real Apache Mesos', () => {
  let zk: TestZooKeeper;
  let mesos: MesosCluster;
  let repo: TempRepo;
  let dir: string;
  let controllers: ControllerCluster | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kairos-e2e-mesos-'));
    repo = new TempRepo();
    const shell = `echo "$MESOS_EXECUTOR_ID" >> ${join(dir, 'marks')}; echo hello-from-real-mesos; while [ ! -e ${join(dir, 'go')} ]; do sleep 0.1; done; echo done`;
    repo.commit('slow.yaml', jobManifest('slow', undefined, shell), 'add slow');
    zk = await startZooKeeper();
    mesos = await startMesos({ zk: zk.url('/mesos'), masters: 2 });
  });
  afterAll(async () => {
    await controllers?.stopAll();
    await mesos?.stop();
    await zk?.destroy();
    repo?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  const frameworks = async () => ((await (await fetch(`${await mesos.leader()}/master/frameworks`)).json()) as MasterFrameworks).frameworks;

  it('logs through the API from the real agent; kill -9 of the controller, then of the leading master: same framework id, the task adopted, run once', async () => {
    controllers = new ControllerCluster(['--source', repo.dir, '--ref', 'main', '--store', `file:${join(dir, 'state.json')}`, '--mesos', zk.url('/mesos'), '--poll', '1s']);
    const first = await controllers.spawn();
    const url1 = controllers.url(first);
    await wait('the job applied', async () => ((await api<JobSummary[]>(url1, 'GET', '/v1/jobs')).body.some((j) => j.name === 'slow') ? true : undefined));
    const started = await api<Run>(url1, 'POST', '/v1/jobs/slow/runs', {});
    expect(started.status).toBe(201);
    const id = encodeURIComponent(started.body.id);
    await wait('the run running', async () => ((await api<Run>(url1, 'GET', `/v1/runs/${id}`)).body.state === 'running' ? true : undefined));
    const logs = await wait('its stdout through the API', async () => {
      const r = await api<{ data: string; size: number }>(url1, 'GET', `/v1/runs/${id}/logs?stream=stdout`);
      return r.status === 200 && r.body.data.includes('hello-from-real-mesos') ? r.body : undefined;
    });
    expect(logs).toMatchObject({ data: 'hello-from-real-mesos\n', size: 22 });
    const [before] = await frameworks();
    expect(before).toMatchObject({ name: 'kairos', active: true });

    await controllers.signal(first, 'SIGKILL');
    const second = await controllers.spawn();
    const url2 = controllers.url(second);
    await wait('the framework back with the same id', async () => {
      const fws = await frameworks();
      return fws.length === 1 && fws[0].id === before.id && fws[0].active ? true : undefined;
    });
    expect((await api<Run>(url2, 'GET', `/v1/runs/${id}`)).body.state).toBe('running');

    const leader = await mesos.leader();
    await mesos.masters.find((m) => m.url === leader)!.stop({ hard: true });
    const next = await mesos.leader(60_000);
    expect(next).not.toBe(leader);
    await wait('the framework on the new leader with the same id', async () => {
      const fws = await frameworks();
      return fws.length === 1 && fws[0].id === before.id && fws[0].active ? true : undefined;
    });
    writeFileSync(join(dir, 'go'), '');
    const done = await wait('the run finished', async () => {
      const run = (await api<Run>(url2, 'GET', `/v1/runs/${id}`)).body;
      return run.state === 'running' || run.state === 'launching' ? undefined : run;
    });
    expect(done).toMatchObject({ state: 'succeeded', attempts: [{ n: 1, exitStatus: 0 }] });
    expect(readFileSync(join(dir, 'marks'), 'utf8')).toBe(`${done.attempts[0].taskId}\n`);
    expect((await api<{ data: string }>(url2, 'GET', `/v1/runs/${id}/logs?stream=stdout`)).body.data).toBe('hello-from-real-mesos\ndone\n');
    expect((await api<Run[]>(url2, 'GET', '/v1/jobs/slow/runs')).body.map((r) => r.id)).toEqual([started.body.id]);
  });
});
