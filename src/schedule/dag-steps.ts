/**
 * One step of a DAG run, pure: given the DAG's tasks and the states of the task runs that
 * exist so far, which tasks start now, which are recorded skipped (their trigger rule can
 * no longer hold; skips cascade downstream within the same step), and the DAG run's state
 * after that. The scheduler applies the step and calls again whenever a task run ends, so
 * the whole DAG run is derivable from its persisted task runs after a restart.
 */
import type { DagTaskSpec, RunState } from '../core/types.js';
import { dagRunState, evaluateTrigger } from './triggers.js';

/** What to do for a DAG run now. */
export interface DagStep {
  /** Tasks whose trigger rule holds: create and launch their runs. */
  start: string[];
  /** Tasks whose trigger rule can no longer hold: record them skipped. */
  skip: string[];
  /** The DAG run's state once `start` and `skip` are applied. */
  state: RunState;
}

/** Computes the next step; `states` maps task name to its run's state (absent: no run yet). */
export function dagStep(tasks: DagTaskSpec[], states: ReadonlyMap<string, RunState>): DagStep {
  const now = new Map(states);
  const start: string[] = [];
  const skip: string[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of tasks) {
      if (now.has(t.name)) continue;
      const verdict = evaluateTrigger(
        t.trigger,
        t.dependsOn.map((d) => now.get(d)),
      );
      if (verdict === 'run') {
        start.push(t.name);
        now.set(t.name, 'pending');
      } else if (verdict === 'skip') {
        skip.push(t.name);
        now.set(t.name, 'skipped');
        changed = true;
      }
    }
  }
  return { start, skip, state: dagRunState(tasks, (name) => now.get(name)) };
}
