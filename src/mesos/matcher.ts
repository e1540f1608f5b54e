/**
 * The offer matcher: a pure function from pending tasks and offers to launches.
 *
 * Tasks are taken in order (higher `priority` first, then oldest `dueAt`) and placed
 * first-fit, so one offer takes as many tasks as fit and each offer gets at most one
 * ACCEPT (mesos.apache.org/documentation/latest/app-framework-development-guide/: "accept or decline offers promptly";
 * the Accept call takes one agent's offers). Speed comes from grouping tasks by shape
 * (resources + constraints): resources in offers only shrink during a round, so an offer
 * that cannot take a shape once never can again, and each shape keeps a cursor that only
 * moves forward. Matching 10,000 tasks against 1,000 offers is linear in both for the
 * usual handful of shapes. Tasks that fit nowhere stay pending with a reason a person can
 * act on ("no offer has gpus", "constraint rack UNLIKE r1 unsatisfied").
 */
import type { Constraint } from '../core/types.js';
import { attributeOf, describeConstraint, isStateful, PlacementCounts, staticOk, statefulOk, type AgentFacts } from './constraints.js';
import { allocate, fromMilli, shortfall, SCALAR_NAMES, totalsOf, type Allocation, type Need, type Pool, type Totals } from './resources.js';

/** An offer as the matcher sees it (built from a Mesos Offer by offers.ts). */
export interface MatchOffer extends AgentFacts {
  id: string;
  agentId: string;
  /** The offer's allocation role (`Offer.allocation_info.role`). */
  role: string;
  pools: Pool[];
}

/** One task waiting for resources. `payload` travels through untouched. */
export interface Demand<T> {
  id: string;
  /** Tasks of one group (the job) are counted together for UNIQUE, MAX_PER, GROUP_BY. */
  group: string;
  need: Need;
  constraints: Constraint[];
  priority: number;
  dueAt: number;
  payload: T;
}

/** Tasks placed on one offer: one ACCEPT with one LAUNCH operation. */
export interface OfferLaunch<T> {
  offer: MatchOffer;
  tasks: { demand: Demand<T>; resources: Allocation[] }[];
}

/** A matching round's outcome: what to ACCEPT, what to DECLINE, what stays pending and why. */
export interface MatchResult<T> {
  launches: OfferLaunch<T>[];
  /** Offers that took no task (to decline). */
  unused: MatchOffer[];
  unplaced: { demand: Demand<T>; reason: string }[];
}

/** Where the group's tasks already run (for stateful constraints). */
export type RunningPlacements = ReadonlyMap<string, readonly AgentFacts[]>;

interface ShapeState {
  cursor: number;
  exhausted: boolean;
  monotonic: boolean;
  statics: Constraint[];
  statefuls: { c: Constraint; values: () => Iterable<string> }[];
  reason?: string;
}

interface Working {
  offer: MatchOffer;
  pools: Pool[];
  totals: Totals;
  initial: Totals;
  launch?: OfferLaunch<unknown>;
}

