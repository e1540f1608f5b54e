/**
 * A connection handed from the pipelined fast path (http-pipelined.ts) to node:http in
 * the middle of its byte stream: a Duplex over the socket that first yields the bytes the
 * fast path read but did not serve, then whatever the socket reads next. node:http takes
 * any Duplex as a connection (`server.emit('connection', duplex)`, documented in the
 * `'connection'` event of http.Server); this mirrors node's own UpgradeStream.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/** See the file comment. */
export class SplicedSocket extends Duplex {
  constructor(
    private readonly socket: Socket,
    unread: Buffer,
  ) {
    super({ allowHalfOpen: true });
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
    this.on('close', () => socket.destroy());
    socket.on('end', () => this.push(null));
    if (unread.length > 0) this.push(unread);
    socket.on('data', (d: Buffer) => {
      if (!this.push(d)) socket.pause();
    });
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.socket.write(chunk, encoding, callback);
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.socket.end(callback);
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.socket.destroy(err ?? undefined);
    callback(err);
  }

  /** As net.Socket's, for code that tunes the connection of a request. */
  setNoDelay(noDelay?: boolean): this {
    this.socket.setNoDelay(noDelay);
    return this;
  }

  /** As net.Socket's. */
  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    this.socket.setKeepAlive(enable, initialDelay);
    return this;
  }

  /** The peer's address, as net.Socket's. */
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  /** The peer's port, as net.Socket's. */
  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }
}
