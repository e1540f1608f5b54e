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
  report: ReportFn;
  timer?: Timer;
  killing: boolean;
}

/** See the file comment. */
export class SimulatedAgent extends AgentIdentity implements Agent {
  readonly kind = 'simulated' as const;
  private readonly tasks = new Map<string, SimTask>();

  constructor(private readonly opts: SimulatedAgentOptions) {
    super(opts);
  }

  launch({ task, report }: AgentLaunch): void {
    const id = task.task_id.value;
    const t: SimTask = { report, killing: false };
    this.tasks.set(id, t);
    const duration = Number(labelOf(task, 'embedded.simulated.duration_ms') ?? this.opts.taskDurationMs ?? 1000);
    const outcome = labelOf(task, 'embedded.simulated.outcome') ?? this.opts.outcome ?? 'finished';
    queueMicrotask(() => {
      if (this.tasks.get(id) !== t || t.killing) return;
      report({ state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR' });
      report({ state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' });
      t.timer = this.opts.clock.setTimeout(() => {
        this.tasks.delete(id);
        if (outcome === 'failed') report({ state: 'TASK_FAILED', message: 'Command exited with status 1', source: 'SOURCE_EXECUTOR' });
        else report({ state: 'TASK_FINISHED', message: 'Command exited with status 0', source: 'SOURCE_EXECUTOR' });
      }, duration);
    });
  }

  kill(taskId: string): void {
    const t = this.tasks.get(taskId);
    if (!t || t.killing) return;
    t.killing = true;
    t.timer?.cancel();
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
    for (const t of this.tasks.values()) t.timer?.cancel();
    this.tasks.clear();
  }
}
