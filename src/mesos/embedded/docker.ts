/**
 * Translates a Docker TaskInfo into a `docker run` argv, following how the Mesos Docker
 * containerizer maps ContainerInfo.DockerInfo and CommandInfo (src/docker/docker.cpp,
 * Docker::run): shell=true runs `/bin/sh -c value` as the entrypoint; shell=false uses
 * `value` (if set) as the entrypoint and `arguments` as its arguments; no value and no
 * arguments runs the image's default command.
 */
import type { TaskInfo } from '../types.js';

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

/** The `docker` CLI arguments (after the binary) that run `task` as container `name`. */
export function dockerArgv(task: TaskInfo, name: string): string[] {
  const c = task.container;
  const d = c?.docker;
  const argv = ['run', '--rm', '--name', name];
  for (const v of task.command?.environment?.variables ?? []) if (v.type !== 'SECRET') argv.push('-e', `${v.name}=${v.value ?? ''}`);
  if (d?.network) argv.push('--net', d.network === 'USER' ? 'bridge' : d.network.toLowerCase());
  for (const p of d?.port_mappings ?? []) argv.push('-p', `${p.host_port}:${p.container_port}${p.protocol ? `/${p.protocol}` : ''}`);
  if (d?.privileged) argv.push('--privileged');
  if (d?.force_pull_image) argv.push('--pull', 'always');
  for (const p of d?.parameters ?? []) argv.push(`--${p.key}=${p.value}`);
  for (const v of c?.volumes ?? []) if (v.host_path) argv.push('-v', `${v.host_path}:${v.container_path}:${v.mode === 'RO' ? 'ro' : 'rw'}`);
  const cmd = task.command ?? {};
  if (cmd.shell !== false && cmd.value) return [...argv, '--entrypoint', '/bin/sh', imageOf(task), '-c', cmd.value];
  if (cmd.shell === false && cmd.value) argv.push('--entrypoint', cmd.value);
  return [...argv, imageOf(task), ...(cmd.arguments ?? [])];
}
