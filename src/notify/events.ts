/**
 * Which notification events a run's change raises (pure), and the outbox entries they
 * become. Called with the stored run before and after one write, so an event is raised by
 * exactly the write that made it true: a run written twice (a new leader recomputing it)
 * is already in its new state the second time and raises nothing.
 */
import type { Run } from '../core/run.js';
import type { NotifyEvent, NotifyRule, NotifyTarget, RunState } from '../core/types.js';

/** Run states that count as a failure for `failed` and `recovered`. */
export const FAILED_STATES: ReadonlySet<RunState> = new Set(['failed', 'timed_out', 'lost']);

/** What a notification says about its run (no secrets: runs carry none). */
export interface NotifiedRun {
  id: string;
  state: RunState;
  reason?: string;
  scheduledAt: number;
  endedAt?: number;
  attempts: number;
}

/** One target of an entry and whether it got the notification already. */
export interface OutboxTarget {
  target: NotifyTarget;
  delivered: boolean;
}

/** A notification waiting in the store (`outbox/<id>`) until every target got it. */
export interface OutboxEntry {
  /** `<run id>~<event>`: one per run and event; also the receivers' deduplication key. */
  id: string;
  event: NotifyEvent;
  job: string;
  run: NotifiedRun;
  /** Epoch ms the event happened. */
  at: number;
  targets: OutboxTarget[];
  /** Delivery rounds tried so far. */
  attempts: number;
  /** Epoch ms of the next delivery round. */
  nextAt: number;
  /** `failed`: gave up after the configured attempts; kept (bounded) to be seen in the API. */
  status: 'pending' | 'failed';
  lastError?: string;
}

/**
 * The events raised by a run going from `before` (undefined: just created) to `after`.
 * `previous` is the job's newest earlier run with an outcome (succeeded or failed), for
 * `recovered`. DAG task runs raise only `unschedulable` (their DAG run stays running, so
 * it would never say so); everything else is raised by their DAG run.
 */
export function runEvents(before: Run | undefined, after: Run, previous: Run | undefined): NotifyEvent[] {
  if (after.task !== undefined) return before?.state !== after.state && after.state === 'unschedulable' ? ['unschedulable'] : [];
  const out: NotifyEvent[] = [];
  if (before?.state !== after.state) {
    if (FAILED_STATES.has(after.state)) out.push('failed');
    if (after.state === 'missed') out.push('missed');
    if (after.state === 'unschedulable') out.push('unschedulable');
    if (after.state === 'succeeded') {
      out.push('succeeded');
      if (previous && FAILED_STATES.has(previous.state)) out.push('recovered');
    }
  }
  if (before?.slaMissedAt === undefined && after.slaMissedAt !== undefined) out.push('sla_missed');
  if (after.attempts.at(-1)?.preemptedBy && !before?.attempts.at(-1)?.preemptedBy) out.push('preempted');
  return out;
}

/** The job's newest run before `run` that ended succeeded or failed. `runs` is newest first. */
export function previousOutcome(runs: readonly Run[], run: Run): Run | undefined {
  return runs.find((r) => r.id !== run.id && r.task === undefined && r.scheduledAt <= run.scheduledAt && (r.state === 'succeeded' || FAILED_STATES.has(r.state)));
}

/** The outbox entry for one event, or undefined when no rule asks for it. */
export function entryFor(event: NotifyEvent, run: Run, rules: readonly NotifyRule[], now: number): OutboxEntry | undefined {
  const targets = rules.filter((r) => r.on.includes(event)).map((r): OutboxTarget => ({ target: targetOf(r), delivered: false }));
  if (targets.length === 0) return undefined;
  return {
    id: `${run.id}~${event}`,
    event,
    job: run.job,
    run: {
      id: run.id,
      state: run.state,
      ...(run.reason !== undefined && { reason: run.reason }),
      scheduledAt: run.scheduledAt,
      ...(run.endedAt !== undefined && { endedAt: run.endedAt }),
      attempts: run.attempts.length,
    },
    at: now,
    targets,
    attempts: 0,
    nextAt: now,
    status: 'pending',
  };
}

/** The target of a rule, without its `on`. */
export function targetOf(rule: NotifyRule): NotifyTarget {
  if ('webhook' in rule) return { webhook: rule.webhook };
  if ('slack' in rule) return { slack: rule.slack };
  return { email: rule.email };
}

/** The kind of a target, for metrics and messages. */
export function targetKind(t: NotifyTarget): 'webhook' | 'slack' | 'email' {
  return 'webhook' in t ? 'webhook' : 'slack' in t ? 'slack' : 'email';
}