/** Orders demands: higher priority first, then older due time, then id for stability. */
export function compareDemands(a: Demand<unknown>, b: Demand<unknown>): number {
  return b.priority - a.priority || a.dueAt - b.dueAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The shape key of each demand, built once (a demand is matched in many rounds while it waits). */
const shapeKeys = new WeakMap<Demand<unknown>, string>();

function shapeKey(d: Demand<unknown>): string {
  let k = shapeKeys.get(d);
  if (k === undefined) shapeKeys.set(d, (k = buildShapeKey(d)));
  return k;
}

function buildShapeKey(d: Demand<unknown>): string {
  const n = d.need;
  let k = `${n.cpus},${n.mem},${n.disk},${n.gpus},${n.ports}`;
  if (d.constraints.length === 0) return k;
  let stateful = false;
  for (const c of d.constraints) {
    k += `|${c.attribute}\u0000${c.operator}\u0000${c.value ?? ''}`;
    stateful ||= isStateful(c);
  }
  return stateful ? `${k}|@${d.group}` : k;
}

/** Places `demands` on `offers`. Pure: neither argument is modified. */
export function matchOffers<T>(demands: readonly Demand<T>[], offers: readonly MatchOffer[], running: RunningPlacements = new Map()): MatchResult<T> {
  const work: Working[] = offers.map((offer) => {
    const pools = offer.pools.map((p): Pool => ({ name: p.name, template: p.template, milli: p.milli, ranges: p.ranges.map((r) => [r[0], r[1]] as [number, number]) }));
    const totals = totalsOf(pools);
    return { offer, pools, totals, initial: Object.assign({}, totals) };
  });
  const sorted = [...demands].sort(compareDemands);
  const shapes = new Map<string, ShapeState>();
  const counts = new Map<string, PlacementCounts>();
  const valuesCache = new Map<string, string[]>();
  const valuesSeen = (attribute: string) => () => {
    let v = valuesCache.get(attribute);
    if (!v) {
      const s = new Set<string>();
      for (const w of work) {
        const x = attributeOf(w.offer, attribute);
        if (x !== undefined) s.add(x);
      }
      valuesCache.set(attribute, (v = [...s]));
    }
    return v;
  };
  const countsOf = (d: Demand<T>): PlacementCounts => {
    let c = counts.get(d.group);
    if (!c) {
      c = new PlacementCounts();
      const attrs = d.constraints.filter(isStateful).map((x) => x.attribute);
      for (const agent of running.get(d.group) ?? []) c.add(agent, attrs);
      counts.set(d.group, c);
    }
    return c;
  };

  // Offers that cannot take even the smallest need of any demand are skipped by everyone.
  const minNeed = { cpus: Infinity, mem: Infinity, disk: Infinity, gpus: Infinity, ports: Infinity };
  for (const d of demands) for (const k of ['cpus', 'mem', 'disk', 'gpus', 'ports'] as const) minNeed[k] = Math.min(minNeed[k], d.need[k]);
  let firstUseful = 0;
  const skipUseless = () => {
    while (firstUseful < work.length && shortfall(minNeed, work[firstUseful].totals) !== undefined) firstUseful++;
  };
  skipUseless();

  const launches: OfferLaunch<T>[] = [];
  const unplaced: { demand: Demand<T>; reason: string }[] = [];
  for (const d of sorted) {
    const key = shapeKey(d);
    let s = shapes.get(key);
    if (!s) {
      s = {
        cursor: 0,
        exhausted: false,
        monotonic: !d.constraints.some((c) => c.operator === 'GROUP_BY'),
        statics: d.constraints.filter((c) => !isStateful(c)),
        statefuls: d.constraints.filter(isStateful).map((c) => ({ c, values: valuesSeen(c.attribute) })),
      };
      shapes.set(key, s);
    }
    if (s.exhausted) {
      unplaced.push({ demand: d, reason: (s.reason ??= explain(d, work, running)) });
      continue;
    }
    const { statics, statefuls } = s;
    const pc = statefuls.length > 0 ? countsOf(d) : undefined;
    let placed: Working | undefined;
    if (s.cursor < firstUseful) s.cursor = firstUseful;
    for (let i = s.cursor; i < work.length; i++) {
      const w = work[i];
      const fits =
        shortfall(d.need, w.totals) === undefined &&
        (statics.length === 0 || statics.every((c) => staticOk(c, w.offer))) &&
        (!pc || statefuls.every((x) => statefulOk(x.c, w.offer, pc, x.values)));
      if (fits) {
        placed = w;
        break;
      }
      if (i === s.cursor && s.monotonic) s.cursor++;
    }
    if (!placed) {
      s.exhausted = true;
      unplaced.push({ demand: d, reason: (s.reason ??= explain(d, work, running)) });
      continue;
    }
    const resources = allocate(d.need, placed.pools, placed.totals);
    if (!placed.launch) {
      placed.launch = { offer: placed.offer, tasks: [] };
      launches.push(placed.launch as OfferLaunch<T>);
    }
    (placed.launch as OfferLaunch<T>).tasks.push({ demand: d, resources });
    pc?.add(placed.offer, statefuls.map((x) => x.c.attribute));
    skipUseless();
  }
  return { launches, unused: work.filter((w) => !w.launch).map((w) => w.offer), unplaced };
}

/** Why a demand found no offer this round, judged against the offers as they came. */
function explain(d: Demand<unknown>, work: readonly Working[], running: RunningPlacements): string {
  if (work.length === 0) return 'no offers';
  for (const name of [...SCALAR_NAMES, 'ports'] as const) {
    const need = d.need[name];
    if (need <= 0) continue;
    let max = 0;
    for (const w of work) max = Math.max(max, w.initial[name]);
    if (max >= need) continue;
    if (max === 0) return `no offer has ${name}`;
    const fmt = (v: number) => (name === 'ports' ? String(v) : String(fromMilli(v)));
    return `no offer has ${fmt(need)} ${name} (largest offer: ${fmt(max)})`;
  }
  for (const c of d.constraints) {
    const ok = isStateful(c)
      ? work.some((w) => {
          const pc = new PlacementCounts();
          for (const agent of running.get(d.group) ?? []) pc.add(agent, [c.attribute]);
          return statefulOk(c, w.offer, pc, () => work.map((x) => attributeOf(x.offer, c.attribute)).filter((v): v is string => v !== undefined));
        })
      : work.some((w) => staticOk(c, w.offer));
    if (!ok) return `constraint ${describeConstraint(c)} unsatisfied`;
  }
  const together = work.some((w) => shortfall(d.need, w.initial) === undefined && d.constraints.every((c) => staticOk(c, w.offer)));
  if (!together) return 'no single offer meets all resources and constraints together';
  return 'offers taken by higher-priority or older tasks';
}
