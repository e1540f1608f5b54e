import { describe, expect, it } from 'vitest';
import type { TaskTemplate } from '../../../src/core/types.js';
import { normalizeConfig } from '../../../src/mesos/config.js';
import { OfferFlow } from '../../../src/mesos/flow.js';
import { TaskBook } from '../../../src/mesos/taskbook.js';
import type { Offer } from '../../../src/mesos/types.js';
import type { Call } from '../../../src/mesos/scheduler-types.js';
import type { LaunchRequest, PlacedLaunch } from '../../../src/ports/mesos.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { FakeClock } from '../../support/fake-clock.js';
import { launchRequest, template } from './fixtures.js';

const base = template({ resources: { cpus: 1, mem: 128, disk: 0, gpus: 0, ports: 0 } });
const req = (n: number, over: Partial<TaskTemplate> = {}): LaunchRequest => launchRequest('j', n, { ...base, ...over }, n);
const offer = (id: string, cpus: number): Offer => ({
  id: { value: id },
  framework_id: { value: 'F' },
  agent_id: { value: `A-${id}` },
  hostname: `h-${id}`,
  allocation_info: { role: '*' },
  resources: [
    { name: 'cpus', type: 'SCALAR', scalar: { value: cpus }, allocation_info: { role: '*' } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 4096 }, allocation_info: { role: '*' } },
  ],
});

function setup(opts: { persist?: (l: PlacedLaunch[]) => Promise<void>; maxTasksPerRound?: number; maxStarting?: number; offerHoldMs?: number } = {}) {
  const clock = new FakeClock();
  const tasks = new TaskBook();
  const log: string[] = [];
  const calls: Call[] = [];
  const flow = new OfferFlow({
    clock,
    config: normalizeConfig({ batchWindowMs: 10, declineShortSeconds: 1, declineLongSeconds: 300, maxTasksPerRound: opts.maxTasksPerRound, maxStarting: opts.maxStarting, offerHoldMs: opts.offerHoldMs }),
    log: silentLogger,
    tasks,
    hooks: {
      persistLaunch: async (l) => {
        log.push(`persist ${l.map((x) => x.request.taskId).join(',')}`);
        await (opts.persist ?? (async () => {}))(l);
      },
    },
    caller: {
      call: async (c) => {
        calls.push(c);
        log.push(c.type ?? '?');
      },
    },
  });
  return { clock, tasks, log, calls, flow };
}

