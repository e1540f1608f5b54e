/**
 * The straightforward victim choice, written from the rules in src/schedule/victims.ts's
 * module comment and nothing else, to judge the fast one by: every agent, every subset of
 * its candidates, every key compared. Exponential: for small random inputs only (at most
 * EXHAUSTIVE_LIMIT candidates per agent, where the real choice is exact too).
 */
import type { Candidate, VictimChoice, WaitingTask, AgentCandidates } from '../../../src/schedule/victims.js';

const DIMS = ['cpus', 'mem', 'disk', 'gpus', 'ports'] as const;
const milli = (x: number) => Math.round(x * 1000);

/** Static constraints only (EQUALS, LIKE, UNLIKE): the random inputs use no stateful ones. */
function meets(w: WaitingTask, a: AgentCandidates): boolean {
  return w.constraints.every((c) => {
    const v = c.attribute === 'hostname' ? a.hostname : a.attributes[c.attribute];
    const re = new RegExp(`^(?:${c.value ?? ''})$`);
    if (c.operator === 'EQUALS') return v === c.value;
    if (c.operator === 'LIKE') return v !== undefined && re.test(v);
    if (c.operator === 'UNLIKE') return v === undefined || !re.test(v);
    throw new Error(`oracle: no ${c.operator}`);
  });
}

/** Rules 3-5: fewer, then lower priorities from the highest down, then fewer cpus, then less mem. */
function compare(a: Candidate[], b: Candidate[]): number {
  if (a.length !== b.length) return a.length - b.length;
  const pa = a.map((c) => c.priority).sort((x, y) => y - x);
  const pb = b.map((c) => c.priority).sort((x, y) => y - x);
  for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  for (const k of ['cpus', 'mem'] as const) {
    const x = a.reduce((s, c) => s + milli(c.resources[k]), 0);
    const y = b.reduce((s, c) => s + milli(c.resources[k]), 0);
    if (x !== y) return x - y;
  }
  return 0;
}

/** Smaller subsets first, then in lexicographic order of their candidate indices. */
function bySizeThenIndex(x: number[], y: number[]): number {
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/** The rules applied by brute force; see the module comment. */
export function oracleChoice(w: WaitingTask, agents: readonly AgentCandidates[]): VictimChoice | undefined {
  const byId = [...agents].sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0));
  let best: VictimChoice | undefined;
  for (const a of byId) {
    if (!meets(w, a)) continue;
    const deficit = DIMS.map((k) => Math.max(0, milli(w.resources[k]) - milli(a.free[k])));
    if (deficit.every((d) => d === 0)) return undefined;
    // in (priority, task id) order, so subsets in index order come first on ties (rule 6)
    const cands = a.candidates.filter((c) => c.priority < w.priority).sort((x, y) => x.priority - y.priority || (x.taskId < y.taskId ? -1 : 1));
    const subsets: number[][] = [];
    for (let mask = 1; mask < 1 << cands.length; mask++) subsets.push(cands.map((_, i) => i).filter((i) => mask & (1 << i)));
    subsets.sort(bySizeThenIndex);
    for (const idx of subsets) {
      const set = idx.map((i) => cands[i]);
      const covers = DIMS.every((k, d) => set.reduce((s, c) => s + milli(c.resources[k]), 0) >= deficit[d]);
      if (covers && (!best || compare(set, best.victims) < 0)) best = { agentId: a.agentId, hostname: a.hostname, victims: set };
    }
  }
  return best;
}
