/**
 * The local agent: runs command tasks as child processes of this process, each in its own
 * sandbox directory (stdout and stderr files, MESOS_SANDBOX), like the Mesos command
 * executor: `shell` (default true) runs `/bin/sh -c value`; otherwise `value` is the
 * executable and `arguments` its argv; `user` sets the process's uid/gid. Kill sends SIGTERM to the task's process group
 * and SIGKILL after the grace period. Exit codes are real. URIs are fetched and secrets
 * delivered first (launch-prep.ts). Docker tasks go to the Docker containerizer
 * (docker-containerizer.ts), which also removes leftover containers on `recoverContainers()`.
 *
 * With a checkpoint (./checkpoint.ts) the agent behaves like a Mesos agent with
 * `checkpoint: true`: command tasks run in their own session under an exit-status wrapper
 * (./task-process.ts), Docker tasks in their container, both recorded when started (a
 * Docker task with its container's name) and both outliving this process.
 * `recoverContainers()` keeps the recorded containers (removing only the others),
 * `recover()` lists the records after a restart and `adopt()` reconnects each: a live one is
 * watched until it ends, one that ended meanwhile reports its recorded exit status (the
 * wrapper's file, or the stopped container's). A record is dropped (`forget`) once the
 * master has its terminal update acknowledged.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, Timer } from '../../ports/clock.js';
import type { TaskInfo } from '../types.js';
import { AgentIdentity, DEFAULT_GRACE_MS, durationMs, type Agent, type AgentIdentityOptions, type AgentLaunch, type ReportFn } from './agent.js';
import type { AgentCheckpoint, TaskCheckpoint } from './checkpoint.js';
import { DockerContainerizer } from './docker-containerizer.js';
import { isDockerTask } from './docker.js';
import { commandArgv, commandEnv, signalGroup, spawnCommand } from './command-task.js';
import { prepareSandbox } from './launch-prep.js';
import { describeExit, groupRunning, processAlive, processStart, recordedExit } from './task-process.js';

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
  /** Where command tasks are checkpointed; without one, tasks die with this process. */
  checkpoint?: AgentCheckpoint;
  /** How often an adopted task (not our child) is checked for having ended; default 500 ms. */
  adoptedPollMs?: number;
}

interface Running {
  child?: ChildProcess;
  /** Process group of the task (the wrapper's pid), once started. */
  pid?: number;
  report: ReportFn;
  sandbox: string;
  killedBy?: 'kill' | 'max_completion_time';
  timers: Timer[];
  done: Promise<void>;
  finish: () => void;
  secretEnv?: Record<string, string>;
  record?: TaskCheckpoint;
}

/** See the file comment. */
export class LocalAgent extends AgentIdentity implements Agent {
  readonly kind = 'local' as const;
  private readonly running = new Map<string, Running>();
  private readonly sandboxes = new Map<string, string>();
  private readonly containers: DockerContainerizer;
  /** Checkpoint records of the Docker tasks running here (a kill is recorded in them). */
  private readonly containerRecords = new Map<string, TaskCheckpoint>();
  private seq = 0;

  constructor(private readonly opts: LocalAgentOptions) {
    super(opts);
    this.containers = new DockerContainerizer({ clock: opts.clock, agentId: opts.id, dockerCommand: opts.dockerCommand, dockerHost: opts.dockerHost });
  }

  /**
   * Removes the Docker containers a previous run of this agent (or a dead agent) left
   * behind, except those of checkpointed tasks, which `adopt()` follows to their end.
   * Call it before the first launch. Returns the names removed.
   */
  recoverContainers(): Promise<string[]> {
    const recorded = new Set(this.recover().map((r) => r.container));
    return this.containers.recover(({ name }) => recorded.has(name));
  }

