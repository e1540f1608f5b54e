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
 * and then any that turned out unnecessary are dropped again (good, not always fewest):
 * ./victim-sets.ts. Agents are searched best bound first ({@link VictimSearch}), so on a
 * large cluster only the few agents that could hold the answer are searched at all.
 */
import type { Constraint, Resources } from '../core/types.js';
import { attributeOf, isStateful, PlacementCounts, staticOk, statefulOk, type AgentFacts } from '../mesos/constraints.js';
import { bestOnAgent, boundOf, compareKeys, DIMS, keyOf, vectorOf, type Candidate, type Key, type Sized } from './victim-sets.js';

export { EXHAUSTIVE_LIMIT, type Candidate } from './victim-sets.js';

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

/** See the module comment; undefined when no agent can take the task, or one takes it as is. */
export function chooseVictims(waiting: WaitingTask, agents: readonly AgentCandidates[]): VictimChoice | undefined {
  return new VictimSearch(waiting, prepareAgents(agents)).choose();
}

/**
 * Agents made ready for many searches on one view (src/schedule/preemption.ts searches for
 * several waiting runs per check): each with its free room and its candidates in
 * (priority, task id) order, their sizes computed once.
 */
export interface PreparedAgents {
  agents: readonly PreparedAgent[];
  /** The values of an attribute over the agents (GROUP_BY), computed once each. */
  valuesSeen(attribute: string): readonly string[];
}

interface PreparedAgent {
  agent: AgentCandidates;
  /** Free room per dimension of DIMS. */
  free: readonly number[];
  cands: readonly Sized[];
}

/** Sorts and sizes `agents` once; see {@link PreparedAgents}. */
export function prepareAgents(agents: readonly AgentCandidates[]): PreparedAgents {
  // Candidates of one template share its resources object: sized once.
  const sizes = new Map<Resources, number[]>();
  const size = (r: Resources): number[] => {
    let v = sizes.get(r);
    if (!v) sizes.set(r, (v = vectorOf(r)));
    return v;
  };
  const prepared = agents.map((agent) => ({ agent, free: vectorOf(agent.free), cands: [...agent.candidates].sort(byPriority).map((c) => ({ c, v: size(c.resources) })) }));
  const seen = new Map<string, string[]>();
  const valuesSeen = (attribute: string): string[] => {
    let v = seen.get(attribute);
    if (!v) seen.set(attribute, (v = agents.map((a) => attributeOf(a, attribute)).filter((x): x is string => x !== undefined)));
    return v;
  };
  return { agents: prepared, valuesSeen };
}

interface Ranked {
  at: PreparedAgent;
  deficit: readonly number[];
  bound: Key;
}

/**
 * The victim choice for one waiting task, made to be asked again as candidates get taken
 * (one preemption check serves several waiting runs of one shape on one view). Built once:
 * the agents that meet the constraints and could cover what the task lacks there, each
 * with a lower bound on the key of any victim set it can give (victim-sets.ts `boundOf`),
 * sorted by (bound, agent id). A choice searches them in that order and stops at the first
 * agent whose bound cannot beat the best found, or tie it with a smaller agent id: the
 * same answer as searching every agent. Candidates only ever get fewer, so a bound stays a
 * bound for later choices.
 */
export class VictimSearch {
  private readonly ranked: Ranked[] = [];
  /** Some agent meeting the constraints takes the task as is: nothing is ever chosen. */
  private fits = false;

  /** `skip`: candidates already taken (later choices may leave out more, never fewer). */
  constructor(
    private readonly waiting: WaitingTask,
    prepared: PreparedAgents,
    skip?: (c: Candidate) => boolean,
  ) {
    const need = vectorOf(waiting.resources);
    const counts = new PlacementCounts();
    const statefulAttrs = waiting.constraints.filter(isStateful).map((c) => c.attribute);
    for (const p of waiting.placed ?? []) counts.add(p, statefulAttrs);
    for (const at of prepared.agents) {
      const ok = waiting.constraints.every((c) => (isStateful(c) ? statefulOk(c, at.agent, counts, () => prepared.valuesSeen(c.attribute)) : staticOk(c, at.agent)));
      if (!ok) continue;
      const deficit = DIMS.map((_, d) => Math.max(0, need[d] - at.free[d]));
      if (deficit.every((x) => x === 0)) {
        this.fits = true;
        return;
      }
      const bound = boundOf(deficit, this.eligible(at, skip));
      if (bound) this.ranked.push({ at, deficit, bound });
    }
    this.ranked.sort((a, b) => compareKeys(a.bound, b.bound) || cmp(a.at.agent.agentId, b.at.agent.agentId));
  }

  /** The best victims now, leaving out what `skip` names; see the class comment. */
  choose(skip?: (c: Candidate) => boolean): VictimChoice | undefined {
    if (this.fits) return undefined;
    let best: { at: PreparedAgent; victims: Sized[]; key: Key } | undefined;
    const beats = (key: Key, at: PreparedAgent): boolean => {
      const c = best ? compareKeys(key, best.key) : -1;
      return c < 0 || (c === 0 && cmp(at.agent.agentId, best!.at.agent.agentId) < 0);
    };
    const spent = new Set<Ranked>();
    for (const r of this.ranked) {
      if (best && !beats(r.bound, r.at)) break;
      const eligible = this.eligible(r.at, skip);
      // No set larger than the best one so far can win: search only up to its size.
      const victims = bestOnAgent(r.deficit, eligible, best?.victims.length ?? eligible.length);
      if (!victims) {
        if (!boundOf(r.deficit, eligible)) spent.add(r); // nothing left there for any later choice
        continue;
      }
      const key = keyOf(victims);
      if (beats(key, r.at)) best = { at: r.at, victims, key };
    }
    if (spent.size > 0) this.ranked.splice(0, this.ranked.length, ...this.ranked.filter((r) => !spent.has(r)));
    return best && { agentId: best.at.agent.agentId, hostname: best.at.agent.hostname, victims: best.victims.map((v) => v.c) };
  }

  private eligible(at: PreparedAgent, skip?: (c: Candidate) => boolean): Sized[] {
    const out: Sized[] = [];
    for (const s of at.cands) {
      if (s.c.priority >= this.waiting.priority) break; // sorted by priority
      if (!skip?.(s.c)) out.push(s);
    }
    return out;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byPriority(a: Candidate, b: Candidate): number {
  return a.priority - b.priority || cmp(a.taskId, b.taskId);
}
