/**
 * One SUBSCRIBE connection of the embedded master: a chunked HTTP response carrying
 * RecordIO-framed Events in the encoding the scheduler accepted, with HEARTBEAT events
 * every interval (scheduler-http-api.md, "SUBSCRIBE"; the first right after SUBSCRIBED).
 * The response is reached through a StreamSink, so node:http (http.ts) and the pipelined
 * fast path (http-pipelined.ts) can both carry it.
 */
import type { Clock, Timer } from '../../ports/clock.js';
import { encodeEvent, type Encoding } from '../codec.js';
import { encodeRecords } from '../recordio.js';
import type { Event } from '../scheduler-types.js';

/** The body of a streaming response, whichever HTTP layer carries it. */
export interface StreamSink {
  /** Writes one chunk of the body. */
  write(data: Uint8Array): void;
  /** Ends the body on purpose (the connection may stay open for further requests). */
  end(): void;
  /** Drops the connection, as a network failure would. */
  destroy(): void;
  /** Runs `fn` once when the connection closes. */
  onClose(fn: () => void): void;
}

/** See the file comment. */
export class EventStream {
  /** True once the connection ended, from either side. */
  closed = false;
  /** Fault: while true nothing is written (no heartbeats, no events), the socket stays open. */
  silent = false;
  private heartbeat: Timer | undefined;
  /** Encoded events not written yet, written together as one chunk (`flush`). */
  private pending: Uint8Array[] = [];
  private readonly closeHandlers: (() => void)[] = [];

  constructor(
    private readonly res: StreamSink,
    readonly encoding: Encoding,
    readonly streamId: string,
    private readonly clock: Clock,
  ) {
    res.onClose(() => this.ended());
  }

  /** Writes one event, unless the stream is closed or silenced. */
  send(event: Event): void {
    if (this.closed || this.silent) return;
    // Events made while the loop serves one round of I/O (every call read, every agent
    // report) leave in one chunk and one socket write, after that round.
    if (this.pending.length === 0) setImmediate(this.flushNow);
    this.pending.push(encodeEvent(event, this.encoding));
  }

  private readonly flushNow = () => this.flush();

  /** Frames the events made since the last flush (RecordIO) into one buffer and writes it. */
  private flush(): void {
    const events = this.pending;
    if (events.length === 0 || this.closed) return;
    this.pending = [];
    this.res.write(encodeRecords(events));
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
    this.flush();
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
