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
 * 6. Ties: the victims' task ids, then the agent id, so the answer never depends on order.
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
  const valuesSeen = (attribute: string) => () => agents.map((a) => attributeOf(a, attribute)).filter((v): v is string => v !== undefined);
  const counts = new PlacementCounts();
  const statefulAttrs = waiting.constraints.filter(isStateful).map((c) => c.attribute);
  for (const p of waiting.placed ?? []) counts.add(p, statefulAttrs);
  let best: VictimChoice | undefined;
  for (const agent of [...agents].sort((a, b) => cmp(a.agentId, b.agentId))) {
    const ok = waiting.constraints.every((c) => (isStateful(c) ? statefulOk(c, agent, counts, valuesSeen(c.attribute)) : staticOk(c, agent)));
    if (!ok) continue;
    const free = needOf(agent.free);
    if (shortfall(need, free) === undefined) return undefined;
    const eligible = agent.candidates.filter((c) => c.priority < waiting.priority).sort(byPriority);
    const victims = eligible.length <= EXHAUSTIVE_LIMIT ? exhaustive(need, free, eligible) : greedy(need, free, eligible);
    if (!victims) continue;
    const choice = { agentId: agent.agentId, hostname: agent.hostname, victims };
    if (!best || better(choice.victims, best.victims)) best = choice;
  }
  return best;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byPriority(a: Candidate, b: Candidate): number {
  return a.priority - b.priority || cmp(a.taskId, b.taskId);
}

/** Whether victim set `a` beats `b` by rules 3-6 (the agent order is the caller's). */
function better(a: readonly Candidate[], b: readonly Candidate[]): boolean {
  if (a.length !== b.length) return a.length < b.length;
  const pa = a.map((c) => c.priority).sort((x, y) => y - x);
  const pb = b.map((c) => c.priority).sort((x, y) => y - x);
  for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return pa[i] < pb[i];
  const [ca, cb] = [held(a), held(b)];
  if (ca.cpus !== cb.cpus) return ca.cpus < cb.cpus;
  if (ca.mem !== cb.mem) return ca.mem < cb.mem;
  const ta = a.map((c) => c.taskId).sort();
  const tb = b.map((c) => c.taskId).sort();
  for (let i = 0; i < ta.length; i++) if (ta[i] !== tb[i]) return ta[i] < tb[i];
  return false;
}

/** What the candidates hold together (thousandths). */
function held(set: readonly Candidate[], base: Need = { cpus: 0, mem: 0, disk: 0, gpus: 0, ports: 0 }): Need {
  const have = { ...base };
  for (const c of set) {
    const n = needOf(c.resources);
    have.cpus += n.cpus;
    have.mem += n.mem;
    have.disk += n.disk;
    have.gpus += n.gpus;
    have.ports += n.ports;
  }
  return have;
}

function fitsWith(need: Need, free: Need, set: readonly Candidate[]): boolean {
  return shortfall(need, held(set, free)) === undefined;
}

/** The best fitting subset of the smallest size, trying sizes 1, 2, …; undefined if none fits. */
function exhaustive(need: Need, free: Need, cands: readonly Candidate[]): Candidate[] | undefined {
  for (let k = 1; k <= cands.length; k++) {
    let best: Candidate[] | undefined;
    const pick: Candidate[] = [];
    const walk = (from: number): void => {
      if (pick.length === k) {
        if (fitsWith(need, free, pick) && (!best || better(pick, best))) best = [...pick];
        return;
      }
      for (let i = from; i <= cands.length - (k - pick.length); i++) {
        pick.push(cands[i]);
        walk(i + 1);
        pick.pop();
      }
    };
    walk(0);
    if (best) return best;
  }
  return undefined;
}

/** Lowest priority first until it fits, then drops (highest priority first) the ones not needed. */
function greedy(need: Need, free: Need, cands: readonly Candidate[]): Candidate[] | undefined {
  const taken: Candidate[] = [];
  for (const c of cands) {
    taken.push(c);
    if (fitsWith(need, free, taken)) break;
  }
  if (!fitsWith(need, free, taken)) return undefined;
  for (let i = taken.length - 1; i >= 0; i--) {
    const without = taken.filter((_, j) => j !== i);
    if (fitsWith(need, free, without)) taken.splice(i, 1);
  }
  return taken;
}
