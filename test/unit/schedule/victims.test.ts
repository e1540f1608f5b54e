import { describe, expect, it } from 'vitest';
import type { Resources } from '../../../src/core/types.js';
import { chooseVictims, EXHAUSTIVE_LIMIT, type AgentCandidates, type Candidate, type WaitingTask } from '../../../src/schedule/victims.js';

const res = (cpus: number, mem = 0, over: Partial<Resources> = {}): Resources => ({ cpus, mem, disk: 0, gpus: 0, ports: 0, ...over });
const NONE = res(0);
const c = (taskId: string, priority: number, r: Resources): Candidate => ({ runId: `run-${taskId}`, taskId, priority, resources: r });
const agent = (agentId: string, candidates: Candidate[], free = NONE, attributes: Record<string, string> = {}): AgentCandidates => ({ agentId, hostname: `${agentId}.host`, attributes, free, candidates });
const want = (priority: number, r: Resources, over: Partial<WaitingTask> = {}): WaitingTask => ({ priority, resources: r, constraints: [], ...over });
const ids = (x: ReturnType<typeof chooseVictims>) => x && { agent: x.agentId, victims: x.victims.map((v) => v.taskId).sort() };

describe('chooseVictims', () => {
  it('kills one lower-priority task that frees enough', () => {
    expect(ids(chooseVictims(want(10, res(1, 128)), [agent('a', [c('t1', 0, res(2, 512))])]))).toEqual({ agent: 'a', victims: ['t1'] });
  });

  it('never picks a task of equal or higher priority', () => {
    expect(chooseVictims(want(5, res(1)), [agent('a', [c('eq', 5, res(4)), c('hi', 9, res(4))])])).toBeUndefined();
  });

  it('chooses nothing when the task already fits somewhere as it is (the next offer places it)', () => {
    expect(chooseVictims(want(10, res(1)), [agent('a', [c('t1', 0, res(2))]), agent('b', [], res(1))])).toBeUndefined();
  });

  it('counts what the agent has free together with the victims', () => {
    // 0.5 free + 0.5 from the small victim fits: with equal priorities the one freeing less goes
    expect(ids(chooseVictims(want(10, res(1)), [agent('a', [c('small', 0, res(0.5)), c('big', 0, res(3))], res(0.5))]))).toEqual({ agent: 'a', victims: ['small'] });
  });

  it('prefers the fewest victims over lower priorities', () => {
    const a = agent('a', [c('p0-a', 0, res(1)), c('p0-b', 0, res(1)), c('p3', 3, res(2))]);
    expect(ids(chooseVictims(want(10, res(2)), [a]))).toEqual({ agent: 'a', victims: ['p3'] });
  });

  it('among sets of one size, kills the lowest priorities (highest victim first, then the next)', () => {
    const a = agent('a', [c('p1', 1, res(1)), c('p2', 2, res(1)), c('p5', 5, res(1))]);
    expect(ids(chooseVictims(want(10, res(2)), [a]))).toEqual({ agent: 'a', victims: ['p1', 'p2'] });
    // {1, 1} beats {0, 5}: the highest priority killed matters first (x0 fits only with x5)
    const b = agent('b', [c('x0', 0, res(1)), c('x5', 5, res(1, 512)), c('y1', 1, res(1, 256)), c('z1', 1, res(1, 256))]);
    expect(ids(chooseVictims(want(10, res(2, 512)), [b]))).toEqual({ agent: 'b', victims: ['y1', 'z1'] });
  });

  it('uses one agent only: victims spread over two agents do not add up', () => {
    const agents = [agent('a', [c('a1', 0, res(1))]), agent('b', [c('b1', 0, res(1))])];
    expect(chooseVictims(want(10, res(2)), agents)).toBeUndefined();
  });

  it('picks the agent needing fewer victims, then lower priorities, then the smaller agent id', () => {
    const two = agent('a', [c('a1', 0, res(1)), c('a2', 0, res(1))]);
    const one = agent('b', [c('b1', 3, res(2))]);
    expect(ids(chooseVictims(want(10, res(2)), [two, one]))).toEqual({ agent: 'b', victims: ['b1'] });
    const low = agent('z', [c('z1', 1, res(2))]);
    const high = agent('y', [c('y1', 2, res(2))]);
    expect(ids(chooseVictims(want(10, res(2)), [high, low]))).toEqual({ agent: 'z', victims: ['z1'] });
    // a full tie across agents: the smaller agent id, whatever the input order
    const p = agent('p', [c('t-b', 1, res(2))]);
    const q = agent('q', [c('t-a', 1, res(2))]);
    expect(ids(chooseVictims(want(10, res(2)), [p, q]))).toEqual({ agent: 'p', victims: ['t-b'] });
    expect(ids(chooseVictims(want(10, res(2)), [q, p]))).toEqual({ agent: 'p', victims: ['t-b'] });
    // a full tie on one agent: the task ids
    const r = agent('r', [c('t-z', 1, res(2)), c('t-y', 1, res(2))]);
    expect(ids(chooseVictims(want(10, res(2)), [r]))).toEqual({ agent: 'r', victims: ['t-y'] });
  });

  it('needs every resource: cpus alone do not make room for memory', () => {
    const a = agent('a', [c('cpu-only', 0, res(4, 64)), c('mem', 0, res(0.1, 2048))]);
    expect(ids(chooseVictims(want(10, res(1, 1024)), [a]))).toEqual({ agent: 'a', victims: ['cpu-only', 'mem'] });
    expect(ids(chooseVictims(want(10, res(5, 1024)), [a]))).toBeUndefined();
    expect(ids(chooseVictims(want(10, res(0.1, 1024)), [a]))).toEqual({ agent: 'a', victims: ['mem'] });
    const withPorts = agent('b', [c('np', 0, res(2)), c('wp', 0, res(2, 0, { ports: 2 }))]);
    expect(ids(chooseVictims(want(10, res(1, 0, { ports: 1 })), [withPorts]))).toEqual({ agent: 'b', victims: ['wp'] });
  });

  it('honours static constraints: only agents that match the waiting task are considered', () => {
    const r1 = agent('a', [c('a1', 0, res(2))], NONE, { rack: 'r1' });
    const r2 = agent('b', [c('b1', 0, res(2))], NONE, { rack: 'r2' });
    expect(ids(chooseVictims(want(10, res(1), { constraints: [{ attribute: 'rack', operator: 'EQUALS', value: 'r2' }] }), [r1, r2]))).toEqual({ agent: 'b', victims: ['b1'] });
    expect(ids(chooseVictims(want(10, res(1), { constraints: [{ attribute: 'rack', operator: 'UNLIKE', value: 'r[12]' }] }), [r1, r2]))).toBeUndefined();
    expect(ids(chooseVictims(want(10, res(1), { constraints: [{ attribute: 'hostname', operator: 'LIKE', value: 'a\\..*' }] }), [r1, r2]))).toEqual({ agent: 'a', victims: ['a1'] });
  });

  it('honours stateful constraints against where the waiting job already runs', () => {
    const a = agent('a', [c('a1', 0, res(1))], NONE, { rack: 'r1' });
    const b = agent('b', [c('b1', 0, res(1))], NONE, { rack: 'r2' });
    const unique = { constraints: [{ attribute: 'rack', operator: 'UNIQUE' as const }], placed: [{ hostname: 'a.host', attributes: { rack: 'r1' } }] };
    expect(ids(chooseVictims(want(10, res(1), unique), [a, b]))).toEqual({ agent: 'b', victims: ['b1'] });
    const maxPer = { constraints: [{ attribute: 'rack', operator: 'MAX_PER' as const, value: '1' }], placed: [{ hostname: 'a.host', attributes: { rack: 'r1' } }, { hostname: 'b.host', attributes: { rack: 'r2' } }] };
    expect(chooseVictims(want(10, res(1), maxPer), [a, b])).toBeUndefined();
  });

  it('with many candidates still frees enough, lowest priorities first, and keeps no victim it does not need', () => {
    const many = Array.from({ length: EXHAUSTIVE_LIMIT + 4 }, (_, i) => c(`t${String(i).padStart(2, '0')}`, i % 3, res(0.5)));
    many.push(c('big', 1, res(2)));
    const pick = chooseVictims(want(10, res(2)), [agent('a', many)])!;
    const freed = pick.victims.reduce((s, v) => s + v.resources.cpus, 0);
    expect(freed).toBeGreaterThanOrEqual(2);
    // dropping any single victim would no longer fit
    for (const v of pick.victims) expect(freed - v.resources.cpus).toBeLessThan(2);
    expect(Math.max(...pick.victims.map((v) => v.priority))).toBeLessThanOrEqual(1);
  });

  it('exhaustive search finds the true minimum where greedy-by-priority would take more', () => {
    // lowest priority first would take p0 (1 cpu) and p1 (1 cpu) = 2 victims; one p2 of 3 cpus is fewer
    const a = agent('a', [c('p0', 0, res(1)), c('p1', 1, res(1)), c('p2', 2, res(3))]);
    expect(ids(chooseVictims(want(10, res(2)), [a]))).toEqual({ agent: 'a', victims: ['p2'] });
  });

  it('is pure: the inputs are left as they were', () => {
    const agents = [agent('b', [c('b1', 0, res(2))]), agent('a', [c('a1', 0, res(2))])];
    const before = structuredClone(agents);
    chooseVictims(want(10, res(1)), agents);
    expect(agents).toEqual(before);
  });
});