  launch({ task, frameworkId, framework, role, report }: AgentLaunch): void {
    const id = task.task_id.value;
    // The time keeps sandboxes of a restarted agent (seq from 0 again) apart.
    const sandbox = join(this.opts.sandboxRoot, this.id, frameworkId, `${id}.${this.opts.clock.now()}.${++this.seq}`);
    mkdirSync(sandbox, { recursive: true });
    this.sandboxes.set(id, sandbox);
    const containerId = `${this.id}.${id}.${this.seq}`.replace(/[^A-Za-z0-9_.-]/g, '_');
    const prepare = () => prepareSandbox(task, sandbox, containerId, { cacheDir: this.opts.fetcherCacheDir });
    if (isDockerTask(task)) {
      // Checkpointed, with the container's name, just before `docker run` creates it.
      const creating = this.opts.checkpoint && framework
        ? (container: string) => this.saveContainer({ taskId: id, frameworkId, framework, role: role ?? '*', task, sandbox, startedAt: this.opts.clock.now(), container })
        : undefined;
      void this.containers.launch({ task, containerId, sandbox, prepare, report, creating }).then(() => this.containerRecords.delete(id));
      return;
    }
    const r = this.track(id, report, sandbox);
    const fail = (message: string) => {
      this.running.delete(id);
      report({ state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LAUNCH_FAILED', message, source: 'SOURCE_AGENT' });
      r.finish();
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
          return r.finish();
        }
        if (this.opts.checkpoint && framework) r.record = { taskId: id, frameworkId, framework, role: role ?? '*', task, sandbox, startedAt: this.opts.clock.now() };
        this.start(id, task, r, argv, fail);
      },
      (err: Error) => fail(`Failed to launch container: ${err.message}`),
    );
  }

  private track(id: string, report: ReportFn, sandbox: string): Running {
    let finish!: () => void;
    const r: Running = { report, sandbox, timers: [], done: new Promise((res) => (finish = res)), finish: () => finish() };
    this.running.set(id, r);
    return r;
  }

