/**
 * Runs stand-in controller processes (test/support/ha-candidate.ts) against one ZooKeeper
 * and collects their JSON-line events, so HA tests can kill -9, SIGSTOP and wait on events.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eachLine, EventLog } from './event-log.js';

/** One event line of a candidate. */
export interface CandidateEvent {
  ev: string;
  by: string;
  at: number;
  slot?: number;
  epoch?: number;
  message?: string;
}

const script = fileURLToPath(new URL('./ha-candidate.ts', import.meta.url));
/** Preload that ends a child process when the test process is gone. */
export const guard = new URL('./exit-with-parent.ts', import.meta.url).href;

/** A set of candidate processes sharing a schedule. */
export class HaCluster {
  readonly log = new EventLog<CandidateEvent>();
  readonly procs = new Map<string, ChildProcess>();
  private n = 0;

  constructor(
    private readonly url: string,
    readonly t0: number,
    readonly slotMs: number,
    readonly sessionMs: number,
  ) {}

  get events(): CandidateEvent[] {
    return this.log.events;
  }

  /** Starts one more candidate; resolves with its name once it has joined the election. */
  async spawn(): Promise<string> {
    const name = `c${this.n++}`;
    const p = spawn(process.execPath, ['--import', 'tsx', '--import', guard, script, this.url, name, String(this.t0), String(this.slotMs), String(this.sessionMs)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.procs.set(name, p);
    eachLine(p.stdout!, (line) => line.startsWith('{') && this.log.push(JSON.parse(line) as CandidateEvent));
    const died = new Promise<never>((_, reject) => p.once('exit', (code, sig) => reject(new Error(`candidate ${name} exited (${code ?? sig}) before joining`))));
    died.catch(() => undefined);
    await Promise.race([this.next((e) => e.by === name && e.ev === 'ready'), died]);
    return name;
  }

  /** The next event (from now on) matching `pred`. */
  next(pred: (e: CandidateEvent) => boolean, withinMs?: number): Promise<CandidateEvent> {
    return this.log.next(pred, withinMs);
  }

  alive(name: string): boolean {
    const p = this.procs.get(name);
    return !!p && p.exitCode === null && p.signalCode === null;
  }

  /** Sends a signal; for SIGKILL/SIGTERM resolves once the process has exited. */
  signal(name: string, sig: NodeJS.Signals): Promise<void> | void {
    return signalProcess(this.procs.get(name)!, sig);
  }

  /** Launch events, all processes. */
  launches(): CandidateEvent[] {
    return this.events.filter((e) => e.ev === 'launch');
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.procs.keys()].filter((n) => this.alive(n)).map((n) => this.signal(n, 'SIGKILL')));
  }
}

/** Sends `sig`; for SIGKILL/SIGTERM resolves once the process has exited. */
export function signalProcess(p: ChildProcess, sig: NodeJS.Signals): Promise<void> | void {
  if (sig !== 'SIGKILL' && sig !== 'SIGTERM') return void p.kill(sig);
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  const gone = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill(sig);
  return gone;
}
