import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { Zone } from '../../../src/schedule/zone.js';

describe('Zone', () => {
  it('memoised offsets equal Luxon at every instant, around transitions too', () => {
    const HOUR = 3_600_000;
    for (const name of ['America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham']) {
      const zone = new Zone(name);
      const iana = IANAZone.create(name);
      const check = (t: number) => {
        if (zone.offset(t) !== iana.offset(t)) expect.fail(`${name} at ${new Date(t).toISOString()}: ${zone.offset(t)} != ${iana.offset(t)}`);
      };
      // hourly through 2026; each hour holding a transition is checked minute by minute,
      // twice, so the second pass answers from the memo
      for (let h = Date.parse('2026-01-01T00:00:00Z'); h < Date.parse('2027-01-01T00:00:00Z'); h += HOUR) {
        check(h + 13);
        if (iana.offset(h) === iana.offset(h + HOUR - 1)) continue;
        for (let pass = 0; pass < 2; pass++) for (let t = h; t < h + HOUR; t += 60_000) check(t + 7);
      }
    }
  });

  it('resolves wall times by the DST rule', () => {
    const ny = new Zone('America/New_York');
    const wall = (s: string) => Date.parse(`${s}Z`);
    expect(new Date(ny.resolveWall(wall('2026-03-08T02:30:00'))).toISOString()).toBe('2026-03-08T07:30:00.000Z'); // gap: 03:30 EDT
    expect(new Date(ny.resolveWall(wall('2026-11-01T01:30:00'))).toISOString()).toBe('2026-11-01T05:30:00.000Z'); // fold: EDT
    expect(new Date(ny.resolveWall(wall('2026-07-01T12:00:00'))).toISOString()).toBe('2026-07-01T16:00:00.000Z');
    expect(ny.wallOf(Date.parse('2026-11-01T06:30:00Z'))).toBe(wall('2026-11-01T01:30:00')); // the second 01:30
  });
});
