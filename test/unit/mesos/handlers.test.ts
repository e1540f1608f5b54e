/**
 * Each scheduler event handler (handlers.ts) over the real offer flow, status pipe and
 * reconciler, judged by the calls a recording Caller received and by what was written.
 */
import { describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../../src/mesos/config.js';
import { OfferFlow } from '../../../src/mesos/flow.js';
import { eventHandlers, route } from '../../../src/mesos/handlers.js';
import { Reconciler } from '../../../src/mesos/reconciler.js';
import { AgentSandboxes } from '../../../src/mesos/sandbox.js';
import { StatusPipe } from '../../../src/mesos/status-pipe.js';
import { TaskBook } from '../../../src/mesos/taskbook.js';
import type { Offer, TaskStatus } from '../../../src/mesos/types.js';
import type { Event } from '../../../src/mesos/scheduler-types.js';
import { HeartbeatWatchdog } from '../../../src/mesos/watchdog.js';
import type { TaskStatusUpdate } from '../../../src/ports/mesos.js';
import { FakeClock } from '../../support/fake-clock.js';
import { launchRequest, template } from './fixtures.js';
import { recordingLogger } from './logger.js';
import { RecordingCaller } from './recording-caller.js';

const offer = (id: string): Offer => ({
  id: { value: id },
  framework_id: { value: 'F' },
  agent_id: { value: `A-${id}` },
  hostname: `h-${id}`,
  url: { scheme: 'http', address: { hostname: `h-${id}`, port: 5051 }, path: '/slave(1)' },
  resources: [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 2 } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 1024 } },
  ],
});
/** Lets every pending promise continuation run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const status = (taskId: string, state: string, extra: Partial<TaskStatus> = {}): TaskStatus => ({ task_id: { value: taskId }, state: state as TaskStatus['state'], agent_id: { value: 'A1' }, ...extra });

function setup(opts: { onStatus?: (u: TaskStatusUpdate) => Promise<void> } = {}) {
  const clock = new FakeClock();
  const order: string[] = [];
  const lines: string[] = [];
  const events: string[] = [];
  const log = recordingLogger(lines);
  const caller = new RecordingCaller(order);
  const tasks = new TaskBook();
  const sandboxes = new AgentSandboxes();
  const hooks = {
    persistLaunch: async () => {},
    onStatus: async (u: TaskStatusUpdate) => {
      await opts.onStatus?.(u);
      order.push(`store ${u.taskId} ${u.mesosState}`);
    },
  };
  const config = normalizeConfig({ batchWindowMs: 10, declineShortSeconds: 1, declineLongSeconds: 300 });
  const flow = new OfferFlow({ clock, config, log, tasks, caller, hooks });
  const reconciler = new Reconciler({ clock, caller, log, intervalMs: 600_000, backoff: { initialMs: 1000, maxMs: 1000, maxRounds: 1 }, live: () => tasks.live(), connected: () => true, reconciled: (e) => events.push(`reconciled ${e.unanswered.join(',')}`) });
  reconciler.start();
  const statuses = new StatusPipe({ clock, log, caller, tasks, sandboxes, labels: { of: async () => undefined }, hooks, sandboxOf: () => undefined, observed: (id, at) => reconciler.observe(id, at), recorded: (u) => events.push(`status ${u.taskId}`) });
  const heartbeat = new HeartbeatWatchdog(clock, () => events.push('silent'));
  const table = eventHandlers({
    log,
    heartbeat,
    heartbeatMisses: 5,
    starvation: { offerArrived: () => events.push('fed') },
    sandboxes,
    offers: flow,
    statuses,
    reconcile: () => void reconciler.run(),
    events: { subscribed: (e) => events.push(`subscribed ${e.frameworkId}`), offers: (e) => events.push(`offers ${e.count}`) },
  });
  const handle = route(table, heartbeat);
  const sub = { url: 'http://m1:5050/api/v1/scheduler', streamId: 'S1', close: () => events.push('closed') };
  const send = (e: Event) => handle(e, sub);
  return { clock, order, lines, events, caller, tasks, sandboxes, send };
}

describe('event handlers', () => {
  it('SUBSCRIBED: arms the heartbeat, says the offer flow has no demand, and reconciles the live tasks', async () => {
    const t = setup();
    t.tasks.seed([{ taskId: 'kairos.j@1.1', agentId: 'A1' }]);
    t.send({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'F1' }, heartbeat_interval_seconds: 1 } });
    await settle();
    expect(t.events).toEqual(['subscribed F1']);
    expect(t.order).toEqual(['SUPPRESS', 'RECONCILE']);
    expect(t.caller.of('RECONCILE')[0].reconcile).toEqual({ tasks: [{ task_id: { value: 'kairos.j@1.1' }, agent_id: { value: 'A1' } }] });
    await t.clock.advanceAsync(1000);
    expect(t.caller.of('RECONCILE').map((c) => c.reconcile)).toEqual([{ tasks: [{ task_id: { value: 'kairos.j@1.1' }, agent_id: { value: 'A1' } }] }, {}]);
    await settle();
    expect(t.events.at(-1)).toBe('reconciled kairos.j@1.1');
    await t.clock.advanceAsync(3999);
    expect(t.events).not.toContain('silent'); // 5 heartbeat intervals without any event have not passed yet
    await t.clock.advanceAsync(1);
    expect(t.events).toContain('silent');
  });

  it('every event feeds the heartbeat watchdog, HEARTBEAT included, and makes no call of its own', async () => {
    const t = setup();
    t.send({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'F1' }, heartbeat_interval_seconds: 1 } });
    await settle();
    expect(t.order).toEqual(['SUPPRESS', 'RECONCILE']);
    for (let i = 0; i < 10; i++) {
      await t.clock.advanceAsync(4000);
      t.send({ type: 'HEARTBEAT' });
    }
    expect(t.events).not.toContain('silent');
    expect(t.order).toEqual(['SUPPRESS', 'RECONCILE']);
  });

  it('OFFERS: feeds the starvation watchdog and the sandboxes, and the offer flow declines what nothing needs', async () => {
    const t = setup();
    t.send({ type: 'OFFERS', offers: { offers: [offer('o1'), offer('o2')] } });
    expect(t.events).toEqual(['fed', 'offers 2']);
    await t.clock.advanceAsync(10);
    expect(t.caller.of('DECLINE').map((c) => c.decline)).toEqual([{ offer_ids: [{ value: 'o1' }, { value: 'o2' }], filters: { refuse_seconds: 300 } }]);
    t.send({ type: 'UPDATE', update: { status: status('kairos.j@1.1', 'TASK_RUNNING', { agent_id: { value: 'A-o1' } }) } });
    expect(t.sandboxes.locate('F1', 'kairos.j@1.1')).toBe('http://h-o1:5051/frameworks/F1/executors/kairos.j%401.1/runs/latest');
  });

  it('OFFERS then ACCEPT: the launch goes through the Caller after the intent, one ACCEPT per offer', async () => {
    const t = setup();
    t.tasks.enqueue([launchRequest('j', 1, template())], t.clock.now());
    t.send({ type: 'OFFERS', offers: { offers: [offer('o1')] } });
    await t.clock.advanceAsync(10);
    expect(t.caller.of('ACCEPT').map((c) => c.accept?.operations?.[0].launch?.task_infos?.map((x) => x.task_id.value))).toEqual([['kairos.j@1.1']]);
  });

  it('RESCIND: a rescinded offer is neither used nor declined', async () => {
    const t = setup();
    t.send({ type: 'OFFERS', offers: { offers: [offer('o1'), offer('o2')] } });
    t.send({ type: 'RESCIND', rescind: { offer_id: { value: 'o1' } } });
    await t.clock.advanceAsync(10);
    expect(t.caller.of('DECLINE').map((c) => c.decline?.offer_ids)).toEqual([[{ value: 'o2' }]]);
  });

  it('UPDATE: the ACKNOWLEDGE follows the store write, never precedes it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const t = setup({ onStatus: () => gate });
    t.send({ type: 'UPDATE', update: { status: status('kairos.j@1.1', 'TASK_RUNNING', { uuid: 'dTE=' }) } });
    await settle();
    expect(t.caller.of('ACKNOWLEDGE')).toEqual([]);
    release();
    await settle();
    expect(t.order).toEqual(['store kairos.j@1.1 TASK_RUNNING', 'ACKNOWLEDGE']);
    expect(t.caller.of('ACKNOWLEDGE')[0].acknowledge).toEqual({ agent_id: { value: 'A1' }, task_id: { value: 'kairos.j@1.1' }, uuid: 'dTE=' });
    expect(t.events).toEqual(['status kairos.j@1.1']);
  });

  it('UPDATE: a refused write is not acknowledged (Mesos resends it); an update without uuid is recorded and never acknowledged', async () => {
    const t = setup({ onStatus: async (u) => (u.mesosState === 'TASK_RUNNING' ? Promise.reject(new Error('store down')) : undefined) });
    t.send({ type: 'UPDATE', update: { status: status('kairos.j@1.1', 'TASK_RUNNING', { uuid: 'dTE=' }) } });
    t.send({ type: 'UPDATE', update: { status: status('kairos.j@2.1', 'TASK_FINISHED', { reason: 'REASON_RECONCILIATION' }) } });
    await settle();
    expect(t.caller.of('ACKNOWLEDGE')).toEqual([]);
    expect(t.order).toEqual(['store kairos.j@2.1 TASK_FINISHED']);
    expect(t.lines).toContain('warn: onStatus failed; the update stays unacknowledged and will be resent');
  });

  it('UPDATE: updates of one task are written and acknowledged in arrival order', async () => {
    const gates: (() => void)[] = [];
    const t = setup({ onStatus: () => new Promise<void>((r) => gates.push(r)) });
    t.send({ type: 'UPDATE', update: { status: status('kairos.j@1.1', 'TASK_RUNNING', { uuid: 'YQ==' }) } });
    t.send({ type: 'UPDATE', update: { status: status('kairos.j@1.1', 'TASK_FINISHED', { uuid: 'Yg==' }) } });
    await settle();
    expect(gates).toHaveLength(1); // the second waits for the first's ACK
    gates[0]();
    await settle();
    gates[1]();
    await settle();
    expect(t.order).toEqual(['store kairos.j@1.1 TASK_RUNNING', 'ACKNOWLEDGE', 'store kairos.j@1.1 TASK_FINISHED', 'ACKNOWLEDGE']);
    expect(t.caller.of('ACKNOWLEDGE').map((c) => c.acknowledge?.uuid)).toEqual(['YQ==', 'Yg==']);
  });

  it('ERROR: logs the message and closes the stream; FAILURE: only logs', () => {
    const t = setup();
    t.send({ type: 'FAILURE', failure: { agent_id: { value: 'A1' }, status: 1 } });
    expect(t.events).toEqual([]);
    t.send({ type: 'ERROR', error: { message: 'Framework has been removed' } });
    expect(t.events).toEqual(['closed']);
    expect(t.lines).toEqual(['warn: agent or executor failure', 'error: master sent ERROR']);
    expect(t.caller.calls).toEqual([]);
  });
});
