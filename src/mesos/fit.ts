/**
 * Could any known agent ever hold a task? A pure judgement of one task's resources and
 * constraints against the agents' TOTAL resources and attributes (ClusterFacts), not
 * against the offers of the moment: an agent busy now frees its resources later, while a
 * task wanting more cpus than the largest agent has, or an attribute no agent carries,
 * waits forever. Stateful constraints (UNIQUE, MAX_PER, GROUP_BY) are judged only by the
 * attribute being present (constraints.ts: an agent without it never qualifies), since
 * the job's other tasks come and go. Used by the unschedulable check
 * (src/schedule/unschedulable.ts) and by the plan (src/plan/capacity.ts).
 */
import type { Constraint, Resources } from '../core/types.js';
import type { AgentResources, AgentShape } from '../ports/mesos.js';
import { attributeOf, describeConstraint, isStateful, staticOk } from './constraints.js';

/** The resource names judged, in the order reasons mention them. */
export const FIT_RESOURCES = ['cpus', 'mem', 'disk', 'gpus', 'ports'] as const;

/** What a task asks for, as the fit judges it. */
export interface FitNeed {
  resources: Resources;
  constraints: readonly Constraint[];
}

/** Whether `agent` satisfies constraint `c` on its attributes alone (see the module comment). */
export function agentMeets(c: Constraint, agent: AgentShape): boolean {
  return isStateful(c) ? attributeOf(agent, c.attribute) !== undefined : staticOk(c, agent);
}

/** Whether one agent could ever hold the task. */
export function agentFits(need: FitNeed, agent: AgentShape): boolean {
  return FIT_RESOURCES.every((k) => need.resources[k] <= agent.resources[k] + 1e-9) && need.constraints.every((c) => agentMeets(c, agent));
}

/** The most of each resource on any one agent ("the largest agent", per resource). */
export function largestAgent(agents: readonly AgentShape[]): AgentResources {
  const out: AgentResources = { cpus: 0, mem: 0, disk: 0, gpus: 0, ports: 0 };
  for (const a of agents) for (const k of FIT_RESOURCES) out[k] = Math.max(out[k], a.resources[k]);
  return out;
}

/**
 * Undefined when some agent could hold the task; otherwise why none can, in words a person
 * can act on: `needs cpus 4 but the largest agent has 2`, `constraint rack LIKE r9 matches
 * no agent (rack: r0, r1)`, or that no single agent has it all together.
 */
export function whyNoAgentFits(need: FitNeed, agents: readonly AgentShape[]): string | undefined {
  if (agents.some((a) => agentFits(need, a))) return undefined;
  if (agents.length === 0) return 'no agent is registered with the master';
  const largest = largestAgent(agents);
  for (const k of FIT_RESOURCES) {
    if (need.resources[k] <= largest[k] + 1e-9) continue;
    return largest[k] === 0 ? `needs ${k} ${need.resources[k]} but no agent has ${k}` : `needs ${k} ${need.resources[k]} but the largest agent has ${largest[k]}`;
  }
  for (const c of need.constraints) {
    if (agents.some((a) => agentMeets(c, a))) continue;
    const seen = [...new Set(agents.map((a) => attributeOf(a, c.attribute)).filter((v): v is string => v !== undefined))].sort();
    return `constraint ${describeConstraint(c)} matches no agent (${c.attribute}: ${seen.length ? seen.slice(0, 10).join(', ') : 'no agent has it'})`;
  }
  return `no single agent has ${describeNeed(need)} together`;
}

/** `cpus 4, mem 8192, rack LIKE r1`: the non-zero resources and the constraints of a need. */
export function describeNeed(need: FitNeed): string {
  const parts = FIT_RESOURCES.filter((k) => need.resources[k] > 0).map((k) => `${k} ${need.resources[k]}`);
  return [...parts, ...need.constraints.map(describeConstraint)].join(', ');
}
