/**
 * The simulated agent (src/mesos/embedded/simulated-agent.ts) on the fake clock: each task
 * reports STARTING and RUNNING right after its launch, then ends after its own duration
 * (label or default) with its own outcome; a kill ends it as KILLED at once and never
 * later as FINISHED, while the tasks started with it still end on time; no timer is left.
 */
import { describe, expect, it } from 'vitest';
import type { AgentReport } from '../../../../src/mesos/embedded/agent.js';
import { ResourceBag } from '../../../../src/mesos/embedded/resources.js';
import { SimulatedAgent } from '../../../../src/mesos/embedded/simulated-agent.js';
import type { TaskInfo } from '../../../../src/mesos/types.js';
import { FakeClock } from '../../../support/fake-clock.js';

function setup() {
  const clock = new FakeClock();
  const t0 = clock.now();
  const agent = new SimulatedAgent({ id: 'a1', hostname: 'sim', resources: ResourceBag.parse('cpus:8;mem:1024'), clock, taskDurationMs: 1000 });
  const seen: string[] = [];
  const launch = (id: string, labels: Record<string, string> = {}) => {
    const task: TaskInfo = {
      name: id,
      task_id: { value: id },
      agent_id: { value: 'a1' },
      resources: [],
      labels: { labels: Object.entries(labels).map(([key, value]) => ({ key, value })) },
    };
    agent.launch({ task, frameworkId: 'fw', report: (r: AgentReport) => seen.push(`${clock.now() - t0} ${id} ${r.state}`) });
  };
  /** Moves the clock by `ms`, then expects exactly these reports so far. */
  const after = (ms: number, ...expected: string[]) => {
    clock.advance(ms);
    expect(seen).toEqual(expected);
  };
  return { clock, agent, seen, launch, after };
}

const tick = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('SimulatedAgent', () => {
  it('starts each task after its launch and ends it after its own duration, with its outcome', async () => {
    const { clock, seen, launch, after } = setup();
    launch('a');
    launch('b', { 'embedded.simulated.duration_ms': '500', 'embedded.simulated.outcome': 'failed' });
    launch('c');
    expect(seen).toEqual([]);
    await tick();
    expect(seen).toEqual(['0 a TASK_STARTING', '0 a TASK_RUNNING', '0 b TASK_STARTING', '0 b TASK_RUNNING', '0 c TASK_STARTING', '0 c TASK_RUNNING']);
    seen.length = 0;
    after(499);
    after(1, '500 b TASK_FAILED');
    after(500, '500 b TASK_FAILED', '1000 a TASK_FINISHED', '1000 c TASK_FINISHED');
    expect(clock.pending()).toBe(0);
  });

  it('kills a running task at once; the others started with it still end on time', async () => {
    const { clock, agent, seen, launch, after } = setup();
    launch('a');
    launch('b');
    await tick();
    seen.length = 0;
    after(300);
    agent.kill('a');
    agent.kill('a'); // a second kill changes nothing
    after(0, '300 a TASK_KILLING', '300 a TASK_KILLED');
    after(700, '300 a TASK_KILLING', '300 a TASK_KILLED', '1000 b TASK_FINISHED');
    expect(clock.pending()).toBe(0);
  });

  it('never starts a task killed before it started, and leaves no timer when all its group is killed', async () => {
    const { clock, agent, seen, launch } = setup();
    launch('early');
    agent.kill('early');
    launch('x');
    launch('y');
    await tick();
    agent.kill('x');
    agent.kill('y');
    clock.advance(0);
    expect(seen.filter((s) => s.includes('early'))).toEqual(['0 early TASK_KILLING', '0 early TASK_KILLED']);
    expect(clock.pending()).toBe(0);
    clock.advance(5000);
    expect(seen.some((s) => s.includes('FINISHED'))).toBe(false);
  });

  it('stops: no report after stop(), no timer left', async () => {
    const { clock, agent, seen, launch } = setup();
    launch('a');
    await tick();
    launch('b');
    await agent.stop();
    await tick();
    clock.advance(5000);
    expect(seen).toEqual(['0 a TASK_STARTING', '0 a TASK_RUNNING']);
    expect(clock.pending()).toBe(0);
  });
});
