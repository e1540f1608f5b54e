/**
 * Resource arithmetic for offer matching. Scalars are kept as integer thousandths, the
 * precision Mesos itself keeps (apache/mesos include/mesos/v1/mesos.proto `Value.Scalar`: "3 decimal
 * places"), so packing many tasks into an offer never drifts. Port ranges are inclusive
 * `[begin, end]` pairs as in `Value.Range`.
 */

/** Scalar resource names the matcher understands, in the order reasons mention them. */
export const SCALAR_NAMES = ['cpus', 'mem', 'disk', 'gpus'] as const;
/** One of the scalar resource names. */
export type ScalarName = (typeof SCALAR_NAMES)[number];

/** An inclusive port range `[begin, end]`. */
export type Range = [number, number];

/** Converts a Mesos scalar to integer thousandths (Mesos rounds to 3 decimals). */
export function toMilli(v: number): number {
  return Math.round(v * 1000);
}

/** Converts integer thousandths back to the Mesos scalar value. */
export function fromMilli(m: number): number {
  return m / 1000;
}

/** Number of ports in a list of ranges. */
export function countPorts(ranges: readonly Range[]): number {
  let n = 0;
  for (const [b, e] of ranges) n += e - b + 1;
  return n;
}

/**
 * Takes `count` ports from the front of `ranges` (mutating it) and returns them as ranges.
 * The caller checked that enough ports are there.
 */
export function takePorts(ranges: Range[], count: number): Range[] {
  const out: Range[] = [];
  let left = count;
  while (left > 0 && ranges.length > 0) {
    const r = ranges[0];
    const size = r[1] - r[0] + 1;
    if (size <= left) {
      out.push([r[0], r[1]]);
      ranges.shift();
      left -= size;
    } else {
      out.push([r[0], r[0] + left - 1]);
      r[0] += left;
      left = 0;
    }
  }
  return out;
}

/**
 * One homogeneous piece of an offer: a resource name with its role, reservation and
 * allocation as `template` (everything of the Mesos Resource except its value), and what
 * is left of it. An offer has one pool per Resource entry, so reserved and unreserved cpus
 * of the same offer stay distinct and are handed back to Mesos exactly as offered.
 */
export interface Pool {
  name: string;
  /** The offered Resource without `scalar`/`ranges`, copied into every allocation. */
  template: Record<string, unknown>;
  /** Remaining scalar amount in thousandths (scalar pools). */
  milli: number;
  /** Remaining ranges (the `ports` pool). */
  ranges: Range[];
}

/** A piece of a pool handed to one task. */
export interface Allocation {
  name: string;
  template: Record<string, unknown>;
  /** Scalar amount (not thousandths) for scalar resources. */
  scalar?: number;
  ranges?: Range[];
}

/** What one task needs, in thousandths for scalars. */
export interface Need {
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
  ports: number;
}

/** Converts a task's resources (core/types.ts Resources) to a Need. */
export function needOf(r: { cpus: number; mem: number; disk: number; gpus: number; ports: number }): Need {
  return { cpus: toMilli(r.cpus), mem: toMilli(r.mem), disk: toMilli(r.disk), gpus: toMilli(r.gpus), ports: r.ports };
}

/** Totals of an offer's pools, kept next to the pools so fit checks are O(1). */
export interface Totals {
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
  ports: number;
}

/** Sums the pools into totals (thousandths for scalars, a count for ports). */
export function totalsOf(pools: readonly Pool[]): Totals {
  const t: Totals = { cpus: 0, mem: 0, disk: 0, gpus: 0, ports: 0 };
  for (const p of pools) {
    if (p.name === 'ports') t.ports += countPorts(p.ranges);
    else if (p.name in t) t[p.name as ScalarName] += p.milli;
  }
  return t;
}

/** The first resource `need` lacks in `have`, or undefined when it fits. */
export function shortfall(need: Need, have: Totals): ScalarName | 'ports' | undefined {
  if (need.cpus > have.cpus) return 'cpus';
  if (need.mem > have.mem) return 'mem';
  if (need.disk > have.disk) return 'disk';
  if (need.gpus > have.gpus) return 'gpus';
  if (need.ports > have.ports) return 'ports';
  return undefined;
}

/**
 * Takes `need` out of `pools` (and `totals`), first pool first, and returns the
 * allocations. The caller checked the fit with `shortfall`.
 */
export function allocate(need: Need, pools: Pool[], totals: Totals): Allocation[] {
  const out: Allocation[] = [];
  for (const name of SCALAR_NAMES) {
    let left = need[name];
    if (left <= 0) continue;
    totals[name] -= left;
    for (const p of pools) {
      if (left <= 0) break;
      if (p.name !== name || p.milli <= 0) continue;
      const take = Math.min(left, p.milli);
      p.milli -= take;
      left -= take;
      out.push({ name, template: p.template, scalar: fromMilli(take) });
    }
  }
  let ports = need.ports;
  if (ports > 0) {
    totals.ports -= ports;
    for (const p of pools) {
      if (ports <= 0) break;
      if (p.name !== 'ports') continue;
      const have = countPorts(p.ranges);
      if (have === 0) continue;
      const take = Math.min(ports, have);
      out.push({ name: 'ports', template: p.template, ranges: takePorts(p.ranges, take) });
      ports -= take;
    }
  }
  return out;
}
