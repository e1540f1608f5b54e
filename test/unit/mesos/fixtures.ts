/** Task templates and launch requests for the Mesos framework's tests and bench. */
import type { TaskTemplate } from '../../../src/core/types.js';
import { mesosTaskId } from '../../../src/core/ids.js';
import type { LaunchRequest } from '../../../src/ports/mesos.js';

/** A small `/bin/sh -c true` template; `over` replaces fields. */
export function template(over: Partial<TaskTemplate> = {}): TaskTemplate {
  return {
    command: { shell: 'true' },
    resources: { cpus: 0.1, mem: 32, disk: 0, gpus: 0, ports: 0 },
    env: {},
    secrets: [],
    fetch: [],
    constraints: [],
    retries: { count: 0, initialDelaySeconds: 1, maxDelaySeconds: 1 },
    killGracePeriodSeconds: 1,
    priority: 0,
    ...over,
  };
}

/** Attempt 1 of run `<job>@<key>`, due at `dueAt`. */
export function launchRequest(job: string, key: string | number, t: TaskTemplate, dueAt = 0): LaunchRequest {
  const runId = `${job}@${key}`;
  return { taskId: mesosTaskId(runId, 1), runId, job, attempt: 1, revision: 'test', template: t, dueAt };
}
