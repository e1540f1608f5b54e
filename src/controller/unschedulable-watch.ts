/**
 * The leader's unschedulable check: every `intervalMs` (Clock port) it reads the cluster's
 * facts from the framework (the agents' totals and attributes, src/mesos/capacity.ts),
 * asks the pure core (src/schedule/unschedulable.ts) which waiting runs became
 * unschedulable or fit again, and posts that judgement to Dispatch (`UnschedulableJudged`),
 * so the schedule core, the one owner of run state, changes and writes the runs.
 * The write to `unschedulable` raises the `unschedulable` notification through the run
 * ledger's outbox effects, in the same commit. The facts last read are kept for
 * `GET /v1/cluster` (`facts`), which `kairos reconcile --server` plans against.
 */
import { messageOf } from '../core/errors.js';
import type { Run } from '../core/run.js';
import type { AppliedResource } from '../core/types.js';
import { Periodic } from '../core/periodic.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { ClusterFacts, MesosFramework } from '../ports/mesos.js';
import type { FitNeed } from '../mesos/fit.js';
import { taskTemplate } from '../schedule/dag-runs.js';
import { unschedulableChanges, waitingRuns, type UnschedulableChange } from '../schedule/unschedulable.js';
import type { RunLedger } from './run-ledger.js';

/** Longest time between two checks (shorter when the grace period is shorter). */
export const UNSCHEDULABLE_CHECK_MS = 10_000;

/** What the check is built from. */
export interface UnschedulableWatchDeps {
  clock: Clock;
  logger: Logger;
  ledger: Pick<RunLedger, 'all' | 'get'>;
  framework: Pick<MesosFramework, 'clusterFacts'>;
  /** Posts the changes to Dispatch; resolves once they were written. */
  judged(changes: UnschedulableChange[]): Promise<void>;
  /** The applied resource of a job or DAG (undefined: gone). */
  applied(name: string): AppliedResource | undefined;
  /** `--unschedulable-after`. */
  graceMs: number;
}

/** What a run's waiting task asks for: its job's template, or its DAG task's. */
export function needOfRun(run: Run, applied: (name: string) => AppliedResource | undefined): FitNeed | undefined {
  const r = applied(run.job)?.resource;
  if (!r) return undefined;
  const tpl = r.kind === 'Job' ? r.spec : run.task !== undefined ? taskTemplate(r.spec, run.task, (n) => applied(n)?.resource) : undefined;
  return tpl && { resources: tpl.resources, constraints: tpl.constraints };
}

/** Runs the check on the leader; see the module comment. */
export class UnschedulableWatch {
  private readonly loop: Periodic;
  private last: ClusterFacts | undefined;

  constructor(private readonly d: UnschedulableWatchDeps) {
    this.loop = new Periodic({
      clock: d.clock,
      intervalMs: Math.max(250, Math.min(UNSCHEDULABLE_CHECK_MS, d.graceMs)),
      round: () => this.check(),
      onError: (err) => d.logger.warn('unschedulable check failed', { error: messageOf(err) }),
    });
  }

  /** The facts last read (undefined before the first read, or when the framework cannot tell). */
  facts(): ClusterFacts | undefined {
    return this.last;
  }

  /** Starts checking (on gaining leadership). */
  start(): void {
    this.loop.start();
  }

  /** Stops checking; resolves when a check in flight ended. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One check: read the facts, write the changes. Exposed for tests. */
  async check(): Promise<void> {
    const facts = await this.d.framework.clusterFacts?.().catch((err) => {
      this.d.logger.debug('cluster facts unavailable', { error: messageOf(err) });
      return undefined;
    });
    if (facts) this.last = facts;
    const now = this.d.clock.now();
    const waiting = waitingRuns(this.d.ledger.all(), (run) => needOfRun(run, this.d.applied));
    const changes = unschedulableChanges(waiting, facts, now, this.d.graceMs);
    if (changes.length === 0 || !this.loop.active) return;
    const before = new Map(changes.map((c) => [c.runId, this.d.ledger.get(c.runId)?.state]));
    await this.d.judged(changes);
    for (const c of changes) {
      const after = this.d.ledger.get(c.runId);
      if (!after || after.state === before.get(c.runId)) continue;
      if (after.state === 'unschedulable') this.d.logger.warn('run unschedulable', { run: after.id, reason: after.reason });
      else this.d.logger.info('run fits the cluster again: pending', { run: after.id });
    }
  }
}
