/**
 * Real Apache Mesos 1.12 for tests (installed in /opt/mesos by ../shared/mesos/install.sh):
 * masters and agents on free ports of 127.0.0.1, each with its own work and runtime dirs
 * under one temp dir, so test files never share state. A master is standalone with an
 * in-memory registry, or with `zk` elected through ZooKeeper (`--quorum=1`, replicated log);
 * `registry: 'replicated_log'` keeps a standalone master's state across a restart.
 * Every daemon runs under a shell watchdog that kills it (and, for an agent, every process
 * its executors left) once the test process is gone, so a dying test worker leaks nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/ports/clock.js';
import { freePort } from './zookeeper.js';

/** Where install.sh puts the runtime (its binaries expect this path). */
export const MESOS_HOME = '/opt/mesos';
const ENV = { ...process.env, LD_LIBRARY_PATH: `${MESOS_HOME}/lib`, GLOG_minloglevel: '1' };

/**
 * Arguments: the test process's pid, a directory whose processes are swept when the
 * daemon is killed for good, then the daemon's argv. TERM stops it gracefully, USR1 kills
 * it with SIGKILL (a crash), USR2 sends it SIGUSR1 (an agent then kills its executors and
 * unregisters), HUP freezes it (SIGSTOP) and ALRM thaws it (SIGCONT). A sweep kills every process whose environment names the directory: the
 * executors and tasks an agent started, which live in sessions of their own.
 */
const WATCHDOG = `parent=$1; dir=$2; shift 2
sweep() { for p in /proc/[0-9]*; do grep -qsaF "$dir" $p/environ && kill -KILL \${p#/proc/} 2>/dev/null; done; }
"$@" & j=$!
trap 'kill -TERM $j; wait $j; exit 0' TERM
trap 'kill -KILL $j; wait $j; exit 0' USR1
trap 'kill -USR1 $j; wait $j; sweep; exit 0' USR2
trap 'kill -STOP $j' HUP
trap 'kill -CONT $j' ALRM
while kill -0 $j 2>/dev/null; do
  kill -0 $parent 2>/dev/null || { kill -KILL $j; sweep; exit 0; }
  sleep 1 & wait $!
done`;

/**
 * Timeouts for files that run real Mesos (`vi.setConfig(MESOS_TEST_TIMEOUTS)`): daemons,
 * executors and failovers on a loaded 2-core machine take many times their idle seconds.
 */
export const MESOS_TEST_TIMEOUTS = { testTimeout: 90_000, hookTimeout: 180_000 };

/**
 * Reconciliation rounds for a framework that outlives a real master or agent restart: a
 * re-registering agent answers nothing until it is back, which on a loaded machine takes
 * longer than the harness's few fast rounds (about 35 s here; production: 8 rounds, ~4 min).
 */
export const PATIENT_RECONCILE = { reconcileBackoff: { initialMs: 200, maxMs: 2_000, maxRounds: 20 } };

/** Whether the runtime is installed (CI installs it in .ci/run). */
export const mesosInstalled = existsSync(`${MESOS_HOME}/sbin/mesos-master`);

/** One master or agent process, restartable on the same port and work dir. */
export interface MesosDaemon {
  name: string;
  port: number;
  /** `http://127.0.0.1:port`. */
  url: string;
  workDir: string;
  /** Whether the process is running. */
  running(): boolean;
  /** Stops it: SIGTERM, SIGKILL with `hard`, or for an agent `shutdown` (kills its tasks). */
  stop(opts?: { hard?: boolean; shutdown?: boolean }): Promise<void>;
  /** Freezes the process (SIGSTOP): it holds its sockets but answers nothing, as if cut off. */
  freeze(): void;
  /** Thaws it after freeze() (SIGCONT). */
  thaw(): void;
  /** Starts it again after stop(), with the same flags, port and dirs; resolves when up. */
  start(): Promise<void>;
  /** The last lines it wrote (for failure messages). */
  output(): string;
}

