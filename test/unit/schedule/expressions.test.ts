import { describe, expect, it } from 'vitest';
import { compileSchedule, isValidTimeZone, nextRuns } from '../../../src/schedule/index.js';
import { KairosError } from '../../../src/core/errors.js';
import type { ScheduleSpec } from '../../../src/core/types.js';

const iso = (s: string) => new Date(s).toISOString();
const runs = (spec: ScheduleSpec, after: string, n: number, reference?: string) =>
  nextRuns(spec, Date.parse(after), n, { reference: reference ? Date.parse(reference) : undefined }).map((t) => new Date(t).toISOString());
const cron = (expression: string, timeZone: string): ScheduleSpec => ({ kind: 'cron', expression, timeZone });
const rep = (expression: string, timeZone: string): ScheduleSpec => ({ kind: 'iso8601', expression, timeZone });

// Every expected instant below was worked out by hand from the zone's published rules.
// 2026: US DST Mar 8 (02:00 EST -> 03:00 EDT) and Nov 1 (02:00 EDT -> 01:00 EST);
// EU DST Mar 29 (01:00 UTC) and Oct 25 (01:00 UTC); Lord Howe +10:30 -> +11 on Oct 4 at
// 02:00 and back on Apr 5 at 02:00 (+11) -> 01:30; Shanghai +8 all year.
const cases: { name: string; spec: ScheduleSpec; after: string; expect: string[]; reference?: string }[] = [
  {
    name: 'New York cron 0 2 * * * on spring-forward night runs once at 03:00 EDT',
    spec: cron('0 2 * * *', 'America/New_York'),
    after: '2026-03-07T12:00:00Z',
    expect: ['2026-03-08T07:00:00Z', '2026-03-09T06:00:00Z'],
  },
  {
    name: 'New York cron 30 1 * * * on fall-back night runs once, at the EDT 01:30',
    spec: cron('30 1 * * *', 'America/New_York'),
    after: '2026-10-31T12:00:00Z',
    expect: ['2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z'],
  },
  {
    name: 'New York */15 across the fall-back hour: the repeated 01:xx fire once each',
    spec: cron('*/15 * * * *', 'America/New_York'),
    after: '2026-11-01T05:20:00Z', // 01:20 EDT
    expect: ['2026-11-01T05:30:00Z', '2026-11-01T05:45:00Z', '2026-11-01T07:00:00Z', '2026-11-01T07:15:00Z'],
  },
  {
    name: 'New York */15 asked from inside the second 01:xx (EST) waits for 02:00 EST',
    spec: cron('*/15 * * * *', 'America/New_York'),
    after: '2026-11-01T06:10:00Z', // 01:10 EST
    expect: ['2026-11-01T07:00:00Z'],
  },
  {
    name: 'New York P1D keeps 02:00 wall time across spring forward (shifted into 03:00 on the day)',
    spec: rep('R/2026-03-07T02:00:00/P1D', 'America/New_York'),
    after: '2026-03-06T00:00:00Z',
    expect: ['2026-03-07T07:00:00Z', '2026-03-08T07:00:00Z', '2026-03-09T06:00:00Z'],
  },
  {
    name: 'New York PT24H is exact elapsed time: wall time moves to 03:00 after spring forward',
    spec: rep('R/2026-03-07T02:00:00/PT24H', 'America/New_York'),
    after: '2026-03-06T00:00:00Z',
    expect: ['2026-03-07T07:00:00Z', '2026-03-08T07:00:00Z', '2026-03-09T07:00:00Z'],
  },
  {
    name: 'New York P1D at 01:30 across fall back runs at the first 01:30',
    spec: rep('R/2026-10-31T01:30:00/P1D', 'America/New_York'),
    after: '2026-10-31T00:00:00Z',
    expect: ['2026-10-31T05:30:00Z', '2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z'],
  },
  {
    name: 'London cron 30 1 * * * on spring-forward day (01:30 GMT does not exist) runs at 02:30 BST',
    spec: cron('30 1 * * *', 'Europe/London'),
    after: '2026-03-28T12:00:00Z',
    expect: ['2026-03-29T01:30:00Z', '2026-03-30T00:30:00Z'],
  },
  {
    name: 'London cron 30 1 * * * on fall-back day runs at 01:30 BST only',
    spec: cron('30 1 * * *', 'Europe/London'),
    after: '2026-10-24T12:00:00Z',
    expect: ['2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z'],
  },
  {
    name: 'London P1D at 09:00 across both changes keeps 09:00 local',
    spec: rep('R/2026-03-28T09:00:00/P1D', 'Europe/London'),
    after: '2026-03-28T00:00:00Z',
    expect: ['2026-03-28T09:00:00Z', '2026-03-29T08:00:00Z', '2026-03-30T08:00:00Z'],
  },
  {
    name: 'Lord Howe 02:00 on its 30-minute spring forward runs at 02:30 (+11)',
    spec: cron('0 2 * * *', 'Australia/Lord_Howe'),
    after: '2026-10-03T00:00:00Z',
    expect: ['2026-10-03T15:30:00Z', '2026-10-04T15:00:00Z'],
  },
  {
    name: 'Lord Howe 01:45 on its 30-minute fall back runs at the first 01:45 (+11)',
    spec: cron('45 1 * * *', 'Australia/Lord_Howe'),
    after: '2026-04-04T00:00:00Z',
    expect: ['2026-04-04T14:45:00Z', '2026-04-05T15:15:00Z'],
  },
  {
    name: 'Havana springs forward at midnight: @daily runs at 01:00 CDT that day',
    spec: cron('@daily', 'America/Havana'), // 2026-03-08 00:00 CST (-5) -> 01:00 CDT (-4)
    after: '2026-03-07T12:00:00Z',
    expect: ['2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z'],
  },
  {
    name: 'Shanghai has no DST: 09:00 is always 01:00Z',
    spec: cron('0 9 * * *', 'Asia/Shanghai'),
    after: '2026-03-07T12:00:00Z',
    expect: ['2026-03-08T01:00:00Z', '2026-03-09T01:00:00Z'],
  },
  {
    name: 'P1M from Jan 31 clamps to the month end and returns to the 31st',
    spec: rep('R/2026-01-31T10:00:00Z/P1M', 'UTC'),
    after: '2026-01-01T00:00:00Z',
    expect: ['2026-01-31T10:00:00Z', '2026-02-28T10:00:00Z', '2026-03-31T10:00:00Z', '2026-04-30T10:00:00Z', '2026-05-31T10:00:00Z'],
  },
  {
    name: 'P1Y from Feb 29 gives Feb 28 and Feb 29 again in the next leap year',
    spec: rep('R/2024-02-29T00:00:00Z/P1Y', 'UTC'),
    after: '2024-03-01T00:00:00Z',
    expect: ['2025-02-28T00:00:00Z', '2026-02-28T00:00:00Z', '2027-02-28T00:00:00Z', '2028-02-29T00:00:00Z'],
  },
  {
    name: 'R5 runs five times and is then exhausted',
    spec: rep('R5/2026-01-01T00:00:00Z/PT1H', 'UTC'),
    after: '2025-12-31T00:00:00Z',
    expect: ['2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z', '2026-01-01T02:00:00Z', '2026-01-01T03:00:00Z', '2026-01-01T04:00:00Z'],
  },
  {
    name: 'P1W keeps 10:00 London time across spring forward (Mar 29): 10:00Z, then 09:00Z',
    spec: rep('R/2026-03-22T10:00:00/P1W', 'Europe/London'),
    after: '2026-03-21T00:00:00Z',
    expect: ['2026-03-22T10:00:00Z', '2026-03-29T09:00:00Z', '2026-04-05T09:00:00Z'],
  },
  {
    name: 'a combined date and time period (P1DT12H)',
    spec: rep('R3/2026-01-01T00:00:00Z/P1DT12H', 'UTC'),
    after: '2025-12-31T00:00:00Z',
    expect: ['2026-01-01T00:00:00Z', '2026-01-02T12:00:00Z', '2026-01-04T00:00:00Z'],
  },
  {
    name: 'fractional seconds (PT1.5S)',
    spec: rep('R3/2026-01-01T00:00:00Z/PT1.5S', 'UTC'),
    after: '2025-12-31T00:00:00Z',
    expect: ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.500Z', '2026-01-01T00:00:03.000Z'],
  },
  {
    name: 'R0 never runs',
    spec: rep('R0/2026-01-01T00:00:00Z/PT1H', 'UTC'),
    after: '2025-12-31T00:00:00Z',
    expect: [],
  },
  {
    name: 'omitted start uses the reference instant',
    spec: rep('R/PT90M', 'UTC'),
    reference: '2026-05-01T12:10:00Z',
    after: '2026-05-01T13:00:00Z',
    expect: ['2026-05-01T13:40:00Z', '2026-05-01T15:10:00Z'],
  },
  {
    name: 'a start without offset inside the spring-forward gap is shifted forward; later days keep 02:30',
    spec: rep('R/2026-03-08T02:30:00/P1D', 'America/New_York'),
    after: '2026-03-01T00:00:00Z',
    expect: ['2026-03-08T07:30:00Z', '2026-03-09T06:30:00Z'],
  },
  {
    name: 'a start without offset inside the fall-back hour means its first occurrence',
    spec: rep('R/2026-11-01T01:30:00/PT1H', 'America/New_York'),
    after: '2026-10-01T00:00:00Z',
    expect: ['2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z', '2026-11-01T07:30:00Z'],
  },
  {
    name: 'start with an offset is that instant; calendar steps in the job zone',
    spec: rep('R/2026-03-07T07:00:00Z/P1D', 'America/New_York'),
    after: '2026-03-07T07:00:00Z',
    expect: ['2026-03-08T07:00:00Z', '2026-03-09T06:00:00Z'],
  },
  {
    name: 'Vixie DOM/DOW OR: the 13th or any Friday',
    spec: cron('0 0 13 * FRI', 'UTC'),
    after: '2026-01-01T00:00:00Z',
    expect: ['2026-01-02T00:00:00Z', '2026-01-09T00:00:00Z', '2026-01-13T00:00:00Z', '2026-01-16T00:00:00Z'],
  },
  {
    name: 'DOM restricted, DOW * : only the day of month counts',
    spec: cron('0 0 13 * *', 'UTC'),
    after: '2026-01-01T00:00:00Z',
    expect: ['2026-01-13T00:00:00Z', '2026-02-13T00:00:00Z'],
  },
  {
    name: 'DOW with a step starting with * is "star": AND with DOM',
    spec: cron('0 0 1-7 * */7', 'UTC'), // */7 = Sunday only; days 1-7 AND Sunday
    after: '2026-01-01T00:00:00Z',
    expect: ['2026-01-04T00:00:00Z', '2026-02-01T00:00:00Z'],
  },
  {
    name: 'names, ranges, lists and steps',
    spec: cron('0 8-10/2,17 * jan-feb mon-fri', 'UTC'),
    after: '2026-01-30T09:00:00Z', // Friday
    expect: ['2026-01-30T10:00:00Z', '2026-01-30T17:00:00Z', '2026-02-02T08:00:00Z'],
  },
  {
    name: 'six fields: seconds first',
    spec: cron('*/20 * * * * *', 'UTC'),
    after: '2026-01-01T00:00:05.500Z',
    expect: ['2026-01-01T00:00:20Z', '2026-01-01T00:00:40Z', '2026-01-01T00:01:00Z'],
  },
  {
    name: 'day-of-week 7 is Sunday; @weekly is Sunday midnight',
    spec: cron('0 12 * * 7', 'UTC'),
    after: '2026-01-01T00:00:00Z',
    expect: ['2026-01-04T12:00:00Z'],
  },
  { name: '@hourly', spec: cron('@hourly', 'UTC'), after: '2026-01-01T00:00:00Z', expect: ['2026-01-01T01:00:00Z'] },
  { name: '@daily', spec: cron('@daily', 'Asia/Shanghai'), after: '2026-01-01T00:00:00Z', expect: ['2026-01-01T16:00:00Z'] },
  { name: '@weekly', spec: cron('@weekly', 'UTC'), after: '2026-01-01T00:00:00Z', expect: ['2026-01-04T00:00:00Z'] },
  { name: '@monthly', spec: cron('@monthly', 'UTC'), after: '2026-01-01T00:00:00Z', expect: ['2026-02-01T00:00:00Z'] },
  { name: '@yearly', spec: cron('@yearly', 'UTC'), after: '2026-01-01T00:00:00Z', expect: ['2027-01-01T00:00:00Z'] },
  { name: 'Feb 29 only (leap years)', spec: cron('0 0 29 2 *', 'UTC'), after: '2026-01-01T00:00:00Z', expect: ['2028-02-29T00:00:00Z', '2032-02-29T00:00:00Z'] },
];

