/**
 * The scheduling core's state and its bookkeeping (pure): the applied Jobs/DAGs (entries),
 * the non-terminal runs (active), parents → children links, the due queue, the waiting
 * lines and the backfill queue, and the decisions of the call in progress. The run
 * transitions (./transitions.ts) and the public calls (./scheduler.ts) build on it.
 */
import { mesosTaskId } from '../core/ids.js';
import type { Run, RunTrigger } from '../core/run.js';
import type { RunState } from '../core/types.js';
import { BackfillQueue } from './backfill.js';
import { advanceDag, type DagRunOps } from './dag-runs.js';
import type { Decision } from './decisions.js';
import { DueQueue } from './due-queue.js';
import { parentsOf, type Active, type Entry } from './entries.js';
import { WaitingLines } from './waiting.js';

/** What the due queue holds: a job's next fire, an attempt's retry or timeout, the end of the confirm wait. */
export type Due =
  | { at: number; kind: 'fire'; job: string; gen: number }
  | { at: number; kind: 'retry' | 'timeout'; runId: string; n: number }
  | { at: number; kind: 'confirm' };

/** Why the controller ends a run on its own initiative (and kills its task). */
export type TerminateWhy = 'replaced' | 'timed_out' | 'pruned';

/** The core's state; the transitions that change it are the subclasses'. Not safe for concurrent calls. */
export abstract class CoreState {
  protected entries = new Map<string, Entry>();
  protected active = new Map<string, Active>();
  protected activeByJob = new Map<string, Set<string>>();
  protected children = new Map<string, Set<string>>();
  /** Highest n of `<name>@manual-<n>` so far, by job name; kept when a job is removed. */
  protected manualCounts = new Map<string, number>();
  protected queue = new DueQueue<Due>();
  protected backfills = new BackfillQueue();
  /** Jobs whose runs ended during the current call, with when: queued backfill runs may start. */
  protected toPump = new Map<string, number>();
  protected out: Decision[] = [];
  protected readonly lines = new WaitingLines({
    activeOf: (job) => [...(this.activeByJob.get(job) ?? [])].map((id) => this.active.get(id)!),
    emit: (d) => void this.out.push(d),
    replace: (a, by, now) => this.terminate(a, 'killed', `replaced by ${by}`, 'replaced', now),
    start: (e, run, now) => this.launch(this.track({ run, template: e.resource.kind === 'Job' ? e.resource.spec : undefined }), now, now, false),
  });
  protected readonly dagOps: DagRunOps = {
    resourceOf: (name) => this.entries.get(name)?.resource,
    start: (run, template, now) => this.launch(this.track({ run, template }), now, now, true),
    record: (run) => void this.out.push({ type: 'create', run }),
    finish: (a, state, at) => this.finish(a, state, at),
  };

  /** Appends the next attempt of a run and asks for its launch. */
  protected abstract launch(a: Active, now: number, notBefore: number, isNew: boolean, reason?: string): void;
  /** Marks a run terminal and follows the consequences. */
  protected abstract finish(a: Active, state: RunState, at: number, reason?: string): void;
  /** Ends a run on the controller's initiative and kills its task(s). */
  protected abstract terminate(a: Active, state: RunState, reason: string, why: TerminateWhy, now: number): void;
  /** Starts queued backfill runs of a job while its bound and policy allow. */
  protected abstract pump(job: string, now: number): void;

  /** Runs one call into the core; backfill runs start last, once the call's own runs are tracked. */
  protected collect(work: () => void): Decision[] {
    this.out = [];
    this.toPump.clear();
    work();
    for (const [job, at] of this.toPump) this.pump(job, at);
    return this.out;
  }

  protected link(e: Entry): void {
    for (const p of parentsOf(e)) this.children.set(p, (this.children.get(p) ?? new Set()).add(e.name));
  }

  protected unlink(e: Entry): void {
    for (const p of parentsOf(e)) this.children.get(p)?.delete(e.name);
  }

  /** Queues the entry's next fire after its cursor (and invalidates any older one). */
  protected arm(e: Entry): void {
    e.gen++;
    if (e.resource.spec.suspend || !e.schedule) return;
    const at = e.schedule.next(e.cursor);
    if (at !== undefined) this.queue.push({ at, kind: 'fire', job: e.name, gen: e.gen });
  }

  protected track(a: Active): Active {
    this.active.set(a.run.id, a);
    if (!a.run.dagRunId) this.activeByJob.set(a.run.job, (this.activeByJob.get(a.run.job) ?? new Set()).add(a.run.id));
    return a;
  }

  /** A resumed run's state is known again: judge the fires its job held back. */
  protected confirm(runId: string, now: number): void {
    const a = this.active.get(runId);
    if (!a?.unconfirmed) return;
    a.unconfirmed = false;
    const e = this.entries.get(a.run.job);
    if (e) this.lines.drain(e, now);
  }

  protected newRun(of: { name: string; revision: string }, id: string, trigger: RunTrigger, scheduledAt: number, now: number): Run {
    return { id, job: of.name, trigger, scheduledAt, revision: of.revision, state: 'pending', attempts: [], createdAt: now };
  }

  /** Creates a run that is terminal from the start (missed, skipped). */
  protected record(e: Entry, id: string, trigger: RunTrigger, at: number, now: number, state: RunState, reason: string): void {
    this.out.push({ type: 'create', run: { ...this.newRun(e, id, trigger, at, now), state, reason, endedAt: now } });
  }

  /** Starts a DAG run (its state is derived from its task runs from now on). */
  protected startDag(e: Entry, run: Run, now: number, isNew: boolean): void {
    if (e.resource.kind !== 'DAG') return;
    run.state = 'running';
    const a = this.track({ run, dag: { spec: e.resource.spec, tasks: new Map() } });
    this.out.push({ type: isNew ? 'create' : 'update', run });
    advanceDag(this.dagOps, a, now);
  }

  /** The next attempt of a run, appended to it. */
  protected nextAttempt(run: Run, now: number, notBefore: number): Run['attempts'][number] {
    const n = run.attempts.length + 1;
    const attempt = { n, taskId: mesosTaskId(run.id, n, run.rerun), intentAt: now, notBefore };
    run.attempts.push(attempt);
    return attempt;
  }
}
