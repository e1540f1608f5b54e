/**
 * The embedded agent's Docker containerizer: runs a Docker task as container
 * `mesos-<containerId>` through the docker CLI, as the Mesos Docker containerizer and
 * docker executor do (apache/mesos src/slave/containerizer/docker.cpp, apache/mesos src/docker/executor.cpp):
 * - the image is pulled first when `force_pull_image` is set or it is not present;
 * - `docker run` stays attached, its stdout/stderr going straight to the sandbox's
 *   `stdout`/`stderr` files, so they grow while the task runs;
 * - TASK_RUNNING once `docker inspect` shows the container started (even if it already exited);
 * - kill = `docker stop -t <grace period>`; the max completion time stops it with no grace;
 * - the end: exit 0 → TASK_FINISHED; killed by the OOM killer (State.OOMKilled) →
 *   TASK_FAILED with REASON_CONTAINER_LIMITATION_MEMORY; else TASK_FAILED
 *   "Container exited with status N"; then `docker rm -f -v`, so no container is left.
 * Containers carry labels naming the agent, the agent process and the task, so `recover()`
 * on agent start finds leftovers by the name prefix and removes all but those the restarted
 * agent checkpointed, which it then follows to their end (`adopt`).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, Timer } from '../../ports/clock.js';
import type { TaskInfo } from '../types.js';
import { durationMs, type ReportFn } from './agent.js';
import { CONTAINER_PREFIX, dockerRunArgv, imageOf } from './docker.js';

/** How often `docker inspect` asks whether a container started. */
const INSPECT_INTERVAL_MS = 50;

/** Labels the embedded agent puts on its containers. */
export const LABEL_AGENT = 'kairos.agent';
const LABEL_AGENT_PID = 'kairos.agent.pid';
const LABEL_TASK = 'kairos.task';

/** Options of the containerizer. */
export interface DockerContainerizerOptions {
  clock: Clock;
  agentId: string;
  /** The docker CLI; default `docker`. */
  dockerCommand?: string;
  /** The daemon (`unix:///path`); default DOCKER_HOST of this process, else the CLI's default. */
  dockerHost?: string;
}

/** One Docker task to run. */
export interface ContainerLaunch {
  task: TaskInfo;
  containerId: string;
  sandbox: string;
  /** Prepares the sandbox (fetch, secret files) and resolves the secret environment. */
  prepare(): Promise<Record<string, string>>;
  report: ReportFn;
  /** Called just before `docker run` creates the container (the agent checkpoints the task then). */
  creating?(name: string): void;
}

/** A running container of a previous incarnation of this agent, to be followed to its end. */
export interface AdoptedContainer {
  name: string;
  taskId: string;
  sandbox: string;
  report: ReportFn;
  /** A kill was asked for before the restart: its end is reported as killed. */
  killing?: boolean;
  /** What is left of the task's max completion time, if it has one. */
  remainingMs?: number;
}

interface Container {
  name: string;
  report: ReportFn;
  child?: ChildProcess;
  killedBy?: 'kill' | 'max_completion_time';
  started?: Promise<boolean>;
  timers: Timer[];
  done: Promise<void>;
}

/** See the file comment. */
export class DockerContainerizer {
  private readonly containers = new Map<string, Container>();
  private answered = false;

  constructor(private readonly opts: DockerContainerizerOptions) {}

  /** Whether `taskId` is a container this containerizer runs. */
  has(taskId: string): boolean {
    return this.containers.has(taskId);
  }

  /** Runs the task to its end; every state goes through `report`. Resolves when it ended. */
  launch(l: ContainerLaunch): Promise<void> {
    return this.track(l.task.task_id.value, `${CONTAINER_PREFIX}${l.containerId}`, l.report, (c) => this.run(l, c));
  }

  /**
   * Takes over a container a previous incarnation of this agent started (see `recover`):
   * the sandbox's stdout/stderr are rewritten from `docker logs --follow` (the daemon kept
   * all of it), and the container's end is reported as for a launch (one that ended while
   * no agent watched reports its real exit status). A container that is gone (removed, or
   * never created) has no exit status to report: TASK_FAILED, or TASK_KILLED if a kill was asked.
   */
  adopt(a: AdoptedContainer): Promise<void> {
    return this.track(a.taskId, a.name, a.report, async (c) => {
      c.started = Promise.resolve(true);
      if (a.killing) c.killedBy = 'kill';
      const exists = await this.docker(['inspect', '--type=container', '--format', '{{.Id}}', a.name]).then(() => true, () => false);
      if (!exists && c.killedBy) return { state: 'TASK_KILLED', message: 'Container gone while its agent was down', source: 'SOURCE_AGENT' };
      if (!exists)
        return { state: 'TASK_FAILED', reason: 'REASON_EXECUTOR_TERMINATED', message: 'Container gone while its agent was down; no exit status was recorded', source: 'SOURCE_AGENT' };
      if (a.remainingMs !== undefined) c.timers.push(this.opts.clock.setTimeout(() => this.stop(c, 'max_completion_time', 0), Math.max(0, a.remainingMs)));
      const out = openSync(join(a.sandbox, 'stdout'), 'w');
      const err = openSync(join(a.sandbox, 'stderr'), 'w');
      const logs = spawn(this.cli(), [...this.hostArgs(), 'logs', '--follow', a.name], { env: this.cliEnv(), stdio: ['ignore', out, err] });
      closeSync(out);
      closeSync(err);
      const copied = new Promise((r) => logs.once('close', r));
      const outcome = await this.outcome(c);
      await copied;
      return outcome;
    });
  }

