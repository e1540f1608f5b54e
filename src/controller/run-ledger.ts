/**
 * The run ledger: every run's record in the store (`runs/<runId>` → Run), mirrored in
 * memory so the API's read view is cheap. A run is created with create-if-absent
 * (`expectedVersion: -1`) under its deterministic id (src/core/ids.ts), so a run computed
 * twice (restart, new leader, clock stepping back) is created, and so launched, once.
 * Every later change is a compare-and-set on the version last read, retried after a
 * conflict against the fresh value. The writes of one dispatch step (an offer round's
 * placements, a tick's new runs) go in one commit (`writeMany`), each keeping its check.
 */
import { ConflictError } from '../core/errors.js';
import type { Run } from '../core/run.js';
import { isTerminalRun } from '../core/types.js';
import type { Store, StoreOp } from '../ports/store.js';
import { StoreLayout, type Collection } from '../store/layout.js';
import { packCommits } from '../store/commit-batches.js';

/**
 * Writes that must be committed together with a run write (the notification outbox,
 * src/notify/notifier.ts): given the stored run before (undefined: created) and after.
 */
export type RunEffects = (before: Run | undefined, after: Run) => StoreOp[];

/** One write of a batch (`writeMany`): a new run (create-if-absent), or a change of a stored run. */
/** `change` gets the stored run read only (a batch hands it the mirror's own copy) and returns the run to write. */
export type RunWrite = { type: 'create'; run: Run } | { type: 'update'; id: string; change: (run: Readonly<Run>) => Run | undefined };

/** What a write of a batch came to: whether this process created the run; or the run as now stored (undefined: none). */
export type RunWritten = { type: 'create'; created: boolean } | { type: 'update'; run: Run | undefined };

/** A write of a batch, planned against the mirror: its put, the run before it, and what the mirror holds once committed. */
interface Planned {
  write: RunWrite;
  put?: StoreOp;
  before?: Run;
  next?: { run: Run; version: number };
  result: RunWritten;
}

