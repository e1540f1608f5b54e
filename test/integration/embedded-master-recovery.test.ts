/**
 * The embedded master as its own process (`kairos embedded-master --state-dir`), killed
 * with SIGKILL and started again on the same directory: its local agent recovers the
 * checkpointed tasks like a Mesos agent with `checkpoint: true`. Judged by the processes
 * themselves (pids alive or gone, containers in the suite's dockerd running or gone) and by
 * the exit status the tasks really had.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Offer, TaskInfo } from '../../src/mesos/types.js';
import { alive } from '../e2e/support.js';
import { TEST_IMAGE, testDocker } from '../support/docker.js';
import { signalProcess } from '../support/ha-cluster.js';
import { frameworkInfo, Subscription } from './embedded-master-client.js';

const docker = testDocker();
// The masters started here (children of this worker) run their containers on the suite's dockerd.
process.env.DOCKER_HOST = docker.host;
const scratch = mkdtempSync(join(tmpdir(), 'kairos-em-recovery-'));
let master: ChildProcess | undefined;
const subs: Subscription[] = [];

afterEach(async () => {
  subs.splice(0).forEach((s) => s.close());
  if (master) await signalProcess(master, 'SIGTERM');
  master = undefined;
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** Starts `kairos embedded-master` on `port` with `stateDir`; resolves once it listens. */
function startMaster(port: number, stateDir: string): Promise<string> {
  const p = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'embedded-master', '--listen', `127.0.0.1:${port}`, '--agents', '1', '--state-dir', stateDir], {
    stdio: ['ignore', 'pipe', process.env.EM_LOG ? 'inherit' : 'ignore'],
  });
  master = p;
  return new Promise((resolve, reject) => {
    let out = '';
    p.stdout!.on('data', (c) => {
      out += c;
      const m = /at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    p.once('exit', (code) => reject(new Error(`embedded master exited with ${code}`)));
  });
}

async function waitFor<T>(what: string, probe: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Takes `taskId`'s updates, acknowledging each, until one in `state`. */
async function reach(s: Subscription, url: string, taskId: string, state: string) {
  for (;;) {
    const u = await s.update(taskId);
    if (u.uuid) await s.call(url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: u.agent_id!, task_id: { value: taskId }, uuid: u.uuid } });
    if (u.state === state) return u;
  }
}

async function subscribe(url: string, extra = {}): Promise<Subscription> {
  const s = await Subscription.open(url, frameworkInfo(extra));
  subs.push(s);
  await s.take((e) => e.type === 'SUBSCRIBED');
  return s;
}

