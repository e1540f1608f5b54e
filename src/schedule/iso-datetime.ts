/**
 * The common ISO 8601 date-time, read without Luxon: extended format
 * `YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm]`, the form every example and generated manifest
 * uses. A plan of 10,000 ISO 8601 schedules parsed each start twice (checking, then next
 * runs) with Luxon's general ISO parser, a tenth of the whole dry run. Anything else (week
 * or ordinal dates, basic format, hour 24, out-of-range fields) returns undefined, and the
 * caller asks Luxon, so what is accepted and what it means never changes (a property test
 * holds the two equal).
 */

const EXTENDED = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,3}))?)?(Z|[+-]\d\d:\d\d)?$/;

/** A date-time as its wall time (calendar fields encoded as UTC ms) and its offset in minutes, if written. */
export interface IsoDateTime {
  wall: number;
  offsetMinutes?: number;
}

/** Reads the common extended form, or undefined when Luxon has to decide. */
export function readIsoDateTime(text: string): IsoDateTime | undefined {
  const m = EXTENDED.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, m[7] ? Number(m[7].padEnd(3, '0')) : 0);
  if (new Date(wall).getUTCDate() !== day || year < 100) return undefined; // Feb 30; two-digit years mean 19xx to Date.UTC
  if (m[8] === undefined) return { wall };
  if (m[8] === 'Z') return { wall, offsetMinutes: 0 };
  const oh = Number(m[8].slice(1, 3));
  const om = Number(m[8].slice(4, 6));
  if (oh > 23 || om > 59) return undefined;
  return { wall, offsetMinutes: (m[8][0] === '-' ? -1 : 1) * (oh * 60 + om) };
}
