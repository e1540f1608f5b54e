/**
 * `kairos explain <job> [--server URL] [--output text|json]`: why a job is or is not
 * running right now, asked of a running controller (GET /v1/jobs/{name}/explain; the
 * reasoning itself is src/api/explain.ts, shared with the UI).
 */
import type { Command } from 'commander';
import type { Explanation } from '../api/explain.js';
import { addServerOptions, ApiClient, type ServerFlags } from './api-client.js';

/** Plain text: one headline, then each reason with its stable code. */
export function renderExplanation(e: Explanation): string {
  const head = `${e.job}: ${e.running ? 'running' : 'not running'}`;
  if (e.reasons.length === 0) return `${head}\n  nothing prevents this job from running\n`;
  const width = Math.max(...e.reasons.map((r) => r.code.length));
  return [head, ...e.reasons.map((r) => `  ${r.code.padEnd(width)}  ${r.message}`)].join('\n') + '\n';
}

/** Registers `kairos explain`. */
export function register(program: Command): void {
  addServerOptions(
    program
      .command('explain <job>')
      .description('explain why a job is or is not running right now')
      .option('--output <format>', 'text or json', 'text'),
  ).action(async (job: string, flags: ServerFlags & { output: string }) => {
    const e = await new ApiClient(flags).get<Explanation>(`/v1/jobs/${encodeURIComponent(job)}/explain`);
    process.stdout.write(flags.output === 'json' ? JSON.stringify(e, null, 2) + '\n' : renderExplanation(e));
  });
}