/** Launches one shell task on the next offer; resolves with the pid it writes to `pidFile`. */
async function launchShell(s: Subscription, url: string, id: string, shell: string, pidFile: string): Promise<number> {
  const offer: Offer = (await s.take((e) => e.type === 'OFFERS', 'offers')).offers!.offers![0];
  const task: TaskInfo = {
    name: id,
    task_id: { value: id },
    agent_id: offer.agent_id,
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 }, allocation_info: { role: 'batch' } }],
    command: { value: `echo $$ > ${pidFile}; ${shell}` },
  };
  await s.call(url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [task] } }] } });
  return waitFor('the task pid', () => (existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8').trim())) || undefined);
}

/** The state of the container running `taskId` (`running`, `exited`), or '' once there is none. */
const containerState = (taskId: string) => docker.docker(['ps', '-a', '--filter', 'name=^mesos-', '--filter', `label=kairos.task=${taskId}`, '--format', '{{.State}}']);

describe('embedded master restarted on its state directory', () => {
  it('reports the real exit status of a task that ended while it was down, through reconciliation and a reliable update', async () => {
    const dir = join(scratch, 'ended');
    const port = await freePort();
    let url = await startMaster(port, dir);
    const s = await subscribe(url);
    const pid = await launchShell(s, url, 'ends', 'sleep 1; exit 4', join(scratch, 'ends.pid'));
    await reach(s, url, 'ends', 'TASK_RUNNING');
    await signalProcess(master!, 'SIGKILL');
    await waitFor('the task to end while no master runs', () => !alive(pid));

    url = await startMaster(port, dir);
    const again = await subscribe(url, { id: { value: s.frameworkId } });
    await again.call(url, { type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'ends' } }] } });
    const updates = [await again.update('ends'), await again.update('ends')];
    expect(updates.map((u) => u.state)).toEqual(['TASK_FAILED', 'TASK_FAILED']);
    // The agent's own update (to be acknowledged) says how it ended; the other is the master's answer.
    const reliable = updates.find((u) => u.uuid)!;
    expect(reliable).toMatchObject({ message: 'Command exited with status 4', source: 'SOURCE_EXECUTOR' });
    expect((await again.call(url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: reliable.agent_id!, task_id: { value: 'ends' }, uuid: reliable.uuid! } })).status).toBe(202);
  }, 60_000);

  it('reconnects a live task (which keeps reporting) and kills the tasks of a framework past its failover_timeout', async () => {
    const dir = join(scratch, 'live');
    const port = await freePort();
    let url = await startMaster(port, dir);
    const s = await subscribe(url, { failover_timeout: 2 });
    const kept = await launchShell(s, url, 'kept', 'exec sleep 60', join(scratch, 'kept.pid'));
    await reach(s, url, 'kept', 'TASK_RUNNING');
    await signalProcess(master!, 'SIGKILL');
    expect(alive(kept)).toBe(true);

    url = await startMaster(port, dir);
    const again = await subscribe(url, { id: { value: s.frameworkId }, failover_timeout: 2 });
    await again.call(url, { type: 'RECONCILE', reconcile: {} });
    expect(await again.update('kept')).toMatchObject({ state: 'TASK_RUNNING', reason: 'REASON_RECONCILIATION' });
    await again.call(url, { type: 'KILL', kill: { task_id: { value: 'kept' } } });
    expect(await reach(again, url, 'kept', 'TASK_KILLED')).toMatchObject({ state: 'TASK_KILLED' });
    await waitFor('the adopted task killed', () => !alive(kept));

    // A framework that never comes back: its task is killed after failover_timeout.
    const orphan = await launchShell(again, url, 'orphan', 'exec sleep 60', join(scratch, 'orphan.pid'));
    await signalProcess(master!, 'SIGKILL');
    subs.splice(0).forEach((x) => x.close());
    url = await startMaster(port, dir);
    expect(alive(orphan)).toBe(true);
    await waitFor('the task of the framework gone past failover_timeout killed', () => !alive(orphan), 20_000);
  }, 90_000);

  it('adopts a Docker task whose container outlived it, and stops it once its framework is past failover_timeout', async () => {
    const dir = join(scratch, 'docker');
    const port = await freePort();
    let url = await startMaster(port, dir);
    // Long enough to see the container kept after the restart, even on a loaded machine.
    const s = await subscribe(url, { failover_timeout: 6 });
    const offer: Offer = (await s.take((e) => e.type === 'OFFERS', 'offers')).offers!.offers![0];
    const task: TaskInfo = {
      name: 'boxed',
      task_id: { value: 'boxed' },
      agent_id: offer.agent_id,
      resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 }, allocation_info: { role: 'batch' } }],
      command: { value: 'exec sleep 60' },
      container: { type: 'DOCKER', docker: { image: TEST_IMAGE, network: 'NONE' } },
    };
    await s.call(url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [task] } }] } });
    await reach(s, url, 'boxed', 'TASK_RUNNING');
    await signalProcess(master!, 'SIGKILL');
    subs.splice(0).forEach((x) => x.close());

    url = await startMaster(port, dir);
    // Kept for the framework (the restarted agent removes only containers it has no record of)...
    expect(await containerState('boxed')).toBe('running');
    // ...until the framework, never back, is past its failover_timeout: then stopped and removed.
    const end = Date.now() + 30_000;
    while ((await containerState('boxed')) !== '' && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    expect(await containerState('boxed')).toBe('');
  }, 90_000);
});
