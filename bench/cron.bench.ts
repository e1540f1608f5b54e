/**
 * Cron next-fire against two widely used libraries, side by side in one run: 20,000 random
 * five-field expressions (lists, ranges, steps, day-of-month and day-of-week, months), each
 * in one of 8 zones (with DST in both hemispheres, a 30-minute DST zone, no-DST zones),
 * from a random instant of 2026 (one in five just before a DST change of its zone). Kairos (src/schedule), croner and cron-parser (dev
 * dependencies of this bench only) each compute the first fire strictly after it; the
 * figures are CPU time of parse + next for all 20,000, and every instant is compared.
 * Disagreements are counted and explained by kind, not hidden: each is classified as
 *  - "day rule": day-of-month or day-of-week is a star with a step (every 2nd day: star,
 *    slash, 2) and the other is not a plain star. Vixie cron (crontab(5)), which Kairos follows,
 *    treats a field starting with `*` as unrestricted, so both must match (AND); croner and
 *    cron-parser treat a stepped star as restricted, so either may match (OR);
 *  - "DST": one answer is within 3 hours of a zone offset change, where libraries resolve
 *    skipped and repeated wall times differently;
 *  - "other": listed with an example, to be investigated.
 */
import { Cron } from 'croner';
import { CronExpressionParser } from 'cron-parser';
import type { BenchRow } from './run.js';
import { compileSchedule } from '../src/schedule/index.js';
import { zoneNamed } from '../src/schedule/zone.js';

export const title = 'Cron next fire vs croner and cron-parser (bench/cron.bench.ts)';

const ZONES = ['UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Shanghai', 'Asia/Kolkata', 'America/Los_Angeles', 'Europe/Berlin'];
const N = 20_000;
const YEAR_START = Date.parse('2026-01-01T00:00:00Z');
const YEAR_MS = 365 * 86_400_000;

