/**
 * The launch labels of a task, read back from the master. A status update carries no
 * TaskInfo labels (TaskStatus.labels are the executor's), and a Kairos task id cannot be
 * decoded back to its run id exactly (`mesosTaskId` turns `/` and `\` into `~`, which run
 * ids may also contain). So when a task Kairos does not remember reports in, its labels
 * (`kairos.run`, `kairos.job`, ...) are asked from the master's `/master/tasks` endpoint
 * (src/master/http.cpp TASKS_HELP: `framework_id` and `task_id` select one task; the
 * answer lists active, unreachable and completed tasks with their `labels`).
 */
import type { SchedulerClient } from './client.js';
import { labelMap } from './tasks.js';
import type { Label } from './types.js';

/** One task as `/master/tasks` writes it (src/common/http.cpp `json(writer, Task)`). */
interface TaskJson {
  id?: unknown;
  framework_id?: unknown;
  labels?: unknown;
}

/** The label map of `taskId` from a `/master/tasks` answer; null when it is not listed. */
export function labelsInTasksAnswer(answer: unknown, frameworkId: string, taskId: string): Record<string, string> | null {
  const tasks = (answer as { tasks?: unknown } | null)?.tasks;
  if (!Array.isArray(tasks)) return null;
  const t = (tasks as TaskJson[]).find((x) => x && x.id === taskId && (x.framework_id === undefined || x.framework_id === frameworkId));
  if (!t) return null;
  return labelMap(Array.isArray(t.labels) ? (t.labels as Label[]).filter((l) => l && typeof l.key === 'string') : []);
}

/**
 * Asks the master at `baseUrl` for the labels of one task of `frameworkId`: the label
 * map, or null when the master does not list the task. Rejects when the master cannot
 * be asked (the caller falls back to what the task id says, where that is unambiguous).
 */
export async function fetchTaskLabels(client: SchedulerClient, baseUrl: string, frameworkId: string, taskId: string): Promise<Record<string, string> | null> {
  const url = new URL('/master/tasks', baseUrl);
  url.searchParams.set('framework_id', frameworkId);
  url.searchParams.set('task_id', taskId);
  return labelsInTasksAnswer(await client.getJson(url.href), frameworkId, taskId);
}

/**
 * Runs label lookups at most `limit` at a time, first come first served: adopting a
 * whole cluster's tasks after the store was lost must not open one connection per task
 * at once on the master.
 */
export class LookupQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /** Runs `f` when a turn is free; resolves or rejects as `f` does. */
  async run<T>(f: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await f();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
