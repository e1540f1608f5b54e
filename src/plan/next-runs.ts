/**
 * The next few run instants of a schedule, in UTC and in the schedule's own time zone,
 * for the plan ("this change makes the job run at …"). Uses src/schedule for the math.
 */
import { DateTime } from 'luxon';
import type { ScheduleSpec } from '../core/types.js';
import { nextRuns } from '../schedule/index.js';
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
    local: DateTime.fromMillis(at, { zone: schedule.timeZone }).toISO({ suppressMilliseconds: true }) as string,
    timeZone: schedule.timeZone,
  }));
}
