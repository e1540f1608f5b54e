/**
 * Schedule expressions: compile an ISO 8601 repeating interval or a cron expression in an
 * IANA time zone once, then ask for the next fire time as often as needed. Pure: no clock
 * is read; every instant is epoch milliseconds passed in.
 *
 * The DST rule is the same for both forms (see ./zone.ts): a wall-clock time that does not
 * exist runs once, shifted forward by the gap; one that occurs twice runs once, at its
 * first occurrence.
 *
 * @example
 *   const s = compileSchedule({ kind: 'cron', expression: '0 2 * * *', timeZone: 'America/New_York' });
 *   s.next(Date.parse('2026-03-08T05:00:00Z')); // 2026-03-08T07:00:00Z (03:00 EDT: 02:00 does not exist)
 *   nextRuns(spec, Date.now(), 5);              // the next five instants, ascending
 */
import { KairosError } from '../core/errors.js';
import type { ScheduleSpec } from '../core/types.js';
import { nextCron, parseCron } from './cron.js';
import { nextIso, parseIso } from './iso8601.js';
import { isValidTimeZone, zoneNamed } from './zone.js';

export { isValidTimeZone } from './zone.js';

/** A compiled schedule. */
export interface CompiledSchedule {
  /**
   * The first fire instant strictly after `afterMs` (epoch ms), or undefined when the
   * schedule is exhausted (`R5` after its fifth run, `R0`, a cron date that never recurs).
   */
  next(afterMs: number): number | undefined;
}

/** Options for `compileSchedule`. */
export interface CompileOptions {
  /**
   * The instant standing in for an omitted ISO 8601 start (`R/PT1H`): "now" as of when the
   * schedule was applied. Defaults to the Unix epoch (deterministic, but rarely wanted).
   */
  reference?: number;
}

/**
 * Parses and checks a schedule. Throws KairosError code `E_SCHEDULE` whose message says
 * what is wrong (unknown zone, bad cron field, bad duration...).
 */
export function compileSchedule(spec: ScheduleSpec, opts: CompileOptions = {}): CompiledSchedule {
  // Every schedule is compiled at least twice per plan (checked on load, then its next
  // runs), and repositories repeat expressions: a compiled schedule is immutable, so it is
  // kept by what determines it (the reference only matters to an ISO start left out).
  const key = `${spec.kind}\0${spec.timeZone}\0${spec.expression}\0${spec.kind === 'iso8601' ? (opts.reference ?? 0) : ''}`;
  let s = compiled.get(key);
  if (!s) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(key, (s = compile(spec, opts)));
  }
  return s;
}

/** Compiled schedules kept (a bound on memory; the memo refills after a clear). */
const MAX_COMPILED = 50_000;
const compiled = new Map<string, CompiledSchedule>();

function compile(spec: ScheduleSpec, opts: CompileOptions): CompiledSchedule {
  if (!isValidTimeZone(spec.timeZone)) {
    throw new KairosError('E_SCHEDULE', `time zone ${JSON.stringify(spec.timeZone)} is not an IANA time zone name (e.g. Europe/London, UTC)`);
  }
  const zone = zoneNamed(spec.timeZone);
  if (spec.kind === 'cron') {
    const fields = parseCron(spec.expression);
    return { next: (after) => nextCron(fields, zone, after) };
  }
  if (spec.kind === 'iso8601') {
    const rep = parseIso(spec.expression, zone, opts.reference);
    return { next: (after) => nextIso(rep, zone, after) };
  }
  throw new KairosError('E_SCHEDULE', `unknown schedule kind ${JSON.stringify((spec as { kind: unknown }).kind)}`);
}

/** The next `count` fire instants strictly after `afterMs`, ascending (fewer if exhausted). */
export function nextRuns(spec: ScheduleSpec, afterMs: number, count: number, opts: CompileOptions = {}): number[] {
  const s = compileSchedule(spec, opts);
  const out: number[] = [];
  let t = afterMs;
  while (out.length < count) {
    const n = s.next(t);
    if (n === undefined) break;
    out.push(n);
    t = n;
  }
  return out;
}
