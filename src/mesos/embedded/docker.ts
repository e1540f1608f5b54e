/**
 * Translates a Docker TaskInfo into a `docker run` argv the way the Mesos Docker
 * containerizer does (apache/mesos src/docker/docker.cpp, Docker::RunOptions::create and Docker::run):
 * - resources as limits: `--cpu-shares` = max(cpus × 1024, 2), `--memory` = max(mem, 32 MiB)
 *   in bytes; Kairos also sets `--memory-swap` to the same value, so a task gets no swap
 *   beyond its memory (upstream leaves Docker's default of as much swap again);
 * - the sandbox bind-mounted at /mnt/mesos/sandbox, `MESOS_SANDBOX` and
 *   `MESOS_CONTAINER_NAME` set; volumes: a relative container path lies under the mapped
 *   sandbox, a relative host path inside the sandbox (both relative is an error);
 * - network HOST (the default), BRIDGE, NONE, or USER with the ContainerInfo's network name;
 *   port mappings only on BRIDGE/USER; a hostname not on HOST; parameters as `--key=value`;
 * - shell=true runs `/bin/sh -c value` as the entrypoint; otherwise `value` (if set) and
 *   `arguments` follow the image, so the image's ENTRYPOINT receives them.
 * Kairos additions, said in README: CommandInfo.user becomes `--user` (upstream only chowns
 * the sandbox), and secret variables are passed as `-e NAME` with the value in the docker
 * CLI's environment, so no value appears in a process list.
 */
import { isAbsolute, join } from 'node:path';
import type { TaskInfo } from '../types.js';

/** Where the sandbox appears inside a container (agent flag --sandbox_directory). */
export const MAPPED_SANDBOX = '/mnt/mesos/sandbox';

/** The container name prefix of the Mesos Docker containerizer. */
export const CONTAINER_PREFIX = 'mesos-';

const CPU_SHARES_PER_CPU = 1024;
const MIN_CPU_SHARES = 2;
const MIN_MEMORY_MIB = 32;

/** Variables the docker CLI itself reads: a secret by one of these names cannot be passed. */
const CLI_VARIABLES = new Set(['PATH', 'HOME', 'DOCKER_HOST', 'DOCKER_CONFIG', 'DOCKER_CONTEXT', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY']);

/** True for tasks that need a container image (Docker, or the Mesos containerizer with a Docker image). */
export function isDockerTask(task: TaskInfo): boolean {
  const c = task.container;
  return !!c && (c.type === 'DOCKER' || !!c.mesos?.image);
}

/** The image a container task runs. */
export function imageOf(task: TaskInfo): string {
  const c = task.container;
  return c?.docker?.image ?? c?.mesos?.image?.docker?.name ?? '';
}

/** What `docker run` needs besides the TaskInfo. */
export interface RunContext {
  /** `mesos-<containerId>`. */
  name: string;
  /** The sandbox directory on the agent. */
  sandbox: string;
  /** Resolved secret environment variables (name → value): passed by name only. */
  secretEnv: Record<string, string>;
  /** Docker labels, for recovery. */
  labels: Record<string, string>;
}

/** Scalar resource of a task (e.g. `cpus`, `mem`), if it has one. */
export function scalarOf(task: TaskInfo, name: string): number | undefined {
  const r = (task.resources ?? []).filter((x) => x.name === name && x.scalar);
  return r.length ? r.reduce((s, x) => s + (x.scalar?.value ?? 0), 0) : undefined;
}

/**
 * The `docker` CLI arguments (after the binary and -H) that run `task`, and the extra
 * environment of the CLI process (secret values). Throws with Mesos's wording for a
 * ContainerInfo the Docker containerizer refuses.
 */
export function dockerRunArgv(task: TaskInfo, ctx: RunContext): { argv: string[]; env: Record<string, string> } {
  const c = task.container;
  const d = c?.docker;
  const argv = ['run'];
  if (d?.privileged) argv.push('--privileged');
  const cpus = scalarOf(task, 'cpus');
  if (cpus !== undefined) argv.push('--cpu-shares', String(Math.max(Math.floor(cpus * CPU_SHARES_PER_CPU), MIN_CPU_SHARES)));
  const mem = scalarOf(task, 'mem');
  if (mem !== undefined) {
    const bytes = String(Math.max(Math.floor(mem), MIN_MEMORY_MIB) * 2 ** 20);
    argv.push('--memory', bytes, '--memory-swap', bytes);
  }
  for (const v of task.command?.environment?.variables ?? []) if (v.type !== 'SECRET') argv.push('-e', `${v.name}=${v.value ?? ''}`);
  argv.push('-e', `MESOS_SANDBOX=${MAPPED_SANDBOX}`, '-e', `MESOS_CONTAINER_NAME=${ctx.name}`);
  for (const name of Object.keys(ctx.secretEnv)) {
    if (CLI_VARIABLES.has(name)) throw new Error(`secret variable '${name}' would be read by the docker CLI itself; choose another name`);
    argv.push('-e', name);
  }
  for (const v of c?.volumes ?? []) {
    if (!v.host_path) continue; // SECRET volumes are files in the sandbox (see secrets-files.ts)
    const target = isAbsolute(v.container_path) ? v.container_path : join(MAPPED_SANDBOX, v.container_path);
    if (!isAbsolute(v.host_path) && !isAbsolute(v.container_path))
      throw new Error(`Both host_path '${v.host_path}' and container_path '${v.container_path}' of a volume are relative`);
    const source = isAbsolute(v.host_path) ? v.host_path : join(ctx.sandbox, v.host_path);
    argv.push('-v', `${source}:${target}:${v.mode === 'RO' ? 'ro' : 'rw'}`);
  }
  argv.push('-v', `${ctx.sandbox}:${MAPPED_SANDBOX}`);
  const network = networkOf(task);
  argv.push('--net', network);
  if (c?.hostname) {
    if (network === 'host') throw new Error('Unable to set hostname with host network mode');
    argv.push('--hostname', c.hostname);
  }
  if (d?.port_mappings?.length && (network === 'host' || network === 'none')) throw new Error('Port mappings are only supported for bridge and user-defined networks');
  for (const p of d?.port_mappings ?? []) argv.push('-p', `${p.host_port}:${p.container_port}${p.protocol ? `/${p.protocol.toLowerCase()}` : ''}`);
  if (task.command?.user) argv.push('--user', task.command.user);
  for (const [k, v] of Object.entries(ctx.labels)) argv.push('--label', `${k}=${v}`);
  const cmd = task.command ?? {};
  if (cmd.shell !== false) {
    if (!cmd.value) throw new Error('Shell specified but no command value provided');
    argv.push('--entrypoint', '/bin/sh');
  }
  argv.push('--name', ctx.name);
  for (const p of d?.parameters ?? []) argv.push(`--${p.key}=${p.value}`);
  argv.push(imageOf(task));
  if (cmd.shell !== false) argv.push('-c', cmd.value!);
  else argv.push(...(cmd.value ? [cmd.value] : []), ...(cmd.arguments ?? []));
  return { argv, env: { ...ctx.secretEnv } };
}

function networkOf(task: TaskInfo): string {
  const n = task.container?.docker?.network ?? 'HOST';
  if (n !== 'USER') return n.toLowerCase();
  const infos = task.container?.network_infos ?? [];
  if (infos.length === 0) throw new Error('No network info found in container info');
  if (infos.length > 1) throw new Error('Only a single network can be defined in Docker run');
  if (!infos[0].name) throw new Error('No network name found in network info');
  return infos[0].name;
}
