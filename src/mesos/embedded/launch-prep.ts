/**
 * What the embedded agent does to a sandbox before any task (command or Docker) starts,
 * in Mesos's order: fetch the URIs (fetcher.ts), then deliver secrets. Secrets come inside
 * the TaskInfo as Mesos `Secret`s of type VALUE (what the default secret resolver accepts):
 * - `Environment.Variable{type: SECRET}` → returned as name → value for the task's
 *   environment (never written anywhere);
 * - `Volume{source: {type: SECRET}}` with a relative `container_path` → a file at that path
 *   in the sandbox, mode 0400, owned by the task's user (the sandbox too, as Mesos chowns it); for a Docker task it appears under
 *   /mnt/mesos/sandbox (the Mesos containerizer mounts it from an in-memory fs instead).
 * A Secret of type REFERENCE cannot be resolved here (no secret store on this agent), which
 * fails the launch, as Mesos does without a secret resolver module.
 */
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import type { Secret, TaskInfo } from '../types.js';
import { isDockerTask } from './docker.js';
import { fetchUris, type FetcherOptions } from './fetcher.js';

/**
 * Fetches the task's URIs and writes its secret files; resolves its secret environment.
 * Rejects with why not (the agent reports TASK_FAILED, REASON_CONTAINER_LAUNCH_FAILED).
 */
export async function prepareSandbox(task: TaskInfo, sandbox: string, containerId: string, opts: FetcherOptions): Promise<Record<string, string>> {
  const user = task.command?.user;
  const owner = user ? userIds(user) : undefined;
  if (user && !owner && !isDockerTask(task)) throw new Error(`user '${user}' does not exist on this agent`);
  if (owner) await chown(sandbox, owner.uid, owner.gid);
  await fetchUris(task.command?.uris ?? [], sandbox, containerId, user, opts);
  const env: Record<string, string> = {};
  for (const v of task.command?.environment?.variables ?? []) if (v.type === 'SECRET') env[v.name] = secretValue(v.secret, `environment variable '${v.name}'`);
  for (const vol of task.container?.volumes ?? []) {
    if (vol.source?.type !== 'SECRET') continue;
    const rel = normalize(vol.container_path);
    if (isAbsolute(rel) || rel.startsWith('..')) throw new Error(`secret volume path '${vol.container_path}' must be relative to the sandbox`);
    const path = join(sandbox, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, Buffer.from(secretValue(vol.source.secret, `secret volume '${rel}'`), 'utf8'), { mode: 0o400 });
    if (owner) await chown(path, owner.uid, owner.gid);
  }
  return env;
}

function secretValue(s: Secret | undefined, what: string): string {
  if (s?.type === 'VALUE' && s.value) return Buffer.from(s.value.data, 'base64').toString('utf8');
  throw new Error(`${what}: only secrets of type VALUE can be resolved by this agent`);
}

/** The uid/gid of a user name (or numeric uid) from this host's /etc/passwd. */
export function userIds(user: string): { uid: number; gid: number } | undefined {
  if (/^\d+$/.test(user)) return { uid: Number(user), gid: Number(user) };
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === user && f.length >= 4) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}
