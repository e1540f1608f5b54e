/**
 * Two faults of node-zookeeper-client's connection manager (lib/ConnectionManager.js,
 * 1.1.3), patched on each client before it connects:
 * - the bytes of a frame cut off by a lost connection stay in `pendingBuffer` and are
 *   glued in front of the next connection's first answer, which is then read as garbage;
 * - an answer whose error code the library does not know (such garbage) throws from the
 *   socket's 'data' handler, an uncaught exception that ends the whole process (seen in
 *   the suite after a ZooKeeper restart: "Unknown code: -497352702").
 * Each new connection now starts with an empty frame buffer, and an answer the library
 * cannot read drops the connection (the library then connects again, the session lives
 * on) instead of throwing. Edge adapter, and the one place that reaches into the
 * library's internals (ZkClient's liveness drops connections through `dropConnection`).
 */
import type { Client } from 'node-zookeeper-client';
import type { Logger } from '../ports/logger.js';

/** The parts of the library's ConnectionManager patched here. */
interface ConnectionManager {
  pendingBuffer: Buffer | null;
  socket?: { destroy(): void; readyState?: string };
  connectTimeoutHandler?: NodeJS.Timeout;
  connect(): void;
  onSocketData(buffer: Buffer): void;
}

function managerOf(client: Client): ConnectionManager | undefined {
  return (client as unknown as { connectionManager?: ConnectionManager }).connectionManager;
}

/**
 * Closes `client`'s socket so the library connects again on a new one (same session, if it
 * lives); true if it was open. Its TCP connect timer is cleared first, else it would
 * destroy the next attempt's socket.
 */
export function dropConnection(client: Client): boolean {
  const cm = managerOf(client);
  const open = cm?.socket?.readyState === 'open';
  clearTimeout(cm?.connectTimeoutHandler);
  cm?.socket?.destroy();
  return open;
}

/** Patches `client`'s connection manager (before `client.connect()`); a client without one is left as it is. */
export function guardWire(client: Client, log: Logger): void {
  const cm = managerOf(client);
  if (!cm) return;
  const connect = cm.connect;
  const onSocketData = cm.onSocketData;
  cm.connect = function (this: ConnectionManager) {
    this.pendingBuffer = null;
    connect.call(this);
  };
  // The library binds both per socket from the instance, so every connection gets these.
  cm.onSocketData = function (this: ConnectionManager, buffer: Buffer) {
    try {
      onSocketData.call(this, buffer);
    } catch (err) {
      this.pendingBuffer = null;
      log.warn('zookeeper answer unreadable; reconnecting', { error: (err as Error).message });
      this.socket?.destroy();
    }
  };
}
