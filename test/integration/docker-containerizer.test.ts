/**
 * The embedded agent's Docker containerizer against the suite's real dockerd: exit codes,
 * live sandbox output, limits and user in `docker inspect`, kill and timeout (container
 * gone), the OOM killer's reason, the fetcher, secrets (env and file), a container of this
 * agent adopted after a restart, and leftovers of a dead agent removed on start. Judged by the containers' effects and the daemon's state.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentReport } from '../../src/mesos/embedded/agent.js';
import { DockerContainerizer } from '../../src/mesos/embedded/docker-containerizer.js';
import { startEmbeddedMaster, type EmbeddedMaster } from '../../src/mesos/embedded/index.js';
import { systemClock } from '../../src/ports/clock.js';
import type { Offer, TaskInfo, TaskStatus } from '../../src/mesos/types.js';
import { TEST_IMAGE, testDocker } from '../support/docker.js';
import { frameworkInfo, Subscription, taskOn } from './embedded-master-client.js';

const docker = testDocker();
let em: EmbeddedMaster;
let s: Subscription;
const scratch = mkdtempSync(join(tmpdir(), 'kairos-docker-test-'));

beforeAll(async () => {
  em = await startEmbeddedMaster({ localResources: 'cpus:4;mem:4096;disk:1024;ports:[31000-31010]', dockerHost: docker.host, allocationIntervalMs: 50 });
  s = await Subscription.open(em.url, frameworkInfo());
  await s.take((e) => e.type === 'SUBSCRIBED');
});
afterAll(async () => {
  s.close();
  await em?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const b64 = (v: string) => Buffer.from(v).toString('base64');

function dockerTask(id: string, offer: Offer, shell: string, extra: Partial<TaskInfo> = {}, mem = 64): TaskInfo {
  return taskOn(id, offer, {
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, allocation_info: { role: 'batch' } },
      { name: 'mem', type: 'SCALAR', scalar: { value: mem }, allocation_info: { role: 'batch' } },
    ],
    command: { value: shell },
    container: { type: 'DOCKER', docker: { image: TEST_IMAGE, network: 'NONE' } },
    ...extra,
  });
}

/** Launches one task on the next offer; returns a function taking its statuses (acknowledged) up to `state`. */
async function launch(make: (o: Offer) => TaskInfo): Promise<(state?: string) => Promise<TaskStatus>> {
  // Freed resources come back as separate offers: take one big enough for any task here.
  const scalar = (o: Offer, n: string) => o.resources?.find((r) => r.name === n)?.scalar?.value ?? 0;
  const fits = (o: Offer) => scalar(o, 'cpus') >= 0.5 && scalar(o, 'mem') >= 64;
  const offer = (await s.take((e) => e.type === 'OFFERS' && fits(e.offers!.offers![0]), 'an offer of 0.5 cpus and 64 MiB')).offers!.offers![0];
  const t = make(offer);
  const r = await s.call(em.url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [t] } }], filters: { refuse_seconds: 0 } } });
  expect(r.status).toBe(202);
  // Updates come one at a time (each after the previous one's ACK), so each is taken and acknowledged.
  return async (state) => {
    for (;;) {
      const st = await s.update(t.task_id.value);
      if (st.uuid) await s.call(em.url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: st.agent_id!, task_id: st.task_id, uuid: st.uuid } });
      if (state === undefined || st.state === state) return st;
      if (['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR'].includes(st.state)) throw new Error(`${t.task_id.value} ended ${st.state} (${st.reason ?? ''}: ${st.message ?? ''}) before ${state}`);
    }
  };
}

/** Names of the daemon's containers (running or not) for a task. */
const containersOf = (taskId: string) => docker.docker(['ps', '-a', '--filter', `label=kairos.task=${taskId}`, '--format', '{{.Names}}']);

