/**
 * A real Docker engine for tests: Debian's dockerd 20.10 started privately, with its own
 * --data-root, --exec-root, --pidfile and unix socket under one temp directory, and no
 * networking of its own (`--bridge=none --iptables=false --ip-masq=false`), so it never
 * touches a daemon the developer runs nor the host's firewall. There is no registry here,
 * so test images are built locally: `docker import` of a tree holding Debian's static
 * busybox and its applet links (TEST_IMAGE).
 *
 * One daemon serves a whole vitest run: test/support/docker-global.ts starts it in
 * globalSetup and `testDocker()` finds it from any test file. `startDocker()` also works on
 * its own (for a test that needs a daemon of its own, or for a real Mesos agent's
 * --docker_socket). A watchdog shell kills the daemon when the process that started it is
 * gone, so a run killed half-way leaks no dockerd.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, copyFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { systemClock } from '../../src/ports/clock.js';

/** The busybox image every Docker test runs; built by `buildTestImages`. */
export const TEST_IMAGE = 'kairos-test/busybox:1';

/** Debian's busybox-static binary (the image's only file besides links and /etc). */
export const BUSYBOX = '/bin/busybox';

/** Where a started daemon listens; plain data, so it crosses from globalSetup to test workers. */
export interface DockerEndpoint {
  /** The daemon's unix socket path (a Mesos agent's --docker_socket). */
  socket: string;
  /** `unix://<socket>`, for DOCKER_HOST or `docker -H`. */
  host: string;
  /** The temp directory holding data, exec root, pid file, socket and log. */
  dir: string;
}

/** A running test daemon and a way to talk to it. */
export interface TestDocker extends DockerEndpoint {
  /** Runs `docker -H <host> ...args`; resolves stdout, rejects with stderr on a non-zero exit. */
  docker(args: string[]): Promise<string>;
  /** Environment for a child that should use this daemon (DOCKER_HOST set). */
  env: Record<string, string>;
  /** Removes every container, stops the daemon and deletes its directory. */
  stop(): Promise<void>;
}

/**
 * Runs dockerd under a shell that forwards TERM and stops dockerd (TERM, then KILL of the
 * whole group after 10 s) once the test process is gone, unmounting and deleting the
 * daemon's directory then too. Arguments: parent pid, the directory, then dockerd's.
 */
const WATCHDOG = `parent=$1; dir=$2; shift 2
dockerd "$@" & d=$!
halt() { kill -TERM $d 2>/dev/null; n=0; while kill -0 $d 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done; }
trap 'halt; kill -KILL 0' TERM
while kill -0 $d 2>/dev/null; do
  kill -0 $parent 2>/dev/null || { halt; awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | xargs -r umount -l; rm -rf "$dir"; kill -KILL 0; }
  sleep 1 & wait $!
done`;

/** Starts a private dockerd; resolves once `docker version` answers (at most `withinMs`). */
export async function startDocker(opts: { withinMs?: number } = {}): Promise<TestDocker> {
  const dir = await mkdtemp(join(tmpdir(), 'kairos-docker-'));
  const socket = join(dir, 'docker.sock');
  const args = [
    '--bridge=none', '--iptables=false', '--ip-masq=false', '--ip-forward=false',
    `--data-root=${join(dir, 'data')}`, `--exec-root=${join(dir, 'exec')}`, `--pidfile=${join(dir, 'dockerd.pid')}`,
    `-H=unix://${socket}`, '--containerd-namespace=kairos-test', '--containerd-plugins-namespace=kairos-test-plugins',
    '--log-level=warn',
  ];
  const log = join(dir, 'dockerd.log');
  await writeFile(log, '');
  const p = spawn('sh', ['-c', `exec >>"${log}" 2>&1; ${WATCHDOG}`, 'dockerd', String(process.pid), dir, ...args], { stdio: 'ignore', detached: true });
  p.unref();
  const endpoint = { socket, host: `unix://${socket}`, dir };
  const d = connectDocker(endpoint, async () => {
    await d.docker(['rm', '-f', '-v', ...(await d.docker(['ps', '-aq'])).split('\n').filter(Boolean)]).catch(() => undefined);
    if (p.exitCode === null && p.signalCode === null) {
      const gone = new Promise((r) => p.once('exit', r));
      p.ref(); // an unref'd child's exit would not keep this process alive to see it
      process.kill(p.pid!, 'SIGTERM');
      await gone;
    }
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  });
  const until = systemClock.now() + (opts.withinMs ?? 30_000);
  for (;;) {
    if (p.exitCode !== null) throw new Error(`dockerd exited (${p.exitCode}) during start:\n${(await readFile(log, 'utf8')).slice(-2000)}`);
    if (existsSync(socket) && (await d.docker(['version', '--format', '{{.Server.Version}}']).then(() => true, () => false))) return d;
    if (systemClock.now() > until) {
      await d.stop();
      throw new Error(`dockerd did not answer on ${socket} within ${opts.withinMs ?? 30_000} ms`);
    }
    await systemClock.sleep(100);
  }
}