  private track(id: string, name: string, report: ReportFn, body: (c: Container) => Promise<Parameters<ReportFn>[0]>): Promise<void> {
    let finish!: () => void;
    const c: Container = { name, report, timers: [], done: new Promise((r) => (finish = r)) };
    this.containers.set(id, c);
    const end = (r: Parameters<ReportFn>[0]) => {
      c.timers.forEach((t) => t.cancel());
      this.containers.delete(id);
      report(r);
      finish();
    };
    void body(c).then(end, (err: Error) =>
      end({ state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: `Failed to launch container: ${err.message}`, source: 'SOURCE_AGENT' }),
    );
    return c.done;
  }

  private async run(l: ContainerLaunch, c: Container): Promise<Parameters<ReportFn>[0]> {
    const why = await this.unavailable();
    if (why) throw new Error(`no Docker daemon answers on this agent (${why}); it cannot run container images`);
    const secretEnv = await l.prepare();
    const labels = { [LABEL_AGENT]: this.opts.agentId, [LABEL_AGENT_PID]: String(process.pid), [LABEL_TASK]: l.task.task_id.value };
    const { argv, env } = dockerRunArgv(l.task, { name: c.name, sandbox: l.sandbox, secretEnv, labels });
    await this.ensureImage(l.task);
    if (c.killedBy) return { state: 'TASK_KILLED', reason: 'REASON_TASK_KILLED_DURING_LAUNCH', message: 'Killed before launch', source: 'SOURCE_AGENT' };
    l.report({ state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR' });
    l.creating?.(c.name);
    const out = openSync(join(l.sandbox, 'stdout'), 'a');
    const err = openSync(join(l.sandbox, 'stderr'), 'a');
    const child = spawn(this.cli(), [...this.hostArgs(), ...argv], { env: { ...this.cliEnv(), ...env }, stdio: ['ignore', out, err] });
    closeSync(out);
    closeSync(err);
    c.child = child;
    const exited = new Promise<number | null>((resolve) => {
      child.once('error', () => resolve(null));
      child.once('exit', (code) => resolve(code));
    });
    c.started = this.waitStarted(c.name, exited);
    if (await c.started) {
      l.report({ state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' });
      const max = durationMs(l.task.max_completion_time);
      if (max !== undefined) c.timers.push(this.opts.clock.setTimeout(() => this.stop(c, 'max_completion_time', 0), max));
    }
    const code = await exited;
    return this.outcome(c, `'docker run' exited with ${code ?? 'an error'} before the container existed (see the sandbox's stderr)`);
  }

  /**
   * Waits for the container's end (`docker wait`: the CLI that ran it may be gone while it
   * still runs), removes it and says how it ended.
   */
  private async outcome(c: Container, neverExisted = 'the container is gone'): Promise<Parameters<ReportFn>[0]> {
    await this.docker(['wait', c.name], 0).catch(() => undefined);
    const state = await this.docker(['inspect', '--type=container', '--format', '{{.State.ExitCode}} {{.State.OOMKilled}}', c.name]).catch(() => undefined);
    await this.docker(['rm', '-f', '-v', c.name]).catch(() => undefined);
    if (state === undefined) throw new Error(neverExisted);
    const [exit, oom] = state.split(' ');
    const how = `Container exited with status ${exit}`;
    if (c.killedBy === 'max_completion_time')
      return { state: 'TASK_FAILED', reason: 'REASON_MAX_COMPLETION_TIME_REACHED', message: `Task exceeded its max completion time; ${how}`, source: 'SOURCE_EXECUTOR' };
    if (c.killedBy === 'kill') return { state: 'TASK_KILLED', message: how, source: 'SOURCE_EXECUTOR' };
    if (oom === 'true')
      return { state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LIMITATION_MEMORY', message: `Memory limit exceeded: the OOM killer ended the container; ${how}`, source: 'SOURCE_AGENT' };
    if (exit === '0') return { state: 'TASK_FINISHED', message: how, source: 'SOURCE_EXECUTOR' };
    return { state: 'TASK_FAILED', message: how, source: 'SOURCE_EXECUTOR' };
  }

  /** Undefined once a daemon answered `docker version`, else why not (asked again next time). */
  private async unavailable(): Promise<string | undefined> {
    if (this.answered) return undefined;
    const why = await this.docker(['version', '--format', '{{.Server.Version}}']).then(() => undefined, (err: Error) => err.message);
    this.answered = why === undefined;
    return why;
  }

  /** Pulls the image when asked to or when the daemon does not have it. */
  private async ensureImage(task: TaskInfo): Promise<void> {
    const image = imageOf(task);
    const have = await this.docker(['image', 'inspect', '--format', '{{.Id}}', image]).then(() => true, () => false);
    if (have && !task.container?.docker?.force_pull_image && task.container?.mesos?.image?.cached !== false) return;
    await this.docker(['pull', image]).catch((err: Error) => {
      throw new Error(`Failed to pull image '${image}': ${err.message}`);
    });
  }

  /**
   * Resolves true once the container has started (State.StartedAt set, as the docker
   * executor's inspect waits for), false if `docker run` ended without it ever starting.
   * A container that already exited still counts: its task did run.
   */
  private async waitStarted(name: string, exited: Promise<unknown>): Promise<boolean> {
    let over = false;
    void exited.then(() => (over = true));
    for (;;) {
      const last = over;
      const at = await this.docker(['inspect', '--type=container', '--format', '{{.State.StartedAt}}', name]).catch(() => '');
      if (at && !at.startsWith('0001-')) return true;
      if (last) return false;
      await this.opts.clock.sleep(INSPECT_INTERVAL_MS);
    }
  }

  /** Kills a task's container: `docker stop` with the grace period (whole seconds, rounded up). */
  kill(taskId: string, graceMs: number): void {
    const c = this.containers.get(taskId);
    if (!c || c.killedBy) return;
    if (c.child) c.report({ state: 'TASK_KILLING', source: 'SOURCE_EXECUTOR' });
    this.stop(c, 'kill', graceMs);
  }

  private stop(c: Container, why: 'kill' | 'max_completion_time', graceMs: number): void {
    c.killedBy ??= why;
    void c.started?.then((running) => {
      if (running) return this.docker(['stop', '-t', String(Math.max(0, Math.ceil(graceMs / 1000))), c.name]).catch(() => undefined);
    });
  }

  /** Stops every container now (no grace) and waits for each task's end. */
  async stopAll(): Promise<void> {
    const all = [...this.containers.values()];
    for (const c of all) this.stop(c, 'kill', 0);
    await Promise.all(all.map((c) => c.done));
  }

  /**
   * On agent start: finds the containers (named `mesos-…`, labelled by an embedded agent)
   * left by this agent or by an agent process that is gone. Those `keep` accepts (tasks the
   * restarted agent checkpointed; it `adopt`s each next) stay; every other one is removed,
   * so none is orphaned. Containers of other live agents (tests share one daemon) and of
   * real Mesos agents stay too. Returns the names removed.
   */
  async recover(keep: (c: { name: string; taskId: string }) => boolean = () => false): Promise<string[]> {
    const fields = [LABEL_AGENT, LABEL_AGENT_PID, LABEL_TASK].map((l) => `{{.Label "${l}"}}`).join('\t');
    const lines = await this.docker(['ps', '-a', '--filter', `name=^${CONTAINER_PREFIX}`, '--filter', `label=${LABEL_AGENT}`, '--format', `{{.Names}}\t${fields}`]);
    const removed: string[] = [];
    for (const [name, agent, pid, taskId] of lines.split('\n').filter(Boolean).map((l) => l.split('\t'))) {
      if (agent !== this.opts.agentId && alive(Number(pid))) continue;
      if (agent !== this.opts.agentId || !keep({ name, taskId })) removed.push(name);
    }
    if (removed.length) await this.docker(['rm', '-f', '-v', ...removed]);
    return removed;
  }

  private cli(): string {
    return this.opts.dockerCommand ?? 'docker';
  }

  private hostArgs(): string[] {
    const host = this.opts.dockerHost ?? process.env.DOCKER_HOST;
    return host ? ['-H', host] : [];
  }

  private cliEnv(): Record<string, string> {
    return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/' };
  }

  /** Runs the docker CLI (`timeoutMs` 0: no limit); resolves stdout, rejects with its first stderr line. */
  private docker(args: string[], timeoutMs = 60_000): Promise<string> {
    return new Promise((resolve, reject) =>
      execFile(this.cli(), [...this.hostArgs(), ...args], { env: this.cliEnv(), timeout: timeoutMs }, (err, stdout, stderr) =>
        err ? reject(new Error(stderr.trim().split('\n')[0] || err.message)) : resolve(stdout.trim()),
      ),
    );
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
