/**
 * Placement constraints on agent attributes and `hostname`, with Marathon's operator
 * semantics (mesosphere/marathon docs/docs/constraints.md), which Chronos and Metronome
 * users already know:
 * - EQUALS: the attribute equals the value.
 * - LIKE / UNLIKE: the attribute fully matches / does not match the regex. An agent
 *   without the attribute fails LIKE and passes UNLIKE.
 * - UNIQUE: no two tasks of the same job share the attribute's value.
 * - MAX_PER n: at most n tasks of the same job per value.
 * - GROUP_BY: spread the job's tasks evenly across the values seen (a task goes only to a
 *   value that currently has the fewest of the job's tasks).
 * The stateful operators count tasks per job, both already running and placed in the
 * current matching round.
 */
import type { Constraint } from '../core/types.js';

/** The agent facts constraints look at: hostname and text form of each attribute. */
export interface AgentFacts {
  hostname: string;
  attributes: Record<string, string>;
}

/** The value of `attribute` on an agent; `hostname` is a pseudo-attribute. */
export function attributeOf(agent: AgentFacts, attribute: string): string | undefined {
  return attribute === 'hostname' ? agent.hostname : agent.attributes[attribute];
}

/** Operators whose verdict depends on where the job's other tasks are. */
export function isStateful(c: Constraint): boolean {
  return c.operator === 'UNIQUE' || c.operator === 'MAX_PER' || c.operator === 'GROUP_BY';
}

/**
 * How many tasks of one job sit on each value of each attribute:
 * `counts.get(attribute).get(value)`.
 */
export class PlacementCounts {
  private readonly byAttr = new Map<string, Map<string, number>>();

  /** Records one task of the job on `agent` for each attribute in `attributes`. */
  add(agent: AgentFacts, attributes: Iterable<string>): void {
    for (const a of attributes) {
      const v = attributeOf(agent, a);
      if (v === undefined) continue;
      let m = this.byAttr.get(a);
      if (!m) this.byAttr.set(a, (m = new Map()));
      m.set(v, (m.get(v) ?? 0) + 1);
    }
  }

  count(attribute: string, value: string): number {
    return this.byAttr.get(attribute)?.get(value) ?? 0;
  }

  /** Smallest count over `values` (values with no task count 0). */
  minOver(attribute: string, values: Iterable<string>): number {
    let min = Infinity;
    for (const v of values) min = Math.min(min, this.count(attribute, v));
    return min === Infinity ? 0 : min;
  }
}

const regexCache = new Map<string, RegExp>();

/** Compiles a constraint regex anchored at both ends (Marathon matches the full value). */
function fullRegex(src: string): RegExp {
  let re = regexCache.get(src);
  if (!re) {
    re = new RegExp(`^(?:${src})$`);
    regexCache.set(src, re);
  }
  return re;
}

/** Checks a constraint that needs no placement state (EQUALS, LIKE, UNLIKE). */
export function staticOk(c: Constraint, agent: AgentFacts): boolean {
  const v = attributeOf(agent, c.attribute);
  switch (c.operator) {
    case 'EQUALS':
      return v !== undefined && v === c.value;
    case 'LIKE':
      return v !== undefined && fullRegex(c.value ?? '').test(v);
    case 'UNLIKE':
      return v === undefined || !fullRegex(c.value ?? '').test(v);
    default:
      return true;
  }
}

/**
 * Checks a stateful constraint against the job's placement counts. `valuesSeen` lists the
 * attribute's values across all offers this round (for GROUP_BY's "fewest" rule).
 */
export function statefulOk(
  c: Constraint,
  agent: AgentFacts,
  counts: PlacementCounts,
  valuesSeen: () => Iterable<string>,
): boolean {
  const v = attributeOf(agent, c.attribute);
  if (v === undefined) return false;
  const n = counts.count(c.attribute, v);
  switch (c.operator) {
    case 'UNIQUE':
      return n === 0;
    case 'MAX_PER':
      return n < Number(c.value ?? '1');
    case 'GROUP_BY':
      return n <= counts.minOver(c.attribute, valuesSeen());
    default:
      return true;
  }
}

/** Human text for a constraint, as used in pending reasons: `rack UNLIKE r1`. */
export function describeConstraint(c: Constraint): string {
  return c.value === undefined ? `${c.attribute} ${c.operator}` : `${c.attribute} ${c.operator} ${c.value}`;
}