/**
 * Unmounts what a stopped dockerd left mounted under `dir` (its exec root keeps the
 * `netns/default` nsfs mount), deepest first, so the directory can be deleted.
 */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = (await readFile('/proc/mounts', 'utf8')).split('\n').map((l) => l.split(' ')[1] ?? '');
  for (const m of mounts.filter((m) => m.startsWith(`${dir}/`)).sort().reverse())
    await new Promise((resolve) => execFile('umount', ['-l', m], () => resolve(undefined)));
}

/** A client for a daemon started elsewhere; `stop` is what to do on stop (nothing by default). */
export function connectDocker(e: DockerEndpoint, stop: () => Promise<void> = async () => undefined): TestDocker {
  return {
    ...e,
    env: { DOCKER_HOST: e.host },
    stop,
    docker: (args) =>
      new Promise((resolve, reject) =>
        execFile('docker', ['-H', e.host, ...args], { maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
          err ? reject(new Error(`docker ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(stdout.trim()),
        ),
      ),
  };
}

/**
 * Builds TEST_IMAGE: /bin/busybox plus a link per applet, /etc/passwd and /etc/group with
 * root and nobody (so `user: nobody` resolves), /tmp; default command `/bin/sh`.
 */
export async function buildTestImages(d: TestDocker): Promise<void> {
  const root = join(d.dir, 'rootfs');
  await mkdir(join(root, 'bin'), { recursive: true });
  await mkdir(join(root, 'etc'));
  await mkdir(join(root, 'tmp'), { mode: 0o1777 });
  await copyFile(BUSYBOX, join(root, 'bin/busybox'));
  const applets = await new Promise<string[]>((resolve, reject) =>
    execFile(BUSYBOX, ['--list'], (err, out) => (err ? reject(err) : resolve(out.split('\n').filter((a) => a && a !== 'busybox')))),
  );
  await Promise.all(applets.map((a) => symlink('busybox', join(root, 'bin', a))));
  await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n');
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  await new Promise<void>((resolve, reject) => {
    const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const imp = spawn('docker', ['-H', d.host, 'import', '-c', 'CMD ["/bin/sh"]', '-', TEST_IMAGE], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    imp.stderr!.on('data', (b) => (err += b));
    tar.stdout!.pipe(imp.stdin!);
    imp.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker import ${TEST_IMAGE} failed: ${err}`))));
  });
  await rm(root, { recursive: true, force: true });
}

/** What globalSetup provides: the daemon, or why it could not start (outside CI only). */
export type ProvidedDocker = DockerEndpoint | { error: string };

declare module 'vitest' {
  export interface ProvidedContext {
    kairosDocker: ProvidedDocker;
  }
}

/**
 * The run's shared daemon (started by test/support/docker-global.ts, TEST_IMAGE built).
 * Throws when it could not start, so a Docker test fails loudly instead of skipping.
 */
export function testDocker(): TestDocker {
  const p = inject('kairosDocker');
  if (!p) throw new Error('no test dockerd: test/support/docker-global.ts is not in vitest globalSetup');
  if ('error' in p) throw new Error(`the test dockerd could not start: ${p.error}`);
  return connectDocker(p);
}