describe('Docker containerizer (real dockerd)', () => {
  it('reports exit codes as Mesos does and leaves no container', async () => {
    const next = await launch((o) => dockerTask('exit3', o, 'echo out; echo err >&2; exit 3'));
    expect((await next('TASK_STARTING')).source).toBe('SOURCE_EXECUTOR');
    await next('TASK_RUNNING');
    expect(await next()).toMatchObject({ state: 'TASK_FAILED', message: 'Container exited with status 3' });
    expect(em.readTaskFile('exit3', 'stdout')!.data).toBe('out\n');
    expect(em.readTaskFile('exit3', 'stderr')!.data).toBe('err\n');
    expect(await containersOf('exit3')).toBe('');
  });

  it('runs as mesos-<id> with the sandbox, limits and user; output is live; kill is docker stop', async () => {
    const next = await launch((o) => {
      const t = dockerTask('live', o, 'id -u; echo "sandbox=$MESOS_SANDBOX"; touch $MESOS_SANDBOX/made-inside; exec sleep 30');
      t.command!.user = 'nobody';
      return t;
    });
    await next('TASK_RUNNING');
    const name = await containersOf('live');
    expect(name).toMatch(/^mesos-/);
    const inspect = JSON.parse(await docker.docker(['inspect', name]))[0];
    expect(inspect.HostConfig.CpuShares).toBe(512);
    expect(inspect.HostConfig.Memory).toBe(64 * 2 ** 20);
    expect(inspect.HostConfig.MemorySwap).toBe(64 * 2 ** 20);
    expect(inspect.Config.User).toBe('nobody');
    expect(inspect.HostConfig.NetworkMode).toBe('none');
    expect(inspect.HostConfig.Binds).toContain(`${em.agents[0].sandbox('live')}:/mnt/mesos/sandbox`);
    for (let i = 0; i < 100 && !em.readTaskFile('live', 'stdout')?.data.includes('sandbox='); i++) await new Promise((r) => setTimeout(r, 50));
    expect(em.readTaskFile('live', 'stdout')!.data).toBe('65534\nsandbox=/mnt/mesos/sandbox\n');
    expect(em.readTaskFile('live', 'made-inside')).toBeDefined();
    em.agents[0].kill('live', 1000);
    expect((await next()).state).toBe('TASK_KILLING');
    expect(await next()).toMatchObject({ state: 'TASK_KILLED', message: 'Container exited with status 137' });
    expect(await containersOf('live')).toBe('');
  }, 20_000);

  it('stops a container at its max completion time', async () => {
    const next = await launch((o) => dockerTask('slow', o, 'exec sleep 30', { max_completion_time: { nanoseconds: 300e6 } }));
    await next('TASK_RUNNING');
    expect(await next()).toMatchObject({ state: 'TASK_FAILED', reason: 'REASON_MAX_COMPLETION_TIME_REACHED' });
    expect(await containersOf('slow')).toBe('');
  });

  it('fails a container the OOM killer ended with REASON_CONTAINER_LIMITATION_MEMORY', async () => {
    const next = await launch((o) => dockerTask('oom', o, 'dd if=/dev/zero of=/dev/null bs=96M count=1', {}, 32));
    await next('TASK_RUNNING');
    expect(await next()).toMatchObject({ state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LIMITATION_MEMORY' });
    expect(await containersOf('oom')).toBe('');
  });

  it('fetches file:// URIs into the sandbox before start, and fails the task when a fetch fails', async () => {
    writeFileSync(join(scratch, 'fetchme.txt'), 'fetched!\n');
    const uris = [{ value: `file://${join(scratch, 'fetchme.txt')}` }, { value: join(scratch, 'fetchme.txt'), output_file: 'run.sh', executable: true }];
    const ok = await launch((o) => {
      const t = dockerTask('fetch2', o, 'cat $MESOS_SANDBOX/fetchme.txt; test -x $MESOS_SANDBOX/run.sh && echo exec-ok');
      t.command!.uris = uris;
      return t;
    });
    expect((await ok('TASK_FINISHED')).state).toBe('TASK_FINISHED');
    expect(em.readTaskFile('fetch2', 'stdout')!.data).toBe('fetched!\nexec-ok\n');
    const bad = await launch((o) => {
      const t = dockerTask('fetch-bad', o, 'true');
      t.command!.uris = [{ value: `file://${join(scratch, 'missing.txt')}` }];
      return t;
    });
    const failed = await bad();
    expect(failed).toMatchObject({ state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LAUNCH_FAILED', source: 'SOURCE_AGENT' });
    expect(failed.message).toMatch(/^Failed to launch container: Failed to fetch all URIs for container '.*': file:.*missing\.txt: /);
    expect(await containersOf('fetch-bad')).toBe('');
  });

  it('delivers VALUE secrets as env and as a sandbox file to Docker and command tasks', async () => {
    const secretParts = (t: TaskInfo): TaskInfo => {
      t.command!.environment = { variables: [{ name: 'PW', type: 'SECRET', secret: { type: 'VALUE', value: { data: b64('s3cr3t-value') } } }] };
      const vol = { mode: 'RO' as const, container_path: 'conf/pw', source: { type: 'SECRET' as const, secret: { type: 'VALUE' as const, value: { data: b64('s3cr3t-value') } } } };
      t.container = t.container ? { ...t.container, volumes: [vol] } : { type: 'MESOS', volumes: [vol] };
      return t;
    };
    const check = '[ "$PW" = s3cr3t-value ] && [ "$(cat $MESOS_SANDBOX/conf/pw)" = s3cr3t-value ] && echo ok';
    const d = await launch((o) => secretParts(dockerTask('secret-docker', o, check)));
    expect((await d('TASK_FINISHED')).state).toBe('TASK_FINISHED');
    expect(em.readTaskFile('secret-docker', 'stdout')!.data).toBe('ok\n');
    const c = await launch((o) => {
      const t = secretParts({ ...dockerTask('secret-cmd', o, `id -u; ${check}`), container: undefined });
      t.command!.user = 'nobody'; // runs as nobody, and the 0400 secret file is nobody's
      return t;
    });
    expect((await c('TASK_FINISHED')).state).toBe('TASK_FINISHED');
    expect(em.readTaskFile('secret-cmd', 'stdout')!.data).toBe('65534\nok\n');
  });

  it('adopts a container of this agent that outlived its docker run: full output, exit code, removed', async () => {
    const sandbox = join(scratch, 'adopted');
    mkdirSync(sandbox);
    writeFileSync(join(sandbox, 'stdout'), 'a\n'); // what the dead agent had copied so far
    const labels = ['--label', 'kairos.agent=agent-A', '--label', 'kairos.agent.pid=1', '--label', 'kairos.task=t-adopt'];
    await docker.docker(['run', '-d', '--net', 'none', '--name', 'mesos-agent-A.t-adopt', ...labels, TEST_IMAGE, 'sh', '-c', 'echo a; sleep 1; echo b; echo e >&2; exit 4']);
    const reports: AgentReport[] = [];
    const restarted = new DockerContainerizer({ clock: systemClock, agentId: 'agent-A', dockerHost: docker.host });
    const removed = await restarted.recover(({ taskId }) => taskId === 't-adopt');
    expect(removed).toEqual([]);
    void restarted.adopt({ name: 'mesos-agent-A.t-adopt', taskId: 't-adopt', sandbox, report: (r) => reports.push(r) });
    expect(restarted.has('t-adopt')).toBe(true);
    for (let i = 0; i < 100 && reports.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(reports).toEqual([{ state: 'TASK_FAILED', message: 'Container exited with status 4', source: 'SOURCE_EXECUTOR' }]);
    expect(readFileSync(join(sandbox, 'stdout'), 'utf8')).toBe('a\nb\n');
    expect(readFileSync(join(sandbox, 'stderr'), 'utf8')).toBe('e\n');
    expect(await containersOf('t-adopt')).toBe('');
  });

  it('removes containers a dead embedded agent left, and keeps those of live agents', async () => {
    const run = (name: string, agent: string, pid: number) =>
      docker.docker(['run', '-d', '--net', 'none', '--name', name, '--label', `kairos.agent=${agent}`, '--label', `kairos.agent.pid=${pid}`, TEST_IMAGE, 'sleep', '60']);
    await run('mesos-orphan-of-dead-agent', 'old-agent', 2 ** 22 + 1);
    await run('mesos-of-live-agent', 'other-agent', process.pid);
    const other = await startEmbeddedMaster({ dockerHost: docker.host });
    try {
      const names = await docker.docker(['ps', '-a', '--format', '{{.Names}}']);
      expect(names).not.toContain('mesos-orphan-of-dead-agent');
      expect(names).toContain('mesos-of-live-agent');
    } finally {
      await other.stop();
      await docker.docker(['rm', '-f', 'mesos-of-live-agent']);
    }
  });
});
