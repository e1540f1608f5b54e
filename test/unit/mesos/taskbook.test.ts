import { describe, expect, it } from 'vitest';
import type { TaskTemplate } from '../../../src/core/types.js';
import { TaskBook } from '../../../src/mesos/taskbook.js';
import type { LaunchRequest } from '../../../src/ports/mesos.js';

const template = { resources: { cpus: 1, mem: 1, disk: 0, gpus: 0, ports: 0 }, constraints: [], priority: 0 } as unknown as TaskTemplate;
const req = (n: number, priority = 0): LaunchRequest => ({ taskId: `kairos.j@${n}.1`, runId: `j@${n}`, job: 'j', attempt: 1, revision: 'r', template: { ...template, priority }, dueAt: n });

describe('TaskBook', () => {
  it('hands out queued demands in priority then due order, up to a limit, skipping what left', () => {
    const b = new TaskBook();
    expect(b.enqueue([req(3), req(1), req(2), req(9, 5)], 0)).toBe(4);
    expect(b.enqueue([req(1)], 0)).toBe(0);
    expect(b.demands(3).map((d) => d.id)).toEqual(['kairos.j@9.1', 'kairos.j@1.1', 'kairos.j@2.1']);
    b.dequeue('kairos.j@1.1');
    const placing = b.beginPlacing(['kairos.j@9.1']);
    expect(b.demands().map((d) => d.id)).toEqual(['kairos.j@2.1', 'kairos.j@3.1']);
    b.abortPlacing(placing, 'store down');
    expect(b.demands().map((d) => d.id)).toEqual(['kairos.j@9.1', 'kairos.j@2.1', 'kairos.j@3.1']);
    expect(b.pendingInfo().find((p) => p.taskId === 'kairos.j@9.1')?.reason).toBe('store down');
  });

  it('stays correct across compaction of a large queue', () => {
    const b = new TaskBook();
    b.enqueue(Array.from({ length: 5000 }, (_, i) => req(i)), 0);
    b.demands(1);
    for (let i = 0; i < 4000; i++) b.dequeue(`kairos.j@${i}.1`);
    expect(b.queued).toBe(1000);
    expect(b.demands(2).map((d) => d.id)).toEqual(['kairos.j@4000.1', 'kairos.j@4001.1']);
    expect(b.demands()).toHaveLength(1000);
  });

  it('adopts unknown Kairos tasks that still run by the labels the master lists, and ignores foreign ones', () => {
    const b = new TaskBook();
    const id = 'kairos.nightly@2026-01-01T00:00:00.000Z~split.2';
    const fromMaster = { 'kairos.job': 'nightly', 'kairos.run': 'nightly@2026-01-01T00:00:00.000Z~split', 'kairos.attempt': '2' };
    expect(b.needsLabels(id)).toBe(true);
    const running = b.update({ task_id: { value: id }, state: 'TASK_RUNNING', agent_id: { value: 'A' }, reason: 'REASON_RECONCILIATION' }, 5, fromMaster);
    expect(running).toMatchObject({ fromReconciliation: true, agentId: 'A', run: { runId: fromMaster['kairos.run'], attempt: 2 } });
    expect(b.get(id)?.labels).toEqual(fromMaster);
    expect(b.live()).toEqual([{ taskId: id, agentId: 'A' }]);
    expect(b.needsLabels(id)).toBe(false);
    expect(b.needsLabels('someone-else')).toBe(false);
    expect(b.update({ task_id: { value: 'someone-else' }, state: 'TASK_RUNNING' }, 5)).toBeUndefined();
    expect(b.update({ task_id: { value: 'kairos.x@1.1' }, state: 'TASK_RUNNING' }, 5, { owner: 'another framework' })).toBeUndefined();
    b.update({ task_id: { value: id }, state: 'TASK_FINISHED', message: 'Command exited with status 0' }, 6);
    expect(b.liveCount).toBe(0);
  });

  it('without the master, rebuilds labels from the id only where the id is unambiguous, and asks again', () => {
    const b = new TaskBook();
    expect(b.update({ task_id: { value: 'kairos.j@1.3' }, state: 'TASK_RUNNING' }, 5, null)?.run).toEqual({ runId: 'j@1', attempt: 3, revision: 'unknown' });
    expect(b.get('kairos.j@1.3')?.labels).toEqual({ 'kairos.job': 'j', 'kairos.run': 'j@1', 'kairos.attempt': '3' });
    expect(b.needsLabels('kairos.j@1.3')).toBe(false);
    const id = 'kairos.d@1~c.1';
    expect(b.update({ task_id: { value: id }, state: 'TASK_RUNNING' }, 5)?.run).toBeUndefined();
    expect(b.get(id)?.labels).toEqual({ 'kairos.job': 'd', 'kairos.attempt': '1' });
    expect(b.needsLabels(id)).toBe(true);
    expect(b.update({ task_id: { value: id }, state: 'TASK_RUNNING' }, 6, { 'kairos.job': 'd', 'kairos.run': 'd@1/c' })?.run).toMatchObject({ runId: 'd@1/c' });
    expect(b.needsLabels(id)).toBe(false);
  });
});
