/**
 * Deterministic identifiers. A run's id derives from its job and its scheduled instant,
 * so computing the same run twice (a new leader, a restart, a clock step back) yields the
 * same id, and the store's create-if-absent refuses the second launch.
 * Same idea as hashicorp/nomad nomad/periodic.go `derivedJobID`.
 */

/** `<job>@<UTC instant, ISO 8601 with milliseconds>` e.g. `nightly@2026-03-08T07:00:00.000Z`. */
export function scheduledRunId(job: string, instantMs: number): string {
  return `${job}@${new Date(instantMs).toISOString()}`;
}

/** `<job>@manual-<n>` for the n-th on-demand run of a job. */
export function manualRunId(job: string, n: number): string {
  return `${job}@manual-${n}`;
}

/** The n of a `<job>@manual-<n>` run id; undefined for any other run id (DAG task runs included). */
export function manualRunNumber(runId: string): number | undefined {
  const m = /@manual-(\d+)$/.exec(runId);
  return m ? Number(m[1]) : undefined;
}

/**
 * A DAG task's run id inside one DAG run: `<dagRunId>/<task>`.
 * e.g. `transcode@2026-03-08T07:00:00.000Z/split`.
 */
export function dagTaskRunId(dagRunId: string, task: string): string {
  return `${dagRunId}/${task}`;
}

/**
 * Mesos TaskID for an attempt of a run. Mesos forbids `/` and `\` in task ids
 * (apache/mesos include/mesos/v1/mesos.proto TaskID; apache/mesos src/master/validation.cpp), so they are replaced;
 * `:` and `.` are legal. Attempt numbers start at 1. The g-th re-run of a run (a backfill
 * with a rerun flag) gets `~rerun<g>` before the attempt, so no task id is ever used twice.
 */
export function mesosTaskId(runId: string, attempt: number, rerun = 0): string {
  return `kairos.${runId.replace(/[\/\\]/g, '~')}${rerun > 0 ? `~rerun${rerun}` : ''}.${attempt}`;
}

/** `backfill-<UTC instant>`: the id of a backfill requested at `atMs`, unique per job. */
export function backfillId(atMs: number): string {
  return `backfill-${new Date(atMs).toISOString()}`;
}

/** Parses the job name out of a run id (everything before the first `@`). */
export function jobOfRunId(runId: string): string {
  const at = runId.indexOf('@');
  return at < 0 ? runId : runId.slice(0, at);
}
