import { describe, expect, it } from 'vitest';
import { AgentLedger, FREE_FRESH_MS } from '../../../src/mesos/agent-view.js';
import type { MatchOffer } from '../../../src/mesos/matcher.js';
import type { Pool } from '../../../src/mesos/resources.js';

function offer(id: string, agentId: string, cpus: number, mem: number, ports?: [number, number][]): MatchOffer {
  const pools: Pool[] = [
    { name: 'cpus', template: {}, milli: cpus * 1000, ranges: [] },
    { name: 'mem', template: {}, milli: mem * 1000, ranges: [] },
  ];
  if (ports) pools.push({ name: 'ports', template: {}, milli: 0, ranges: ports });
  return { id, agentId, hostname: `${agentId}.host`, role: '*', attributes: { rack: 'r1' }, pools };
}
const free = (cpus: number, mem: number, ports = 0) => ({ cpus, mem, disk: 0, gpus: 0, ports });

describe('AgentLedger', () => {
  it('reports what the latest offer had free, with the agent facts and our live tasks on it', () => {
    const l = new AgentLedger();
    l.offered([offer('o1', 'a', 1.5, 512, [[31000, 31009]]), offer('o2', 'a', 0.5, 0), offer('o3', 'b', 4, 1024)], 1000);
    const v = l.view([{ taskId: 't1', agentId: 'a' }, { taskId: 't2', agentId: 'c', hostname: 'c.host' }, { taskId: 't3' }], ['q1'], 1000 + FREE_FRESH_MS);
    expect(v.queued).toEqual(new Set(['q1']));
    expect(v.agents).toEqual([
      { agentId: 'a', hostname: 'a.host', attributes: { rack: 'r1' }, free: free(2, 512, 10), taskIds: ['t1'] },
      { agentId: 'b', hostname: 'b.host', attributes: { rack: 'r1' }, free: free(4, 1024), taskIds: [] },
      // an agent never offered: known from our task only, nothing free, no attributes
      { agentId: 'c', hostname: 'c.host', attributes: {}, free: free(0, 0), taskIds: ['t2'] },
    ]);
  });

  it('stops trusting an offer once it is old or once we launched on that agent', () => {
    const l = new AgentLedger();
    l.offered([offer('o1', 'a', 2, 512), offer('o2', 'b', 2, 512)], 0);
    l.launched(['a']);
    const v = l.view([], [], FREE_FRESH_MS);
    expect(v.agents.map((a) => [a.agentId, a.free.cpus])).toEqual([['a', 0], ['b', 2]]);
    expect(l.view([], [], FREE_FRESH_MS + 1).agents.map((a) => a.free.cpus)).toEqual([0, 0]);
    l.offered([offer('o3', 'a', 1, 64)], FREE_FRESH_MS + 1);
    expect(l.view([], [], FREE_FRESH_MS + 2).agents.map((a) => a.free.cpus)).toEqual([1, 0]);
  });
});
