/**
 * `kairos pause <job>` and `kairos resume <job>`: stop and restart new runs of a job
 * through the API (`POST /v1/jobs/{name}/pause|resume`). A pause is recorded as drift
 * against git, so `kairos status` shows it until resumed. Exit 0 done, 1 on error.
 */
import type { Command } from 'commander';
import type { JobSummary } from '../ports/controller.js';
import { addServerOptions, ApiClient, type ServerFlags } from './api-client.js';

/** Registers `kairos pause` and `kairos resume`. */
export function register(program: Command): void {
  for (const verb of ['pause', 'resume'] as const) {
    addServerOptions(program.command(`${verb} <job>`).description(verb === 'pause' ? 'stop new runs of a job until resumed' : 'undo kairos pause')).action(
      async (job: string, flags: ServerFlags) => {
        const j = await new ApiClient(flags).post<JobSummary>(`/v1/jobs/${encodeURIComponent(job)}/${verb}`);
        process.stdout.write(`${j.name} ${verb === 'pause' ? 'paused' : 'resumed'} (status ${j.status})\n`);
      },
    );
  }
}
