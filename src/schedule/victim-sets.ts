/**
 * The per-agent half of victim choice (./victims.ts ranks the agents): which candidates on
 * one agent cover what the waiting task lacks there, and how victim sets compare.
 * Resources are vectors over {@link DIMS}, scalars in integer thousandths (needOf).
 */
import type { Resources } from '../core/types.js';
import { needOf } from '../mesos/resources.js';

/** A running task that may be killed: preemptible, of a run other than the waiting one. */
export interface Candidate {
  runId: string;
  taskId: string;
  priority: number;
  /** What the task declared (and so holds on its agent). */
  resources: Resources;
}

/** Candidates per agent up to which every subset is tried. */
export const EXHAUSTIVE_LIMIT = 12;

/** The resource dimensions, in vector order (cpus and mem first: rule 5 compares them). */
export const DIMS = ['cpus', 'mem', 'disk', 'gpus', 'ports'] as const;

/** A candidate with what it holds per dimension of {@link DIMS}. */
export interface Sized {
  c: Candidate;
  v: readonly number[];
}

/** `r` as a vector over {@link DIMS}. */
export function vectorOf(r: Resources): number[] {
  const n = needOf(r);
  return DIMS.map((k) => n[k]);
}

/**
 * What rules 3-5 of ./victims.ts compare, of a victim set or a lower bound on several:
 * the count, the priorities in ascending order, then cpus and mem held together.
 */
export interface Key {
  k: number;
  pri: readonly number[];
  cpus: number;
  mem: number;
}

/** The key of a victim set (in ascending priority order, as picked from a list sorted so). */
export function keyOf(set: readonly Sized[]): Key {
  let cpus = 0;
  let mem = 0;
  for (const s of set) {
    cpus += s.v[0];
    mem += s.v[1];
  }
  return { k: set.length, pri: set.map((s) => s.c.priority), cpus, mem };
}

/**
 * Negative when `a` beats `b` by rules 3-5: fewer victims, then the priorities compared from
 * the highest down, then fewer cpus, then less mem; 0 on a tie.
 */
export function compareKeys(a: Key, b: Key): number {
  if (a.k !== b.k) return a.k - b.k;
  for (let i = a.k - 1; i >= 0; i--) if (a.pri[i] !== b.pri[i]) return a.pri[i] - b.pri[i];
  return a.cpus - b.cpus || a.mem - b.mem;
}

/**
 * A key no set of `eligible` (sorted by priority) covering `deficit` can beat, or undefined
 * when none covers it; one pass. Every covering set holds the deficit in each dimension,
 * so it has at least deficit / largest victims; of that many, priorities no lower than the
 * lowest ones (element by element); cpus and mem no less than the deficit nor than that
 * many of the smallest.
 */
export function boundOf(deficit: readonly number[], eligible: readonly Sized[]): Key | undefined {
  let k = 1;
  for (let d = 0; d < DIMS.length; d++) {
    if (deficit[d] <= 0) continue;
    let total = 0;
    let largest = 0;
    for (const s of eligible) {
      total += s.v[d];
      if (s.v[d] > largest) largest = s.v[d];
    }
    if (total < deficit[d]) return undefined;
    k = Math.max(k, Math.ceil(deficit[d] / largest));
  }
  if (k > eligible.length) return undefined;
  const pri: number[] = [];
  for (let i = 0; i < k; i++) pri.push(eligible[i].c.priority);
  return { k, pri, cpus: least(deficit, eligible, k, 0), mem: least(deficit, eligible, k, 1) };
}

/** The least any `k` of `eligible` covering `deficit` hold in dimension `d`. */
function least(deficit: readonly number[], eligible: readonly Sized[], k: number, d: number): number {
  let smallest = Infinity;
  for (const s of eligible) if (s.v[d] < smallest) smallest = s.v[d];
  return Math.max(deficit[d], k * smallest);
}

/**
 * The victims on one agent that cover `deficit` (rule 3-5 best when `eligible` is small
 * enough for {@link exhaustive}); undefined when none of at most `maxK` victims does.
 */
export function bestOnAgent(deficit: readonly number[], eligible: readonly Sized[], maxK: number): Sized[] | undefined {
  return eligible.length <= EXHAUSTIVE_LIMIT ? exhaustive(deficit, eligible, maxK) : greedy(deficit, eligible);
}

/** Whether victim set `a` strictly beats `b` (a tie keeps the one found first: rule 6). */
function better(a: readonly Sized[], b: readonly Sized[]): boolean {
  return compareKeys(keyOf(a), keyOf(b)) < 0;
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
  for (let i = m - 1; i >= 0; i--) for (let d = 0; d < 5; d++) suffix[i][d] = suffix[i + 1][d] + cands[i].v[d];
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
        const v = cands[i].v;
        for (let d = 0; d < 5; d++) left[d] -= v[d];
        pick.push(cands[i]);
        walk(i + 1);
        pick.pop();
        for (let d = 0; d < 5; d++) left[d] += v[d];
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
  DIMS.forEach((_, d) => {
    if (deficit[d] <= 0) return;
    const sizes = cands.map((x) => x.v[d]).sort((a, b) => b - a);
    let sum = 0;
    let i = 0;
    while (sum < deficit[d] && i < sizes.length) sum += sizes[i++];
    k = Math.max(k, i);
  });
  return k;
}

/** Lowest priority first until it fits, then drops (highest priority first) the ones not needed. */
function greedy(deficit: readonly number[], cands: readonly Sized[]): Sized[] | undefined {
  const covers = (set: readonly Sized[]) => DIMS.every((_, d) => set.reduce((s, x) => s + x.v[d], 0) >= deficit[d]);
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
