/**
 * `kairos jobs [--owner O] [--label k=v] [--status S] [--output text|json]`: the applied
 * jobs of a running controller (`GET /v1/jobs`, same filters), as the table `kairos status`
 * prints or as JSON for scripts. Exit 0, or 1 on error.
 */
import { type Command, Option } from 'commander';
import type { JobSummary } from '../ports/controller.js';
import { addServerOptions, ApiClient, type ServerFlags } from './api-client.js';
import { renderJobs } from './status.js';

interface JobsFlags extends ServerFlags {
  owner?: string;
  label?: string;
  status?: string;
  output: 'text' | 'json';
}

/** The query string for the API's filters. */
export function jobsQuery(flags: { owner?: string; label?: string; status?: string }): string {
  const q = new URLSearchParams();
  for (const k of ['owner', 'label', 'status'] as const) if (flags[k] !== undefined) q.set(k, flags[k]!);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Registers `kairos jobs`. */
export function register(program: Command): void {
  addServerOptions(
    program
      .command('jobs')
      .description('list the jobs a running controller has applied')
      .option('--owner <owner>', 'only jobs of this owner')
      .option('--label <key[=value]>', 'only jobs with this label')
      .option('--status <status>', 'only jobs in this status (suspended, paused, running, pending, idle)')
      .addOption(new Option('--output <format>', 'table or JSON').choices(['text', 'json']).default('text')),
  ).action(async (flags: JobsFlags) => {
    const jobs = await new ApiClient(flags).get<JobSummary[]>(`/v1/jobs${jobsQuery(flags)}`);
    process.stdout.write(flags.output === 'json' ? JSON.stringify(jobs, null, 2) + '\n' : renderJobs(jobs));
  });
}
