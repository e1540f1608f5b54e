/**
 * Resource arithmetic for the embedded master: agent totals, offers, task needs and
 * refuse filters are all bags of named scalars, ranges and sets. Scalars are kept in
 * thousandths, as Mesos keeps 3 decimal places (mesos.proto, Value.Scalar), so sums and
 * differences are exact.
 */
import type { Range, Resource } from '../types.js';

type Span = [number, number];

/** Merges overlapping or adjacent spans into a sorted, disjoint list. */
function normalize(spans: Span[]): Span[] {
  const sorted = spans.filter(([b, e]) => b <= e).sort((x, y) => x[0] - y[0]);
  const out: Span[] = [];
  for (const [b, e] of sorted) {
    const last = out[out.length - 1];
    if (last && b <= last[1] + 1) last[1] = Math.max(last[1], e);
    else out.push([b, e]);
  }
  return out;
}

function subtractSpans(from: readonly Span[], take: readonly Span[]): Span[] {
  let out = from.map((s): Span => [s[0], s[1]]);
  for (const [b, e] of take) {
    out = out.flatMap(([x, y]): Span[] => {
      if (e < x || b > y) return [[x, y]];
      const parts: Span[] = [];
      if (b > x) parts.push([x, b - 1]);
      if (e < y) parts.push([e + 1, y]);
      return parts;
    });
  }
  return out;
}

function spansContain(outer: readonly Span[], inner: readonly Span[]): boolean {
  // Loops, not every/some: the allocator asks this for every filtered agent every round.
  next: for (const [b, e] of inner) {
    for (const [x, y] of outer) if (x <= b && e <= y) continue next;
    return false;
  }
  return true;
}

const NO_RANGES: ReadonlyMap<string, readonly Span[]> = new Map();
const NO_SETS: ReadonlyMap<string, ReadonlySet<string>> = new Map();

/** A bag of resources by name; unreserved, role given only when rendered into an offer. */
export class ResourceBag {
  readonly scalars = new Map<string, number>(); // thousandths
  // Ranges and sets made only when a bag has some: a task's bag rarely does, and every
  // running task keeps one, so two empty Maps each were memory the GC kept copying.
  private r: Map<string, Span[]> | undefined;
  private s: Map<string, Set<string>> | undefined;

  /** Ranges by name (ports), read only. */
  get ranges(): ReadonlyMap<string, readonly Span[]> {
    return this.r ?? NO_RANGES;
  }

  /** Sets by name, read only. */
  get sets(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.s ?? NO_SETS;
  }

  private rangesToWrite(): Map<string, Span[]> {
    return (this.r ??= new Map());
  }

  private setsToWrite(): Map<string, Set<string>> {
    return (this.s ??= new Map());
  }

  /** Builds a bag from protobuf Resources (role and allocation info are not kept). */
  static from(resources: readonly Resource[] | undefined): ResourceBag {
    const bag = new ResourceBag();
    for (const r of resources ?? []) {
      if (r.type === 'SCALAR' && r.scalar) bag.scalars.set(r.name, (bag.scalars.get(r.name) ?? 0) + Math.round(r.scalar.value * 1000));
      else if (r.type === 'RANGES' && r.ranges)
        bag.rangesToWrite().set(r.name, normalize([...(bag.ranges.get(r.name) ?? []), ...(r.ranges.range ?? []).map((x: Range): Span => [x.begin, x.end])]));
      else if (r.type === 'SET' && r.set) bag.setsToWrite().set(r.name, new Set([...(bag.sets.get(r.name) ?? []), ...(r.set.item ?? [])]));
    }
    return bag;
  }

  /** Parses `cpus:4;mem:8192;ports:[31000-32000]` (the agent's --resources syntax). */
  static parse(text: string): ResourceBag {
    const res: Resource[] = [];
    for (const part of text.split(';').map((s) => s.trim()).filter(Boolean)) {
      const [name, value] = part.split(':').map((s) => s.trim());
      if (value.startsWith('[')) {
        const range = value.slice(1, -1).split(',').map((s) => s.trim().split('-').map(Number)).map(([begin, end]) => ({ begin, end: end ?? begin }));
        res.push({ name, type: 'RANGES', ranges: { range } });
      } else if (value.startsWith('{')) res.push({ name, type: 'SET', set: { item: value.slice(1, -1).split(',').map((s) => s.trim()) } });
      else res.push({ name, type: 'SCALAR', scalar: { value: Number(value) } });
    }
    return ResourceBag.from(res);
  }

  clone(): ResourceBag {
    const b = new ResourceBag();
    for (const [k, v] of this.scalars) b.scalars.set(k, v);
    for (const [k, v] of this.ranges) b.rangesToWrite().set(k, v.map((s): Span => [s[0], s[1]]));
    for (const [k, v] of this.sets) b.setsToWrite().set(k, new Set(v));
    return b;
  }

  isEmpty(): boolean {
    for (const v of this.scalars.values()) if (v > 0) return false;
    for (const v of this.ranges.values()) if (v.length > 0) return false;
    for (const v of this.sets.values()) if (v.size > 0) return false;
    return true;
  }

  /** True when every resource of `other` is available in this bag. */
  contains(other: ResourceBag): boolean {
    for (const [k, v] of other.scalars) if (v > 0 && (this.scalars.get(k) ?? 0) < v) return false;
    for (const [k, v] of other.ranges) if (!spansContain(this.ranges.get(k) ?? [], v)) return false;
    for (const [k, v] of other.sets) for (const item of v) if (!this.sets.get(k)?.has(item)) return false;
    return true;
  }

  /** Adds `other` into this bag (in place) and returns it. */
  add(other: ResourceBag): this {
    for (const [k, v] of other.scalars) this.scalars.set(k, (this.scalars.get(k) ?? 0) + v);
    for (const [k, v] of other.ranges) this.rangesToWrite().set(k, normalize([...(this.ranges.get(k) ?? []), ...v.map((s): Span => [s[0], s[1]])]));
    for (const [k, v] of other.sets) this.setsToWrite().set(k, new Set([...(this.sets.get(k) ?? []), ...v]));
    return this;
  }

  /** Removes `other` from this bag (in place; never below zero) and returns it. */
  subtract(other: ResourceBag): this {
    for (const [k, v] of other.scalars) this.scalars.set(k, Math.max(0, (this.scalars.get(k) ?? 0) - v));
    for (const [k, v] of other.ranges) this.rangesToWrite().set(k, subtractSpans(this.ranges.get(k) ?? [], v));
    for (const [k, v] of other.sets) {
      const mine = this.s?.get(k);
      if (mine) for (const item of v) mine.delete(item);
    }
    return this;
  }

  /** A scalar in its natural unit (e.g. cpus), 0 when absent. */
  scalar(name: string): number {
    return (this.scalars.get(name) ?? 0) / 1000;
  }

  /** Renders protobuf Resources; with `role`, each carries allocation_info {role}. */
  toProto(role?: string): Resource[] {
    const alloc = role === undefined ? {} : { allocation_info: { role } };
    const out: Resource[] = [];
    for (const [name, v] of this.scalars) if (v > 0) out.push({ name, type: 'SCALAR', scalar: { value: v / 1000 }, ...alloc });
    for (const [name, v] of this.ranges)
      if (v.length) out.push({ name, type: 'RANGES', ranges: { range: v.map(([begin, end]) => ({ begin, end })) }, ...alloc });
    for (const [name, v] of this.sets) if (v.size) out.push({ name, type: 'SET', set: { item: [...v] }, ...alloc });
    return out;
  }
}
