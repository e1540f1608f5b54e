/**
 * Task sandboxes on Mesos agents, read over the agent's HTTP API. The agent serves each
 * executor's sandbox under the virtual path `/frameworks/<fw>/executors/<executor>/runs/
 * latest` (apache/mesos src/slave/paths.cpp getExecutorVirtualPath, attached in apache/mesos src/slave/slave.cpp),
 * readable with `/files/read?path=...&offset=...&length=...` (apache/mesos src/files/files.cpp; no
 * `offset` answers the size; one read returns at most 64 KiB). Command and Docker tasks
 * run under an executor whose ExecutorID is the task's id, unless a status names another.
 * The agent's address comes from `Offer.url` (mesos.proto Offer: "URL for reaching the
 * agent running on the host").
 *
 * A sandbox is named by one string, `http://<agent ip or host>:<port><virtual path>`, so
 * it can be stored on a run attempt like a local sandbox directory.
 */
import { getJson } from './client.js';
import type { MesosURL, Offer, TaskStatus } from './types.js';

/** Most bytes one `/files/read` returns (16 pages of 4 KiB). */
const MAX_READ = 16 * 4096;

/** `http://ip:port` of an agent from its Offer.url (the IP first: it needs no DNS). */
export function agentOrigin(url: MesosURL): string | undefined {
  const host = url.address.ip || url.address.hostname;
  if (!host || !url.address.port) return undefined;
  return `${url.scheme || 'http'}://${host.includes(':') ? `[${host}]` : host}:${url.address.port}`;
}

/** The agent addresses offers told of, and where each task with a status runs, for `locate`. */
export class AgentSandboxes {
  private readonly agents = new Map<string, string>();
  /** Per task: its agent and executor, and the sandbox last built from them (`locate`, once per task, not per update). */
  private readonly tasks = new Map<string, { agentId: string; executorId: string; built?: { origin: string; frameworkId: string; sandbox: string } }>();

  /** Learns agent addresses from offers. */
  offers(offers: readonly Offer[]): void {
    for (const o of offers) {
      const origin = o.url && agentOrigin(o.url);
      if (origin) this.agents.set(o.agent_id.value, origin);
    }
  }

  /** Learns a task's agent and executor from its status (kept until `forget`). */
  status(s: TaskStatus): void {
    if (!s.agent_id) return;
    const agentId = s.agent_id.value;
    const executorId = s.executor_id?.value ?? s.task_id.value;
    const t = this.tasks.get(s.task_id.value);
    // Every update of a task says the same: the entry (and the path built from it) is kept.
    if (t?.agentId !== agentId || t.executorId !== executorId) this.tasks.set(s.task_id.value, { agentId, executorId });
  }

  /** Drops what was learnt of a task that ended. */
  forget(taskId: string): void {
    this.tasks.delete(taskId);
  }

  /** The sandbox of `taskId`, or undefined when its agent or the agent's address is unknown. */
  locate(frameworkId: string, taskId: string): string | undefined {
    const t = this.tasks.get(taskId);
    const origin = t && this.agents.get(t.agentId);
    if (!t || !origin) return undefined;
    if (t.built?.origin === origin && t.built.frameworkId === frameworkId) return t.built.sandbox;
    const sandbox = `${origin}/frameworks/${encodeURIComponent(frameworkId)}/executors/${encodeURIComponent(t.executorId)}/runs/latest`;
    t.built = { origin, frameworkId, sandbox };
    return sandbox;
  }
}

/** Whether a sandbox string names an agent sandbox (rather than a local directory). */
export function isAgentSandbox(sandbox: string): boolean {
  return /^https?:\/\//.test(sandbox);
}

/**
 * Reads `length` bytes of `<sandbox>/<file>` from `offset` through the agent's
 * `/files/read`, clamped like a local read: `{ offset, data, size }`. A file the agent
 * does not have (yet) reads as empty.
 */
export async function readAgentFile(sandbox: string, file: string, offset: number, length: number, timeoutMs = 10_000): Promise<{ offset: number; data: string; size: number }> {
  const u = new URL(sandbox);
  const at = (q: Record<string, number>) => {
    const r = new URL('/files/read', u.origin);
    r.searchParams.set('path', `${decodeURIComponent(u.pathname)}/${file}`);
    for (const [k, v] of Object.entries(q)) r.searchParams.set(k, String(v));
    return r.href;
  };
  const opts = { maxRedirects: 0, timeoutMs };
  let size: number;
  try {
    size = chunkOf(await getJson(at({ offset: -1 }), opts)).offset;
  } catch (err) {
    if ((err as { status?: number }).status === 404) return { offset: 0, data: '', size: 0 };
    throw err;
  }
  const from = Math.min(Math.max(0, offset), size);
  const n = Math.min(Math.max(0, length), MAX_READ, size - from);
  if (n === 0) return { offset: from, data: '', size };
  const got = chunkOf(await getJson(at({ offset: from, length: n }), opts));
  return { offset: from, data: got.data, size: Math.max(size, from + Buffer.byteLength(got.data)) };
}

function chunkOf(v: unknown): { data: string; offset: number } {
  const o = v as { data?: unknown; offset?: unknown } | null;
  return { data: typeof o?.data === 'string' ? o.data : '', offset: typeof o?.offset === 'number' ? o.offset : 0 };
}
