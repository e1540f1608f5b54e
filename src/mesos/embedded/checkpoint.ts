/**
 * What a local agent checkpoints so its tasks outlive the process that runs it, as a Mesos
 * agent with `checkpoint: true` does (apache/mesos src/slave/paths.hpp `meta/slaves/...`): its own id,
 * and per task the framework (id and FrameworkInfo, so the master can restore it with its
 * failover_timeout), the TaskInfo, how to find the running thing again (pid = process
 * group, the pid's kernel start time so a reused pid is not mistaken for it, or a container
 * name), the sandbox and the start time. Layout under the agent's directory:
 *
 *     agent.json                   { id }
 *     tasks/<task id, encoded>.json  TaskCheckpoint
 *
 * Files are written whole (temporary file + rename), so a crash leaves the old or the new
 * record, never half of one. A task's record is removed once its terminal update is
 * acknowledged: until then a restarted agent still answers for it.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameworkInfo, TaskInfo } from '../types.js';

/** One task as checkpointed. */
export interface TaskCheckpoint {
  taskId: string;
  frameworkId: string;
  framework: FrameworkInfo;
  /** The role the task's resources were allocated to. */
  role: string;
  task: TaskInfo;
  sandbox: string;
  /** Epoch ms the process was started. */
  startedAt: number;
  /** The wrapper's pid, which is also the task's process group id. */
  pid?: number;
  /** Kernel start time of `pid` (/proc/<pid>/stat field 22), to tell a reused pid apart. */
  pidStart?: string;
  /** A container the task runs in (Docker: `mesos-…`), for agents that adopt containers. */
  container?: string;
  /** A kill was asked for: a task gone without an exit status was killed, not lost. */
  killing?: boolean;
}

const encode = (taskId: string) => encodeURIComponent(taskId).replace(/\./g, '%2E');

/** The checkpoint directory of one agent. See the file comment. */
export class AgentCheckpoint {
  private readonly tasksDir: string;

  constructor(readonly dir: string) {
    this.tasksDir = join(dir, 'tasks');
    mkdirSync(this.tasksDir, { recursive: true });
  }

  /** The agent id recorded by an earlier run, or `fresh` recorded now. */
  agentId(fresh: string): string {
    const file = join(this.dir, 'agent.json');
    try {
      const { id } = JSON.parse(readFileSync(file, 'utf8')) as { id?: unknown };
      if (typeof id === 'string' && id) return id;
    } catch {
      // first start (or an unreadable record): a new identity
    }
    writeWhole(file, { id: fresh });
    return fresh;
  }

  save(t: TaskCheckpoint): void {
    writeWhole(join(this.tasksDir, `${encode(t.taskId)}.json`), t);
  }

  remove(taskId: string): void {
    rmSync(join(this.tasksDir, `${encode(taskId)}.json`), { force: true });
  }

  /** Every task record; unreadable ones are skipped (a crash mid-write leaves only `.tmp`). */
  load(): TaskCheckpoint[] {
    const out: TaskCheckpoint[] = [];
    for (const f of readdirSync(this.tasksDir)) {
      if (!f.endsWith('.json')) continue;
      try {
        out.push(JSON.parse(readFileSync(join(this.tasksDir, f), 'utf8')) as TaskCheckpoint);
      } catch {
        // not a record we wrote whole
      }
    }
    return out.sort((a, b) => a.startedAt - b.startedAt);
  }
}

function writeWhole(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, file);
}
