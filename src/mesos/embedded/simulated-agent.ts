/**
 * A simulated agent: accepts tasks, reports STARTING and RUNNING, then finishes each task
 * after a configurable duration, successfully or not. It runs nothing; it exists so tests
 * and benchmarks can have thousands of agents. Per task, the labels
 * `embedded.simulated.duration_ms` and `embedded.simulated.outcome` (`finished` | `failed`)
 * override the agent's defaults.
 */
import type { Clock, Timer } from '../../ports/clock.js';
import { AgentIdentity, labelOf, type Agent, type AgentIdentityOptions, type AgentLaunch, type ReportFn } from './agent.js';

/** Options of one simulated agent. */
export interface SimulatedAgentOptions extends AgentIdentityOptions {
  clock: Clock;
  /** How long a task runs before its terminal update; default 1000 ms. */
  taskDurationMs?: number;
  /** Terminal state of tasks that run to completion; default `finished`. */
  outcome?: 'finished' | 'failed';
}

interface SimTask {
  id: string;
  report: ReportFn;
  duration: number;
  outcome: string;
  /** The tasks that started together with this one and end at the same instant. */
  group?: EndGroup;
  /** Its kill's timer, once killed. */
  timer?: Timer;
  killing: boolean;
}

/**
 * Tasks started in one batch with one duration end on one timer: a timer (and closure)
 * each, kept for the whole task, was a large part of the per-task memory the simulated
 * agents hold at 100,000 tasks. Each still ends exactly when its own timer would have.
 */
interface EndGroup {
  tasks: SimTask[];
  /** Tasks of the group not killed yet; the timer goes when none is left. */
  live: number;
  timer?: Timer;
}

/** See the file comment. */
export class SimulatedAgent extends AgentIdentity implements Agent {
  readonly kind = 'simulated' as const;
  private readonly tasks = new Map<string, SimTask>();
  /** Launched in this tick, to report STARTING/RUNNING together in one microtask. */
  private starting: SimTask[] = [];
  private readonly groups = new Set<EndGroup>();

  constructor(private readonly opts: SimulatedAgentOptions) {
    super(opts);
  }

  launch({ task, report }: AgentLaunch): void {
    const id = task.task_id.value;
    const duration = Number(labelOf(task, 'embedded.simulated.duration_ms') ?? this.opts.taskDurationMs ?? 1000);
    const outcome = labelOf(task, 'embedded.simulated.outcome') ?? this.opts.outcome ?? 'finished';
    const t: SimTask = { id, report, duration, outcome, killing: false };
    this.tasks.set(id, t);
    if (this.starting.length === 0) queueMicrotask(this.startAll);
    this.starting.push(t);
  }

  private readonly startAll = (): void => {
    const batch = this.starting;
    this.starting = [];
    const byDuration = new Map<number, EndGroup>();
    for (const t of batch) {
      if (this.tasks.get(t.id) !== t || t.killing) continue;
      t.report({ state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR' });
      t.report({ state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' });
      let g = byDuration.get(t.duration);
      if (!g) {
        const group: EndGroup = { tasks: [], live: 0 };
        group.timer = this.opts.clock.setTimeout(() => this.end(group), t.duration);
        this.groups.add(group);
        byDuration.set(t.duration, (g = group));
      }
      g.tasks.push(t);
      g.live++;
      t.group = g;
    }
  };

  private end(g: EndGroup): void {
    this.groups.delete(g);
    for (const t of g.tasks) {
      if (t.killing || this.tasks.get(t.id) !== t) continue;
      this.tasks.delete(t.id);
      if (t.outcome === 'failed') t.report({ state: 'TASK_FAILED', message: 'Command exited with status 1', source: 'SOURCE_EXECUTOR' });
      else t.report({ state: 'TASK_FINISHED', message: 'Command exited with status 0', source: 'SOURCE_EXECUTOR' });
    }
  }

  kill(taskId: string): void {
    const t = this.tasks.get(taskId);
    if (!t || t.killing) return;
    t.killing = true;
    const g = t.group;
    if (g && --g.live === 0) {
      g.timer?.cancel();
      this.groups.delete(g);
    }
    t.report({ state: 'TASK_KILLING', source: 'SOURCE_EXECUTOR' });
    // A simulated process honours SIGTERM at once, well within any grace period.
    t.timer = this.opts.clock.setTimeout(() => {
      this.tasks.delete(taskId);
      t.report({ state: 'TASK_KILLED', message: 'Command terminated with signal Terminated', source: 'SOURCE_EXECUTOR' });
    }, 0);
  }

  sandbox(): string | undefined {
    return undefined;
  }

  async stop(): Promise<void> {
    for (const g of this.groups) g.timer?.cancel();
    this.groups.clear();
    for (const t of this.tasks.values()) t.timer?.cancel();
    this.tasks.clear();
    this.starting = [];
  }
}
