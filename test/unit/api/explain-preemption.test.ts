import { describe, expect, it } from 'vitest';
import { explain } from '../../../src/api/explain.js';
import type { Attempt } from '../../../src/core/run.js';
import { FakeClock } from '../../support/fake-clock.js';
import { MemoryController } from './memory-controller.js';

const T = Date.parse('2026-03-08T12:00:00Z');
const att = (n: number, over: Partial<Attempt> = {}): Attempt => ({ n, taskId: `kairos.x.${n}`, intentAt: T - 60_000, notBefore: T - 60_000, ...over });

function reasons(arrange: (c: MemoryController) => void, job: string) {
  const c = new MemoryController(new FakeClock(T));
  arrange(c);
  return explain({ job: c.job(job)!, parents: {}, cluster: c.cluster(), sync: c.sync(), leader: { isLeader: true }, now: T }).reasons.filter((r) => r.code === 'preempted' || r.code === 'preempting');
}

describe('explain: preemption', () => {
  it('names the run a victim is being killed for, then the wait to run again', () => {
    expect(reasons((c) => {
      c.addJob('low', { spec: { preemptible: true, killGracePeriodSeconds: 3 } });
      c.addRun({ id: 'low@1', job: 'low', state: 'running', attempts: [att(1, { startedAt: T - 50_000, preemptedBy: 'high@2' })] });
    }, 'low')).toEqual([{ code: 'preempted', message: 'run low@1 is being preempted by high@2: its task is killed (killGracePeriodSeconds: 3), then the run waits to run again' }]);
    expect(reasons((c) => {
      c.addJob('low', { spec: { preemptible: true } });
      c.addRun({ id: 'low@1', job: 'low', state: 'pending', attempts: [att(1, { endedAt: T - 1000, preemptedBy: 'high@2' }), att(2)] });
    }, 'low')).toEqual([{ code: 'preempted', message: 'run low@1 was preempted by high@2 (attempt 1); attempt 2 waits for room (a preempted attempt uses no retry)' }]);
  });

  it('says what a waiting run is preempting, or when it may', () => {
    expect(reasons((c) => {
      c.addJob('high', { spec: { priority: 10, preemption: { afterSeconds: 30 } } });
      c.addRun({ id: 'high@2', job: 'high', state: 'pending', reason: 'preempting low@1 on agent-1', attempts: [att(1)] });
    }, 'high')).toEqual([{ code: 'preempting', message: 'run high@2 is preempting low@1 on agent-1' }]);
    expect(reasons((c) => {
      c.addJob('high', { spec: { priority: 10, preemption: { afterSeconds: 90 } } });
      c.addRun({ id: 'high@2', job: 'high', state: 'pending', attempts: [att(1)] });
    }, 'high')).toEqual([{ code: 'preempting', message: 'run high@2 may preempt lower-priority preemptible tasks in 30s (preemption.afterSeconds: 90, priority 10)' }]);
  });
});
