import { describe, expect, it } from 'vitest';
import type { Constraint } from '../../../src/core/types.js';
import { factsOfState, portCount } from '../../../src/mesos/cluster-facts.js';
import { largestAgent, whyNoAgentFits, type FitNeed } from '../../../src/mesos/fit.js';
import type { AgentShape } from '../../../src/ports/mesos.js';

const agent = (id: string, cpus: number, mem: number, attributes: Record<string, string> = {}, extra: Partial<AgentShape['resources']> = {}): AgentShape => ({
  id,
  hostname: `${id}.example`,
  attributes,
  resources: { cpus, mem, disk: 10_000, gpus: 0, ports: 100, ...extra },
});
const need = (cpus: number, mem: number, constraints: Constraint[] = [], extra: Partial<FitNeed['resources']> = {}): FitNeed => ({
  resources: { cpus, mem, disk: 0, gpus: 0, ports: 0, ...extra },
  constraints,
});
const agents = [agent('a', 2, 4096, { rack: 'r1' }), agent('b', 1, 16384, { rack: 'r2' })];

describe('whyNoAgentFits', () => {
  it('fits when one agent has every resource and attribute', () => {
    expect(whyNoAgentFits(need(2, 4096), agents)).toBeUndefined();
    expect(whyNoAgentFits(need(1, 8192, [{ attribute: 'rack', operator: 'EQUALS', value: 'r2' }]), agents)).toBeUndefined();
  });

  it('names the resource the largest agent lacks, with both figures', () => {
    expect(whyNoAgentFits(need(4, 1024), agents)).toBe('needs cpus 4 but the largest agent has 2');
    expect(whyNoAgentFits(need(1, 1_000_000), agents)).toBe('needs mem 1000000 but the largest agent has 16384');
    expect(whyNoAgentFits(need(1, 1, [], { gpus: 1 }), agents)).toBe('needs gpus 1 but no agent has gpus');
    expect(whyNoAgentFits(need(1, 1, [], { ports: 101 }), agents)).toBe('needs ports 101 but the largest agent has 100');
  });

  it('names a constraint no agent meets, with the values the agents have', () => {
    expect(whyNoAgentFits(need(1, 1, [{ attribute: 'rack', operator: 'LIKE', value: 'r9' }]), agents)).toBe('constraint rack LIKE r9 matches no agent (rack: r1, r2)');
    // a stateful operator needs the attribute to exist on some agent
    expect(whyNoAgentFits(need(1, 1, [{ attribute: 'zone', operator: 'UNIQUE' }]), agents)).toBe('constraint zone UNIQUE matches no agent (zone: no agent has it)');
    expect(whyNoAgentFits(need(1, 1, [{ attribute: 'rack', operator: 'GROUP_BY' }]), agents)).toBeUndefined();
  });

  it('says when the resources and constraints exist only on different agents', () => {
    expect(whyNoAgentFits(need(2, 8192), agents)).toBe('no single agent has cpus 2, mem 8192 together');
    expect(whyNoAgentFits(need(2, 1, [{ attribute: 'rack', operator: 'EQUALS', value: 'r2' }]), agents)).toBe('no single agent has cpus 2, mem 1, rack EQUALS r2 together');
  });

  it('with no agent at all says so', () => {
    expect(whyNoAgentFits(need(0.1, 32), [])).toBe('no agent is registered with the master');
  });

  it('largestAgent is the most of each resource on one agent', () => {
    expect(largestAgent(agents)).toEqual({ cpus: 2, mem: 16384, disk: 10_000, gpus: 0, ports: 100 });
  });
});

describe('factsOfState', () => {
  it('reads the active agents of a /master/state answer: totals, ports counted, attributes as text', () => {
    const state = {
      slaves: [
        { id: 'S0', hostname: 'h0', active: true, resources: { cpus: 4, mem: 8192, disk: 100, gpus: 0, ports: '[31000-31099, 32000-32000]' }, attributes: { rack: 'r1', cores: 8 } },
        { id: 'S1', hostname: 'h1', active: false, resources: { cpus: 64, mem: 1 } },
        { id: 'S2', hostname: 'h2', resources: { cpus: 'x' } },
      ],
    };
    expect(factsOfState(state, 5)).toEqual({
      at: 5,
      agents: [
        { id: 'S0', hostname: 'h0', attributes: { rack: 'r1', cores: '8' }, resources: { cpus: 4, mem: 8192, disk: 100, gpus: 0, ports: 101 } },
        { id: 'S2', hostname: 'h2', attributes: {}, resources: { cpus: 0, mem: 0, disk: 0, gpus: 0, ports: 0 } },
      ],
    });
    expect(factsOfState(null, 1)).toEqual({ at: 1, agents: [] });
    expect(portCount(undefined)).toBe(0);
  });
});
