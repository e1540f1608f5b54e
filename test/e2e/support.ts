/**
 * Helpers for the end-to-end tests: a real temporary git repository, a clock that runs in
 * real time but can jump forward (so a test need not wait for the next minute while the
 * embedded master and the framework keep their real timers), and a small API client.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock, Timer } from '../../src/ports/clock.js';
import { eachLine } from '../support/event-log.js';
import { guard } from '../support/ha-cluster.js';

/** A git repository in a temp directory, committed to with a fixed identity. */
export class TempRepo {
  readonly dir = mkdtempSync(join(tmpdir(), 'kairos-e2e-repo-'));

  constructor() {
    this.git('init', '-q', '-b', 'main');
    this.commit('README.md', '# jobs\n', 'init');
  }

  git(...args: string[]): string {
    const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
    return execFileSync('git', args, { cwd: this.dir, env, encoding: 'utf8' }).trim();
  }

  /** Writes (or with `content` undefined, deletes) a file and commits; returns the commit id. */
  commit(file: string, content: string | undefined, message: string): string {
    if (content === undefined) unlinkSync(join(this.dir, file));
    else writeFileSync(join(this.dir, file), content);
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Real time plus an offset that only grows. `warpTo(t)` jumps to `t`, and timers that fall
 * due on the way fire at once (in due order); others are re-armed for the new time.
 */
export class WarpClock implements Clock {
  private offset = 0;
  private timers = new Set<{ at: number; fn: () => void; handle: NodeJS.Timeout }>();

  now(): number {
    return Date.now() + this.offset;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const t = { at: this.now() + Math.max(0, ms), fn, handle: undefined as unknown as NodeJS.Timeout };
    this.arm(t);
    this.timers.add(t);
    return { cancel: () => (clearTimeout(t.handle), this.timers.delete(t)) };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  warpTo(instant: number): void {
    if (instant <= this.now()) return;
    this.offset += instant - this.now();
    for (const t of [...this.timers].sort((a, b) => a.at - b.at)) {
      clearTimeout(t.handle);
      this.arm(t);
    }
  }

  private arm(t: { at: number; fn: () => void; handle: NodeJS.Timeout }): void {
    t.handle = setTimeout(() => {
      this.timers.delete(t);
      t.fn();
    }, Math.max(0, t.at - this.now()));
  }
}

/** JSON over HTTP to a controller's API. */
export async function api<T>(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Asks `probe` until it returns a value (cross-process waits have no events to wait on). */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000, detail?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail ? `\n${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `kairos serve` and resolves with its API URL, read from its first stdout line. */
export function serve(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c) => (err += c));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /serving (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`kairos serve exited with ${code}: ${err}`)));
  });
}

/** Resolves with the exit code once `child` has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

/**
 * Whether a process with this pid still runs. A zombie (exited, waiting for its parent or
 * init to reap it, as a task's grandchildren do) does not: it runs nothing.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]);
  } catch {
    return true; // no /proc: the kernel's answer above
  }
}

/** A `kairos serve` process whose every output line is kept (`log()`), for leak checks. */
export interface LoggedServe {
  proc: ChildProcess;
  url: string;
  log(): string;
}

/**
 * Starts `kairos serve` (through the exit-with-parent guard) with `env` added to this
 * process's environment; resolves with its API URL once it serves. Every stdout and stderr
 * line is kept, so a test can check that no secret ever reached the controller's output.
 */
export async function serveLogged(args: string[], env: Record<string, string> = {}): Promise<LoggedServe> {
  const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
  const proc = spawn(process.execPath, ['--import', 'tsx', '--import', guard, main, 'serve', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  eachLine(proc.stderr!, (l) => (log += `${l}\n`));
  const url = await new Promise<string>((resolve, reject) => {
    eachLine(proc.stdout!, (l) => {
      log += `${l}\n`;
      const m = /^kairos: serving (\S+)/.exec(l);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`kairos serve exited ${code}:\n${log}`)));
  });
  return { proc, url, log: () => log };
}
