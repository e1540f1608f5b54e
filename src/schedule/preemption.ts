/**
 * When Kairos kills its own lower-priority tasks to make room for a waiting run: the
 * decision half of preemption (./victims.ts picks the victims). Pure: time and the
 * framework's view of the agents (src/core/cluster-view.ts) come in as arguments.
 *
 * A run may preempt when
 * - its current attempt has waited for an offer (still queued in the framework, never
 *   placed) for at least its grace: the template's `preemption.afterSeconds`, else the
 *   controller's default (`--preemption-after`); without either it never preempts;
 * - no victim it chose earlier is still being killed, and its last try is not too recent
 *   (a failed search is tried again after {@link RETRY_MS}, a preemption after the grace).
 * Waiting runs are served highest priority first, then longest waiting; a task chosen as a
 * victim once is never chosen again (its attempt carries `preemptedBy`, which survives a
 * restart). Victims are running tasks of runs whose template is `preemptible`, of strictly
 * lower priority, on one agent (./victims.ts).
 *
 * The victim's run stays active: the scheduler launches it again in a new attempt once the
 * kill ended (the killed attempt uses no retry), and its history says `preempted by <run>`.
 * The task is killed through Mesos with the victim's own KillPolicy grace (src/mesos/tasks.ts).
 */
import type { ClusterView } from '../core/cluster-view.js';
import type { TaskTemplate } from '../core/types.js';
import type { Decision } from './decisions.js';
import { lastAttempt, type Active } from './entries.js';
import { PreemptionCheck } from './preemption-check.js';

/** How soon a waiting run whose search found no victims searches again. */
export const RETRY_MS = 5_000;

/**
 * Waiting runs one `plan` call searches victims for (highest priority first); the rest are
 * still due and are looked at in the next calls, so a backlog of many thousands of waiting
 * runs costs a bounded amount per poll.
 */
export const MAX_SEARCHES_PER_PLAN = 10;

/**
 * A victim still live this long after its kill was asked for (plus its kill grace) is
 * killed again: a KILL lost with a dropped connection must not leave the waiting run
 * blocked behind a victim that keeps running. Mesos takes a repeated KILL as a no-op.
 */
export const KILL_RESEND_MS = 30_000;

/** One preemption: the victims (on one agent) killed for the waiting run `by`. */
export interface Preemption {
  by: Active;
  agentId: string;
  hostname: string;
  victims: Active[];
}

/** The preemption grace of a template in ms, or undefined when its runs never preempt. */
export function preemptionGraceMs(t: TaskTemplate | undefined, defaultAfterSeconds: number | undefined): number | undefined {
  const s = t?.preemption?.afterSeconds ?? defaultAfterSeconds;
  return s === undefined ? undefined : s * 1000;
}

/** Remembers, per waiting run, when it may try again; see the module comment. */
export class Preemptions {
  private readonly nextTry = new Map<string, number>();
  /** Marked victims' task ids → when their kill was last asked for (this term). */
  private readonly killedAt = new Map<string, number>();

  /** `defaultAfterSeconds`: the controller's grace for templates that set none (undefined: they never preempt). */
  constructor(private readonly defaultAfterSeconds?: number) {}

  /** Whether some run is due to look for victims now (cheap: no view needed). */
  due(actives: Iterable<Active>, now: number): boolean {
    const live = [...actives];
    const killing = killers(live);
    return live.some((a) => (this.eligible(a, now) && !killing.has(a.run.id)) || this.killAgain(a, now) !== false);
  }

  /**
   * Kills to send again (see {@link KILL_RESEND_MS}); the first call after a kill (or after
   * a restart, whose `load` already re-sent it) only starts the victim's clock.
   */
  resend(actives: Iterable<Active>, now: number): Decision[] {
    const out: Decision[] = [];
    const live = new Set<string>();
    for (const a of actives) {
      const att = lastAttempt(a.run);
      if (!att?.preemptedBy || att.endedAt !== undefined) continue;
      live.add(att.taskId);
      const again = this.killAgain(a, now);
      if (again === undefined) this.killedAt.set(att.taskId, now);
      else if (again) {
        this.killedAt.set(att.taskId, now);
        out.push({ type: 'kill', runId: a.run.id, taskId: att.taskId, reason: 'preempted', by: att.preemptedBy });
      }
    }
    for (const id of this.killedAt.keys()) if (!live.has(id)) this.killedAt.delete(id);
    return out;
  }

