import { describe, expect, it } from 'vitest';
import type { Constraint, Resources } from '../../../src/core/types.js';
import { chooseVictims, EXHAUSTIVE_LIMIT, prepareAgents, VictimSearch, type AgentCandidates, type Candidate, type WaitingTask } from '../../../src/schedule/victims.js';
import { oracleChoice } from './victims-oracle.js';
import { rng } from '../../support/seeded.js';

/** Random small inputs: few sizes and priorities, so ties (rules 4-6) happen often. */
function world(seed: number): { waiting: WaitingTask; agents: AgentCandidates[] } {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const res = (): Resources => ({ cpus: [0.5, 1, 1, 2][int(4)], mem: [0, 128, 256, 512][int(4)], disk: int(3) === 0 ? 100 : 0, gpus: 0, ports: int(4) === 0 ? 1 : 0 });
  let task = 0;
  const agents = Array.from({ length: 1 + int(7) }, (_, i): AgentCandidates => ({
    agentId: `agent-${String.fromCharCode(97 + int(26))}${i}`,
    hostname: `h${i}`,
    attributes: { rack: `r${int(3)}` },
    free: int(3) === 0 ? res() : { cpus: 0, mem: 0, disk: 0, gpus: 0, ports: 0 },
    candidates: Array.from({ length: int(EXHAUSTIVE_LIMIT - 3) }, (): Candidate => {
      const taskId = `t${String(int(100)).padStart(2, '0')}-${task++}`;
      return { runId: `run-${taskId}`, taskId, priority: int(4), resources: res() };
    }),
  }));
  const constraints: Constraint[] = int(3) === 0 ? [{ attribute: 'rack', operator: (['EQUALS', 'LIKE', 'UNLIKE'] as const)[int(3)], value: `r${int(3)}` }] : [];
  const need: Resources = { cpus: 0.5 + int(6) * 0.5, mem: int(4) * 256, disk: int(4) === 0 ? 100 : 0, gpus: 0, ports: int(5) === 0 ? 1 : 0 };
  return { waiting: { priority: 1 + int(4), resources: need, constraints }, agents };
}

const ids = (x: ReturnType<typeof chooseVictims>) => x && { agent: x.agentId, victims: x.victims.map((v) => v.taskId) };

describe('chooseVictims against the brute-force rules (seeded random inputs)', () => {
  it('chooses exactly what every subset on every agent says, on 3,000 random clusters', () => {
    let chosen = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const { waiting, agents } = world(seed);
      const want = oracleChoice(waiting, agents);
      if (want) chosen++;
      expect({ seed, got: ids(chooseVictims(waiting, agents)) }).toEqual({ seed, got: ids(want) });
    }
    // the inputs exercise both outcomes, not only "nothing to do"
    expect(chosen).toBeGreaterThan(1000);
    expect(chosen).toBeLessThan(2900);
  });

  it('asked again as candidates are taken, a ranked search answers as a fresh brute force on what is left', () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const { waiting, agents } = world(seed);
      const taken = new Set<string>();
      const skip = (c: Candidate) => taken.has(c.taskId);
      const search = new VictimSearch(waiting, prepareAgents(agents), skip);
      for (let round = 0; round < 4; round++) {
        const left = agents.map((a) => ({ ...a, candidates: a.candidates.filter((c) => !taken.has(c.taskId)) }));
        const want = oracleChoice(waiting, left);
        expect({ seed, round, got: ids(search.choose(skip)) }).toEqual({ seed, round, got: ids(want) });
        if (!want) break;
        for (const v of want.victims) taken.add(v.taskId);
      }
    }
  });
});
