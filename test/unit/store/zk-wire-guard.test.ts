import zookeeper from 'node-zookeeper-client';
import { describe, expect, it } from 'vitest';
import { guardWire } from '../../../src/store/zk-wire-guard.js';
import { silentLogger } from '../../../src/ports/logger.js';

/** The library's connection manager, as far as these tests drive it (no socket is ever opened). */
interface Manager {
  state: unknown;
  pendingBuffer: Buffer | null;
  pendingQueue: { request: { header: { xid: number; type: number } }; callback(): void }[];
  socket?: { destroy(): void };
  findNextServer(cb: unknown): void;
  connect(): void;
  onSocketData(b: Buffer): void;
}

/** A client of the library that never connects, and its connection manager. */
function manager(guarded: boolean): Manager {
  const client = zookeeper.createClient('127.0.0.1:1', { retries: 0 });
  if (guarded) guardWire(client, silentLogger);
  return (client as unknown as { connectionManager: Manager }).connectionManager;
}

/** One framed reply (size, ReplyHeader {xid, zxid, err}) with an error code the library does not know. */
function garbledReply(xid: number): Buffer {
  const b = Buffer.alloc(4 + 16);
  b.writeInt32BE(16, 0);
  b.writeInt32BE(xid, 4);
  b.writeBigInt64BE(7n, 8);
  b.writeInt32BE(-497352702, 16);
  return b;
}

/** The manager connected, with one request waiting for the answer `xid`. */
function awaiting(m: Manager, xid: number): { destroyed: () => number } {
  let destroyed = 0;
  m.state = 2; // CONNECTED in the library's own states (lib/ConnectionManager.js STATES): answers are replies, not a handshake
  m.socket = { destroy: () => void destroyed++ };
  m.pendingQueue.push({ request: { header: { xid, type: 1 } }, callback: () => {} });
  return { destroyed: () => destroyed };
}

describe('the ZooKeeper wire guard (src/store/zk-wire-guard.ts)', () => {
  it('without it, an answer with an unknown error code throws out of the socket handler (what crashed a suite run)', () => {
    const m = manager(false);
    awaiting(m, 5);
    expect(() => m.onSocketData(garbledReply(5))).toThrow(/Unknown code: -497352702/);
  });

  it('drops the connection instead, so the library connects again and nothing is thrown', () => {
    const m = manager(true);
    const s = awaiting(m, 5);
    expect(() => m.onSocketData(garbledReply(5))).not.toThrow();
    expect(s.destroyed()).toBe(1);
    expect(m.pendingBuffer).toBeNull();
  });

  it('starts every new connection with an empty frame buffer, not the tail of the lost one', () => {
    const m = manager(true);
    m.findNextServer = () => {}; // no socket in a unit test
    m.pendingBuffer = Buffer.from([0, 0, 0, 40, 1, 2, 3]);
    m.connect();
    expect(m.pendingBuffer).toBeNull();
    const unguarded = manager(false);
    unguarded.findNextServer = () => {};
    unguarded.pendingBuffer = Buffer.from([0, 0, 0, 40, 1, 2, 3]);
    unguarded.connect();
    expect(unguarded.pendingBuffer).not.toBeNull();
  });
});
