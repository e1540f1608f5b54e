/**
 * An append-only list of events from child processes that tests wait on (never sleeping):
 * `next(pred)` resolves with the next matching event, or rejects after a while showing
 * the latest events, so a stuck test says where it stood.
 */
import { systemClock } from '../../src/ports/clock.js';

/** Events with waiters. */
export class EventLog<E> {
  readonly events: E[] = [];
  private waiters: { pred: (e: E) => boolean; resolve: (e: E) => void }[] = [];

  push(e: E): void {
    this.events.push(e);
    for (const w of this.waiters.filter((x) => x.pred(e))) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(e);
    }
  }

  /** The next event (from now on) matching `pred`; rejects after `withinMs`. */
  next(pred: (e: E) => boolean, withinMs = 30_000): Promise<E> {
    return new Promise((resolve, reject) => {
      const timer = systemClock.setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const tail = this.events.slice(-8).map((e) => JSON.stringify(e)).join('\n');
        reject(new Error(`no matching event within ${withinMs} ms; last events:\n${tail}`));
      }, withinMs);
      const waiter = {
        pred,
        resolve: (e: E) => {
          timer.cancel();
          resolve(e);
        },
      };
      this.waiters.push(waiter);
    });
  }
}

/** Calls `onLine` for each complete line of a stream. */
export function eachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buf = '';
  stream.on('data', (d: Buffer) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
}
