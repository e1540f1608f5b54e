/**
 * Cron expressions: parsing and "next fire strictly after an instant" in a time zone.
 *
 * Syntax (crontab(5) of Vixie cron, as in Metronome and Kubernetes CronJob): five fields
 * `minute hour day-of-month month day-of-week`, or six with a leading `second` field;
 * each field a comma list of `*`, `a`, `a-b`, any of those with `/step`, or `a/step`
 * (from a to the field's maximum); month names JAN-DEC and day names SUN-SAT (case-insensitive);
 * day-of-week 0 and 7 are Sunday. Macros: `@yearly` (`@annually`), `@monthly`, `@weekly`,
 * `@daily` (`@midnight`), `@hourly`.
 *
 * Day matching follows Vixie cron (crontab(5) "Note: The day of a command's execution can be
 * specified by two fields"): when both day-of-month and day-of-week are restricted (neither
 * field starts with `*`), a day matches if EITHER matches; otherwise both must match.
 *
 * Evaluation walks wall-clock times of the job's zone and resolves each match with the
 * DST rule of ./zone.ts (a skipped wall time runs once, shifted forward by the gap; a
 * repeated one runs once, at its first occurrence).
 */
import { KairosError } from '../core/errors.js';
import type { Zone } from './zone.js';

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: FieldDef[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day-of-week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Days in each month of a leap year, for rejecting day/month pairs that never occur. */
const LEAP_MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** How many years ahead `next` looks before it declares a schedule exhausted. */
const HORIZON_YEARS = 30;

/**
 * A parsed cron expression. `next[v]` of each field is the smallest allowed value >= v
 * (or -1), which lets evaluation jump straight to the next candidate.
 */
export interface CronFields {
  readonly seconds: boolean;
  readonly next: readonly Int16Array[];
  readonly domStar: boolean;
  readonly dowStar: boolean;
}

function fail(expr: string, msg: string): never {
  throw new KairosError('E_SCHEDULE', `cron expression ${JSON.stringify(expr)}: ${msg}`);
}

function parseValue(expr: string, def: FieldDef, text: string): number {
  const upper = text.toUpperCase();
  const named = def.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + (def.name === 'month' ? 1 : 0);
  if (!/^\d+$/.test(text)) fail(expr, `${def.name} field: ${JSON.stringify(text)} is not a number${def.names ? ' or name' : ''}`);
  const v = Number(text);
  if (v < def.min || v > def.max) fail(expr, `${def.name} field: ${v} is outside ${def.min}-${def.max}`);
  return v;
}

/** Parses one field into a membership array over [0, max]. */
function parseField(expr: string, def: FieldDef, text: string): boolean[] {
  const allowed = new Array<boolean>(def.max + 1).fill(false);
  for (const part of text.split(',')) {
    if (part === '') fail(expr, `${def.name} field: empty list element in ${JSON.stringify(text)}`);
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined) fail(expr, `${def.name} field: more than one '/' in ${JSON.stringify(part)}`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) fail(expr, `${def.name} field: step ${JSON.stringify(stepText)} must be a positive number`);
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = def.min;
      hi = def.max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      lo = parseValue(expr, def, a);
      hi = parseValue(expr, def, b);
      if (hi < lo) fail(expr, `${def.name} field: range ${JSON.stringify(range)} runs backwards`);
    } else {
      lo = parseValue(expr, def, range);
      hi = stepText !== undefined ? def.max : lo;
    }
    for (let v = lo; v <= hi; v += step) allowed[v] = true;
  }
  return allowed;
}

function nextTable(allowed: boolean[]): Int16Array {
  const table = new Int16Array(allowed.length + 1).fill(-1);
  for (let v = allowed.length - 1; v >= 0; v--) table[v] = allowed[v] ? v : table[v + 1];
  return table;
}

const parsed = new Map<string, CronFields>();

/**
 * Parses a cron expression (or macro); throws KairosError E_SCHEDULE naming the bad field.
 * Results are shared between schedules with the same expression (they are never mutated).
 */
