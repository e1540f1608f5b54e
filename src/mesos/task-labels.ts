/**
 * The launch labels of a task, read back from the master. A status update carries no
 * TaskInfo labels (TaskStatus.labels are the executor's), and a Kairos task id cannot be
 * decoded back to its run id exactly (`mesosTaskId` turns `/` and `\` into `~`, which run
 * ids may also contain). So when a task Kairos does not remember reports in, its labels
 * (`kairos.run`, `kairos.job`, ...) are asked from the master's `/master/tasks` endpoint
 * (apache/mesos src/master/http.cpp TASKS_HELP: `framework_id` and `task_id` select one task; the
 * answer lists active, unreachable and completed tasks with their `labels`).
 */
import { messageOf } from '../core/errors.js';
import type { Logger } from '../ports/logger.js';
import type { SchedulerClient } from './client.js';
import { labelMap } from './tasks.js';
import type { Label } from './types.js';

/** One task as `/master/tasks` writes it (apache/mesos src/common/http.cpp `json(writer, Task)`). */
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
export async function fetchTaskLabels(client: Pick<SchedulerClient, 'getJson'>, baseUrl: string, frameworkId: string, taskId: string): Promise<Record<string, string> | null> {
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

/**
 * The launch labels the master we are subscribed to lists for a task Kairos does not
 * remember, eight lookups at a time; undefined when it cannot be asked (not subscribed,
 * or the master did not answer), so the task id is the fallback.
 */
export class MasterLabels {
  private readonly queue = new LookupQueue(8);

  constructor(
    private readonly client: Pick<SchedulerClient, 'getJson'>,
    /** The subscribed master's URL and our FrameworkID, when both are known. */
    private readonly session: () => { url: string; frameworkId: string } | undefined,
    private readonly log: Logger,
  ) {}

  /** The labels of `taskId`: a map, null when the master does not list it, undefined when it cannot be asked. */
  async of(taskId: string): Promise<Record<string, string> | null | undefined> {
    const s = this.session();
    if (!s) return undefined;
    try {
      return await this.queue.run(() => fetchTaskLabels(this.client, s.url, s.frameworkId, taskId));
    } catch (err) {
      this.log.warn('cannot read task labels from the master; using the task id', { taskId, error: messageOf(err) });
      return undefined;
    }
  }
}
