/**
 * `startEmbeddedMaster(opts)`: an in-process Mesos master speaking the v1 scheduler HTTP
 * API on a real socket, with a local agent (child processes) and optional simulated
 * agents. Used by `--mesos embedded` (the default), by `kairos embedded-master`, and by
 * tests, which shrink its intervals. What it does not emulate: README "Embedded master".
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../ports/clock.js';
import { silentLogger, type Logger } from '../../ports/logger.js';
import type { Agent } from './agent.js';
import { AgentCheckpoint } from './checkpoint.js';
import { Faults } from './faults.js';
import { readFileChunk } from './files.js';
import type { FrameworkCredential } from './guard.js';
import { buildServer, type Leadership } from './http.js';
import { LocalAgent } from './local-agent.js';
import { Master } from './master.js';
import { ResourceBag } from './resources.js';
import { SimulatedAgent } from './simulated-agent.js';

/** Options of an embedded master; every field has a default. */
export interface EmbeddedMasterOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; default 0 (any free port). */
  port?: number;
  clock?: Clock;
  logger?: Logger;
  masterId?: string;
  /** Default 15 000 ms, as upstream (apache/mesos src/master/constants.hpp). */
  heartbeatIntervalMs?: number;
  /** Allocation batch interval and minimum filter duration; default 1 000 ms. */
  allocationIntervalMs?: number;
  /** First status update resend; default 10 000 ms, doubling up to `statusRetryMaxMs` (10 min). */
  statusRetryMs?: number;
  statusRetryMaxMs?: number;
  /** Local agents running real processes; default 1. */
  localAgents?: number;
  /** Resources of each local agent (agent --resources syntax); default from this machine. */
  localResources?: string;
  /** Simulated agents; default 0. */
  simulatedAgents?: number;
  /** Resources of each simulated agent; default `cpus:8;mem:32768;disk:102400;ports:[31000-32000]`. */
  simulatedResources?: string;
  /** How long simulated tasks run; default 1 000 ms. */
  simulatedTaskDurationMs?: number;
  simulatedOutcome?: 'finished' | 'failed';
  /** Where local sandboxes go; default `<stateDir>/sandboxes`, else a fresh temporary directory removed by `stop()`. */
  sandboxRoot?: string;
  /**
   * Where local agents checkpoint (`agent-<n>/`, src/mesos/embedded/checkpoint.ts): with
   * one, tasks outlive this process and are adopted by the next master started on the
   * same directory (`kairos serve` uses `.kairos/agent` beside a file store). Without, tasks
   * die with the master.
   */
  stateDir?: string;
  /** The docker CLI the local agent uses; default `docker`. */
  dockerCommand?: string;
  /** Mesos `--offer_timeout`: rescind offers unanswered this long (master.ts); default: never. */
  offerTimeoutMs?: number;
  /** Serve the `/__faults/*` hooks over HTTP (tests, `--fault-hooks`); default false. */
  faultHooks?: boolean;
  /** Largest request body (413 beyond, guard.ts); default 4 MiB. */
  maxBodyBytes?: number;
  /** Frameworks must authenticate with one of these (HTTP Basic); default: no authentication. */
  credentials?: FrameworkCredential[];
  /** The Docker daemon the local agent uses (`unix:///path`); default DOCKER_HOST, else the CLI's. */
  dockerHost?: string;
}

/** A running embedded master. */
export interface EmbeddedMaster {
  /** `http://host:port`, the value for `--mesos`. */
  url: string;
  master: Master;
  agents: Agent[];
  faults: Faults;
  /** Switches this master between leading, standby (307 to `leader`) and no leader (503). */
  setLeadership(l: Leadership): void;
  /** Reads a file (`stdout`, `stderr`) of a task's sandbox; undefined if there is none. */
  readTaskFile(taskId: string, file: string, offset?: number, length?: number): { data: string; offset: number } | undefined;
  /** Closes the socket, kills every task and waits for the children to exit. */
  stop(): Promise<void>;
}

