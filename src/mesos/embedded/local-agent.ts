/**
 * The local agent: runs command tasks as child processes of this process, each in its own
 * sandbox directory (stdout and stderr files, MESOS_SANDBOX), like the Mesos command
 * executor: `shell` (default true) runs `/bin/sh -c value`; otherwise `value` is the
 * executable and `arguments` its argv; `user` sets the process's uid/gid. Kill sends SIGTERM to the task's process group
 * and SIGKILL after the grace period. Exit codes are real. URIs are fetched and secrets
 * delivered first (launch-prep.ts). Docker tasks go to the Docker containerizer
 * (docker-containerizer.ts), which also removes leftover containers on `recoverContainers()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, Timer } from '../../ports/clock.js';
import type { TaskInfo } from '../types.js';
import { AgentIdentity, DEFAULT_GRACE_MS, durationMs, type Agent, type AgentIdentityOptions, type AgentLaunch, type AgentReport } from './agent.js';
import { DockerContainerizer } from './docker-containerizer.js';
import { isDockerTask } from './docker.js';
import { prepareSandbox, userIds } from './launch-prep.js';

/** Options of the local agent. */
export interface LocalAgentOptions extends AgentIdentityOptions {
  clock: Clock;
  /** Directory under which each task gets its sandbox. */
  sandboxRoot: string;
  /** The docker CLI to use; default `docker`. */
  dockerCommand?: string;
  /** The Docker daemon (`unix:///path`); default DOCKER_HOST, else the CLI's default. */
  dockerHost?: string;
  /** Where cached fetches (`cache: true`) are kept; default none (every fetch downloads). */
  fetcherCacheDir?: string;
}

interface Running {
  child?: ChildProcess;
  report: (r: AgentReport) => void;
  sandbox: string;
  killedBy?: 'kill' | 'max_completion_time';
  timers: Timer[];
  done: Promise<void>;
  secretEnv?: Record<string, string>;
}

const SIGNAL_TEXT: Record<string, string> = { SIGTERM: 'Terminated', SIGKILL: 'Killed', SIGINT: 'Interrupt', SIGHUP: 'Hangup' };

/** See the file comment. */
export class LocalAgent extends AgentIdentity implements Agent {
  readonly kind = 'local' as const;
  private readonly running = new Map<string, Running>();
  private readonly sandboxes = new Map<string, string>();
  private readonly containers: DockerContainerizer;
  private seq = 0;

  constructor(private readonly opts: LocalAgentOptions) {
    super(opts);
    this.containers = new DockerContainerizer({ clock: opts.clock, agentId: opts.id, dockerCommand: opts.dockerCommand, dockerHost: opts.dockerHost });
  }

  /**
   * Docker containers a previous run of this agent (or a dead agent) left behind: those
   * `adoptable` names a sandbox and report for are followed to their end, the rest removed.
   */
  recoverContainers(adoptable?: Parameters<DockerContainerizer['recover']>[0]): Promise<string[]> {
    return this.containers.recover(adoptable);
  }

