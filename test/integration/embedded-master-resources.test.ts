// Pure checks of the embedded master's resource arithmetic and task validation (kept with
// the embedded-master tests, whose offers and filters rest on them).
import { describe, expect, it } from 'vitest';
import { longTimeout } from '../../src/mesos/embedded/frameworks.js';
import { FakeClock } from '../support/fake-clock.js';
import { ResourceBag } from '../../src/mesos/embedded/resources.js';
import { validateFrameworkInfo, validateRole, validateTask } from '../../src/mesos/embedded/validate.js';
import type { TaskInfo } from '../../src/mesos/types.js';

describe('ResourceBag', () => {
  it('parses agent resource specs and renders offers with allocation_info', () => {
    const bag = ResourceBag.parse('cpus:1.5;mem:1024;ports:[31000-31002,31005-31005];zones:{a,b}');
    expect(bag.toProto('r')).toEqual([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 1.5 }, allocation_info: { role: 'r' } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 1024 }, allocation_info: { role: 'r' } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31002 }, { begin: 31005, end: 31005 }] }, allocation_info: { role: 'r' } },
      { name: 'zones', type: 'SET', set: { item: ['a', 'b'] }, allocation_info: { role: 'r' } },
    ]);
  });

  it('keeps scalars exact to 3 decimals and splits ranges on subtraction', () => {
    const bag = ResourceBag.parse('cpus:1;ports:[31000-31010]');
    for (let i = 0; i < 10; i++) bag.subtract(ResourceBag.parse('cpus:0.1'));
    expect(bag.scalar('cpus')).toBe(0);
    bag.subtract(ResourceBag.parse('ports:[31003-31004]'));
    expect(bag.ranges.get('ports')).toEqual([
      [31000, 31002],
      [31005, 31010],
    ]);
    expect(bag.contains(ResourceBag.parse('ports:[31005-31010]'))).toBe(true);
    expect(bag.contains(ResourceBag.parse('ports:[31002-31005]'))).toBe(false);
    bag.add(ResourceBag.parse('ports:[31003-31004]'));
    expect(bag.ranges.get('ports')).toEqual([[31000, 31010]]);
    expect(new ResourceBag().isEmpty()).toBe(true);
    expect(bag.isEmpty()).toBe(false);
  });
});

describe('embedded master validation', () => {
  const ctx = { activeIds: new Set<string>(), unreachableIds: new Set(['u']), agentId: 'a1', role: 'r', available: ResourceBag.parse('cpus:1;mem:100') };
  const task = (extra: Partial<TaskInfo> = {}): TaskInfo => ({
    name: 't',
    task_id: { value: 't' },
    agent_id: { value: 'a1' },
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }],
    command: { value: 'true' },
    ...extra,
  });
  const err = (t: TaskInfo) => {
    const v = validateTask(t, ctx);
    return 'error' in v ? v.error : undefined;
  };

  it('checks tasks in upstream order with upstream messages', () => {
    expect(err(task())).toBeUndefined();
    expect(err(task({ task_id: { value: '..' } }))).toBe("'..' is disallowed");
    expect(err(task({ task_id: { value: 'u' } }))).toBe('Task reuses the ID of an unreachable task: u');
    expect(err(task({ agent_id: { value: 'a2' } }))).toBe('Task uses invalid agent a2 while agent a1 is expected');
    expect(err(task({ kill_policy: { grace_period: { nanoseconds: -1 } } }))).toBe("Task's 'kill_policy.grace_period' must be non-negative");
    expect(err(task({ resources: [] }))).toBe('Task uses no resources');
    expect(err(task({ resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, allocation_info: { role: 'x' } }] }))).toMatch(/allocated to role 'x'/);
    expect(err(task({ container: { type: 'DOCKER' } }))).toMatch(/DockerInfo 'docker' is not set/);
    expect(err(task({ container: { type: 'DOCKER', docker: { image: 'i', parameters: [{ key: 'name', value: 'x' }] } } }))).toMatch(/must not be 'name'/);
    expect(err(task({ resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 2 } }] }))).toMatch(/more than available/);
  });

  it('checks FrameworkInfo roles like the master', () => {
    expect(validateFrameworkInfo({ user: 'u', name: 'n' })).toBeUndefined();
    expect(validateFrameworkInfo({ user: 'u', name: 'n', roles: ['a'] })).toMatch(/not MULTI_ROLE capable/);
    expect(validateFrameworkInfo({ user: 'u', name: 'n', roles: ['a', 'a'], capabilities: [{ type: 'MULTI_ROLE' }] })).toMatch(/duplicate items/);
    expect(validateFrameworkInfo({ user: 'u', name: 'n', failover_timeout: -1 })).toMatch(/failover_timeout/);
    expect(validateRole('a/b')).toBeUndefined();
    expect(validateRole('-a')).toBeDefined();
    expect(validateRole('a/../b')).toBeDefined();
    expect(validateRole('a b')).toBeDefined();
  });
});

describe('longTimeout', () => {
  it('waits delays beyond one Node timer (4 weeks of failover_timeout), and cancels', () => {
    const clock = new FakeClock();
    // Like Node's timers: a delay above 2^31-1 ms would fire at once, so refuse it.
    const nodeLike = {
      now: () => clock.now(),
      sleep: (ms: number) => clock.sleep(ms),
      setTimeout: (fn: () => void, ms: number) => {
        if (ms > 2 ** 31 - 1) throw new Error(`a Node timer cannot wait ${ms} ms`);
        return clock.setTimeout(fn, ms);
      },
    };
    const fourWeeks = 28 * 24 * 3600 * 1000;
    let fired = 0;
    longTimeout(nodeLike, () => fired++, fourWeeks);
    const cancelled = longTimeout(nodeLike, () => fired++, fourWeeks);
    clock.advance(fourWeeks - 1);
    expect(fired).toBe(0);
    cancelled.cancel();
    clock.advance(1);
    expect(fired).toBe(1);
    expect(clock.pending()).toBe(0);
  });
});