export function parseCron(expression: string): CronFields {
  let fields = parsed.get(expression);
  if (!fields) {
    fields = parseFresh(expression);
    if (parsed.size >= 10_000) parsed.clear();
    parsed.set(expression, fields);
  }
  return fields;
}

function parseFresh(expression: string): CronFields {
  const trimmed = expression.trim();
  const expanded = trimmed.startsWith('@') ? MACROS[trimmed.toLowerCase()] : trimmed;
  if (expanded === undefined) fail(expression, `unknown macro (use ${Object.keys(MACROS).join(', ')})`);
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) fail(expression, `has ${parts.length} fields; expected 5 (minute hour day-of-month month day-of-week) or 6 (with seconds first)`);
  const seconds = parts.length === 6;
  const texts = seconds ? parts : ['0', ...parts];
  const allowed = FIELDS.map((def, i) => parseField(expression, def, texts[i]));
  const dow = allowed[5];
  if (dow[7]) dow[0] = true;
  dow.length = 7;
  const domStar = texts[3].startsWith('*');
  const dowStar = texts[5].startsWith('*');
  if (dowStar) {
    // Day-of-month alone decides the day: reject day/month pairs that never occur (Feb 30).
    const possible = allowed[4].some((m, month) => m && allowed[3].some((d, day) => d && day <= LEAP_MONTH_DAYS[month - 1]));
    if (!possible) fail(expression, 'no month has such a day of the month; it would never run');
  }
  return { seconds, next: allowed.map(nextTable), domStar, dowStar };
}

function dayMatches(f: CronFields, wall: Date): boolean {
  const dom = f.next[3][wall.getUTCDate()] === wall.getUTCDate();
  const dow = f.next[5][wall.getUTCDay()] === wall.getUTCDay();
  return f.domStar || f.dowStar ? dom && dow : dom || dow;
}

/** The first instant strictly after `afterMs` at which `f` fires in `zone`, or undefined. */
export function nextCron(f: CronFields, zone: Zone, afterMs: number): number | undefined {
  const unit = f.seconds ? 1000 : 60_000;
  let wall = Math.floor(zone.wallOf(afterMs) / unit) * unit + unit;
  const horizon = new Date(wall).getUTCFullYear() + HORIZON_YEARS;
  const [sec, min, hour, , month] = f.next;
  for (;;) {
    const d = new Date(wall);
    const y = d.getUTCFullYear();
    if (y > horizon) return undefined;
    const mo = d.getUTCMonth() + 1;
    if (month[mo] !== mo) {
      wall = month[mo] < 0 ? Date.UTC(y + 1, month[1] - 1, 1) : Date.UTC(y, month[mo] - 1, 1);
      continue;
    }
    if (!dayMatches(f, d)) {
      wall = Date.UTC(y, mo - 1, d.getUTCDate() + 1);
      continue;
    }
    const h = d.getUTCHours();
    if (hour[h] !== h) {
      wall = hour[h] < 0 ? Date.UTC(y, mo - 1, d.getUTCDate() + 1) : Date.UTC(y, mo - 1, d.getUTCDate(), hour[h]);
      continue;
    }
    const mi = d.getUTCMinutes();
    if (min[mi] !== mi) {
      wall = min[mi] < 0 ? Date.UTC(y, mo - 1, d.getUTCDate(), h + 1) : Date.UTC(y, mo - 1, d.getUTCDate(), h, min[mi]);
      continue;
    }
    const s = d.getUTCSeconds();
    if (sec[s] !== s) {
      wall = sec[s] < 0 ? Date.UTC(y, mo - 1, d.getUTCDate(), h, mi + 1) : Date.UTC(y, mo - 1, d.getUTCDate(), h, mi, sec[s]);
      continue;
    }
    const at = zone.resolveWall(wall);
    if (at > afterMs) return at;
    wall += unit; // a repeated wall time already fired at its first occurrence
  }
}