describe('OfferFlow', () => {
  it('suppresses when idle, revives on demand, persists before ACCEPT, declines leftovers', async () => {
    const { clock, tasks, log, calls, flow } = setup();
    flow.subscribed();
    expect(log).toEqual(['SUPPRESS']);
    tasks.enqueue([req(1), req(2), req(3)], clock.now());
    flow.demandAppeared();
    expect(log).toEqual(['SUPPRESS', 'REVIVE']);
    flow.offers([offer('o1', 2), offer('o2', 2), offer('o3', 2)]);
    await clock.advanceAsync(10);
    expect(log).toEqual(['SUPPRESS', 'REVIVE', 'persist kairos.j@1.1,kairos.j@2.1,kairos.j@3.1', 'ACCEPT', 'ACCEPT', 'DECLINE', 'SUPPRESS']);
    const accepts = calls.filter((c) => c.type === 'ACCEPT');
    expect(accepts.map((c) => c.accept?.operations?.[0].launch?.task_infos?.map((t) => t.task_id.value))).toEqual([['kairos.j@1.1', 'kairos.j@2.1'], ['kairos.j@3.1']]);
    expect(accepts[0].accept?.filters).toEqual({ refuse_seconds: 300 });
    expect(calls.find((c) => c.type === 'DECLINE')?.decline).toEqual({ offer_ids: [{ value: 'o3' }], filters: { refuse_seconds: 300 } });
    expect(tasks.queued).toBe(0);
    expect(tasks.live().map((t) => t.taskId)).toHaveLength(3);
    expect(flow.counters()).toMatchObject({ offersReceived: 3, offersDeclined: 1, revives: 1, suppressed: true });
  });

  it('declines with a short filter while unfit demand remains, and shows why it waits', async () => {
    const { clock, tasks, calls, flow } = setup();
    flow.subscribed();
    tasks.enqueue([req(1, { resources: { ...base.resources, gpus: 1 } })], clock.now());
    flow.demandAppeared();
    flow.offers([offer('o1', 2)]);
    await clock.advanceAsync(10);
    expect(calls.at(-1)).toMatchObject({ type: 'DECLINE', decline: { filters: { refuse_seconds: 1 } } });
    expect(tasks.pendingInfo()).toEqual([{ taskId: 'kairos.j@1.1', runId: 'j@1', since: clock.now() - 10, reason: 'no offer has gpus' }]);
  });

  it('sends no ACCEPT when the intent cannot be persisted, and keeps the tasks queued', async () => {
    const { clock, tasks, log, flow } = setup({ persist: async () => Promise.reject(new Error('store down')) });
    flow.subscribed();
    tasks.enqueue([req(1)], clock.now());
    flow.demandAppeared();
    flow.offers([offer('o1', 2)]);
    await clock.advanceAsync(10);
    expect(log).not.toContain('ACCEPT');
    expect(log.at(-1)).toBe('DECLINE');
    expect(tasks.pendingInfo()[0].reason).toBe('launch intent not persisted: store down');
  });

  it('forgets held offers on disconnect and rescind', async () => {
    const { clock, tasks, log, flow } = setup();
    flow.subscribed();
    flow.offers([offer('o1', 2), offer('o2', 2)]);
    flow.rescind('o1');
    flow.disconnected();
    tasks.enqueue([req(1)], clock.now());
    await clock.advanceAsync(100);
    expect(log).toEqual(['SUPPRESS']);
  });

  it('matches a long queue in bounded passes over the offers the previous pass left', async () => {
    const { clock, tasks, calls, flow } = setup({ maxTasksPerRound: 2 });
    flow.subscribed();
    tasks.enqueue([1, 2, 3, 4, 5, 6, 7].map((n) => req(n)), clock.now());
    flow.demandAppeared();
    flow.offers([offer('o1', 2), offer('o2', 2), offer('o3', 2)]);
    await clock.advanceAsync(10);
    const accepts = calls.filter((c) => c.type === 'ACCEPT');
    expect(accepts.map((c) => c.accept?.operations?.[0].launch?.task_infos?.length)).toEqual([2, 2, 2]);
    expect(tasks.queued).toBe(1);
    expect(accepts[0].accept?.filters).toEqual({ refuse_seconds: 1 });
  });

  it('launches no more than maxStarting tasks that have not reported RUNNING yet', async () => {
    const { clock, tasks, calls, flow } = setup({ maxStarting: 3 });
    flow.subscribed();
    tasks.enqueue([1, 2, 3, 4, 5].map((n) => req(n)), clock.now());
    flow.demandAppeared();
    flow.offers([offer('o1', 8)]);
    await clock.advanceAsync(10);
    expect(tasks.starting).toBe(3);
    expect(calls.filter((c) => c.type === 'ACCEPT').flatMap((c) => c.accept!.operations![0].launch!.task_infos!.map((t) => t.task_id.value))).toEqual(['kairos.j@1.1', 'kairos.j@2.1', 'kairos.j@3.1']);
    tasks.update({ task_id: { value: 'kairos.j@1.1' }, state: 'TASK_RUNNING' }, clock.now());
    tasks.update({ task_id: { value: 'kairos.j@2.1' }, state: 'TASK_FAILED' }, clock.now());
    expect(tasks.starting).toBe(1);
    flow.offers([offer('o2', 8)]);
    await clock.advanceAsync(10);
    expect(calls.filter((c) => c.type === 'ACCEPT').at(-1)!.accept!.operations![0].launch!.task_infos!.map((t) => t.task_id.value)).toEqual(['kairos.j@4.1', 'kairos.j@5.1']);
  });

  it('holds offers the starting cap alone left unused, matches them once a quarter of the cap is free, and declines them after offerHoldMs', async () => {
    const { clock, tasks, calls, flow } = setup({ maxStarting: 4, offerHoldMs: 1000 });
    const accepted = () => calls.filter((c) => c.type === 'ACCEPT').map((c) => `${c.accept!.offer_ids![0].value}:${c.accept!.operations![0].launch!.task_infos!.length}`);
    const declined = () => calls.filter((c) => c.type === 'DECLINE').flatMap((c) => c.decline!.offer_ids!.map((o) => o.value));
    flow.subscribed();
    tasks.enqueue([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => req(n)), clock.now());
    flow.demandAppeared();
    flow.offers([offer('o1', 4), offer('o2', 4), offer('o3', 4)]);
    await clock.advanceAsync(10);
    // The cap (4) is reached on o1; o2 and o3 are held, not declined.
    expect(accepted()).toEqual(['o1:4']);
    expect(declined()).toEqual([]);
    await clock.advanceAsync(300);
    expect(accepted()).toEqual(['o1:4']);
    // One task RUNNING frees a quarter of the cap: the held offers are matched again at once.
    tasks.update({ task_id: { value: 'kairos.j@1.1' }, state: 'TASK_RUNNING' }, clock.now());
    await clock.advanceAsync(20);
    expect(accepted()).toEqual(['o1:4', 'o2:1']);
    expect(declined()).toEqual([]);
    // No more room: o3 is held until offerHoldMs since it was first held, then declined with the short filter.
    await clock.advanceAsync(600);
    expect(declined()).toEqual([]);
    await clock.advanceAsync(200);
    expect(declined()).toEqual(['o3']);
    expect(calls.filter((c) => c.type === 'DECLINE').at(-1)!.decline!.filters).toEqual({ refuse_seconds: 1 });
    expect(tasks.queued).toBe(4);
  });

  it('never answers a held offer the master rescinded, nor any held offer after a disconnect', async () => {
    const { clock, tasks, calls, flow } = setup({ maxStarting: 2, offerHoldMs: 1000 });
    const answered = () => calls.filter((c) => c.type === 'ACCEPT' || c.type === 'DECLINE').flatMap((c) => (c.accept?.offer_ids ?? c.decline?.offer_ids ?? []).map((o) => o.value));
    flow.subscribed();
    tasks.enqueue([1, 2, 3, 4, 5].map((n) => req(n)), clock.now());
    flow.demandAppeared();
    flow.offers([offer('o1', 2), offer('o2', 2), offer('o3', 2)]);
    await clock.advanceAsync(10);
    expect(answered()).toEqual(['o1']); // o2 and o3 held: the cap (2) is reached
    flow.rescind('o2');
    tasks.update({ task_id: { value: 'kairos.j@1.1' }, state: 'TASK_RUNNING' }, clock.now());
    await clock.advanceAsync(20);
    expect(answered()).toEqual(['o1', 'o3']); // matched again, and o2 (rescinded) left alone
    flow.offers([offer('o4', 2)]);
    await clock.advanceAsync(20);
    flow.disconnected();
    await clock.advanceAsync(2000);
    expect(answered()).toEqual(['o1', 'o3']); // o4 was held, then void with the stream: never declined
  });

  it('with offerHoldMs 0 declines what the cap left unused at once', async () => {
    const { clock, tasks, calls, flow } = setup({ maxStarting: 2, offerHoldMs: 0 });
    flow.subscribed();
    tasks.enqueue([1, 2, 3].map((n) => req(n)), clock.now());
    flow.demandAppeared();
    flow.offers([offer('o1', 2), offer('o2', 2)]);
    await clock.advanceAsync(10);
    expect(calls.filter((c) => c.type === 'DECLINE').flatMap((c) => c.decline!.offer_ids!.map((o) => o.value))).toEqual(['o2']);
  });
});
