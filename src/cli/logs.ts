/**
 * `kairos logs <run> [--stream stdout|stderr] [--attempt N] [--follow]`: prints a run's
 * sandbox file through the API (`GET /v1/runs/{id}/logs`, paged by byte offset like the
 * Mesos agent's /files/read). With `--follow` it keeps polling until the run has ended and
 * everything it wrote has been printed. Exit 0 when printed, 1 on error.
 */
import type { Command } from 'commander';
import { KairosError } from '../core/errors.js';
import type { Run } from '../core/run.js';
import { isTerminalRun } from '../core/types.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { LogChunk, LogStream } from '../ports/controller.js';
import { addServerOptions, ApiClient, type ServerFlags } from './api-client.js';

/** Bytes asked for per request (the API's page size for sandbox files). */
export const LOG_REQUEST_BYTES = 64 * 1024;

/** What to print and how. */
export interface LogsRequest {
  runId: string;
  stream: LogStream;
  attempt?: number;
  follow: boolean;
  /** Poll interval while following. */
  pollMs?: number;
}

/**
 * Copies the log to `write`, page by page from offset 0; when following, waits for the
 * run to launch and for more output until the run is over (one last read after the run
 * ended catches its final bytes).
 */
export async function printLogs(api: ApiClient, req: LogsRequest, write: (s: string) => void, clock: Clock = systemClock): Promise<void> {
  const id = encodeURIComponent(req.runId);
  const attempt = req.attempt === undefined ? '' : `&attempt=${req.attempt}`;
  let offset = 0;
  let ended = false;
  for (;;) {
    const path = `/v1/runs/${id}/logs?stream=${req.stream}&offset=${offset}&length=${LOG_REQUEST_BYTES}${attempt}`;
    const chunk = await api.get<LogChunk>(path).catch(async (err: unknown) => {
      // Not launched yet: following waits for the launch (an unknown run still fails).
      if (!req.follow || !(err instanceof KairosError) || err.code !== 'E_NOT_FOUND') throw err;
      if (isTerminalRun((await api.get<Run>(`/v1/runs/${id}`)).state)) throw err;
      await clock.sleep(req.pollMs ?? 1000);
      return undefined;
    });
    if (!chunk) continue;
    write(chunk.data);
    // Advance by the bytes the server read (not the decoded text, whose length differs for non-ASCII).
    offset = chunk.offset + Math.min(LOG_REQUEST_BYTES, Math.max(0, chunk.size - chunk.offset));
    if (offset < chunk.size) continue;
    if (!req.follow || ended) return;
    const run = await api.get<Run>(`/v1/runs/${id}`);
    ended = isTerminalRun(run.state);
    if (!ended) await clock.sleep(req.pollMs ?? 1000);
  }
}

/** Registers `kairos logs`. */
export function register(program: Command): void {
  addServerOptions(
    program
      .command('logs <run>')
      .description("print a run's stdout (or stderr) from its sandbox")
      .option('--stream <stream>', 'stdout or stderr', 'stdout')
      .option('--attempt <n>', 'attempt number (default: the latest)')
      .option('--follow', 'keep printing until the run ends'),
  ).action(async (runId: string, flags: ServerFlags & { stream: string; attempt?: string; follow?: boolean }) => {
    const api = new ApiClient(flags);
    const attempt = flags.attempt === undefined ? undefined : Number(flags.attempt);
    await printLogs(api, { runId, stream: flags.stream as LogStream, attempt, follow: flags.follow === true }, (s) => process.stdout.write(s));
  });
}