  private start(id: string, task: TaskInfo, r: Running, argv: string[], fail: (m: string) => void): void {
    r.report({ state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR' });
    const child = spawnCommand(task, argv, r.sandbox, commandEnv(task, r.sandbox, this.id, r.secretEnv));
    r.child = child;
    child.once('error', (e) => {
      if (this.running.get(id) !== r) return;
      r.timers.forEach((t) => t.cancel());
      fail(`Failed to launch '${argv[0]}': ${e.message}`);
    });
    child.once('spawn', () => {
      r.pid = child.pid;
      if (r.record && child.pid) {
        r.record.pid = child.pid;
        r.record.pidStart = processStart(child.pid);
        this.opts.checkpoint!.save(r.record);
      }
      r.report({ state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' });
      this.armMaxCompletion(id, task, r, 0);
      if (r.killedBy) this.terminate(id, r.killedBy, 0); // a kill that raced the spawn
    });
    child.once('exit', (code, signal) => this.ended(id, r, describeExit(code, signal), signal === null ? code : null));
  }

  private armMaxCompletion(id: string, task: TaskInfo, r: Running, elapsedMs: number): void {
    const max = durationMs(task.max_completion_time);
    if (max !== undefined) r.timers.push(this.opts.clock.setTimeout(() => this.terminate(id, 'max_completion_time', 0), Math.max(0, max - elapsedMs)));
  }

  /** A task's process ended (`code` null: by a signal, or with no recorded status). */
  private ended(id: string, r: Running, how: string, code: number | null): void {
    if (this.running.get(id) !== r) return;
    r.timers.forEach((t) => t.cancel());
    this.running.delete(id);
    // Anything the task left in its group goes with it, as a container's cgroup would.
    if (r.pid) signalGroup(r.pid, 'SIGKILL');
    if (r.killedBy === 'max_completion_time')
      r.report({ state: 'TASK_FAILED', reason: 'REASON_MAX_COMPLETION_TIME_REACHED', message: `Task exceeded its max completion time; ${how}`, source: 'SOURCE_EXECUTOR' });
    else if (r.killedBy === 'kill') r.report({ state: 'TASK_KILLED', message: how, source: 'SOURCE_EXECUTOR' });
    else if (code === 0) r.report({ state: 'TASK_FINISHED', message: how, source: 'SOURCE_EXECUTOR' });
    else r.report({ state: 'TASK_FAILED', message: how, source: 'SOURCE_EXECUTOR' });
    r.finish();
  }

  /** The tasks an earlier run of this agent checkpointed and that are not retired yet. */
  recover(): TaskCheckpoint[] {
    return this.opts.checkpoint?.load() ?? [];
  }

  /**
   * Reconnects a recovered task: watches it while it lives, then (or at once, if it ended
   * while no agent watched) reports how it ended, from the exit status the wrapper recorded.
   */
  adopt(rec: TaskCheckpoint, report: ReportFn): void {
    const id = rec.taskId;
    this.sandboxes.set(id, rec.sandbox);
    if (rec.container) return this.adoptContainer(rec, report);
    const r = this.track(id, report, rec.sandbox);
    r.pid = rec.pid;
    r.record = rec;
    if (rec.killing) r.killedBy = 'kill';
    const check = () => {
      if (this.running.get(id) !== r) return;
      if (rec.pid !== undefined && processAlive(rec.pid, rec.pidStart)) {
        r.timers.push(this.opts.clock.setTimeout(check, this.opts.adoptedPollMs ?? 500));
        return;
      }
      const code = recordedExit(rec.sandbox);
      if (code === undefined && !r.killedBy) {
        // Killed with its wrapper (SIGKILL of the group, or this agent's shutdown): no status.
        this.running.delete(id);
        r.timers.forEach((t) => t.cancel());
        if (rec.pid) signalGroup(rec.pid, 'SIGKILL');
        r.report({ state: 'TASK_FAILED', reason: 'REASON_EXECUTOR_TERMINATED', message: 'Command terminated while its agent was down; no exit status was recorded', source: 'SOURCE_AGENT' });
        return r.finish();
      }
      this.ended(id, r, code === undefined ? 'Command terminated with signal Killed' : describeExit(code, null), code ?? null);
    };
    // The master restores the task as RUNNING; only its end is news.
    this.armMaxCompletion(id, rec.task, r, this.opts.clock.now() - rec.startedAt);
    queueMicrotask(check);
  }

  /** `adopt()` of a Docker task: its container (kept by `recoverContainers()`) is followed to its end. */
  private adoptContainer(rec: TaskCheckpoint, report: ReportFn): void {
    const max = durationMs(rec.task.max_completion_time);
    const remainingMs = max === undefined ? undefined : max - (this.opts.clock.now() - rec.startedAt);
    this.containerRecords.set(rec.taskId, rec);
    const adopted = { name: rec.container!, taskId: rec.taskId, sandbox: rec.sandbox, report, killing: rec.killing, remainingMs };
    void this.containers.adopt(adopted).then(() => this.containerRecords.delete(rec.taskId));
  }

  private saveContainer(rec: TaskCheckpoint): void {
    this.containerRecords.set(rec.taskId, rec);
    this.opts.checkpoint!.save(rec);
  }

  /** The master has the task's terminal update acknowledged: its record can go. */
  forget(taskId: string): void {
    this.opts.checkpoint?.remove(taskId);
  }

  kill(taskId: string, gracePeriodMs = DEFAULT_GRACE_MS): void {
    if (this.containers.has(taskId)) {
      const rec = this.containerRecords.get(taskId);
      if (rec && !rec.killing) this.saveContainer({ ...rec, killing: true });
      return this.containers.kill(taskId, gracePeriodMs);
    }
    const r = this.running.get(taskId);
    if (!r || r.killedBy) return;
    if (r.pid) r.report({ state: 'TASK_KILLING', source: 'SOURCE_EXECUTOR' });
    this.terminate(taskId, 'kill', gracePeriodMs);
  }

  /** SIGTERM to the process group now, SIGKILL after `graceMs`. */
  private terminate(taskId: string, why: 'kill' | 'max_completion_time', graceMs: number): void {
    const r = this.running.get(taskId);
    if (!r) return;
    r.killedBy ??= why;
    if (r.record && !r.record.killing) {
      r.record.killing = true;
      if (r.record.pid) this.opts.checkpoint!.save(r.record);
    }
    if (!r.pid) return; // not started yet: launch() sees killedBy
    const pid = r.pid;
    signalGroup(pid, 'SIGTERM');
    r.timers.push(this.opts.clock.setTimeout(() => signalGroup(pid, 'SIGKILL'), Math.max(0, graceMs)));
  }

  sandbox(taskId: string): string | undefined {
    return this.sandboxes.get(taskId);
  }

  /**
   * Kills every task and waits for them. Their checkpoints are kept and not marked as
   * killed: no framework asked for it, so the next start reports each as failed (no exit
   * status) and the framework may retry it, rather than as a deliberate kill.
   */
  async stop(): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) {
      r.killedBy ??= 'kill';
      if (r.pid) signalGroup(r.pid, 'SIGKILL');
    }
    await Promise.all([...all.map((r) => r.done), this.containers.stopAll()]);
    // The task under the wrapper is its grandchild: once the wrapper is gone it is the init
    // process's to reap. Return only when nothing of any group runs any more.
    const groups = all.map((r) => r.pid).filter((p): p is number => p !== undefined);
    for (let i = 0; i < 100 && groups.some(groupRunning); i++) await this.opts.clock.sleep(20);
  }
}