/** What a cluster is built from. */
export interface MesosClusterOptions {
  /** Masters elected through this ZooKeeper (`zk://127.0.0.1:port/path`). */
  zk?: string;
  masters?: number;
  agents?: number;
  /** Standalone masters only: `in_memory` (default) or `replicated_log` (survives restarts). */
  registry?: 'in_memory' | 'replicated_log';
  /** The masters' `--allocation_interval`; default 100ms (upstream: 1secs, what a bench uses). */
  allocationInterval?: string;
  agentResources?: string;
  /** `mesos` (default) or `docker,mesos` (then `dockerSocket` names a running dockerd). */
  containerizers?: string;
  dockerSocket?: string;
  masterFlags?: string[];
  agentFlags?: string[];
}

/** Masters and agents of one test file, all under `dir`. */
export interface MesosCluster {
  dir: string;
  masters: MesosDaemon[];
  agents: MesosDaemon[];
  /** The first master's URL (standalone: the master). */
  url: string;
  /** `--master` value for agents and `mesos-execute`: the ZooKeeper URL or host:port. */
  masterSpec: string;
  /** The URL of the elected master, waiting for one. */
  leader(withinMs?: number): Promise<string>;
  /** Resolves once the leader lists `n` activated agents. */
  agentsRegistered(n?: number, withinMs?: number): Promise<void>;
  /** Runs one task through the C++ scheduler library; resolves with its exit code and output. */
  mesosExecute(args: string[]): Promise<{ code: number | null; output: string; ms: number }>;
  stop(): Promise<void>;
}

