/**
 * A real ZooKeeper server for tests (Debian's `zookeeper` package, standalone mode): its
 * own temp data dir, a free port on 127.0.0.1, admin server off, four-letter words on.
 * `stop()`/`start()` keep the data and the port, so tests can restart it under load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/ports/clock.js';

/** The package's jar; its manifest's Class-Path names every dependency. */
export const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';

/**
 * Runs java under a shell that forwards TERM (graceful) and USR1 (kill -9) to it and kills
 * it when the test process is gone, so a test worker killed on a timeout leaks no server.
 * Arguments: the test process's pid, then java's arguments.
 */
const WATCHDOG = `parent=$1; shift
java "$@" & j=$!
trap 'kill -TERM $j; wait $j; exit 0' TERM
trap 'kill -KILL $j; wait $j; exit 0' USR1
while kill -0 $j 2>/dev/null; do
  kill -0 $parent 2>/dev/null || { kill -KILL $j; exit 0; }
  sleep 1 & wait $!
done`;

/** Whether the ZooKeeper package is installed (CI installs it in .ci/run). */
export const zookeeperInstalled = existsSync(ZOOKEEPER_JAR);

/** A running (or stopped) test ZooKeeper. */
export interface TestZooKeeper {
  port: number;
  /** `127.0.0.1:port`, a node-zookeeper-client connection string. */
  connectString: string;
  /** `zk://127.0.0.1:port<path>` for `--store`. */
  url(path: string): string;
  /** Stops the server (SIGTERM, or SIGKILL with `hard`), keeping data and port. */
  stop(opts?: { hard?: boolean }): Promise<void>;
  /** Starts it again after `stop()`, on the same port and data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

/** Starts a standalone ZooKeeper; resolves once it serves requests (`srvr` reports a mode). */
export async function startZooKeeper(opts: { tickMs?: number; maxSessionTimeoutMs?: number } = {}): Promise<TestZooKeeper> {
  const dir = await mkdtemp(join(tmpdir(), 'kairos-zk-'));
  const port = await freePort();
  const tick = opts.tickMs ?? 200;
  const cfg = join(dir, 'zoo.cfg');
  await writeFile(
    cfg,
    [
      `tickTime=${tick}`,
      `dataDir=${join(dir, 'data')}`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      'admin.enableServer=false',
      '4lw.commands.whitelist=*',
      `minSessionTimeout=${tick * 2}`,
      `maxSessionTimeout=${opts.maxSessionTimeoutMs ?? 60_000}`,
      'maxClientCnxns=0',
    ].join('\n') + '\n',
  );
  let child: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    if (child) return;
    output = '';
    const java = ['-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Dzookeeper.jmx.log4j.disable=true', '-cp', ZOOKEEPER_JAR, 'org.apache.zookeeper.server.ZooKeeperServerMain', cfg];
    const p = spawn('sh', ['-c', WATCHDOG, 'zookeeper', String(process.pid), ...java], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = p;
    p.stdout!.on('data', (d: Buffer) => (output += d));
    p.stderr!.on('data', (d: Buffer) => (output += d));
    const exited = new Promise<never>((_, reject) =>
      p.once('exit', (code) => reject(new Error(`ZooKeeper exited (${code}) during start:\n${output.slice(-2000)}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([waitUntilServing(port, 30_000), exited]);
  };

  const stop = async ({ hard = false } = {}) => {
    const p = child;
    if (!p) return;
    child = undefined;
    if (p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill(hard ? 'SIGUSR1' : 'SIGTERM');
    await gone;
  };

  await start();
  return {
    port,
    connectString: `127.0.0.1:${port}`,
    url: (path) => `zk://127.0.0.1:${port}${path.startsWith('/') ? path : '/' + path}`,
    stop,
    start,
    async destroy() {
      await stop({ hard: true });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A port nobody listens on right now (the kernel's pick for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Sends a four-letter word and returns the answer ('' if the server is not up). */
export function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const s = connect(port, '127.0.0.1', () => s.write(word));
    s.setTimeout(3000, () => s.destroy()); // a peer that never answers must not hang a wait
    s.on('data', (d) => (answer += d));
    s.on('close', () => resolve(answer));
    s.on('error', () => resolve(''));
  });
}

// `ruok` answers `imok` before the server accepts sessions; `srvr` names the mode only then.
async function waitUntilServing(port: number, withinMs: number): Promise<void> {
  const until = systemClock.now() + withinMs;
  while (systemClock.now() < until) {
    if (/Mode: /.test(await fourLetterWord(port, 'srvr'))) return;
    await systemClock.sleep(100);
  }
  throw new Error(`ZooKeeper on port ${port} did not start serving within ${withinMs} ms`);
}
