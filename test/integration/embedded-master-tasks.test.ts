import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedMaster, type EmbeddedMaster } from '../../src/mesos/embedded/index.js';
import type { Offer, TaskInfo } from '../../src/mesos/types.js';
import { alive } from '../e2e/support.js';
import { frameworkInfo, Subscription, taskOn } from './embedded-master-client.js';

// Real child processes on the local agent, real sockets, the system clock.
let em: EmbeddedMaster;
let s: Subscription;
const scratch = mkdtempSync(join(tmpdir(), 'kairos-em-test-'));

beforeAll(async () => {
  em = await startEmbeddedMaster({ localResources: 'cpus:4;mem:4096;disk:1024;ports:[31000-31010]', dockerCommand: '/nonexistent/docker', allocationIntervalMs: 50 });
  s = await Subscription.open(em.url, frameworkInfo());
  await s.take((e) => e.type === 'SUBSCRIBED');
});
afterAll(async () => {
  s.close();
  await em.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Waits until a task's shell has written its pid to `file` (RUNNING means spawned, not yet run). */
async function pidFrom(file: string): Promise<number> {
  const read = () => (existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : 0);
  for (let i = 0; i < 200 && !read(); i++) await new Promise((r) => setTimeout(r, 25));
  return read();
}

const nextOffer = async (sub = s): Promise<Offer> => (await sub.take((e) => e.type === 'OFFERS', 'offers')).offers!.offers![0];

const task = taskOn;

/** Launches tasks on the next offer, declining nothing else (refuse 0 s). */
async function launch(tasks: (o: Offer) => TaskInfo[], sub = s, url = em.url): Promise<Offer> {
  const offer = await nextOffer(sub);
  const r = await sub.call(url, {
    type: 'ACCEPT',
    accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks(offer) } }], filters: { refuse_seconds: 0 } },
  });
  expect(r.status).toBe(202);
  return offer;
}

async function ack(status: { task_id: { value: string }; agent_id?: { value: string }; uuid?: string }, sub = s, url = em.url): Promise<void> {
  const r = await sub.call(url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: status.agent_id!, task_id: status.task_id, uuid: status.uuid! } });
  expect(r.status).toBe(202);
}

