/**
 * Unschedulable, not pending forever (pure). A run whose attempt waits for an offer is
 * judged against what the cluster could EVER hold (src/mesos/fit.ts: the agents' total
 * resources and attributes), not against the offers of the moment:
 * - `pending` for at least the grace period (`--unschedulable-after`) and no known agent
 *   fits: it becomes `unschedulable`, with the reason (that write raises the
 *   `unschedulable` notification, src/notify/events.ts);
 * - `unschedulable` and some agent fits now (one joined, or grew): back to `pending`. Its
 *   task never left the framework's queue, so the next fitting offer launches it; an offer
 *   that fits before this check runs launches it straight from `unschedulable`.
 * Without facts (not subscribed, master not answering) nothing changes either way: not
 * knowing the cluster is no verdict. The grace period keeps a run from flapping while an
 * agent restarts and re-registers.
 */
import type { Run } from '../core/run.js';
import { awaitsOffer } from '../core/types.js';
import type { ClusterFacts } from '../ports/mesos.js';
import { whyNoAgentFits, type FitNeed } from '../mesos/fit.js';

/** Default of `--unschedulable-after`: how long a run may wait before it is judged. */
export const DEFAULT_UNSCHEDULABLE_AFTER_MS = 5 * 60_000;

/** A run whose attempt waits in the framework's queue, as the check sees it. */
export interface WaitingRun {
  runId: string;
  state: 'pending' | 'unschedulable';
  /** Epoch ms the attempt has waited for an offer since (after any retry backoff). */
  since: number;
  need: FitNeed;
  /** The stored reason (for an unschedulable run: its verdict). */
  reason?: string;
}

/** A state change the check decides; the caller writes it (compare-and-set on the run). */
export type UnschedulableChange = { runId: string; to: 'unschedulable'; reason: string } | { runId: string; to: 'pending' };

/**
 * The runs of `runs` that wait for an offer: pending or unschedulable, with a last attempt
 * that is neither placed on an agent nor ended. `needOf` gives the task's resources and
 * constraints (undefined: its job is gone, not judged).
 */
export function waitingRuns(runs: Iterable<Run>, needOf: (run: Run) => FitNeed | undefined): WaitingRun[] {
  const out: WaitingRun[] = [];
  for (const run of runs) {
    if (!awaitsOffer(run.state)) continue;
    const a = run.attempts.at(-1);
    if (!a || a.agentId !== undefined || a.endedAt !== undefined) continue;
    const need = needOf(run);
    if (!need) continue;
    out.push({ runId: run.id, state: run.state as WaitingRun['state'], since: Math.max(a.intentAt, a.notBefore), need, ...(run.reason !== undefined && { reason: run.reason }) });
  }
  return out;
}

/** What to change now, given the cluster's facts (see the module comment). */
export function unschedulableChanges(waiting: readonly WaitingRun[], facts: ClusterFacts | undefined, now: number, graceMs: number): UnschedulableChange[] {
  if (!facts) return [];
  const out: UnschedulableChange[] = [];
  const verdicts = new Map<string, string | undefined>(); // one judgement per shape
  for (const w of waiting) {
    if (w.state === 'pending' && now - w.since < graceMs) continue;
    const key = JSON.stringify(w.need);
    if (!verdicts.has(key)) verdicts.set(key, whyNoAgentFits(w.need, facts.agents));
    const why = verdicts.get(key);
    if (why === undefined) {
      if (w.state === 'unschedulable') out.push({ runId: w.runId, to: 'pending' });
    } else if (w.state === 'pending' || w.reason !== why) {
      out.push({ runId: w.runId, to: 'unschedulable', reason: why });
    }
  }
  return out;
}

/**
 * The run after a change, or undefined when the stored run no longer matches what was
 * judged (it launched, ended or was retried meanwhile): the write is then skipped.
 */
export function applyUnschedulable(run: Run, change: UnschedulableChange): Run | undefined {
  const a = run.attempts.at(-1);
  if (!awaitsOffer(run.state) || !a || a.agentId !== undefined || a.endedAt !== undefined) return undefined;
  if (change.to === 'pending') {
    if (run.state !== 'unschedulable') return undefined;
    const { reason: _gone, ...rest } = run;
    return { ...rest, state: 'pending' };
  }
  if (run.state === 'unschedulable' && run.reason === change.reason) return undefined;
  return { ...run, state: 'unschedulable', reason: change.reason };
}