/** See the file comment. */
export async function startEmbeddedMaster(opts: EmbeddedMasterOptions = {}): Promise<EmbeddedMaster> {
  const clock = opts.clock ?? systemClock;
  const masterId = opts.masterId ?? randomUUID();
  const master = new Master({
    clock,
    logger: opts.logger ?? silentLogger,
    masterId,
    heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 15_000,
    allocationIntervalMs: opts.allocationIntervalMs ?? 1000,
    statusRetry: { initialMs: opts.statusRetryMs ?? 10_000, maxMs: opts.statusRetryMaxMs ?? 600_000 },
    offerTimeoutMs: opts.offerTimeoutMs,
  });
  const agents: Agent[] = [];
  const ownSandboxes = !opts.sandboxRoot && !opts.stateDir;
  const sandboxRoot = opts.sandboxRoot ?? (opts.stateDir ? join(opts.stateDir, 'sandboxes') : mkdtempSync(join(tmpdir(), 'kairos-sandbox-')));
  if (!opts.sandboxRoot) {
    mkdirSync(sandboxRoot, { recursive: true });
    // Tasks with a `user` must reach their sandbox below it (search only, no listing).
    chmodSync(sandboxRoot, 0o711);
  }
  const localRes = opts.localResources ?? `cpus:${cpus().length};mem:${Math.floor(totalmem() / 2 ** 20 / 2)};disk:10240;ports:[31000-32000]`;
  for (let i = 0; i < (opts.localAgents ?? 1); i++) {
    // A checkpointing agent keeps its id across restarts, as a Mesos agent does (meta/slaves/latest).
    const checkpoint = opts.stateDir ? new AgentCheckpoint(join(opts.stateDir, `agent-${i}`)) : undefined;
    const fresh = `${masterId}-S${agents.length}`;
    const local = new LocalAgent({
      id: checkpoint ? checkpoint.agentId(fresh) : fresh,
      hostname: hostname(),
      resources: ResourceBag.parse(localRes),
      clock,
      sandboxRoot,
      dockerCommand: opts.dockerCommand,
      dockerHost: opts.dockerHost,
      fetcherCacheDir: join(sandboxRoot, 'fetcher-cache'),
      checkpoint,
    });
    // Never an orphan container: what a previous (or dead) agent left goes before any launch.
    await local.recoverContainers().catch(() => undefined);
    agents.push(local);
  }
  const simRes = opts.simulatedResources ?? 'cpus:8;mem:32768;disk:102400;ports:[31000-32000]';
  for (let i = 0; i < (opts.simulatedAgents ?? 0); i++)
    agents.push(
      new SimulatedAgent({
        id: `${masterId}-S${agents.length}`,
        hostname: `sim-${i}.embedded`,
        resources: ResourceBag.parse(simRes),
        attributes: [{ name: 'rack', type: 'TEXT', text: { value: `r${i % 4}` } }],
        clock,
        taskDurationMs: opts.simulatedTaskDurationMs,
        outcome: opts.simulatedOutcome,
      }),
    );
  for (const a of agents) master.addAgent(a);
  const faults = new Faults(master);
  let leadership: Leadership = { kind: 'leader' };
  const server = buildServer(master, () => leadership, { faults: opts.faultHooks ? faults : undefined, maxBodyBytes: opts.maxBodyBytes, credentials: opts.credentials });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  master.address = { hostname: opts.host ?? '127.0.0.1', ip: addr.address, port: addr.port };
  return {
    url: `http://${addr.address}:${addr.port}`,
    master,
    agents,
    faults,
    setLeadership: (l) => void (leadership = l),
    readTaskFile(taskId, file, offset = 0, length = -1) {
      for (const a of agents) {
        const dir = a.sandbox(taskId);
        if (dir) return existsSync(join(dir, file)) ? readFileChunk(join(dir, file), offset, length) : undefined;
      }
      return undefined;
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await master.stop();
      server.closeAllConnections();
      await closed;
      if (ownSandboxes) rmSync(sandboxRoot, { recursive: true, force: true });
    },
  };
}