describe('schedule expressions', () => {
  it.each(cases)('$name', ({ spec, after, expect: want, reference }) => {
    expect(runs(spec, after, want.length + (want.length === 0 ? 1 : 0), reference)).toEqual(want.map(iso));
  });

  it('R5 returns undefined after the fifth occurrence', () => {
    const s = compileSchedule(rep('R5/2026-01-01T00:00:00Z/PT1H', 'UTC'));
    expect(s.next(Date.parse('2026-01-01T04:00:00Z'))).toBeUndefined();
    expect(s.next(Date.parse('2026-01-01T03:59:59Z'))).toBe(Date.parse('2026-01-01T04:00:00Z'));
  });

  it('next is strictly after its argument', () => {
    const s = compileSchedule(cron('0 * * * *', 'UTC'));
    expect(s.next(Date.parse('2026-01-01T01:00:00Z'))).toBe(Date.parse('2026-01-01T02:00:00Z'));
  });

  it('P1M far from the start is still start + k months (no drift)', () => {
    expect(runs(rep('R/2000-01-31T00:00:00Z/P1M', 'UTC'), '2026-03-01T00:00:00Z', 2)).toEqual([iso('2026-03-31T00:00:00Z'), iso('2026-04-30T00:00:00Z')]);
  });

  it('knows time zones', () => {
    expect(isValidTimeZone('Europe/London')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  const bad: [ScheduleSpec, RegExp][] = [
    [cron('0 2 * * *', 'Mars/Olympus'), /time zone "Mars\/Olympus"/],
    [cron('0 24 * * *', 'UTC'), /hour field: 24 is outside 0-23/],
    [cron('0 2 * *', 'UTC'), /has 4 fields/],
    [cron('0 2 * FOO *', 'UTC'), /month field: "FOO" is not a number or name/],
    [cron('*/0 2 * * *', 'UTC'), /step "0" must be a positive number/],
    [cron('0 5-2 * * *', 'UTC'), /range "5-2" runs backwards/],
    [cron('0 0 30 2 *', 'UTC'), /never run/],
    [cron('@reboot', 'UTC'), /unknown macro/],
    [rep('R/2026-01-01T00:00:00Z/P0D', 'UTC'), /is zero/],
    [rep('X/2026-01-01T00:00:00Z/P1D', 'UTC'), /repetition "X"/],
    [rep('R/2026-13-01T00:00:00Z/P1D', 'UTC'), /start "2026-13-01T00:00:00Z" is not an ISO 8601 date-time/],
    [rep('R/2026-01-01T00:00:00Z/1D', 'UTC'), /duration "1D"/],
    [rep('R/2026-01-01T00:00:00Z/PT', 'UTC'), /duration "PT"/],
  ];
  it.each(bad)('rejects %j', (spec, msg) => {
    let err: unknown;
    try {
      compileSchedule(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KairosError);
    expect((err as KairosError).code).toBe('E_SCHEDULE');
    expect((err as KairosError).message).toMatch(msg);
  });
});