  launch({ task, frameworkId, report }: AgentLaunch): void {
    const id = task.task_id.value;
    const sandbox = join(this.opts.sandboxRoot, this.id, frameworkId, `${id}.${++this.seq}`);
    mkdirSync(sandbox, { recursive: true });
    this.sandboxes.set(id, sandbox);
    const containerId = `${this.id}.${id}.${this.seq}`.replace(/[^A-Za-z0-9_.-]/g, '_');
    const prepare = () => prepareSandbox(task, sandbox, containerId, { cacheDir: this.opts.fetcherCacheDir });
    if (isDockerTask(task)) return void this.containers.launch({ task, containerId, sandbox, prepare, report });
    let finish!: () => void;
    const r: Running = { report, sandbox, timers: [], done: new Promise((res) => (finish = res)) };
    this.running.set(id, r);
    const fail = (message: string) => {
      this.running.delete(id);
      report({ state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LAUNCH_FAILED', message, source: 'SOURCE_AGENT' });
      finish();
    };
    void prepare().then(
      (secretEnv) => {
        r.secretEnv = secretEnv;
        let argv: string[];
        try {
          argv = commandArgv(task);
        } catch (err) {
          return fail((err as Error).message);
        }
        if (r.killedBy) {
          this.running.delete(id);
          report({ state: 'TASK_KILLED', reason: 'REASON_TASK_KILLED_DURING_LAUNCH', message: 'Killed before launch', source: 'SOURCE_AGENT' });
          return finish();
        }
        this.start(id, task, r, argv, finish, fail);
      },
      (err: Error) => fail(`Failed to launch container: ${err.message}`),
    );
  }

  private start(id: string, task: TaskInfo, r: Running, argv: string[], finish: () => void, fail: (m: string) => void): void {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/',
      MESOS_SANDBOX: r.sandbox,
      MESOS_TASK_ID: id,
      // A real agent's command executor runs each task as an executor of the same id.
      MESOS_EXECUTOR_ID: id,
      MESOS_AGENT_ID: this.id,
    };
    for (const v of task.command?.environment?.variables ?? []) if (v.type !== 'SECRET') env[v.name] = v.value ?? '';
    Object.assign(env, r.secretEnv);
    const out = openSync(join(r.sandbox, 'stdout'), 'a');
    const err = openSync(join(r.sandbox, 'stderr'), 'a');
    r.report({ state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR' });
    // CommandInfo.user: the task runs as that user, as the command executor switches to it.
    const ids = task.command?.user ? userIds(task.command.user) : undefined;
    const child = spawn(argv[0], argv.slice(1), { cwd: r.sandbox, env, stdio: ['ignore', out, err], detached: true, ...ids });
    closeSync(out);
    closeSync(err);
    r.child = child;
    child.once('error', (e) => {
      if (this.running.get(id) !== r) return;
      r.timers.forEach((t) => t.cancel());
      fail(`Failed to launch '${argv[0]}': ${e.message}`);
    });
    child.once('spawn', () => {
      r.report({ state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' });
      const max = durationMs(task.max_completion_time);
      if (max !== undefined) r.timers.push(this.opts.clock.setTimeout(() => this.terminate(id, 'max_completion_time', 0), max));
    });
    child.once('exit', (code, signal) => {
      if (this.running.get(id) !== r) return;
      r.timers.forEach((t) => t.cancel());
      this.running.delete(id);
      const how = signal ? `Command terminated with signal ${SIGNAL_TEXT[signal] ?? signal}` : `Command exited with status ${code}`;
      if (r.killedBy === 'max_completion_time')
        r.report({ state: 'TASK_FAILED', reason: 'REASON_MAX_COMPLETION_TIME_REACHED', message: `Task exceeded its max completion time; ${how}`, source: 'SOURCE_EXECUTOR' });
      else if (r.killedBy === 'kill') r.report({ state: 'TASK_KILLED', message: how, source: 'SOURCE_EXECUTOR' });
      else if (code === 0) r.report({ state: 'TASK_FINISHED', message: how, source: 'SOURCE_EXECUTOR' });
      else r.report({ state: 'TASK_FAILED', message: how, source: 'SOURCE_EXECUTOR' });
      finish();
    });
  }

  kill(taskId: string, gracePeriodMs = DEFAULT_GRACE_MS): void {
    if (this.containers.has(taskId)) return this.containers.kill(taskId, gracePeriodMs);
    const r = this.running.get(taskId);
    if (!r || r.killedBy) return;
    if (r.child) r.report({ state: 'TASK_KILLING', source: 'SOURCE_EXECUTOR' });
    this.terminate(taskId, 'kill', gracePeriodMs);
  }

  /** SIGTERM to the process group now, SIGKILL after `graceMs`. */
  private terminate(taskId: string, why: 'kill' | 'max_completion_time', graceMs: number): void {
    const r = this.running.get(taskId);
    if (!r) return;
    r.killedBy ??= why;
    if (!r.child?.pid) return; // not started yet: launch() sees killedBy
    const pid = r.child.pid;
    signalGroup(pid, 'SIGTERM');
    r.timers.push(this.opts.clock.setTimeout(() => signalGroup(pid, 'SIGKILL'), Math.max(0, graceMs)));
  }

  sandbox(taskId: string): string | undefined {
    return this.sandboxes.get(taskId);
  }

  async stop(): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) {
      r.killedBy ??= 'kill';
      if (r.child?.pid) signalGroup(r.child.pid, 'SIGKILL');
    }
    await Promise.all([...all.map((r) => r.done), this.containers.stopAll()]);
  }
}

/** The argv of a command task: `/bin/sh -c value`, or `value` with `arguments[1..]` (argv[0] is `arguments[0]`). */
function commandArgv(task: TaskInfo): string[] {
  const cmd = task.command ?? {};
  if (cmd.shell !== false) return ['/bin/sh', '-c', cmd.value ?? ''];
  if (!cmd.value) throw new Error('CommandInfo.value is required when shell is false');
  return [cmd.value, ...(cmd.arguments ?? []).slice(1)];
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
