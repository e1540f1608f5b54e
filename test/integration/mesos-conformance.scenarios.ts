/**
 * The call sequences of the differential conformance test (mesos-conformance.test.ts).
 * Each scenario talks to one master through `ctx` and `say`s what it saw, reduced to what
 * a framework may rely on: no ids, timestamps or uuids (only whether a uuid is present),
 * and timing only as "arrived within" a window far from both masters' intervals.
 */
import type { call as callFn, rawPost as rawPostFn, Subscription } from './embedded-master-client.js';
import { frameworkInfo } from './embedded-master-client.js';
import type { FrameworkInfo, Offer, Resource, TaskInfo, TaskStatus } from '../../src/mesos/types.js';

/** What a scenario gets: the master's URL, a transcript writer and the raw client. */
export interface ScenarioContext {
  url: string;
  say(...what: unknown[]): void;
  open(info?: FrameworkInfo): Promise<Subscription>;
  call: typeof callFn;
  rawPost: typeof rawPostFn;
}

/** One named call sequence. */
export interface Scenario {
  name: string;
  run(ctx: ScenarioContext): Promise<void>;
}

const json = { 'Content-Type': 'application/json' };
const ACK_STATES = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_LOST']);

/** A status as a framework may rely on it. */
function statusOf(s: TaskStatus): string {
  return [s.state, s.source ?? '-', s.reason ?? '-', s.uuid ? 'uuid' : 'no-uuid'].join(' ');
}

/** Takes the next OFFERS event; returns its first offer. */
async function offer(sub: Subscription, what = 'offers'): Promise<Offer> {
  const e = await sub.take((x) => x.type === 'OFFERS', what, 10_000);
  return e.offers!.offers![0];
}

/** Whether an OFFERS event arrives within `ms`. */
async function offeredWithin(sub: Subscription, ms: number): Promise<boolean> {
  return sub.take((x) => x.type === 'OFFERS', 'offers', ms).then(
    () => true,
    () => false,
  );
}

/** `cpus` and `mem` cut from the offer's own resources (keeps role and allocation info). */
function slice(o: Offer, cpus: number, mem: number): Resource[] {
  const pick = (name: string, value: number) => ({ ...o.resources!.find((r) => r.name === name)!, scalar: { value } });
  return [pick('cpus', cpus), pick('mem', mem)];
}

let seq = 0;
function task(o: Offer, shell: string, over: Partial<TaskInfo> = {}): TaskInfo {
  const id = `conf-${process.pid}-${++seq}`;
  return { name: id, task_id: { value: id }, agent_id: o.agent_id, resources: slice(o, 0.1, 32), command: { value: shell, shell: true }, ...over };
}

/** A new subscription and its first offer. */
async function subscribedWithOffer(ctx: ScenarioContext, info?: FrameworkInfo): Promise<{ sub: Subscription; o: Offer }> {
  const sub = await ctx.open(info);
  await sub.take((e) => e.type === 'SUBSCRIBED');
  return { sub, o: await offer(sub) };
}

/** ACCEPTs `tasks` on offer `o`; returns the status code. */
async function launch(ctx: ScenarioContext, sub: Subscription, o: Offer, tasks: TaskInfo[]): Promise<number> {
  const r = await sub.call(ctx.url, { type: 'ACCEPT', accept: { offer_ids: [o.id], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }], filters: { refuse_seconds: 0 } } });
  return r.status;
}

/** The states of `taskId` until `until` (acknowledging each update that carries a uuid). */
async function statesUntil(ctx: ScenarioContext, sub: Subscription, taskId: string, until: (s: TaskStatus) => boolean): Promise<string[]> {
  const seen: string[] = [];
  for (;;) {
    const s = await sub.update(taskId);
    seen.push(statusOf(s));
    if (s.uuid) await sub.call(ctx.url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: s.agent_id!, task_id: s.task_id, uuid: s.uuid } });
    if (until(s)) return seen;
  }
}

