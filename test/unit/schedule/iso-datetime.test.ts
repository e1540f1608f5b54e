import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { readIsoDateTime } from '../../../src/schedule/iso-datetime.js';

/** What Luxon (the reference) makes of a start: the instant, or undefined when it refuses it. */
function luxon(text: string, hasOffset: boolean): number | undefined {
  const dt = DateTime.fromISO(text, hasOffset ? { setZone: true } : { zone: 'utc' });
  return dt.isValid ? dt.toMillis() : undefined;
}

const two = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((n) => String(n).padStart(2, '0'));
const dateTime = fc
  .record({
    y: fc.integer({ min: 1, max: 9999 }).map((n) => String(n).padStart(4, '0')),
    mo: two(0, 13),
    d: two(0, 32),
    h: two(0, 25),
    mi: two(0, 60),
    s: fc.option(two(0, 60)),
    f: fc.option(fc.integer({ min: 0, max: 999 }).map((n) => String(n).slice(0, 1 + (n % 3)))),
    z: fc.constantFrom('', 'Z', '+01:00', '-04:30', '+14:00', '-23:59', '+24:00', '+05:60'),
  })
  .map(({ y, mo, d, h, mi, s, f, z }) => `${y}-${mo}-${d}T${h}:${mi}${s === null ? '' : `:${s}${f === null ? '' : `.${f}`}`}${z}`);

describe('reading an ISO 8601 start without Luxon', () => {
  it('means exactly what Luxon means, and leaves to Luxon what it does not read', () => {
    let read = 0;
    fc.assert(
      fc.property(dateTime, (text) => {
        const fast = readIsoDateTime(text);
        const hasOffset = /(Z|[+-]\d\d:\d\d)$/.test(text);
        if (fast === undefined) return; // Luxon decides (the fallback path)
        read++;
        const instant = fast.wall - (fast.offsetMinutes ?? 0) * 60_000;
        expect(instant, text).toBe(luxon(text, hasOffset));
      }),
      { seed: 16, numRuns: 3000 },
    );
    expect(read).toBeGreaterThan(300); // the fast path is taken, not only the fallback
  });

  it('reads the forms manifests use, and refuses impossible dates to Luxon', () => {
    expect(readIsoDateTime('2026-01-01T00:30:00Z')).toEqual({ wall: Date.UTC(2026, 0, 1, 0, 30), offsetMinutes: 0 });
    expect(readIsoDateTime('2026-03-08T02:30:00')).toEqual({ wall: Date.UTC(2026, 2, 8, 2, 30) });
    expect(readIsoDateTime('2026-03-08T02:30-05:00')).toEqual({ wall: Date.UTC(2026, 2, 8, 2, 30), offsetMinutes: -300 });
    for (const t of ['2026-02-29T00:00:00Z', '2026-13-01T00:00Z', '2026-01-01T24:00:00Z', '2026-W01-1T00:00Z', '20260101T000000Z']) {
      expect(readIsoDateTime(t), t).toBeUndefined();
    }
    expect(readIsoDateTime('2024-02-29T00:00:00Z')).toBeDefined();
  });
});
