/**
 * Test harness for the scheduling core: builds compiled Jobs/DAGs with defaults and plays
 * the controller's part, applying decisions to an in-memory "store" with create-if-absent
 * semantics (a refused create is never launched), recording launches and kills.
 */
import type { Run } from '../../../src/core/run.js';
import type { AppliedResource, DagSpec, DagTaskSpec, JobSpec, Resource } from '../../../src/core/types.js';
import type { Decision, KillDecision, LaunchDecision, TaskOutcome } from '../../../src/schedule/decisions.js';
import { Scheduler } from '../../../src/schedule/scheduler.js';
import { template } from '../mesos/fixtures.js';

export { template };

export const T = (iso: string) => Date.parse(iso);

/** Defaults Jobs and DAGs share. */
const lifecycle = {
  concurrencyPolicy: 'Allow',
  catchUp: 'none',
  suspend: false,
  history: { succeeded: 10, failed: 10 },
  onPrune: 'finish',
} as const;

function applied(resource: Omit<Resource, 'metadata' | 'source'> & { name: string }, appliedAt: number): AppliedResource {
  const { name, ...rest } = resource;
  return { resource: { ...rest, metadata: { name, labels: {}, annotations: {} }, source: { file: `${name}.yaml`, line: 1 } } as Resource, revision: 'r1', appliedAt };
}

export function job(name: string, over: Partial<JobSpec> = {}, appliedAt = T('2026-01-01T00:00:00Z')): AppliedResource {
  return applied({ kind: 'Job', name, spec: { ...template(), after: [], ...lifecycle, ...over } }, appliedAt);
}

export function dag(name: string, tasks: Partial<DagTaskSpec>[], over: Partial<DagSpec> = {}, appliedAt = T('2026-01-01T00:00:00Z')): AppliedResource {
  const spec: DagSpec = {
    tasks: tasks.map((t) => ({ name: t.name!, dependsOn: [], trigger: 'all_succeeded', template: template(), ...t })),
    ...lifecycle,
    ...over,
  };
  return applied({ kind: 'DAG', name, spec }, appliedAt);
}

/** The controller's part, in memory. */
export class Harness {
  scheduler = new Scheduler();
  store = new Map<string, Run>();
  launches: LaunchDecision[] = [];
  kills: KillDecision[] = [];
  decisions: Decision[] = [];
  refused: string[] = [];

  apply(ds: Decision[]): Decision[] {
    const refused = new Set<string>();
    for (const d of ds) {
      this.decisions.push(d);
      if (d.type === 'create') {
        if (this.store.has(d.run.id)) {
          refused.add(d.run.id);
          this.refused.push(d.run.id);
        } else this.store.set(d.run.id, structuredClone(d.run));
      } else if (d.type === 'update') this.store.set(d.run.id, structuredClone(d.run));
      else if (d.type === 'reset') {
        for (const r of [...this.store.values()]) if (r.dagRunId === d.run.id) this.store.delete(r.id);
        this.store.set(d.run.id, structuredClone(d.run));
      }
      else if (d.type === 'launch' && !refused.has(d.run.id)) this.launches.push(d);
      else if (d.type === 'kill') this.kills.push(d);
    }
    return ds;
  }

  tick(at: string | number): Decision[] {
    return this.apply(this.scheduler.tick(typeof at === 'string' ? T(at) : at));
  }

  started(runId: string, at: string, n = 1): void {
    this.apply(this.scheduler.taskStarted(runId, n, T(at)));
  }

  ended(runId: string, outcome: TaskOutcome, at: string, n = 1): void {
    this.apply(this.scheduler.taskEnded(runId, n, outcome, T(at)));
  }

  /** Reconciliation answers RUNNING for the run's last attempt: nothing ends, but its state is known again. */
  seen(runId: string, at: string): void {
    const run = this.store.get(runId)!;
    const u = { taskId: run.attempts.at(-1)!.taskId, mesosState: 'TASK_RUNNING', outcome: 'running' as const, at: T(at), fromReconciliation: true };
    this.apply(this.scheduler.statusChanged(run, u, T(at)));
  }

  /** A new scheduler (restart / new leader) loaded from the store. */
  restart(resources: AppliedResource[], at: string): void {
    this.scheduler = new Scheduler();
    this.apply(this.scheduler.load(resources, [...this.store.values()].map((r) => structuredClone(r)), T(at)));
  }

  state(id: string): string | undefined {
    return this.store.get(id)?.state;
  }

  /** Persisted runs of a job: `id state` lines sorted by id, for whole-picture assertions. */
  runs(jobName: string): string[] {
    return [...this.store.values()].filter((r) => r.job === jobName).map((r) => `${r.id} ${r.state}`).sort();
  }

  launchedIds(): string[] {
    return this.launches.map((l) => `${l.run.id}#${l.attempt.n}`);
  }
}