/** A small seeded PRNG (mulberry32), so every run compares the same expressions. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function field(r: () => number, min: number, max: number, starWeight: number): string {
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const x = r();
  if (x < starWeight) return '*';
  if (x < starWeight + 0.1) return `*/${int(2, Math.max(2, Math.floor((max - min) / 2)))}`;
  if (x < starWeight + 0.35) {
    const a = int(min, max);
    const b = int(a, max);
    return r() < 0.3 ? `${a}-${b}/${int(1, 3)}` : `${a}-${b}`;
  }
  const n = int(1, 3);
  return [...new Set(Array.from({ length: n }, () => int(min, max)))].sort((p, q) => p - q).join(',');
}

interface Case {
  expression: string;
  zone: string;
  after: number;
}

/** The instants of 2026 at which a zone's UTC offset changes (found hour by hour). */
function transitions(zone: string): number[] {
  const z = zoneNamed(zone);
  const out: number[] = [];
  for (let t = YEAR_START; t < YEAR_START + YEAR_MS; t += 3_600_000) {
    if (z.wallOf(t) - t !== z.wallOf(t + 3_600_000) - (t + 3_600_000)) out.push(t + 3_600_000);
  }
  return out;
}

/** Random cases; one in five starts in the 6 hours before a DST change of its zone. */
function cases(): Case[] {
  const r = rng(16);
  const changes = new Map(ZONES.map((z) => [z, transitions(z)]));
  return Array.from({ length: N }, () => {
    const zone = ZONES[Math.floor(r() * ZONES.length)];
    const near = changes.get(zone)!;
    const after =
      near.length > 0 && r() < 0.2 ? near[Math.floor(r() * near.length)] - Math.floor(r() * 6 * 3_600_000) : YEAR_START + Math.floor(r() * YEAR_MS);
    const hours = r() < 0.5 ? field(r, 0, 4, 0.1) : field(r, 0, 23, 0.2); // DST changes happen at night
    return { expression: [field(r, 0, 59, 0.1), hours, field(r, 1, 28, 0.6), field(r, 1, 12, 0.7), field(r, 0, 6, 0.7)].join(' '), zone, after };
  });
}

/** The next instant; undefined when none; NaN when the library threw on a valid expression. */
type Next = (c: Case) => number | undefined;

function guarded(next: Next): Next {
  return (c) => {
    try {
      return next(c);
    } catch {
      return Number.NaN;
    }
  };
}

const kairos: Next = (c) => compileSchedule({ kind: 'cron', expression: c.expression, timeZone: c.zone }).next(c.after);
const croner: Next = guarded((c) => new Cron(c.expression, { timezone: c.zone, mode: '5-part' }).nextRun(new Date(c.after))?.getTime());
const cronParser: Next = guarded((c) => CronExpressionParser.parse(c.expression, { currentDate: new Date(c.after), tz: c.zone }).next().getTime());

function run(next: Next, all: Case[]): [(number | undefined)[], number] {
  const c0 = process.cpuUsage();
  const out = all.map(next);
  const c = process.cpuUsage(c0);
  return [out, (c.user + c.system) / 1000];
}

/** True when a zone's UTC offset changes within 3 hours of `at`. */
function nearDst(zone: string, at: number): boolean {
  const z = zoneNamed(zone);
  const off = (t: number) => z.wallOf(t) - t;
  return off(at - 3 * 3_600_000) !== off(at + 3 * 3_600_000);
}

function compare(name: string, all: Case[], ours: (number | undefined)[], theirs: (number | undefined)[]): BenchRow {
  let dst = 0;
  let dayRule = 0;
  let threw = 0;
  let dstExample = '';
  const other: string[] = [];
  const describeCase = (i: number) =>
    `"${all[i].expression}" ${all[i].zone} after ${new Date(all[i].after).toISOString()}: kairos ${iso(ours[i])}, ${name} ${iso(theirs[i])}`;
  for (let i = 0; i < all.length; i++) {
    if (ours[i] === theirs[i]) continue;
    const c = all[i];
    if (Number.isNaN(theirs[i])) threw++;
    else if (starStepDays(c.expression)) dayRule++;
    else if ((ours[i] !== undefined && nearDst(c.zone, ours[i]!)) || (theirs[i] !== undefined && nearDst(c.zone, theirs[i]!))) {
      dst++;
      dstExample ||= `; DST e.g. ${describeCase(i)}`;
    }
    else other.push(describeCase(i));
  }
  const example = (other.length > 0 ? `; other e.g. ${other[0]}` : '') + dstExample;
  return {
    name: `instants where ${name} disagrees with kairos`,
    value: threw + dayRule + dst + other.length,
    unit: `of ${all.length}`,
    note: `${dayRule} by the day rule (*/n day field: Vixie AND vs their OR), ${dst} at a DST change, ${threw} where ${name} threw, ${other.length} other${example}`,
  };
}

/** Day-of-month or day-of-week is a star with a step, and the other is not a plain star. */
function starStepDays(expression: string): boolean {
  const [, , dom, , dow] = expression.split(' ');
  const starStep = (f: string) => f.startsWith('*/');
  return (starStep(dom) && dow !== '*') || (starStep(dow) && dom !== '*');
}

function iso(t: number | undefined): string {
  return t === undefined ? 'none' : new Date(t).toISOString();
}

export default async function bench(): Promise<BenchRow[]> {
  const all = cases();
  const warm = all.slice(0, 500);
  for (const f of [kairos, croner, cronParser]) run(f, warm);
  const [ours, kMs] = run(kairos, all);
  const [cr, crMs] = run(croner, all);
  const [cp, cpMs] = run(cronParser, all);
  const ratio = (x: number) => `${(x / kMs).toFixed(1)}× kairos`;
  return [
    { name: `kairos parse + next fire, ${N.toLocaleString('en')} expressions in 8 zones`, value: Math.round(kMs), unit: 'ms CPU', note: 'baseline of this section' },
    { name: 'croner 11.0.1, same', value: Math.round(crMs), unit: 'ms CPU', note: ratio(crMs) },
    { name: 'cron-parser 5.10.6, same', value: Math.round(cpMs), unit: 'ms CPU', note: ratio(cpMs) },
    compare('croner', all, ours, cr),
    compare('cron-parser', all, ours, cp),
  ];
}