/** Starts masters and agents; resolves when a leader lists every agent as activated. */
export async function startMesos(opts: MesosClusterOptions = {}): Promise<MesosCluster> {
  if (!mesosInstalled) throw new Error(`Apache Mesos is not installed in ${MESOS_HOME}: run bash ../shared/mesos/install.sh`);
  const dir = await mkdtemp(join(tmpdir(), 'kairos-mesos-'));
  const masters: MesosDaemon[] = [];
  const agents: MesosDaemon[] = [];
  const cluster: MesosCluster = {
    dir,
    masters,
    agents,
    url: '',
    masterSpec: '',
    leader: (withinMs = 30_000) => waitFor('an elected master', withinMs, () => leaderOf(masters)),
    async agentsRegistered(n = agents.length, withinMs = 60_000) {
      await waitFor(`${n} activated agents`, withinMs, async () => {
        const leader = await leaderOf(masters);
        if (!leader) return undefined;
        const state = await getJson<{ activated_slaves?: number }>(`${leader}/master/state`);
        return state && state.activated_slaves === n ? true : undefined;
      });
    },
    mesosExecute: (args) => mesosExecute(cluster.masterSpec, args),
    async stop() {
      await Promise.all(agents.map((a) => a.stop({ shutdown: true })));
      await Promise.all(masters.map((m) => m.stop({ hard: true })));
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    for (let i = 0; i < (opts.masters ?? 1); i++) {
      const port = await freePort();
      const work = join(dir, `master${i}`);
      const registry = opts.zk ? ['--registry=replicated_log', `--zk=${opts.zk}`, '--quorum=1'] : [`--registry=${opts.registry ?? 'in_memory'}`];
      const flags = ['--ip=127.0.0.1', '--hostname=127.0.0.1', `--port=${port}`, `--work_dir=${work}`, ...registry, `--allocation_interval=${opts.allocationInterval ?? '100ms'}`, ...(opts.masterFlags ?? [])];
      const m = daemon(`master${i}`, `${MESOS_HOME}/sbin/mesos-master`, flags, port, work, work, (url) => up(`${url}/master/health`));
      masters.push(m);
    }
    cluster.url = masters[0].url;
    cluster.masterSpec = opts.zk ?? `127.0.0.1:${masters[0].port}`;
    // One after the other, the first elected before the next starts: two fresh replicated
    // logs recovering at once under load can stall the first election.
    for (const m of masters) {
      await m.start();
      if (opts.zk) await cluster.leader(60_000);
    }
    for (let i = 0; i < (opts.agents ?? 1); i++) {
      const port = await freePort();
      const work = join(dir, `agent${i}`);
      const flags = [
        `--master=${cluster.masterSpec}`,
        '--ip=127.0.0.1',
        '--hostname=127.0.0.1',
        `--port=${port}`,
        `--work_dir=${work}`,
        `--runtime_dir=${join(dir, `agent${i}-run`)}`,
        `--containerizers=${opts.containerizers ?? 'mesos'}`,
        ...(opts.dockerSocket ? ['--docker=/usr/bin/docker', `--docker_socket=${opts.dockerSocket}`] : []),
        '--launcher=posix',
        '--isolation=posix/cpu,posix/mem',
        '--no-systemd_enable_support',
        '--no-switch_user',
        `--launcher_dir=${MESOS_HOME}/libexec/mesos`,
        `--fetcher_cache_dir=${join(dir, `agent${i}-fetch`)}`,
        '--executor_registration_timeout=30secs',
        `--resources=${opts.agentResources ?? 'cpus:2;mem:4096;disk:10000;ports:[31000-32000]'}`,
        ...(opts.agentFlags ?? []),
      ];
      agents.push(daemon(`agent${i}`, `${MESOS_HOME}/sbin/mesos-agent`, flags, port, work, dir, (url) => up(`${url}/state`)));
    }
    await Promise.all(agents.map((a) => a.start()));
    await cluster.agentsRegistered();
    return cluster;
  } catch (e) {
    const logs = [...masters, ...agents].map((d) => `--- ${d.name}\n${d.output()}`).join('\n');
    await cluster.stop();
    throw new Error(`${(e as Error).message}\n${logs}`);
  }
}

function daemon(name: string, bin: string, flags: string[], port: number, workDir: string, sweepDir: string, ready: (url: string) => Promise<boolean>): MesosDaemon {
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  const d: MesosDaemon = {
    name,
    port,
    url,
    workDir,
    running: () => !!child && child.exitCode === null && child.signalCode === null,
    async start() {
      if (d.running()) return;
      const p = spawn('sh', ['-c', WATCHDOG, name, String(process.pid), sweepDir, bin, ...flags], { stdio: ['ignore', 'pipe', 'pipe'], env: ENV });
      child = p;
      p.stdout!.on('data', keep);
      p.stderr!.on('data', keep);
      await waitFor(`${name} on ${url}`, 60_000, async () => {
        if (p.exitCode !== null) throw new Error(`${name} exited (${p.exitCode}) during start:\n${out.slice(-3000)}`);
        return (await ready(url)) ? true : undefined;
      });
    },
    async stop({ hard = false, shutdown = false } = {}) {
      const p = child;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const gone = new Promise((r) => p.once('exit', r));
      p.kill(shutdown ? 'SIGUSR2' : hard ? 'SIGUSR1' : 'SIGTERM');
      await gone;
      child = undefined;
    },
    freeze: () => void child?.kill('SIGHUP'),
    thaw: () => void child?.kill('SIGALRM'),
    output: () => out,
  };
  return d;
}

async function up(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

async function getJson<T>(url: string): Promise<T | undefined> {
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(3_000) });
    if (!res.ok) return void (await res.arrayBuffer());
    return (await res.json()) as T;
  } catch {
    return undefined;
  }
}

/** The URL of the master that says it leads (`/master/state` `leader` = its own pid). */
async function leaderOf(masters: MesosDaemon[]): Promise<string | undefined> {
  for (const m of masters) {
    if (!m.running()) continue;
    const s = await getJson<{ pid?: string; leader?: string }>(`${m.url}/master/state`);
    if (s?.pid && s.pid === s.leader) return m.url;
  }
  return undefined;
}

async function waitFor<T>(what: string, withinMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const until = systemClock.now() + withinMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (systemClock.now() > until) throw new Error(`timed out after ${withinMs} ms waiting for ${what}`);
    await systemClock.sleep(100);
  }
}

/** Runs `mesos-execute --master=<spec> ...args` to its end. */
export function mesosExecute(masterSpec: string, args: string[]): Promise<{ code: number | null; output: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(`${MESOS_HOME}/bin/mesos-execute`, [`--master=${masterSpec}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: ENV });
    let output = '';
    p.stdout!.on('data', (d: Buffer) => (output += d));
    p.stderr!.on('data', (d: Buffer) => (output += d));
    p.once('error', reject);
    p.once('exit', (code) => resolve({ code, output, ms: performance.now() - t0 }));
  });
}
