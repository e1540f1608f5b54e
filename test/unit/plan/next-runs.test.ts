import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { localIso } from '../../../src/plan/next-runs.js';

describe('localIso (plan next runs in the schedule zone)', () => {
  it('writes exactly what Luxon toISO writes, across zones, DST changes and milliseconds', () => {
    const zones = ['UTC', 'GMT', 'Etc/UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham', 'Etc/GMT+5'];
    const starts = ['2026-03-08T06:59:59.999Z', '2026-03-29T00:30:00Z', '2026-10-03T15:00:00Z', '2026-11-01T05:30:00Z', '2026-06-01T00:00:00.250Z'].map(Date.parse);
    let checked = 0;
    for (const zone of zones) {
      for (const start of starts) {
        for (let k = 0; k < 48; k++) {
          const at = start + k * 37 * 60_000;
          expect([zone, at, localIso(at, zone)]).toEqual([zone, at, DateTime.fromMillis(at, { zone }).toISO({ suppressMilliseconds: true })]);
          checked++;
        }
      }
    }
    expect(checked).toBe(zones.length * starts.length * 48);
  });

  it('shows the offset in force at the instant', () => {
    expect(localIso(Date.parse('2026-03-08T07:00:00Z'), 'America/New_York')).toBe('2026-03-08T03:00:00-04:00');
    expect(localIso(Date.parse('2026-03-08T06:59:00Z'), 'America/New_York')).toBe('2026-03-08T01:59:00-05:00');
  });
});
