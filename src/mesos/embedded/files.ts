/**
 * The agent's `/files/read` endpoint for the embedded master's local agents, with the
 * semantics of apache/mesos src/files/files.cpp (FilesProcess::__read and _read):
 * - `path` is a sandbox file either by its real path or by the virtual path the agent
 *   attaches each executor's sandbox under, `/frameworks/<fw>/executors/<executor>/runs/
 *   latest` (apache/mesos src/slave/paths.cpp getExecutorVirtualPath). Command tasks run under the
 *   command executor, whose ExecutorID is the task's id.
 * - `offset` absent or -1 answers the file size (`{ data: "", offset: size }`); `length`
 *   absent or -1 reads to the end; one read returns at most 16 pages (64 KiB); reading at
 *   or past the end returns no data and the requested offset.
 * - 400 without `path`, for a bad number or a directory; 404 for anything else.
 * All local agents share the master's HTTP server, so offers name it as their agent URL.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Master } from './master.js';

/** The most one read returns: 16 pages of 4 KiB, as the agent does. */
export const MAX_READ_BYTES = 16 * 4096;

/** An HTTP answer: a status and either the JSON body or a message. */
export type FilesAnswer = { status: 200; body: { data: string; offset: number } } | { status: 400 | 404; message: string };

const VIRTUAL = /^\/frameworks\/([^/]+)\/executors\/([^/]+)\/runs\/latest(\/.*)?$/;

/** Every sandbox directory the master's agents have made. */
function sandboxes(master: Master): Set<string> {
  const out = new Set<string>();
  for (const t of master.cluster.tasks.values())
    for (const r of [...t.active.values(), ...t.unreachable.values(), ...t.completed]) {
      const dir = master.cluster.agents.get(r.agentId)?.agent.sandbox(r.info.task_id.value);
      if (dir) out.add(dir);
    }
  return out;
}

/** The real file a `path` names, if it lies in a sandbox of one of the master's agents. */
export function resolveSandboxPath(master: Master, path: string): string | undefined {
  const v = VIRTUAL.exec(path);
  if (v) {
    const [, frameworkId, executorId, rest] = v;
    const t = master.cluster.tasks.get(frameworkId);
    const rec = t && (t.active.get(executorId) ?? t.unreachable.get(executorId) ?? [...t.completed].reverse().find((r) => r.info.task_id.value === executorId));
    const dir = rec && master.cluster.agents.get(rec.agentId)?.agent.sandbox(executorId);
    if (!dir) return undefined;
    const file = resolve(join(dir, rest ?? '.'));
    return file === dir || file.startsWith(`${dir}/`) ? file : undefined;
  }
  const file = resolve(path);
  const all = sandboxes(master);
  return all.has(file) || all.has(dirname(file)) ? file : undefined;
}

/** Reads `length` bytes (-1: to the end) at `offset` (-1: just the size) of `file`. */
export function readFileChunk(file: string, offset: number, length: number): { data: string; offset: number } {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (offset < 0) return { data: '', offset: size };
    const n = Math.max(0, Math.min(length < 0 ? size : length, MAX_READ_BYTES, size - offset));
    const buf = Buffer.alloc(n);
    if (n > 0) readSync(fd, buf, 0, n, offset);
    return { data: buf.toString('utf8'), offset };
  } finally {
    closeSync(fd);
  }
}

function numberParam(query: URLSearchParams, name: string): number | string {
  const raw = query.get(name);
  if (raw === null) return -1;
  if (!/^-?\d+$/.test(raw)) return `Failed to parse ${name}: ${JSON.stringify(raw)}.\n`;
  const n = Number(raw);
  return n < -1 ? `Negative ${name} provided: ${n}.\n` : n;
}

/** `/files/read` with the agent's query parameters and answers (see the file comment). */
export function filesRead(master: Master, query: URLSearchParams): FilesAnswer {
  const path = query.get('path');
  if (!path) return { status: 400, message: "Expecting 'path=value' in query.\n" };
  const offset = numberParam(query, 'offset');
  if (typeof offset === 'string') return { status: 400, message: offset };
  const length = numberParam(query, 'length');
  if (typeof length === 'string') return { status: 400, message: length };
  const file = resolveSandboxPath(master, path);
  if (!file || !existsSync(file)) return { status: 404, message: '' };
  if (statSync(file).isDirectory()) return { status: 400, message: 'Cannot read a directory.\n' };
  return { status: 200, body: readFileChunk(file, offset, length) };
}