const terminal = (s: TaskStatus) => ACK_STATES.has(s.state);

/** Sorted keys of an object. */
const keys = (o: object) => Object.keys(o).sort();

/** Fields of the operator endpoints that tools (and Kairos's task-labels.ts) read. */
const STATE_KEYS = ['activated_slaves', 'completed_frameworks', 'frameworks', 'hostname', 'id', 'leader', 'pid', 'slaves', 'version'];
const FRAMEWORK_KEYS = ['active', 'capabilities', 'completed_tasks', 'connected', 'failover_timeout', 'id', 'name', 'offers', 'roles', 'tasks', 'unreachable_tasks', 'user'];
const TASK_KEYS = ['framework_id', 'id', 'labels', 'name', 'resources', 'slave_id', 'state', 'statuses'];
const SLAVE_KEYS = ['active', 'attributes', 'hostname', 'id', 'pid', 'port', 'resources'];
const has = (o: object, wanted: string[]) => wanted.filter((k) => !(k in o));

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  const res = await fetch(url);
  const text = await res.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  return { status: res.status, body };
}

/** The scenarios, in the order the test runs them. */
export const conformanceScenarios: Scenario[] = [
  {
    name: 'malformed calls: status codes',
    async run(ctx) {
      const subscribe = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo() } });
      ctx.say('GET', (await ctx.rawPost(ctx.url, '', {}, 'GET')).status);
      ctx.say('no content type', (await ctx.rawPost(ctx.url, '{}', {})).status);
      ctx.say('charset', (await ctx.rawPost(ctx.url, '{}', { 'Content-Type': 'application/json; charset=utf-8' })).status);
      ctx.say('text/plain', (await ctx.rawPost(ctx.url, '{}', { 'Content-Type': 'text/plain' })).status);
      ctx.say('bad json', (await ctx.rawPost(ctx.url, '{"type":', json)).status);
      ctx.say('bad protobuf', (await ctx.rawPost(ctx.url, Uint8Array.from([0xff, 0xff]), { 'Content-Type': 'application/x-protobuf' })).status);
      ctx.say('no type', (await ctx.rawPost(ctx.url, '{}', json)).status);
      ctx.say('accept html', (await ctx.rawPost(ctx.url, subscribe, { ...json, Accept: 'text/html' })).status);
      ctx.say('subscribe with stream id', (await ctx.rawPost(ctx.url, subscribe, { ...json, 'Mesos-Stream-Id': 'abc' })).status);
      ctx.say('id mismatch', (await ctx.call(ctx.url, { type: 'SUBSCRIBE', framework_id: { value: 'x' }, subscribe: { framework_info: frameworkInfo() } })).status);
      ctx.say('no framework id', (await ctx.call(ctx.url, { type: 'REVIVE' })).status);
      ctx.say('unknown framework', (await ctx.call(ctx.url, { type: 'REVIVE', framework_id: { value: 'nope' } }, 'x')).status);
      const sub = await ctx.open();
      await sub.take((e) => e.type === 'SUBSCRIBED');
      const fid = { value: sub.frameworkId };
      ctx.say('no stream id', (await ctx.call(ctx.url, { type: 'REVIVE', framework_id: fid })).status);
      ctx.say('stale stream id', (await ctx.call(ctx.url, { type: 'REVIVE', framework_id: fid }, 'stale')).status);
      ctx.say('bad ack uuid', (await sub.call(ctx.url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: 'AAAA' } })).status);
      ctx.say('kill without task id', (await ctx.rawPost(ctx.url, JSON.stringify({ type: 'KILL', framework_id: fid, kill: {} }), { ...json, 'Mesos-Stream-Id': sub.streamId })).status);
      // Not sent: a Call of type UNKNOWN from a subscribed framework aborts the real 1.12
      // master (the process dies); the embedded one answers 501 as the docs say.
      ctx.say('suppress', await sub.call(ctx.url, { type: 'SUPPRESS' }).then((r) => [r.status, r.body]));
      ctx.say('teardown', (await sub.call(ctx.url, { type: 'TEARDOWN' })).status);
      await sub.closed();
      ctx.say('after teardown', (await sub.call(ctx.url, { type: 'REVIVE' })).status);
    },
  },
  {
    name: 'subscribe: stream, first events, framework id, offers, failover of a second subscription',
    async run(ctx) {
      const sub = await ctx.open();
      const first = await sub.take((e) => e.type === 'SUBSCRIBED');
      ctx.say('status', sub.status, sub.headers['content-type'], typeof sub.streamId);
      // A HEARTBEAT follows at once (the real master may send OFFERS before it).
      ctx.say('heartbeat event', (await sub.take((e) => e.type === 'HEARTBEAT', 'HEARTBEAT', 2_000)).type);
      const s = first.subscribed!;
      ctx.say('heartbeat', s.heartbeat_interval_seconds, 'id', s.framework_id.value.startsWith(`${s.master_info!.id}-`), /-\d{4}$/.test(s.framework_id.value));
      const o = await offer(sub);
      ctx.say('offer', keys(o).filter((k) => k !== 'domain'), o.allocation_info, o.resources!.map((r) => `${r.name}:${r.type}:${r.allocation_info?.role}`).sort());
      ctx.say('offer url', o.url?.scheme, o.url?.path);
      const again = await ctx.open({ ...frameworkInfo(), id: { value: sub.frameworkId } });
      await again.take((e) => e.type === 'SUBSCRIBED');
      const err = await sub.take((e) => e.type === 'ERROR', 'ERROR on the old stream');
      await sub.closed();
      ctx.say('old stream', err.error!.message, 'new stream id differs', again.streamId !== sub.streamId);
      ctx.say('old stream id', (await sub.call(ctx.url, { type: 'REVIVE' })).status);
      ctx.say('offer after failover', keys(await offer(again)).length > 0);
      await again.call(ctx.url, { type: 'TEARDOWN' });
    },
  },
  {
    name: 'decline with a filter, revive; suppress, revive',
    async run(ctx) {
      const { sub, o } = await subscribedWithOffer(ctx);
      ctx.say('decline', (await sub.call(ctx.url, { type: 'DECLINE', decline: { offer_ids: [o.id], filters: { refuse_seconds: 3600 } } })).status);
      ctx.say('offered within 1.5 s after a 3600 s decline', await offeredWithin(sub, 1500));
      ctx.say('revive', (await sub.call(ctx.url, { type: 'REVIVE' })).status);
      const o2 = await offer(sub, 'offers after REVIVE');
      ctx.say('suppress', (await sub.call(ctx.url, { type: 'SUPPRESS' })).status);
      ctx.say('decline', (await sub.call(ctx.url, { type: 'DECLINE', decline: { offer_ids: [o2.id], filters: { refuse_seconds: 0 } } })).status);
      ctx.say('offered within 1.5 s while suppressed', await offeredWithin(sub, 1500));
      ctx.say('decline unknown offer', (await sub.call(ctx.url, { type: 'DECLINE', decline: { offer_ids: [{ value: 'no-such-offer' }] } })).status);
      ctx.say('revive', (await sub.call(ctx.url, { type: 'REVIVE' })).status);
      await offer(sub, 'offers after the second REVIVE');
      ctx.say('offered again');
      await sub.call(ctx.url, { type: 'TEARDOWN' });
    },
  },
  {
    name: 'launch, finish, fail: update sequences with source, reason and uuid; /master/tasks; /files/read',
    async run(ctx) {
      const { sub, o } = await subscribedWithOffer(ctx);
      const ok = task(o, 'echo conformance');
      // What a command task may rely on from its environment: the executor id (a command
      // executor's id is its task's), and the sandbox as working directory.
      ok.command!.value = `echo conformance; [ "$MESOS_EXECUTOR_ID" = "${ok.task_id.value}" ] && echo executor-id; [ "$(pwd -P)" = "$(cd "$MESOS_SANDBOX" && pwd -P)" ] && echo in-sandbox`;
      const bad = task(o, 'exit 7');
      ctx.say('accept', await launch(ctx, sub, o, [ok, bad]));
      ctx.say('ok', await statesUntil(ctx, sub, ok.task_id.value, terminal));
      ctx.say('bad', await statesUntil(ctx, sub, bad.task_id.value, terminal));
      const tasks = (await getJson(`${ctx.url}/master/tasks?framework_id=${sub.frameworkId}`)).body!.tasks as Record<string, unknown>[];
      const t = tasks.find((x) => x.id === ok.task_id.value)!;
      ctx.say('/master/tasks', tasks.length, has(t, TASK_KEYS), t.state, (t.statuses as { state: string }[]).map((s) => s.state));
      // The agent's files, as the framework's sandbox.ts finds them: Offer.url + virtual path.
      const agent = `${o.url!.scheme}://${o.url!.address.ip ?? o.url!.address.hostname}:${o.url!.address.port}`;
      const sandbox = `/frameworks/${sub.frameworkId}/executors/${ok.task_id.value}/runs/latest`;
      const read = await getJson(`${agent}/files/read?path=${encodeURIComponent(`${sandbox}/stdout`)}&offset=0&length=1000`);
      ctx.say('/files/read', read.status, read.body);
      const size = await getJson(`${agent}/files/read?path=${encodeURIComponent(`${sandbox}/stdout`)}&offset=-1`);
      ctx.say('/files/read size', size.status, size.body);
      ctx.say('/files/read missing', (await getJson(`${agent}/files/read?path=${encodeURIComponent(`${sandbox}/nope`)}&offset=0`)).status);
      await sub.call(ctx.url, { type: 'TEARDOWN' });
    },
  },
  {
    name: 'kill a running task; kill an unknown task',
    async run(ctx) {
      const { sub, o } = await subscribedWithOffer(ctx);
      const t = task(o, 'sleep 30', { kill_policy: { grace_period: { nanoseconds: 1e9 } } });
      ctx.say('accept', await launch(ctx, sub, o, [t]));
      ctx.say('up', await statesUntil(ctx, sub, t.task_id.value, (s) => s.state === 'TASK_RUNNING'));
      ctx.say('kill', (await sub.call(ctx.url, { type: 'KILL', kill: { task_id: t.task_id, agent_id: o.agent_id } })).status);
      ctx.say('down', await statesUntil(ctx, sub, t.task_id.value, terminal));
      ctx.say('kill unknown', (await sub.call(ctx.url, { type: 'KILL', kill: { task_id: { value: 'no-such-task' }, agent_id: o.agent_id } })).status);
      ctx.say('its answer', statusOf(await sub.update('no-such-task')));
      await sub.call(ctx.url, { type: 'TEARDOWN' });
    },
  },
  {
    name: 'reconcile: explicit (known, unknown on a known agent, unknown agent) and implicit',
    async run(ctx) {
      const { sub, o } = await subscribedWithOffer(ctx);
      const t = task(o, 'sleep 30');
      await launch(ctx, sub, o, [t]);
      await statesUntil(ctx, sub, t.task_id.value, (s) => s.state === 'TASK_RUNNING');
      const r = await sub.call(ctx.url, {
        type: 'RECONCILE',
        reconcile: { tasks: [{ task_id: t.task_id, agent_id: o.agent_id }, { task_id: { value: 'ghost' }, agent_id: o.agent_id }, { task_id: { value: 'nowhere' }, agent_id: { value: 'no-such-agent' } }] },
      });
      ctx.say('explicit', r.status);
      ctx.say('known', statusOf(await sub.update(t.task_id.value)));
      ctx.say('unknown task', statusOf(await sub.update('ghost')));
      ctx.say('unknown agent', statusOf(await sub.update('nowhere')));
      ctx.say('implicit', (await sub.call(ctx.url, { type: 'RECONCILE', reconcile: {} })).status);
      ctx.say('implicit answer', statusOf(await sub.update(t.task_id.value)));
      await sub.call(ctx.url, { type: 'TEARDOWN' });
    },
  },
  {
    name: 'bad ACCEPTs: unknown offer (TASK_DROPPED), invalid task (TASK_ERROR)',
    async run(ctx) {
      const { sub, o } = await subscribedWithOffer(ctx);
      const lost = task(o, 'true');
      const r = await sub.call(ctx.url, { type: 'ACCEPT', accept: { offer_ids: [{ value: 'no-such-offer' }], operations: [{ type: 'LAUNCH', launch: { task_infos: [lost] } }] } });
      ctx.say('unknown offer', r.status, statusOf(await sub.update(lost.task_id.value)));
      const invalid = task(o, 'true', { kill_policy: { grace_period: { nanoseconds: -1 } } });
      ctx.say('invalid task', await launch(ctx, sub, o, [invalid]), statusOf(await sub.update(invalid.task_id.value)));
      const dup = task(o, 'true');
      const o2 = await offer(sub, 'offers after the invalid ACCEPT');
      ctx.say('too big', await launch(ctx, sub, o2, [{ ...dup, resources: slice(o2, 64, 32) }]), statusOf(await sub.update(dup.task_id.value)));
      await sub.call(ctx.url, { type: 'TEARDOWN' });
    },
  },
  {
    name: 'teardown kills running tasks and completes the framework; operator endpoints',
    async run(ctx) {
      const { sub, o } = await subscribedWithOffer(ctx);
      const t = task(o, 'sleep 30', { labels: { labels: [{ key: 'kairos.run', value: 'job@1' }] } });
      await launch(ctx, sub, o, [t]);
      await statesUntil(ctx, sub, t.task_id.value, (s) => s.state === 'TASK_RUNNING');
      const state = (await getJson(`${ctx.url}/master/state`)).body!;
      ctx.say('/master/state', has(state, STATE_KEYS));
      const fw = (state.frameworks as Record<string, unknown>[]).find((f) => f.id === sub.frameworkId)!;
      ctx.say('framework', has(fw, FRAMEWORK_KEYS), fw.active, fw.connected, fw.failover_timeout, [...(fw.capabilities as string[])].sort());
      const running = (fw.tasks as Record<string, unknown>[])[0];
      ctx.say('task', has(running, TASK_KEYS), running.state, running.labels);
      ctx.say('slave', has((state.slaves as Record<string, unknown>[])[0], SLAVE_KEYS));
      const frameworks = await getJson(`${ctx.url}/master/frameworks?framework_id=${sub.frameworkId}`);
      ctx.say('/master/frameworks', frameworks.status, (frameworks.body?.frameworks as { id: string }[] | undefined)?.map((f) => f.id === sub.frameworkId));
      const slaves = await getJson(`${ctx.url}/master/slaves`);
      ctx.say('/master/slaves', slaves.status, (slaves.body?.slaves as Record<string, unknown>[] | undefined)?.map((s) => has(s, SLAVE_KEYS)));
      const missing = await getJson(`${ctx.url}/master/tasks?framework_id=${sub.frameworkId}&task_id=nope`);
      ctx.say('/master/tasks of nothing', missing.status, missing.body);
      ctx.say('teardown', (await sub.call(ctx.url, { type: 'TEARDOWN' })).status);
      await sub.closed();
      const after = (await getJson(`${ctx.url}/master/state`)).body!;
      const done = (after.completed_frameworks as { id: string }[]).some((f) => f.id === sub.frameworkId);
      const active = (after.frameworks as { id: string }[]).some((f) => f.id === sub.frameworkId);
      ctx.say('completed', done, 'active', active);
    },
  },
];
