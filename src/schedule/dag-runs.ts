/**
 * Driving one DAG run: applies `dagStep` (./dag-steps.ts) by creating the task runs
 * `<dagRunId>/<task>` it starts or skips, and ends the DAG run when its state is terminal.
 * The scheduler calls `advanceDag` when a DAG run starts, when one of its task runs ends,
 * and after a restart (it is idempotent: tasks that already have a run are left alone).
 */
import { dagTaskRunId } from '../core/ids.js';
import type { Run } from '../core/run.js';
import { isTerminalRun, type DagSpec, type Resource, type RunState, type TaskTemplate } from '../core/types.js';
import { dagStep } from './dag-steps.js';
import type { Active } from './entries.js';

/** What `advanceDag` needs from the scheduler. */
export interface DagRunOps {
  /** The applied resource of a job name (for tasks that reference a Job). */
  resourceOf(name: string): Resource | undefined;
  /** Tracks a new task run and launches its first attempt. */
  start(run: Run, template: TaskTemplate, now: number): void;
  /** Persists a new task run that is terminal from birth (skipped, failed). */
  record(run: Run): void;
  /** Ends the DAG run. */
  finish(dagRun: Active, state: RunState, at: number): void;
}

/** The template a DAG task launches: inline, or the referenced Job's. */
export function taskTemplate(spec: DagSpec, task: string, resourceOf: (name: string) => Resource | undefined): TaskTemplate | undefined {
  const t = spec.tasks.find((x) => x.name === task);
  if (t?.template) return t.template;
  const job = t?.job ? resourceOf(t.job) : undefined;
  return job?.kind === 'Job' ? job.spec : undefined;
}

/** Starts or skips the tasks whose rules decide, and ends the DAG run when all are done. */
export function advanceDag(ops: DagRunOps, a: Active, now: number): void {
  const dag = a.dag!;
  const step = dagStep(dag.spec.tasks, new Map([...dag.tasks].map(([k, r]) => [k, r.state])));
  const taskRun = (task: string): Run => ({
    id: dagTaskRunId(a.run.id, task),
    job: a.run.job,
    task,
    dagRunId: a.run.id,
    trigger: 'dag',
    scheduledAt: a.run.scheduledAt,
    revision: a.run.revision,
    state: 'pending',
    attempts: [],
    createdAt: now,
    ...(a.run.overrides ? { overrides: a.run.overrides } : {}),
    ...(a.run.rerun ? { rerun: a.run.rerun } : {}),
  });
  const record = (task: string, state: RunState, reason: string) => {
    const run = { ...taskRun(task), state, endedAt: now, reason };
    dag.tasks.set(task, run);
    ops.record(run);
  };
  for (const task of step.skip) record(task, 'skipped', 'its trigger rule can no longer hold');
  let missing = false;
  for (const task of step.start) {
    const template = taskTemplate(dag.spec, task, ops.resourceOf);
    if (!template) {
      record(task, 'failed', 'the job it references does not exist');
      missing = true;
      continue;
    }
    const run = taskRun(task);
    dag.tasks.set(task, run);
    ops.start(run, template, now);
  }
  if (missing) return advanceDag(ops, a, now);
  if (isTerminalRun(step.state)) ops.finish(a, step.state, now);
}
