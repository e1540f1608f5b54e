/**
 * `kairos run <job> [--arg A]... [--env K=V]... [--secret-env NAME]... [--wait] [--server URL]`: asks a running
 * controller for a manual run (`POST /v1/jobs/{name}/runs`, id `<job>@manual-<n>`) and, with
 * `--wait`, follows it (`GET /v1/runs/{id}`) until it ends. Exit status: 0 when the run was
 * accepted (without --wait) or succeeded (with it), 1 otherwise.
 */
import type { Command } from 'commander';
import { KairosError } from '../core/errors.js';
import type { Run, RunOverrides } from '../core/run.js';
import { isTerminalRun } from '../core/types.js';
import type { Clock } from '../ports/clock.js';
import { systemClock } from '../ports/clock.js';
import { addServerOptions, ApiClient, type ServerFlags } from './api-client.js';
import { pollUntil } from './poll.js';
import { instant } from './status.js';

export { FIRST_POLL_MS, WAIT_UNAVAILABLE_MS } from './poll.js';

/** Parses repeated `--env K=V` values into a map; a value without `=` is refused. */
export function parseEnvPairs(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new KairosError('E_INVALID', `--env: expected NAME=VALUE, got ${JSON.stringify(p)}`);
    env[p.slice(0, i)] = p.slice(i + 1);
  }
  return env;
}

/**
 * Polls a run until it reaches a terminal state, reporting each state change after `from`'s.
 * Polls start at FIRST_POLL_MS and double up to `pollMs` (a short run is seen to end within
 * a few tens of ms), and a restarting controller is ridden out: ./poll.ts.
 */
export async function waitForRun(api: ApiClient, from: Run, clock: Clock, onState: (run: Run) => void, pollMs = 1000): Promise<Run> {
  if (isTerminalRun(from.state)) return from;
  let last = from.state;
  const read = () => api.get<Run>(`/v1/runs/${encodeURIComponent(from.id)}`);
  const seen = (run: Run) => {
    if (run.state !== last) onState(run);
    last = run.state;
  };
  return pollUntil(read, (run) => isTerminalRun(run.state), seen, clock, pollMs);
}

/** One line per run state, e.g. `my-job@manual-3 running on agent-1`. */
export function describeRun(run: Run): string {
  const a = run.attempts.at(-1);
  const where = a?.hostname ? ` on ${a.hostname}` : '';
  const exit = a?.exitStatus !== undefined ? ` (exit ${a.exitStatus})` : '';
  const why = run.reason && isTerminalRun(run.state) && run.state !== 'succeeded' ? `: ${run.reason}` : '';
  return `${run.id} ${run.state}${where}${exit}${why} at ${instant(run.endedAt ?? a?.startedAt ?? run.createdAt)}`;
}

/**
 * `--secret-env NAME` values, read from this process's environment variable of the same
 * name, so a secret is never typed on a command line (shell history, `ps`).
 */
export function secretEnvFrom(names: string[], env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (!value) throw new KairosError('E_INVALID', `--secret-env ${name}: set the environment variable ${name} to the secret value (it is read from there, never from the command line)`);
    out[name] = value;
  }
  return out;
}

const collect = (v: string, acc: string[]) => [...acc, v];

/** Registers `kairos run`. */
export function register(program: Command): void {
  addServerOptions(
    program
      .command('run <job>')
      .description('start a manual run of a job on a running controller')
      .option('--arg <arg>', 'argument appended to the command (repeatable)', collect, [])
      .option('--env <NAME=VALUE>', 'environment variable for this run (repeatable)', collect, [])
      .option('--secret-env <NAME>', "secret environment variable for this run, its value taken from this shell's $NAME; never stored or shown (repeatable)", collect, [])
      .option('--wait', 'follow the run until it ends; exit 1 unless it succeeded'),
  ).action(async (job: string, flags: ServerFlags & { arg: string[]; env: string[]; secretEnv: string[]; wait?: boolean }) => {
    const api = new ApiClient(flags);
    const body: Omit<RunOverrides, 'secretEnv'> & { secretEnv?: Record<string, string> } = {};
    if (flags.arg.length) body.args = flags.arg;
    if (flags.env.length) body.env = parseEnvPairs(flags.env);
    if (flags.secretEnv.length) body.secretEnv = secretEnvFrom(flags.secretEnv, process.env);
    const run = await api.post<Run>(`/v1/jobs/${encodeURIComponent(job)}/runs`, body);
    process.stdout.write(`${describeRun(run)}\n`);
    if (!flags.wait) return;
    const end = await waitForRun(api, run, systemClock, (r) => process.stdout.write(`${describeRun(r)}\n`));
    if (end.state !== 'succeeded') process.exitCode = 1;
  });
}
