/**
 * What the framework knows of tasks: the queue of requests waiting for offers (with the
 * reason each still waits) and the live tasks it launched, adopted or was told about at
 * start. Live tasks feed reconciliation and the stateful placement constraints; a task
 * leaves when Mesos reports an outcome after which it never runs again (tasks.ts).
 */
import { isFinalOutcome } from '../core/outcome.js';
import type { LaunchRequest, PendingInfo, PlacedLaunch, TaskStatusUpdate } from '../ports/mesos.js';
import type { AgentFacts } from './constraints.js';
import { compareDemands, type Demand, type RunningPlacements } from './matcher.js';
import { needOf } from './resources.js';
import { isKairosTaskId, labelsFromTaskId, outcomeOf, toStatusUpdate } from './status.js';
import { LABEL_ATTEMPT, LABEL_JOB, LABEL_REVISION, LABEL_RUN } from './tasks.js';
import type { TaskStatus } from './types.js';

interface Queued {
  demand: Demand<LaunchRequest>;
  since: number;
  reason: string;
}

interface Live {
  taskId: string;
  agentId?: string;
  hostname?: string;
  job?: string;
  labels: Record<string, string>;
  /** Launched by this process and not yet reported RUNNING (or ended). */
  starting?: boolean;
  /** Adopted without a known run id: the master is asked again at its next update. */
  unresolved?: boolean;
}

/** The reason shown for a task no matching round has looked at yet. */
export const WAITING_FOR_OFFERS = 'waiting for offers';

/** The framework's task state: the launch queue and the live tasks (see the file comment). */
export class TaskBook {
  private readonly queue = new Map<string, Queued>();
  /**
   * The queue in matching order (compareDemands), sorted once per batch of new requests
   * rather than once per round; entries that left the queue are skipped and compacted
   * away, so a round over a queue of 100,000 costs what it looks at, not the whole queue.
   */
  private ordered: Queued[] = [];
  private sorted = true;
  private dead = 0;
  private readonly liveTasks = new Map<string, Live>();
  private readonly placing = new Set<string>();
  private startingCount = 0;

  /** Queues requests not already queued, being placed or live; returns how many were new. */
  enqueue(requests: readonly LaunchRequest[], now: number): number {
    let n = 0;
    for (const r of requests) {
      if (this.queue.has(r.taskId) || this.placing.has(r.taskId) || this.liveTasks.has(r.taskId)) continue;
      const t = r.template;
      this.queue.set(r.taskId, {
        demand: { id: r.taskId, group: r.job, need: needOf(t.resources), constraints: t.constraints, priority: t.priority, dueAt: r.dueAt, payload: r },
        since: now,
        reason: WAITING_FOR_OFFERS,
      });
      this.ordered.push(this.queue.get(r.taskId)!);
      this.sorted = false;
      n++;
    }
    return n;
  }

  /** Withdraws a queued request; false if it was not queued. */
  dequeue(taskId: string): boolean {
    return this.remove(taskId);
  }

  private remove(taskId: string): boolean {
    if (!this.queue.delete(taskId)) return false;
    if (++this.dead > 1024 && this.dead > this.ordered.length / 2) {
      this.ordered = this.ordered.filter((q) => this.queue.get(q.demand.id) === q);
      this.dead = 0;
    }
    return true;
  }

  get queued(): number {
    return this.queue.size;
  }

  /** The first `limit` queued demands in matching order (priority, then oldest due). */
  demands(limit = Infinity): Demand<LaunchRequest>[] {
    if (!this.sorted) {
      this.ordered = this.ordered.filter((q) => this.queue.get(q.demand.id) === q);
      this.ordered.sort((a, b) => compareDemands(a.demand, b.demand));
      this.dead = 0;
      this.sorted = true;
    }
    const out: Demand<LaunchRequest>[] = [];
    for (const q of this.ordered) {
      if (out.length >= limit) break;
      if (this.queue.get(q.demand.id) === q) out.push(q.demand);
    }
    return out;
  }

  setReason(taskId: string, reason: string): void {
    const q = this.queue.get(taskId);
    if (q) q.reason = reason;
  }

  /** Moves placed requests out of the queue while their intent is persisted. */
  beginPlacing(taskIds: readonly string[]): Queued[] {
    const out: Queued[] = [];
    for (const id of taskIds) {
      const q = this.queue.get(id);
      if (!q) continue;
      this.remove(id);
      this.placing.add(id);
      out.push(q);
    }
    return out;
  }

  /** Persisting failed: the requests go back to the queue as they were. */
  abortPlacing(entries: readonly Queued[], reason: string): void {
    for (const q of entries) {
      this.placing.delete(q.demand.id);
      const back = { ...q, reason };
      this.queue.set(q.demand.id, back);
      this.ordered.push(back);
      this.sorted = false;
    }
  }

