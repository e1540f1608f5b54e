/**
 * Real `kairos serve` processes for HA tests: each listens on a free port and shares one
 * `--store zk://...`; their stdout/stderr lines become events (serving, elected, lost) that
 * tests wait on. Leadership events come from src/ha/election.ts's log lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../src/ports/clock.js';
import { eachLine, EventLog } from './event-log.js';
import { guard, signalProcess } from './ha-cluster.js';

/** What a controller process said, and when (test clock). */
export interface ControllerEvent {
  ev: 'serving' | 'elected' | 'lost';
  by: string;
  at: number;
  url?: string;
}

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** A group of `kairos serve` processes started with the same arguments. */
export class ControllerCluster {
  readonly log = new EventLog<ControllerEvent>();
  readonly procs = new Map<string, { proc: ChildProcess; url?: string }>();
  private n = 0;

  /** `args`: everything after `serve` except `--listen`. */
  constructor(private readonly args: string[]) {}

  /** Starts one more controller; resolves with its name once it serves its API. */
  async spawn(): Promise<string> {
    const name = `k${this.n++}`;
    const proc = spawn(process.execPath, ['--import', 'tsx', '--import', guard, main, 'serve', ...this.args, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const entry: { proc: ChildProcess; url?: string } = { proc };
    this.procs.set(name, entry);
    const say = (ev: ControllerEvent['ev'], url?: string) => this.log.push({ ev, by: name, at: systemClock.now(), url });
    eachLine(proc.stdout!, (line) => {
      const m = /^kairos: serving (\S+)/.exec(line);
      if (m) say('serving', (entry.url = m[1]));
    });
    eachLine(proc.stderr!, (line) => {
      if (line.includes('elected leader')) say('elected');
      else if (line.includes('leadership lost')) say('lost');
      else if (process.env.HA_LOG) process.stderr.write(`[${name}] ${line}\n`);
    });
    const died = new Promise<never>((_, reject) => proc.once('exit', (code, sig) => reject(new Error(`controller ${name} exited (${code ?? sig}) before serving`))));
    died.catch(() => undefined);
    await Promise.race([this.log.next((e) => e.by === name && e.ev === 'serving', 60_000), died]);
    return name;
  }

  /** The API URL of a controller. */
  url(name: string): string {
    return this.procs.get(name)!.url!;
  }

  /** Sends a signal; for SIGKILL/SIGTERM resolves once the process has exited. */
  signal(name: string, sig: NodeJS.Signals): Promise<void> | void {
    return signalProcess(this.procs.get(name)!.proc, sig);
  }

  /** The controller that was elected last and is still running. */
  leader(): string | undefined {
    const ev = this.log.events;
    for (let i = ev.length - 1; i >= 0; i--) {
      const e = ev[i];
      if (e.ev === 'elected' && this.procs.get(e.by)!.proc.exitCode === null && this.procs.get(e.by)!.proc.signalCode === null) return e.by;
    }
    return undefined;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.procs.keys()].map((n) => this.signal(n, 'SIGKILL')));
  }
}