  /** The preemptions to carry out now, given the framework's view. */
  plan(actives: Iterable<Active>, view: ClusterView, now: number): Preemption[] {
    // One pass over the actives (tens of thousands on a large cluster, every second).
    const byTask = new Map<string, Active>();
    const live = [...actives];
    const killing = new Set<string>();
    // No victim can be of a priority below the lowest preemptible one: cheaper than a search.
    let lowest = Infinity;
    for (const a of live) {
      const att = lastAttempt(a.run);
      if (!att || att.endedAt !== undefined) continue;
      byTask.set(att.taskId, a);
      if (att.preemptedBy) killing.add(att.preemptedBy);
      else if (a.template?.preemptible) lowest = Math.min(lowest, a.template.priority);
    }
    // Forgetting ended runs only bounds memory: done once the map outgrows the actives.
    if (this.nextTry.size > live.length) {
      const activeIds = new Set(live.map((a) => a.run.id));
      for (const id of this.nextTry.keys()) if (!activeIds.has(id)) this.nextTry.delete(id);
    }
    const hopeless: Active[] = [];
    const hopeful: Waiting[] = [];
    for (const a of live) {
      if (!this.eligible(a, now) || killing.has(a.run.id) || !view.queued.has(lastAttempt(a.run)!.taskId)) continue;
      if (a.template!.priority <= lowest) hopeless.push(a);
      else hopeful.push({ a, priority: a.template!.priority, since: lastAttempt(a.run)!.notBefore });
    }
    // Served in order, and only the first MAX_SEARCHES_PER_PLAN of them: those are picked,
    // not the whole backlog sorted. The hopeless wait for a preemptible task to outrank
    // (they come after every hopeful one, so only when the hopeful ones are all served).
    if (hopeful.length <= MAX_SEARCHES_PER_PLAN) for (const a of hopeless) this.nextTry.set(a.run.id, now + RETRY_MS);
    const check = new PreemptionCheck(view, byTask);
    const out: Preemption[] = [];
    for (const { a: w } of first(hopeful, MAX_SEARCHES_PER_PLAN, byOrder)) {
      const choice = check.search(w);
      this.nextTry.set(w.run.id, now + (choice ? preemptionGraceMs(w.template, this.defaultAfterSeconds)! : RETRY_MS));
      if (!choice) continue;
      for (const v of choice.victims) {
        check.taken.add(v.taskId);
        this.killedAt.set(v.taskId, now);
      }
      out.push({ by: w, agentId: choice.agentId, hostname: choice.hostname, victims: choice.victims.map((v) => byTask.get(v.taskId)!) });
    }
    return out;
  }

  /** For a marked live victim: whether its kill is due again; undefined when its clock has not started (after a restart). */
  private killAgain(a: Active, now: number): boolean | undefined {
    const att = lastAttempt(a.run);
    if (!att?.preemptedBy || att.endedAt !== undefined) return false;
    const at = this.killedAt.get(att.taskId);
    return at === undefined ? undefined : now - at >= KILL_RESEND_MS + (a.template?.killGracePeriodSeconds ?? 0) * 1000;
  }

  private eligible(a: Active, now: number): boolean {
    const att = lastAttempt(a.run);
    if (!a.template || !att || a.run.state !== 'pending' || att.endedAt !== undefined || att.startedAt !== undefined || att.agentId) return false;
    const grace = preemptionGraceMs(a.template, this.defaultAfterSeconds);
    return grace !== undefined && now - att.notBefore >= grace && now >= (this.nextTry.get(a.run.id) ?? -Infinity);
  }
}

/** A waiting run with its order keys read once. */
interface Waiting {
  a: Active;
  priority: number;
  since: number;
}

/** Highest priority first, then longest waiting, then run id. */
function byOrder(x: Waiting, y: Waiting): number {
  return y.priority - x.priority || x.since - y.since || (x.a.run.id < y.a.run.id ? -1 : 1);
}

/** The first `n` of `items` in `order`, sorted: O(items × n), for a small n over a large backlog. */
function first<T>(items: readonly T[], n: number, order: (x: T, y: T) => number): T[] {
  const out: T[] = [];
  for (const x of items) {
    if (out.length === n && order(x, out[n - 1]) >= 0) continue;
    let i = out.length;
    while (i > 0 && order(x, out[i - 1]) < 0) i--;
    out.splice(i, 0, x);
    if (out.length > n) out.pop();
  }
  return out;
}

/** The runs whose victims are still being killed (a live attempt marked `preemptedBy` them). */
function killers(live: readonly Active[]): Set<string> {
  const out = new Set<string>();
  for (const a of live) {
    const att = lastAttempt(a.run);
    if (att?.preemptedBy && att.endedAt === undefined) out.add(att.preemptedBy);
  }
  return out;
}

/**
 * Marks the victims' attempts (`preemptedBy`, reason) and asks for their kills; the waiting
 * run's reason names them. The update comes before the kill, so a kill is never sent for
 * an attempt whose preemption is not recorded.
 */
export function preemptionDecisions(p: Preemption): Decision[] {
  const out: Decision[] = [];
  const by = p.by.run.id;
  for (const v of p.victims) {
    const att = lastAttempt(v.run)!;
    att.preemptedBy = by;
    v.run.reason = `preempted by ${by}`;
    out.push({ type: 'update', run: v.run });
    out.push({ type: 'kill', runId: v.run.id, taskId: att.taskId, reason: 'preempted', by });
  }
  p.by.run.reason = `preempting ${p.victims.map((v) => v.run.id).join(', ')} on ${p.hostname}`;
  out.push({ type: 'update', run: p.by.run });
  return out;
}
