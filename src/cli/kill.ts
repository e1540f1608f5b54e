/**
 * `kairos kill <run>`: asks the controller to kill a running run (`POST /v1/runs/{id}/kill`;
 * SIGTERM, then SIGKILL after the job's killGracePeriodSeconds). Prints the run's state.
 * Exit 0 when the kill was accepted, 1 on error (unknown run, run already ended).
 */
import type { Command } from 'commander';
import type { Run } from '../core/run.js';
import { addServerOptions, ApiClient, type ServerFlags } from './api-client.js';
import { describeRun } from './run.js';

/** Registers `kairos kill`. */
export function register(program: Command): void {
  addServerOptions(program.command('kill <run>').description('kill a running run')).action(async (runId: string, flags: ServerFlags) => {
    const run = await new ApiClient(flags).post<Run>(`/v1/runs/${encodeURIComponent(runId)}/kill`);
    process.stdout.write(`${describeRun(run)}\n`);
  });
}
