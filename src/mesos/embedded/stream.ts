/**
 * One SUBSCRIBE connection of the embedded master: a chunked HTTP response carrying
 * RecordIO-framed Events in the encoding the scheduler accepted, with HEARTBEAT events
 * every interval (scheduler-http-api.md, "SUBSCRIBE"; the first right after SUBSCRIBED).
 */
import type { ServerResponse } from 'node:http';
import type { Clock, Timer } from '../../ports/clock.js';
import { encodeEvent, type Encoding } from '../codec.js';
import { encodeRecord } from '../recordio.js';
import type { Event } from '../scheduler-types.js';

/** See the file comment. */
export class EventStream {
  /** True once the connection ended, from either side. */
  closed = false;
  /** Fault: while true nothing is written (no heartbeats, no events), the socket stays open. */
  silent = false;
  private heartbeat: Timer | undefined;
  private corked = false;
  private readonly closeHandlers: (() => void)[] = [];

  constructor(
    private readonly res: ServerResponse,
    readonly encoding: Encoding,
    readonly streamId: string,
    private readonly clock: Clock,
  ) {
    res.once('close', () => this.ended());
  }

  /** Writes one event, unless the stream is closed or silenced. */
  send(event: Event): void {
    if (this.closed || this.silent) return;
    // Events made in one tick leave in one socket write.
    if (!this.corked) {
      this.corked = true;
      this.res.cork();
      process.nextTick(() => {
        this.corked = false;
        this.res.uncork();
      });
    }
    this.res.write(encodeRecord(encodeEvent(event, this.encoding)));
  }

  /** Sends a HEARTBEAT now and every `intervalMs` after. */
  startHeartbeats(intervalMs: number): void {
    const beat = () => {
      if (this.closed) return;
      this.send({ type: 'HEARTBEAT' });
      this.heartbeat = this.clock.setTimeout(beat, intervalMs);
    };
    beat();
  }

  /** Runs `fn` once when the connection ends (not when `close()` ended it on purpose). */
  onDisconnect(fn: () => void): void {
    this.closeHandlers.push(fn);
  }

  /** Ends the response on purpose; disconnect handlers do not run. */
  close(): void {
    if (this.closed) return;
    this.closeHandlers.length = 0;
    this.ended();
    this.res.end();
  }

  /** Fault: destroys the socket as a network failure would; disconnect handlers run. */
  drop(): void {
    this.res.destroy();
    this.ended();
  }

  private ended(): void {
    if (this.closed) return;
    this.closed = true;
    this.heartbeat?.cancel();
    for (const fn of this.closeHandlers.splice(0)) fn();
  }
}
