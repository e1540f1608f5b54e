/**
 * Which running tasks to kill so that one waiting task fits: a pure function, the placement
 * half of a preemption (src/schedule/preemption.ts decides when one is due).
 *
 * The rule, in order of what matters:
 * 1. One agent only: a task runs on one agent, so only victims sharing an agent free room
 *    it can use. The agent must meet the waiting task's constraints (EQUALS, LIKE, UNLIKE on
 *    its attributes; UNIQUE, MAX_PER, GROUP_BY against where the waiting job's tasks run).
 * 2. Only candidates of strictly lower priority (the caller passes only preemptible ones).
 * 3. The fewest victims.
 * 4. Then the lowest priorities: the victims' priorities, highest first, compared
 *    lexicographically (killing a 1 and a 1 beats a 0 and a 5).
 * 5. Then the least work lost: the fewest cpus, then mem, the victims hold together.
 * 6. Ties: the smaller agent id, and on one agent the set that comes first in (priority,
 *    task id) order, so the answer never depends on the order of the input.
 * If the task fits on some agent without any victim, nothing is chosen: the next offer
 * will place it, and killing would be waste.
 *
 * Up to {@link EXHAUSTIVE_LIMIT} candidates per agent every subset is tried (smallest
 * first), so the answer is exact; beyond that candidates are taken lowest priority first
 * and then any that turned out unnecessary are dropped again (good, not always fewest).
 */
import type { Constraint, Resources } from '../core/types.js';
import { attributeOf, isStateful, PlacementCounts, staticOk, statefulOk, type AgentFacts } from '../mesos/constraints.js';
import { needOf, shortfall, type Need } from '../mesos/resources.js';

/** A running task that may be killed: preemptible, of a run other than the waiting one. */
export interface Candidate {
  runId: string;
  taskId: string;
  priority: number;
  /** What the task declared (and so holds on its agent). */
  resources: Resources;
}

/** One agent with what it has free and the candidates running on it. */
export interface AgentCandidates extends AgentFacts {
  agentId: string;
  free: Resources;
  candidates: Candidate[];
}

/** The waiting task. `placed` are the agents where its job's tasks run (stateful constraints). */
export interface WaitingTask {
  priority: number;
  resources: Resources;
  constraints: Constraint[];
  placed?: AgentFacts[];
}

/** The victims on one agent after which the waiting task fits there. */
export interface VictimChoice {
  agentId: string;
  hostname: string;
  victims: Candidate[];
}

/** Candidates per agent up to which every subset is tried. */
export const EXHAUSTIVE_LIMIT = 12;

/** See the module comment; undefined when no agent can take the task, or one takes it as is. */
export function chooseVictims(waiting: WaitingTask, agents: readonly AgentCandidates[]): VictimChoice | undefined {
  const need = needOf(waiting.resources);
  const seen = new Map<string, string[]>();
  const valuesSeen = (attribute: string) => () => {
    let v = seen.get(attribute);
    if (!v) seen.set(attribute, (v = agents.map((a) => attributeOf(a, attribute)).filter((x): x is string => x !== undefined)));
    return v;
  };
  const counts = new PlacementCounts();
  const statefulAttrs = waiting.constraints.filter(isStateful).map((c) => c.attribute);
  for (const p of waiting.placed ?? []) counts.add(p, statefulAttrs);
  let best: { agentId: string; hostname: string; victims: Sized[] } | undefined;
  for (const agent of [...agents].sort((a, b) => cmp(a.agentId, b.agentId))) {
    const ok = waiting.constraints.every((c) => (isStateful(c) ? statefulOk(c, agent, counts, valuesSeen(c.attribute)) : staticOk(c, agent)));
    if (!ok) continue;
    const free = needOf(agent.free);
    if (shortfall(need, free) === undefined) return undefined;
    const eligible = agent.candidates.filter((c) => c.priority < waiting.priority).sort(byPriority).map((c) => ({ c, n: needOf(c.resources) }));
    const deficit = DIMS.map((k) => Math.max(0, need[k] - free[k]));
    // No set larger than the best one so far can win: search only up to its size.
    const victims = eligible.length <= EXHAUSTIVE_LIMIT ? exhaustive(deficit, eligible, best?.victims.length ?? eligible.length) : greedy(deficit, eligible);
    if (!victims) continue;
    if (!best || better(victims, best.victims)) best = { agentId: agent.agentId, hostname: agent.hostname, victims };
  }
  return best && { agentId: best.agentId, hostname: best.hostname, victims: best.victims.map((v) => v.c) };
}

