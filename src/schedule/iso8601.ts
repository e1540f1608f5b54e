/**
 * ISO 8601 repeating intervals in the Chronos form `R[n]/<start>/<duration>`
 * (ISO 8601-1:2019 §5.6 "recurring time interval", form 3: start and duration).
 *
 * - `n` omitted (`R/...`) repeats forever; `R0` never runs; `Rn` runs n times
 *   (occurrences 0 .. n-1).
 * - `<start>` is an ISO 8601 date-time. With an offset (`Z`, `+01:00`) it is that instant;
 *   without one it is a wall time in the job's zone (resolved by the DST rule of ./zone.ts;
 *   later occurrences keep the wall time as written, so `2026-03-08T02:30:00/P1D` in New York
 *   runs at 03:30 EDT on the gap day and at 02:30 after).
 *   `<start>` may be omitted (`R/PT1H` or `R//PT1H`), meaning "now": the caller passes that
 *   instant as `reference` (the controller uses the time the job was applied, so the grid
 *   survives restarts); without one the Unix epoch is used, which keeps results
 *   deterministic.
 * - `<duration>` is `P[nY][nM][nW][nD][T[nH][nM][nS]]` (§5.5.2.2), integers except seconds.
 *
 * Occurrence k is start + k × duration, never previous + duration, so P1M from Jan 31 gives
 * Feb 28/29, Mar 31, Apr 30, ... The date part (Y, M, W, D) moves the wall-clock date in the
 * job's zone, keeping the wall time (P1D stays at 02:00 across DST); the time part (H, M, S)
 * is exact elapsed time (PT24H moves by 24 real hours, so its wall time shifts across DST).
 * This is the order of RFC 5545 §3.3.6 and Temporal's `ZonedDateTime.add`.
 */
import { DateTime } from 'luxon';
import { KairosError } from '../core/errors.js';
import { readIsoDateTime } from './iso-datetime.js';
import type { Zone } from './zone.js';

const DAY = 86_400_000;
const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;
const OFFSET = /(?:Z|[+-]\d\d(?::?\d\d)?)$/i;

/** A parsed repeating interval, with its start already fixed to an instant. */
export interface IsoRepeat {
  /** Number of occurrences, or Infinity. */
  count: number;
  startMs: number;
  /** The start's wall time in the job's zone, as written when it had no offset (02:30 even on a day 02:30 is skipped). */
  startWall: number;
  years: number;
  months: number;
  /** Days including 7 × weeks. */
  days: number;
  /** The exact-time part in milliseconds. */
  timeMs: number;
  /** `startWall` as a Luxon date in UTC, made on first use for calendar (Y/M) arithmetic. */
  startDate?: DateTime;
}

function fail(expr: string, msg: string): never {
  throw new KairosError('E_SCHEDULE', `ISO 8601 schedule ${JSON.stringify(expr)}: ${msg}`);
}

/** The start as an instant and as a wall time in the job's zone. */
function parseStart(expr: string, text: string, zone: Zone): { startMs: number; startWall: number } {
  const fast = readIsoDateTime(text);
  if (fast?.offsetMinutes !== undefined) {
    const startMs = fast.wall - fast.offsetMinutes * 60_000;
    return { startMs, startWall: zone.wallOf(startMs) };
  }
  if (fast) return { startMs: zone.resolveWall(fast.wall), startWall: fast.wall };
  const hasOffset = text.includes('T') && OFFSET.test(text.slice(text.indexOf('T')));
  const dt = DateTime.fromISO(text, hasOffset ? { setZone: true } : { zone: 'utc' });
  if (!dt.isValid) fail(expr, `start ${JSON.stringify(text)} is not an ISO 8601 date-time (${dt.invalidExplanation ?? dt.invalidReason})`);
  if (hasOffset) return { startMs: dt.toMillis(), startWall: zone.wallOf(dt.toMillis()) };
  return { startMs: zone.resolveWall(dt.toMillis()), startWall: dt.toMillis() };
}

/**
 * Parses `R[n]/<start>/<duration>`. `reference` stands in for an omitted start.
 * Throws KairosError E_SCHEDULE saying which part is wrong.
 */
export function parseIso(expression: string, zone: Zone, reference = 0): IsoRepeat {
  const parts = expression.trim().split('/');
  if (parts.length < 2 || parts.length > 3) fail(expression, 'expected R[n]/<start>/<duration> (start may be left out)');
  const m = /^R(\d*)$/.exec(parts[0]);
  if (!m) fail(expression, `repetition ${JSON.stringify(parts[0])} must be R or Rn (n a whole number)`);
  const count = m[1] === '' ? Infinity : Number(m[1]);
  const durationText = parts[parts.length - 1];
  const d = DURATION.exec(durationText);
  if (!d || durationText === 'P' || durationText.endsWith('T')) fail(expression, `duration ${JSON.stringify(durationText)} must look like P1D, PT1H30M or P1Y2M10DT2H30M`);
  const n = (i: number) => (d[i] ? Number(d[i].replace(',', '.')) : 0);
  const rep: IsoRepeat = {
    count,
    ...(parts.length === 3 && parts[1] !== '' ? parseStart(expression, parts[1], zone) : { startMs: reference, startWall: zone.wallOf(reference) }),
    years: n(1),
    months: n(2),
    days: n(3) * 7 + n(4),
    timeMs: Math.round((n(5) * 3600 + n(6) * 60 + n(7)) * 1000),
  };
  if (rep.years + rep.months + rep.days === 0 && rep.timeMs <= 0) fail(expression, `duration ${JSON.stringify(durationText)} is zero; it must be positive`);
  return rep;
}

/** The instant of occurrence k (0-based) of `r` in `zone`. */
export function occurrence(r: IsoRepeat, zone: Zone, k: number): number {
  if (k === 0) return r.startMs;
  if (r.years === 0 && r.months === 0 && r.days === 0) return r.startMs + k * r.timeMs;
  const base = r.startWall;
  const wall =
    r.years === 0 && r.months === 0
      ? base + k * r.days * DAY
      : (r.startDate ??= DateTime.fromMillis(base, { zone: 'utc' })).plus({ years: k * r.years, months: k * r.months, days: k * r.days }).toMillis();
  return zone.resolveWall(wall) + k * r.timeMs;
}

/** Average length of one period in ms, to estimate which occurrence comes next. */
function approxPeriod(r: IsoRepeat): number {
  return r.years * 365.2425 * DAY + r.months * 30.436875 * DAY + r.days * DAY + r.timeMs;
}

/** The first occurrence strictly after `afterMs`, or undefined when the repetitions are spent. */
export function nextIso(r: IsoRepeat, zone: Zone, afterMs: number): number | undefined {
  let k = afterMs < r.startMs ? 0 : Math.floor((afterMs - r.startMs) / approxPeriod(r));
  let at = occurrence(r, zone, k);
  if (at > afterMs) {
    while (k > 0) {
      const prev = occurrence(r, zone, k - 1);
      if (prev <= afterMs) break;
      k--;
      at = prev;
    }
  } else {
    do at = occurrence(r, zone, ++k);
    while (at <= afterMs);
  }
  return k < r.count ? at : undefined;
}
