/**
 * The next few run instants of a schedule, in UTC and in the schedule's own time zone,
 * for the plan ("this change makes the job run at …"). Uses src/schedule for the math.
 */
import type { ScheduleSpec } from '../core/types.js';
import { nextRuns } from '../schedule/index.js';
import { zoneNamed } from '../schedule/zone.js';
import type { NextRun } from './types.js';

/** How many upcoming runs a plan shows per created or changed job. */
export const NEXT_RUN_COUNT = 3;

/**
 * The next `count` runs strictly after `now`. An ISO 8601 interval without a start
 * (`R/PT1H`) counts from `now`, as it will once applied.
 */
export function upcomingRuns(schedule: ScheduleSpec, now: number, count = NEXT_RUN_COUNT): NextRun[] {
  return nextRuns(schedule, now, count, { reference: now }).map((at) => ({
    at,
    utc: new Date(at).toISOString().replace('.000Z', 'Z'),
    local: localIso(at, schedule.timeZone),
    timeZone: schedule.timeZone,
  }));
}

/**
 * `at` as ISO 8601 local time with its offset in `timeZone` (`2026-03-08T03:00:00-04:00`),
 * milliseconds only when not zero; `Z` for the zone names UTC and GMT. The same text as
 * Luxon's `DateTime.toISO({ suppressMilliseconds: true })` (a test holds them equal), built
 * from the schedule core's memoised offsets: a plan of 10,000 jobs formats 30,000 of these,
 * and a Luxon DateTime each cost more than computing the runs.
 */
export function localIso(at: number, timeZone: string): string {
  const offset = Math.trunc(zoneNamed(timeZone).offset(at)); // minutes east of UTC
  const wall = new Date(at + offset * 60_000).toISOString();
  const body = wall.endsWith('.000Z') ? wall.slice(0, -5) : wall.slice(0, -1);
  const name = timeZone.toLowerCase();
  if (name === 'utc' || name === 'gmt') return `${body}Z`;
  const abs = Math.abs(offset);
  return `${body}${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
