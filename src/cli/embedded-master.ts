/**
 * `kairos embedded-master --listen 127.0.0.1:5050 [--agents N] [--simulated N]`: runs the
 * embedded Mesos master on its own, so other tools (and other Mesos frameworks) can use it
 * like a real master at that address. Stops cleanly on SIGINT/SIGTERM, killing its tasks.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { KairosError } from '../core/errors.js';
import { parseAgentResources } from '../mesos/embedded/resource-spec.js';
import type { FrameworkCredential } from '../mesos/embedded/guard.js';
import type { EmbeddedMasterOptions } from '../mesos/embedded/index.js';
import { systemClock } from '../ports/clock.js';
import { streamLogger } from '../ports/logger.js';

/** Raw flags as commander gives them. */
export interface EmbeddedMasterFlags {
  listen: string;
  agents: string;
  simulated: string;
  simulatedResources?: string;
  agentResources?: string;
  taskDuration?: string;
  heartbeat?: string;
  sandbox?: string;
  stateDir?: string;
  offerTimeout?: string;
  credentials?: string;
  faultHooks?: boolean;
}

function count(flag: string, value: string, min = 0, max = 100_000): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new KairosError('E_INVALID', `--${flag}: ${JSON.stringify(value)} is not a whole number from ${min} to ${max}`);
  return n;
}

/** Validates the flags once into master options; throws KairosError E_INVALID naming the flag. */
export function parseFlags(flags: EmbeddedMasterFlags): EmbeddedMasterOptions {
  const m = /^(\[[0-9a-fA-F:]+\]|[^:]+):(\d{1,5})$/.exec(flags.listen);
  if (!m || Number(m[2]) > 65535) throw new KairosError('E_INVALID', `--listen: ${JSON.stringify(flags.listen)} is not host:port, e.g. 127.0.0.1:5050`);
  return {
    host: m[1].replace(/^\[|\]$/g, ''),
    port: Number(m[2]),
    localAgents: count('agents', flags.agents),
    simulatedAgents: count('simulated', flags.simulated),
    ...(flags.simulatedResources ? { simulatedResources: flags.simulatedResources } : {}),
    ...(flags.agentResources ? { localResources: parseAgentResources('--agent-resources', flags.agentResources) } : {}),
    ...(flags.taskDuration ? { simulatedTaskDurationMs: count('task-duration', flags.taskDuration, 0, 2 ** 31 - 1) } : {}),
    ...(flags.heartbeat ? { heartbeatIntervalMs: count('heartbeat', flags.heartbeat, 1) * 1000 } : {}),
    ...(flags.sandbox ? { sandboxRoot: flags.sandbox } : {}),
    ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
    ...(flags.offerTimeout ? { offerTimeoutMs: count('offer-timeout', flags.offerTimeout, 1, 86_400) * 1000 } : {}),
    ...(flags.credentials ? { credentials: readCredentials(flags.credentials) } : {}),
    ...(flags.faultHooks ? { faultHooks: true } : {}),
  };
}

/**
 * Reads a credentials file in Mesos's JSON format, `{"credentials": [{"principal": "...",
 * "secret": "..."}]}`. Errors name the file and the entry, never a secret.
 */
export function readCredentials(path: string): FrameworkCredential[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? 'not valid JSON';
    throw new KairosError('E_INVALID', `--credentials ${path}: cannot read (${why})`);
  }
  const list = (doc as { credentials?: unknown })?.credentials;
  if (!Array.isArray(list) || list.length === 0) throw new KairosError('E_INVALID', `--credentials ${path}: expected {"credentials": [{"principal": ..., "secret": ...}]}`);
  return list.map((c: { principal?: unknown; secret?: unknown }, i) => {
    if (typeof c?.principal !== 'string' || !c.principal || typeof c.secret !== 'string' || !c.secret) {
      throw new KairosError('E_INVALID', `--credentials ${path}: credentials[${i}] needs a non-empty principal and secret`);
    }
    return { principal: c.principal, secret: c.secret };
  });
}

/** Registers the command. */
export function register(program: Command): void {
  program
    .command('embedded-master')
    .description('Run the embedded Mesos master (v1 scheduler HTTP API) on its own')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:5050')
    .option('--agents <n>', 'local agents running command tasks as child processes', '1')
    .option('--simulated <n>', 'simulated agents (tasks only pretend to run)', '0')
    .option('--agent-resources <spec>', 'resources of each local agent, e.g. "cpus:2;mem:2048" (disk and ports keep their defaults unless given)')
    .option('--simulated-resources <spec>', 'resources of each simulated agent, e.g. "cpus:8;mem:32768;ports:[31000-32000]"')
    .option('--task-duration <ms>', 'how long simulated tasks run')
    .option('--heartbeat <seconds>', 'heartbeat interval (upstream: 15)')
    .option('--sandbox <dir>', 'directory for task sandboxes (default: a new temporary directory, removed on exit)')
    .option('--state-dir <dir>', 'local agents checkpoint here, so tasks outlive a crash and are adopted by the next start on it')
    .option('--offer-timeout <seconds>', 'rescind offers a framework leaves unanswered this long (Mesos --offer_timeout; default: never)')
    .option('--credentials <file>', 'frameworks must authenticate (HTTP Basic) with one of these, Mesos format {"credentials": [{"principal", "secret"}]}')
    .option('--fault-hooks', 'serve POST /__faults/<name> (failure injection for tests; never in production)')
    .action(async (flags: EmbeddedMasterFlags) => {
      const opts = parseFlags(flags);
      const logger = streamLogger((line) => process.stderr.write(line), { now: systemClock.now });
      const { startEmbeddedMaster } = await import('../mesos/embedded/index.js'); // only this command needs it
      let em;
      try {
        em = await startEmbeddedMaster({ ...opts, clock: systemClock, logger });
      } catch (err) {
        throw new KairosError('E_UNAVAILABLE', `cannot listen on ${flags.listen}: ${(err as Error).message}`, { cause: err });
      }
      process.stdout.write(`embedded Mesos master ${em.master.masterId} at ${em.url} (${em.agents.length} agents)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await em.stop();
      process.exit(0); // stopped: nothing else to wait for (a preloaded watchdog may hold timers)
    });
}