const DIMS = ['cpus', 'mem', 'disk', 'gpus', 'ports'] as const;

interface Sized {
  c: Candidate;
  n: Need;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byPriority(a: Candidate, b: Candidate): number {
  return a.priority - b.priority || cmp(a.taskId, b.taskId);
}

/**
 * Whether victim set `a` strictly beats `b` by rules 3-5 (a tie keeps the one found first:
 * rule 6, as agents and subsets are visited in that order). Both
 * are in ascending priority order (as picked from a list sorted so), so the highest
 * priorities are compared from the end.
 */
function better(a: readonly Sized[], b: readonly Sized[]): boolean {
  if (a.length !== b.length) return a.length < b.length;
  for (let i = a.length - 1; i >= 0; i--) if (a[i].c.priority !== b[i].c.priority) return a[i].c.priority < b[i].c.priority;
  for (const k of ['cpus', 'mem'] as const) {
    let x = 0;
    let y = 0;
    for (const s of a) x += s.n[k];
    for (const s of b) y += s.n[k];
    if (x !== y) return x < y;
  }
  return false;
}

/**
 * The best subset of the smallest size that covers `deficit` (sizes 1, 2, … up to `maxK`);
 * undefined if none does. Sums are kept as the walk goes, and a branch stops as soon as
 * the candidates left cannot cover what is still missing.
 */
function exhaustive(deficit: readonly number[], cands: readonly Sized[], maxK: number): Sized[] | undefined {
  const m = cands.length;
  // suffix[i][d]: what candidates i.. hold together in dimension d
  const suffix = Array.from({ length: m + 1 }, () => [0, 0, 0, 0, 0]);
  for (let i = m - 1; i >= 0; i--) for (let d = 0; d < 5; d++) suffix[i][d] = suffix[i + 1][d] + cands[i].n[DIMS[d]];
  if (DIMS.some((_, d) => suffix[0][d] < deficit[d])) return undefined;
  const left = [...deficit];
  const pick: Sized[] = [];
  for (let k = fewestPossible(deficit, cands); k <= Math.min(maxK, m); k++) {
    let best: Sized[] | undefined;
    const walk = (from: number): void => {
      if (pick.length === k) {
        if (left.every((x) => x <= 0) && (!best || better(pick, best))) best = [...pick];
        return;
      }
      for (let i = from; i <= m - (k - pick.length); i++) {
        if (left.some((x, d) => x > suffix[i][d])) return; // nothing from i on covers it
        const n = cands[i].n;
        for (let d = 0; d < 5; d++) left[d] -= n[DIMS[d]];
        pick.push(cands[i]);
        walk(i + 1);
        pick.pop();
        for (let d = 0; d < 5; d++) left[d] += n[DIMS[d]];
      }
    };
    walk(0);
    if (best) return best;
  }
  return undefined;
}

/** No set smaller than this covers `deficit`: per dimension, the largest candidates first. */
function fewestPossible(deficit: readonly number[], cands: readonly Sized[]): number {
  let k = 1;
  DIMS.forEach((name, d) => {
    if (deficit[d] <= 0) return;
    const sizes = cands.map((x) => x.n[name]).sort((a, b) => b - a);
    let sum = 0;
    let i = 0;
    while (sum < deficit[d] && i < sizes.length) sum += sizes[i++];
    k = Math.max(k, i);
  });
  return k;
}

/** Lowest priority first until it fits, then drops (highest priority first) the ones not needed. */
function greedy(deficit: readonly number[], cands: readonly Sized[]): Sized[] | undefined {
  const covers = (set: readonly Sized[]) => DIMS.every((k, d) => set.reduce((s, x) => s + x.n[k], 0) >= deficit[d]);
  const taken: Sized[] = [];
  for (const c of cands) {
    taken.push(c);
    if (covers(taken)) break;
  }
  if (!covers(taken)) return undefined;
  for (let i = taken.length - 1; i >= 0; i--) {
    const without = taken.filter((_, j) => j !== i);
    if (covers(without)) taken.splice(i, 1);
  }
  return taken;
}