describe('embedded master tasks on the local agent', () => {
  it('offers the agent with allocation_info for the framework role', async () => {
    const o = await nextOffer();
    expect(o.allocation_info).toEqual({ role: 'batch' });
    expect(o.resources!.find((r) => r.name === 'cpus')).toEqual({ name: 'cpus', type: 'SCALAR', scalar: { value: 4 }, allocation_info: { role: 'batch' } });
    expect(o.id.value).toMatch(new RegExp(`^${em.master.masterId}-O\\d+$`));
    await s.call(em.url, { type: 'DECLINE', decline: { offer_ids: [o.id], filters: { refuse_seconds: 0 } } });
  });

  it('runs a command: STARTING, RUNNING, FINISHED with exit status, env and sandbox stdout/stderr', async () => {
    await launch((o) => [task('hello', o, { command: { value: 'echo "hi $WHO"; echo oops >&2', environment: { variables: [{ name: 'WHO', value: 'kairos' }] } } })]);
    const starting = await s.update('hello');
    expect(starting).toMatchObject({ state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR', agent_id: { value: em.agents[0].id } });
    expect(Buffer.from(starting.uuid!, 'base64')).toHaveLength(16);
    await ack(starting);
    const running = await s.update('hello');
    expect(running.state).toBe('TASK_RUNNING');
    await ack(running);
    const done = await s.update('hello');
    expect(done).toMatchObject({ state: 'TASK_FINISHED', message: 'Command exited with status 0' });
    await ack(done);
    expect(em.readTaskFile('hello', 'stdout')!.data).toBe('hi kairos\n');
    expect(em.readTaskFile('hello', 'stderr')!.data).toBe('oops\n');
    const sandbox = em.agents[0].sandbox('hello')!;
    const viaHttp = await (await fetch(`${em.url}/files/read?path=${encodeURIComponent(join(sandbox, 'stdout'))}&offset=3&length=6`)).json();
    expect(viaHttp).toEqual({ data: 'kairos', offset: 3 });
    expect((await fetch(`${em.url}/files/read?path=/etc/passwd`)).status).toBe(404);
  });

  it('serves sandboxes at the agent URL its offers name, under the virtual executor path, with /files/read semantics', async () => {
    const offer = await launch((o) => [task('paged', o, { command: { value: 'printf 0123456789' } })]);
    expect(offer.url).toEqual({ scheme: 'http', address: { hostname: '127.0.0.1', ip: '127.0.0.1', port: Number(new URL(em.url).port) }, path: '/slave(1)' });
    for (const state of ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']) {
      const u = await s.update('paged');
      expect(u).toMatchObject({ state, executor_id: { value: 'paged' } });
      await ack(u);
    }
    const dir = `/frameworks/${s.frameworkId}/executors/paged/runs/latest`;
    const read = async (q: string) => {
      const r = await fetch(`${em.url}/files/read?${q}`);
      return { status: r.status, body: r.status === 200 ? await r.json() : await r.text() };
    };
    const p = `path=${encodeURIComponent(`${dir}/stdout`)}`;
    expect(await read(p)).toEqual({ status: 200, body: { data: '', offset: 10 } });
    expect(await read(`${p}&offset=-1`)).toEqual({ status: 200, body: { data: '', offset: 10 } });
    expect(await read(`${p}&offset=2&length=3`)).toEqual({ status: 200, body: { data: '234', offset: 2 } });
    expect(await read(`${p}&offset=7`)).toEqual({ status: 200, body: { data: '789', offset: 7 } });
    expect(await read(`${p}&offset=12&length=5`)).toEqual({ status: 200, body: { data: '', offset: 12 } });
    expect(await read(`${p}&offset=x`)).toMatchObject({ status: 400 });
    expect(await read(`${p}&length=-2`)).toMatchObject({ status: 400 });
    expect(await read(`path=${encodeURIComponent(dir)}&offset=0`)).toEqual({ status: 400, body: 'Cannot read a directory.\n' });
    expect(await read('offset=0')).toMatchObject({ status: 400 });
    expect(await read(`path=${encodeURIComponent(`${dir}/../../../../../etc/passwd`)}&offset=0`)).toMatchObject({ status: 404 });
    expect(await read(`path=${encodeURIComponent(`/frameworks/${s.frameworkId}/executors/nope/runs/latest/stdout`)}&offset=0`)).toMatchObject({ status: 404 });
  });

  it('reports a failing command as TASK_FAILED with its real exit code', async () => {
    await launch((o) => [task('fails', o, { command: { value: 'exit 3' } })]);
    for (const st of ['TASK_STARTING', 'TASK_RUNNING']) await ack(await s.update('fails', st));
    const failed = await s.update('fails', 'TASK_FAILED');
    expect(failed.message).toBe('Command exited with status 3');
    await ack(failed);
  });

  it('runs argv commands with shell=false', async () => {
    await launch((o) => [task('argv', o, { command: { shell: false, value: '/bin/echo', arguments: ['echo', 'a b', 'c'] } })]);
    for (const st of ['TASK_STARTING', 'TASK_RUNNING']) await ack(await s.update('argv', st));
    await ack(await s.update('argv', 'TASK_FINISHED'));
    expect(em.readTaskFile('argv', 'stdout')!.data).toBe('a b c\n');
  });

  it('kills with SIGTERM, then SIGKILL after the grace period: KILLING then KILLED', async () => {
    await launch((o) => [
      task('stubborn', o, { command: { value: "trap '' TERM; echo ready; sleep 30" }, kill_policy: { grace_period: { nanoseconds: 200e6 } } }),
    ]);
    await ack(await s.update('stubborn', 'TASK_STARTING'));
    await ack(await s.update('stubborn', 'TASK_RUNNING'));
    // RUNNING means spawned; wait until the shell ignores SIGTERM before killing.
    for (let i = 0; i < 200 && em.readTaskFile('stubborn', 'stdout')?.data !== 'ready\n'; i++) await new Promise((r) => setTimeout(r, 25));
    expect((await s.call(em.url, { type: 'KILL', kill: { task_id: { value: 'stubborn' } } })).status).toBe(202);
    await ack(await s.update('stubborn', 'TASK_KILLING'));
    const killed = await s.update('stubborn', 'TASK_KILLED');
    expect(killed.message).toBe('Command terminated with signal Killed');
    await ack(killed);
  });

  it('fails a task at max_completion_time', async () => {
    await launch((o) => [task('slow', o, { command: { value: 'sleep 30' }, max_completion_time: { nanoseconds: 200e6 } })]);
    await ack(await s.update('slow', 'TASK_STARTING'));
    await ack(await s.update('slow', 'TASK_RUNNING'));
    const failed = await s.update('slow', 'TASK_FAILED');
    expect(failed.reason).toBe('REASON_MAX_COMPLETION_TIME_REACHED');
    await ack(failed);
  });

  it('fails Docker tasks when no Docker daemon answers, saying so', async () => {
    await launch((o) => [task('docker', o, { container: { type: 'DOCKER', docker: { image: 'alpine:3' } }, command: { value: 'echo hi' } })]);
    const failed = await s.update('docker');
    expect(failed).toMatchObject({ state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LAUNCH_FAILED', source: 'SOURCE_AGENT' });
    expect(failed.message).toMatch(/^Failed to launch container: no Docker daemon answers on this agent /);
    await ack(failed);
  });

  it('answers invalid tasks with TASK_ERROR and invalid offers with TASK_DROPPED, without uuid', async () => {
    await launch((o) => [
      task('bad/id', o),
      task('too-big', o, { resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 64 } }] }),
      task('no-command', o, { command: undefined }),
      task('ok', o),
      task('ok', o),
    ]);
    const bad = await s.update('bad/id');
    expect(bad).toMatchObject({ state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID', source: 'SOURCE_MASTER', message: "'bad/id' contains invalid characters" });
    expect(bad.uuid).toBeUndefined();
    expect((await s.update('too-big')).state).toBe('TASK_ERROR');
    expect((await s.update('no-command')).message).toMatch(/CommandInfo or ExecutorInfo/);
    const dup = await s.update('ok', 'TASK_ERROR');
    expect(dup.message).toBe('Task has duplicate ID: ok');
    for (const st of ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']) await ack(await s.update('ok', st));

    const r = await s.call(em.url, {
      type: 'ACCEPT',
      accept: { offer_ids: [{ value: 'no-such-offer' }], operations: [{ type: 'LAUNCH', launch: { task_infos: [task('dropped', { agent_id: { value: 'a' } } as Offer)] } }] },
    });
    expect(r.status).toBe(202);
    const dropped = await s.update('dropped');
    expect(dropped).toMatchObject({ state: 'TASK_DROPPED', reason: 'REASON_INVALID_OFFERS', source: 'SOURCE_MASTER' });
    expect(dropped.uuid).toBeUndefined();
  });

  it('resends an unacknowledged update and holds the next one back', async () => {
    const resend = await startEmbeddedMaster({ localAgents: 1, statusRetryMs: 150 });
    const sub = await Subscription.open(resend.url, frameworkInfo());
    try {
      await sub.take((e) => e.type === 'SUBSCRIBED');
      await launch((o) => [task('resent', o, { command: { value: 'exit 0' } })], sub, resend.url);
      const first = await sub.update('resent');
      const again = await sub.update('resent');
      expect(again).toEqual(first); // same state, same uuid: a resend, not a new update
      expect(first.state).toBe('TASK_STARTING');
      await ack(first, sub, resend.url);
      expect((await sub.update('resent')).state).toBe('TASK_RUNNING');
    } finally {
      sub.close();
      await resend.stop();
    }
  }, 15_000);

  it('reconciles: known tasks by latest state, unknown ones by what is known of their agent', async () => {
    await launch((o) => [task('long', o, { command: { value: 'sleep 30' } })]);
    await ack(await s.update('long', 'TASK_STARTING'));
    await ack(await s.update('long', 'TASK_RUNNING'));
    const agentId = em.agents[0].id;
    await s.call(em.url, {
      type: 'RECONCILE',
      reconcile: { tasks: [{ task_id: { value: 'long' } }, { task_id: { value: 'ghost' }, agent_id: { value: agentId } }, { task_id: { value: 'nowhere' } }] },
    });
    const known = await s.update('long');
    expect(known).toMatchObject({ state: 'TASK_RUNNING', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
    expect(known.uuid).toBeUndefined();
    expect((await s.update('ghost')).state).toBe('TASK_GONE');
    expect((await s.update('nowhere')).state).toBe('TASK_UNKNOWN');
    await s.call(em.url, { type: 'RECONCILE', reconcile: {} });
    expect((await s.update('long')).state).toBe('TASK_RUNNING');
    // Like Master::kill: a KILL naming another agent is ignored (the reconciliation that
    // follows it answers RUNNING), and a KILL of an unknown task is answered by reconciliation.
    await s.call(em.url, { type: 'KILL', kill: { task_id: { value: 'long' }, agent_id: { value: 'another-agent' } } });
    await s.call(em.url, { type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'long' } }] } });
    expect((await s.update('long')).state).toBe('TASK_RUNNING');
    await s.call(em.url, { type: 'KILL', kill: { task_id: { value: 'ghost' }, agent_id: { value: agentId } } });
    expect(await s.update('ghost')).toMatchObject({ state: 'TASK_GONE', reason: 'REASON_RECONCILIATION' });
    await s.call(em.url, { type: 'KILL', kill: { task_id: { value: 'long' } } });
    await ack(await s.update('long', 'TASK_KILLING'));
    await ack(await s.update('long', 'TASK_KILLED'));
  });

  it('answers a KILL of an unknown task with TASK_LOST to a framework that is not PARTITION_AWARE', async () => {
    const old = await Subscription.open(em.url, frameworkInfo({ capabilities: [{ type: 'MULTI_ROLE' }] }));
    try {
      await old.take((e) => e.type === 'SUBSCRIBED');
      await old.call(em.url, { type: 'KILL', kill: { task_id: { value: 'phantom' }, agent_id: { value: em.agents[0].id } } });
      expect(await old.update('phantom')).toMatchObject({ state: 'TASK_LOST', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
    } finally {
      old.close();
    }
  });

  it('kills the tasks of a framework that does not come back within failover_timeout', async () => {
    const pidFile = join(scratch, 'pid');
    // The long-lived framework steps aside so the agent is offered to the new one.
    expect((await s.call(em.url, { type: 'SUPPRESS' })).status).toBe(202);
    em.faults.rescindOffers(s.frameworkId);
    const fw = await Subscription.open(em.url, frameworkInfo({ failover_timeout: 0.3 }));
    await fw.take((e) => e.type === 'SUBSCRIBED');
    await launch((o) => [task('orphan', o, { command: { value: `echo $$ > ${pidFile}; exec sleep 30` } })], fw);
    await ack(await fw.update('orphan', 'TASK_STARTING'), fw);
    await fw.update('orphan', 'TASK_RUNNING');
    const pid = await pidFrom(pidFile);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(true);
    fw.close();
    for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 25));
    expect(alive(pid)).toBe(false);
    expect(em.master.frameworks.has(fw.frameworkId)).toBe(false);
    expect(em.master.removedFrameworks.has(fw.frameworkId)).toBe(true);
  });

  it('leaves no child behind when the master stops', async () => {
    const own = await startEmbeddedMaster({ localAgents: 1 });
    const sub = await Subscription.open(own.url, frameworkInfo());
    await sub.take((e) => e.type === 'SUBSCRIBED');
    const pidFile = join(scratch, 'pid-stop');
    await launch((o) => [task('lingering', o, { command: { value: `echo $$ > ${pidFile}; exec sleep 30` } })], sub, own.url);
    const pid = await pidFrom(pidFile);
    expect(alive(pid)).toBe(true);
    sub.close();
    await own.stop();
    expect(alive(pid)).toBe(false);
  });
});