  /** Intent persisted: the tasks are live from now on (ACCEPT goes out next). */
  commitPlacing(placed: readonly PlacedLaunch[]): void {
    for (const p of placed) {
      const r = p.request;
      this.placing.delete(r.taskId);
      this.liveTasks.set(r.taskId, {
        taskId: r.taskId,
        agentId: p.agentId,
        hostname: p.hostname,
        job: r.job,
        labels: { [LABEL_JOB]: r.job, [LABEL_RUN]: r.runId, [LABEL_REVISION]: r.revision, [LABEL_ATTEMPT]: String(r.attempt) },
        starting: true,
      });
      this.startingCount++;
    }
  }

  /** Tasks sent in an ACCEPT that have not reported RUNNING or an end yet. */
  get starting(): number {
    return this.startingCount;
  }

  /** Tasks the store says are live after a restart. */
  seed(known: readonly { taskId: string; agentId?: string }[]): void {
    for (const k of known) {
      if (this.liveTasks.has(k.taskId)) continue;
      const labels = labelsFromTaskId(k.taskId) ?? {};
      this.liveTasks.set(k.taskId, { taskId: k.taskId, ...(k.agentId ? { agentId: k.agentId } : {}), job: labels[LABEL_JOB], labels });
    }
  }

  get(taskId: string): Live | undefined {
    return this.liveTasks.get(taskId);
  }

  /** Live tasks for explicit reconciliation. */
  live(): { taskId: string; agentId?: string }[] {
    return [...this.liveTasks.values()].map((t) => (t.agentId ? { taskId: t.taskId, agentId: t.agentId } : { taskId: t.taskId }));
  }

  get liveCount(): number {
    return this.liveTasks.size;
  }

  /**
   * Whether an update of `taskId` should first fetch the task's launch labels from the
   * master: a Kairos-shaped id this process did not launch, seed or resolve already.
   */
  needsLabels(taskId: string): boolean {
    const t = this.liveTasks.get(taskId);
    return t ? t.unresolved === true : isKairosTaskId(taskId);
  }

  /**
   * Applies a status. Returns the update to report, or undefined for a task that is
   * neither known nor Kairos's (left alone). Unknown Kairos tasks that still run are
   * adopted: they become live, so they are reconciled and counted from now on.
   * `fromMaster` are the task's labels as the master lists them (authoritative: a task
   * whose labels lack `kairos.run` is not Kairos's); null or undefined when the master did
   * not list the task or could not be asked, and the labels are rebuilt from the id.
   */
  update(s: TaskStatus, now: number, fromMaster?: Record<string, string> | null): TaskStatusUpdate | undefined {
    const taskId = s.task_id.value;
    let t = this.liveTasks.get(taskId);
    const final = isFinalOutcome(outcomeOf(s.state, s.reason));
    if (fromMaster && !fromMaster[LABEL_RUN]) {
      if (t?.unresolved) this.liveTasks.delete(taskId);
      if (!t || t.unresolved) return undefined;
    }
    const exact = fromMaster?.[LABEL_RUN] ? fromMaster : undefined;
    if (!t) {
      const labels = exact ?? labelsFromTaskId(taskId);
      if (!labels) return undefined;
      t = { taskId, job: labels[LABEL_JOB], labels, ...(labels[LABEL_RUN] ? {} : { unresolved: true }) };
      if (!final) this.liveTasks.set(taskId, t);
    } else if (t.unresolved && exact) {
      t.labels = exact;
      t.job = exact[LABEL_JOB];
      t.unresolved = undefined;
    }
    if (s.agent_id) t.agentId = s.agent_id.value;
    if (t.starting && (final || s.state === 'TASK_RUNNING')) {
      t.starting = false;
      this.startingCount--;
    }
    if (final) this.liveTasks.delete(taskId);
    const u = toStatusUpdate(s, t.labels, now);
    if (t.hostname) u.hostname = t.hostname;
    return u;
  }

  /** Where the live tasks of `jobs` run, for UNIQUE / MAX_PER / GROUP_BY. */
  placements(jobs: ReadonlySet<string>, facts: (agentId: string) => AgentFacts | undefined): RunningPlacements {
    const out = new Map<string, AgentFacts[]>();
    if (jobs.size === 0) return out;
    for (const t of this.liveTasks.values()) {
      if (!t.job || !jobs.has(t.job) || !t.agentId) continue;
      const f = facts(t.agentId);
      if (!f) continue;
      let list = out.get(t.job);
      if (!list) out.set(t.job, (list = []));
      list.push(f);
    }
    return out;
  }

  pendingInfo(): PendingInfo[] {
    return [...this.queue.values()].map((q) => ({ taskId: q.demand.id, runId: q.demand.payload.runId, since: q.since, reason: q.reason }));
  }
}