/** Newest first by scheduled instant, then by id for a stable order. */
export function newestFirst(a: Run, b: Run): number {
  return b.scheduledAt - a.scheduledAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** Store-backed runs with an in-memory mirror and a task-id index. */
export class RunLedger {
  private runs = new Map<string, { run: Run; version: number }>();
  private tasks = new Map<string, string>();
  private jobs = new Map<string, Set<string>>();
  /** `runs/<run id>` (src/store/layout.ts). */
  private readonly stored: Collection<Run>;

  constructor(
    private readonly store: Store,
    private readonly effects: RunEffects = () => [],
  ) {
    this.stored = new StoreLayout(store).runs;
  }

  /** Reads every run from the store (after a start or a leader change). */
  async load(): Promise<void> {
    const ids = await this.stored.ids();
    const got = await Promise.all(ids.map((id) => this.stored.get(id)));
    // Replaced only once read: a failed read keeps the mirror, and no reader sees it empty meanwhile.
    this.runs.clear();
    this.tasks.clear();
    this.jobs.clear();
    for (const g of got) if (g) this.remember(g.value, g.version);
  }

  get(id: string): Run | undefined {
    return this.runs.get(id)?.run;
  }

  /** How many runs are kept. */
  size(): number {
    return this.runs.size;
  }

  /** All runs, in no particular order. */
  all(): Run[] {
    return [...this.runs.values()].map((e) => e.run);
  }

  /** A job's runs (DAG task runs included for a DAG), newest first. */
  ofJob(job: string): Run[] {
    return [...(this.jobs.get(job) ?? [])].flatMap((id) => this.runs.get(id)?.run ?? []).sort(newestFirst);
  }

  /** Runs not yet in a terminal state. */
  active(): Run[] {
    return this.all().filter((r) => !isTerminalRun(r.state));
  }

  /** The run that launched a Mesos task id, if any. */
  byTask(taskId: string): Run | undefined {
    const id = this.tasks.get(taskId);
    return id === undefined ? undefined : this.get(id);
  }

  /** Creates a run if no run has this id; false when one existed (it is then left alone). */
  async create(run: Run): Promise<boolean> {
    try {
      const version = await this.write(run, -1, this.effects(undefined, run));
      this.remember(run, version);
      return true;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const got = await this.stored.get(run.id);
      if (got) this.remember(got.value, got.version);
      return false;
    }
  }

  /**
   * Read-modify-write of one run: `change` gets the current run and returns the new one
   * (or undefined: nothing to write). Retries on a lost compare-and-set with the fresh value.
   */
  async update(id: string, change: (run: Run) => Run | undefined): Promise<Run | undefined> {
    for (let tries = 0; ; tries++) {
      const cur = this.runs.get(id) ?? (await this.fresh(id));
      if (!cur) return undefined;
      const next = change(structuredClone(cur.run));
      if (!next) return cur.run;
      try {
        const version = await this.write(next, cur.version, this.effects(cur.run, next));
        this.remember(next, version);
        return next;
      } catch (err) {
        if (!(err instanceof ConflictError) || tries >= 5) throw err;
        this.runs.delete(id);
      }
    }
  }

  /**
   * Writes several distinct runs in one atomic commit, each put keeping its compare-and-set
   * (create-if-absent, or the version last read) and its effects; the mirror changes only
   * once the commit succeeded. A store with `maxCommitBytes` (ZooKeeper: one multi) gets
   * the batch split by size into several atomic commits, in order, all landed when this
   * resolves: each commit is atomic, a split batch as a whole is not (a failure after the
   * first commit leaves the earlier ones written, in the mirror too). A lost compare-and-set
   * writes that commit's runs one by one instead (`create` / `update`: re-read, retried);
   * any other failure rejects with the mirror as the store holds it (the failed commit
   * wrote nothing). A commit's effects (`RunEffects`, which count what they queue) are
   * asked for just before it, so none is asked for a commit never tried. Results are in
   * the order of `writes`.
   */
  async writeMany(writes: RunWrite[]): Promise<RunWritten[]> {
    const ids = new Set(writes.map((w) => (w.type === 'create' ? w.run.id : w.id)));
    const unread = writes.some((w) => w.type === 'update' && !this.runs.has(w.id));
    if (writes.length < 2 || ids.size < writes.length || unread) return this.writeEach(writes);
    const out: RunWritten[] = [];
    // Packed by the runs' puts alone: effects are small, and the store's limit leaves room (half a multi on ZooKeeper).
    for (const pack of packCommits(writes.map((w) => this.plan(w)), (p) => (p.put ? [p.put] : []), this.store.maxCommitBytes)) {
      const ops = pack.flatMap((p) => (p.put && p.next ? [p.put, ...this.effects(p.before, p.next.run)] : []));
      try {
        if (ops.length) await this.store.commit(ops);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        out.push(...(await this.writeEach(pack.map((p) => p.write))));
        continue;
      }
      for (const p of pack) {
        if (p.next) this.remember(p.next.run, p.next.version);
        out.push(p.result);
      }
    }
    return out;
  }

  /** A batch's write as ops against the mirror (`writeMany` made sure an update's run is in it). */
  private plan(write: RunWrite): Planned {
    if (write.type === 'create') {
      const run = write.run;
      return { write, put: this.stored.putOp(run.id, run, -1), next: { run, version: 0 }, result: { type: 'create', created: true } };
    }
    const cur = this.runs.get(write.id)!;
    // No copy: `change` reads the mirror's run (RunWrite), and `remember` copies what is written.
    const run = write.change(cur.run);
    if (!run) return { write, result: { type: 'update', run: cur.run } };
    // Versions start at 0 and grow by one per write (src/ports/store.ts).
    return { write, put: this.stored.putOp(run.id, run, cur.version), before: cur.run, next: { run, version: cur.version + 1 }, result: { type: 'update', run } };
  }

  /**
   * Writes one run at a time, each its own commit with its own conflict handling: the
   * fallback of `writeMany` (and the path before batching, which bench/controller-launch.bench.ts
   * measures beside it).
   */
  async writeEach(writes: RunWrite[]): Promise<RunWritten[]> {
    const out: RunWritten[] = [];
    for (const w of writes) out.push(w.type === 'create' ? { type: 'create', created: await this.create(w.run) } : { type: 'update', run: await this.update(w.id, w.change) });
    return out;
  }

  /**
   * Replaces a run's record with `run` (a re-run under the same id) and deletes its DAG
   * task runs, in one atomic commit, so no reader ever sees the new run with old tasks.
   */
  async reset(run: Run): Promise<void> {
    const children = this.all().filter((r) => r.dagRunId === run.id).map((r) => r.id);
    const cur = this.runs.get(run.id);
    await this.store.commit([...children.map((id) => this.stored.deleteOp(id)), this.stored.putOp(run.id, run, cur?.version)]);
    this.forget(children);
    for (const a of cur?.run.attempts ?? []) this.tasks.delete(a.taskId);
    await this.fresh(run.id);
  }

  /** Deletes runs (history bounding) in one atomic commit. */
  async remove(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.store.commit(ids.map((id) => this.stored.deleteOp(id)));
    this.forget(ids);
  }

  /** Drops deleted runs from the mirror and its indexes. */
  private forget(ids: string[]): void {
    for (const id of ids) {
      const run = this.runs.get(id)?.run;
      for (const a of run?.attempts ?? []) this.tasks.delete(a.taskId);
      if (run) this.jobs.get(run.job)?.delete(id);
      this.runs.delete(id);
    }
  }

  /** Puts the run, in one commit with `extra` when there is any; returns the run's new version. */
  private write(run: Run, expectedVersion: number, extra: StoreOp[]): Promise<number> {
    // Not async: a plain put costs no extra turn of the microtask queue (timing of fake-clock tests).
    if (extra.length === 0) return this.stored.put(run.id, run, expectedVersion);
    // Versions start at 0 and grow by one per write (src/ports/store.ts).
    return this.store.commit([this.stored.putOp(run.id, run, expectedVersion), ...extra]).then(() => expectedVersion + 1);
  }

  private async fresh(id: string): Promise<{ run: Run; version: number } | undefined> {
    const got = await this.stored.get(id);
    if (!got) return undefined;
    this.remember(got.value, got.version);
    return { run: got.value, version: got.version };
  }

  /** Keeps a private copy: callers (the schedule core) keep mutating their own objects. */
  private remember(run: Run, version: number): void {
    run = structuredClone(run);
    this.runs.set(run.id, { run, version });
    for (const a of run.attempts) this.tasks.set(a.taskId, run.id);
    let ids = this.jobs.get(run.job);
    if (!ids) this.jobs.set(run.job, (ids = new Set()));
    ids.add(run.id);
  }
}
