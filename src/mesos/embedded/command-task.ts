/**
 * How the local agent starts a command task as a process, as the Mesos command executor
 * does (apache/mesos src/launcher/executor.cpp): the environment it gives the task (MESOS_SANDBOX,
 * MESOS_TASK_ID, MESOS_EXECUTOR_ID, MESOS_AGENT_ID and the CommandInfo's variables), its
 * argv (`/bin/sh -c value`, or `value` with its arguments), the process in its own
 * session under the exit-status wrapper (task-process.ts) with stdout and stderr in the
 * sandbox, and signals to its whole process group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskInfo } from '../types.js';
import { userIds } from './launch-prep.js';
import { wrapArgv } from './task-process.js';

/** The task's environment: the executor's variables, the CommandInfo's (not SECRETs), then the delivered secrets. */
export function commandEnv(task: TaskInfo, sandbox: string, agentId: string, secretEnv: Record<string, string> | undefined): Record<string, string> {
  const id = task.task_id.value;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/',
    MESOS_SANDBOX: sandbox,
    MESOS_TASK_ID: id,
    // A real agent's command executor runs each task as an executor of the same id.
    MESOS_EXECUTOR_ID: id,
    MESOS_AGENT_ID: agentId,
  };
  for (const v of task.command?.environment?.variables ?? []) if (v.type !== 'SECRET') env[v.name] = v.value ?? '';
  return Object.assign(env, secretEnv);
}

/** The argv of a command task: `/bin/sh -c value`, or `value` with `arguments[1..]` (argv[0] is `arguments[0]`). */
export function commandArgv(task: TaskInfo): string[] {
  const cmd = task.command ?? {};
  if (cmd.shell !== false) return ['/bin/sh', '-c', cmd.value ?? ''];
  if (!cmd.value) throw new Error('CommandInfo.value is required when shell is false');
  return [cmd.value, ...(cmd.arguments ?? []).slice(1)];
}

/**
 * Starts `argv` under the exit-status wrapper, detached (its own session and process
 * group), in `sandbox` with stdout and stderr appended there; as CommandInfo.user when
 * set, as the command executor switches to it.
 */
export function spawnCommand(task: TaskInfo, argv: string[], sandbox: string, env: Record<string, string>): ChildProcess {
  const out = openSync(join(sandbox, 'stdout'), 'a');
  const err = openSync(join(sandbox, 'stderr'), 'a');
  const ids = task.command?.user ? userIds(task.command.user) : undefined;
  const run = wrapArgv(argv);
  try {
    return spawn(run[0], run.slice(1), { cwd: sandbox, env, stdio: ['ignore', out, err], detached: true, ...ids });
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

/** Sends `signal` to the process group `pid` leads; a group already gone is no error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
