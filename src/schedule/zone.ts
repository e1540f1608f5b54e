/**
 * Time-zone primitives for schedule evaluation: the UTC offset of a zone at an instant
 * (from Luxon's IANA zone data, memoised), the wall-clock time of an instant, and the one
 * DST rule Kairos applies to every schedule form when turning a wall-clock time back into
 * an instant.
 *
 * A "wall time" here is a number: the zone's local date and time encoded as if it were UTC
 * (`Date.UTC(y, m, d, h, mi, s)`), so plain calendar fields can be read and built with the
 * UTC getters of `Date` and no zone is involved until `resolveWall`.
 *
 * DST rule (RFC 5545 §3.3.5, and Temporal's `disambiguation: 'compatible'`):
 * - a wall time that does not exist (spring forward gap) is read with the offset in force
 *   before the gap, i.e. it runs once, shifted forward by the length of the gap
 *   (America/New_York 02:30 on the spring-forward day runs at 03:30 EDT);
 * - a wall time that occurs twice (fall back) means its first occurrence
 *   (America/New_York 01:30 on the fall-back day runs at 01:30 EDT, never at 01:30 EST).
 */
import { IANAZone } from 'luxon';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Memo entries kept per zone before the memo is dropped and refilled. */
const MEMO_LIMIT = 200_000;

const validity = new Map<string, boolean>();

/**
 * Whether `tz` names an IANA time zone this runtime knows (e.g. `Europe/London`, `UTC`).
 * Memoised: Luxon builds an Intl.DateTimeFormat for every check.
 */
export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz.length === 0) return false;
  let ok = validity.get(tz);
  if (ok === undefined) {
    ok = IANAZone.isValidZone(tz);
    if (validity.size < 10_000) validity.set(tz, ok);
  }
  return ok;
}

/**
 * A zone with a memoised offset lookup. Luxon formats a date for every offset query
 * (a few microseconds); schedules ask for the same hours again and again, so offsets are
 * memoised per UTC hour, but only for hours whose offset is the same at both ends (an hour
 * holding a transition is always asked of Luxon directly, so the memo never changes a result).
 */
export class Zone {
  readonly name: string;
  private readonly iana: IANAZone;
  private memo = new Map<number, number>();

  constructor(name: string) {
    this.name = name;
    this.iana = IANAZone.create(name);
  }

  /** The zone's UTC offset in minutes at the instant `ms` (e.g. -300 for EST). */
  offset(ms: number): number {
    const hour = Math.floor(ms / HOUR);
    const hit = this.memo.get(hour);
    if (hit !== undefined) return hit;
    const start = this.iana.offset(hour * HOUR);
    if (start !== this.iana.offset(hour * HOUR + HOUR - 1)) return this.iana.offset(ms);
    if (this.memo.size >= MEMO_LIMIT) this.memo = new Map();
    this.memo.set(hour, start);
    return start;
  }

  /** The wall time (local time encoded as UTC ms, see the module comment) of instant `ms`. */
  wallOf(ms: number): number {
    return ms + this.offset(ms) * MINUTE;
  }

  /** The instant of wall time `wall` under the DST rule in the module comment. */
  resolveWall(wall: number): number {
    const before = this.offset(wall - DAY);
    const after = this.offset(wall + DAY);
    const t1 = wall - before * MINUTE;
    if (before === after && this.offset(t1) === before) return t1;
    const t2 = wall - after * MINUTE;
    const ok1 = this.offset(t1) === before;
    const ok2 = this.offset(t2) === after;
    if (ok1 && ok2) return Math.min(t1, t2); // repeated wall time: first occurrence
    if (ok2 && !ok1) return t2;
    return t1; // valid with the earlier offset, or inside a gap: shifted forward by it
  }
}

const zones = new Map<string, Zone>();

/** The shared, memoised Zone for an IANA name; the caller has checked `isValidTimeZone`. */
export function zoneNamed(name: string): Zone {
  let z = zones.get(name);
  if (!z) {
    z = new Zone(name);
    zones.set(name, z);
  }
  return z;
}
