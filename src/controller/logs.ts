/**
 * Reading a task's stdout/stderr from its sandbox, with the offset/length paging of the
 * Mesos agent's `/files/read` endpoint (docs/endpoints/files/read.md). The embedded master's
 * agents keep sandboxes on this machine, so the file is read directly; a sandbox on a Mesos
 * agent (an `http://` sandbox, src/mesos/sandbox.ts) is read through the agent's HTTP API.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { KairosError } from '../core/errors.js';
import { isAgentSandbox, readAgentFile } from '../mesos/sandbox.js';
import type { LogStream } from '../ports/controller.js';

/** Default and maximum bytes per read, like the agent's page size. */
export const LOG_PAGE_BYTES = 64 * 1024;

/** Reads `length` bytes of `<sandbox>/<stream>` from `offset` (clamped to the file). */
export async function readSandboxFile(
  sandbox: string,
  stream: LogStream,
  offset: number,
  length = LOG_PAGE_BYTES,
): Promise<{ offset: number; data: string; size: number }> {
  if (isAgentSandbox(sandbox)) return readAgentFile(sandbox, stream, offset, Math.min(length, LOG_PAGE_BYTES));
  let file;
  try {
    file = await open(join(sandbox, stream), 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { offset: 0, data: '', size: 0 };
    throw new KairosError('E_UNAVAILABLE', `cannot read ${stream} in sandbox ${sandbox}: ${code ?? 'error'}`, { cause: err });
  }
  try {
    const size = (await file.stat()).size;
    const from = Math.min(Math.max(0, offset), size);
    const n = Math.min(Math.max(0, Math.min(length, LOG_PAGE_BYTES)), size - from);
    const buf = Buffer.alloc(n);
    if (n > 0) await file.read(buf, 0, n, from);
    return { offset: from, data: buf.toString('utf8'), size };
  } finally {
    await file.close();
  }
}
