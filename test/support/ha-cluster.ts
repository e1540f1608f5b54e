/**
 * Runs stand-in controller processes (test/support/ha-candidate.ts) against one ZooKeeper
 * and collects their JSON-line events, so HA tests can kill -9, SIGSTOP and wait on events.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../src/ports/clock.js';

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

/** A set of candidate processes sharing a schedule. */
export class HaCluster {
  readonly events: CandidateEvent[] = [];
  readonly procs = new Map<string, ChildProcess>();
  private waiters: { pred: (e: CandidateEvent) => boolean; resolve: (e: CandidateEvent) => void }[] = [];
  private n = 0;

  constructor(
    private readonly url: string,
    readonly t0: number,
    readonly slotMs: number,
    readonly sessionMs: number,
  ) {}

  /** Starts one more candidate; resolves with its name once it has joined the election. */
  async spawn(): Promise<string> {
    const name = `c${this.n++}`;
    const p = spawn(process.execPath, ['--import', 'tsx', script, this.url, name, String(this.t0), String(this.slotMs), String(this.sessionMs)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.procs.set(name, p);
    let buf = '';
    p.stdout!.on('data', (d: Buffer) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('{')) this.push(JSON.parse(line) as CandidateEvent);
      }
    });
    const died = new Promise<never>((_, reject) => p.once('exit', (code, sig) => reject(new Error(`candidate ${name} exited (${code ?? sig}) before joining`))));
    died.catch(() => undefined);
    await Promise.race([this.next((e) => e.by === name && e.ev === 'ready'), died]);
    return name;
  }

  /** The next event (from now on) matching `pred`; rejects after `withinMs` showing the last events. */
  next(pred: (e: CandidateEvent) => boolean, withinMs = 30_000): Promise<CandidateEvent> {
    return new Promise((resolve, reject) => {
      const timer = systemClock.setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const tail = this.events.slice(-8).map((e) => JSON.stringify(e)).join('\n');
        reject(new Error(`no matching candidate event within ${withinMs} ms; last events:\n${tail}`));
      }, withinMs);
      const waiter = {
        pred,
        resolve: (e: CandidateEvent) => {
          timer.cancel();
          resolve(e);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** The current leader's name: the sender of the latest `leader` event still alive. */
  leader(): string | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i];
      if (e.ev === 'leader' && this.alive(e.by)) return e.by;
    }
    return undefined;
  }

  alive(name: string): boolean {
    const p = this.procs.get(name);
    return !!p && p.exitCode === null && p.signalCode === null;
  }

  signal(name: string, sig: NodeJS.Signals): Promise<void> | void {
    const p = this.procs.get(name)!;
    if (sig !== 'SIGKILL' && sig !== 'SIGTERM') return void p.kill(sig);
    const gone = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(sig);
    return gone;
  }

  /** Launch events, all processes. */
  launches(): CandidateEvent[] {
    return this.events.filter((e) => e.ev === 'launch');
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.procs.keys()].filter((n) => this.alive(n)).map((n) => this.signal(n, 'SIGKILL')));
  }

  private push(e: CandidateEvent): void {
    this.events.push(e);
    for (const w of this.waiters.filter((x) => x.pred(e))) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(e);
    }
  }
}
