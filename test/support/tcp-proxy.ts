/**
 * A TCP proxy in front of a real server, for tests of what a client does when the network
 * or the server misbehaves: it forwards, or (`swallow`) accepts connections and reads
 * what they send but never forwards or answers, which is what a ZooKeeper server that
 * accepted a connection while restarting and never served it looks like to a client.
 * A swallowed connection stays swallowed after `forward()`, as such a server's does.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A running proxy. */
export interface TcpProxy {
  port: number;
  /** Connections accepted (forwarded or swallowed) so far. */
  accepted(): number;
  /** Connections swallowed so far. */
  swallowed(): number;
  /** Cuts every open connection (new ones are forwarded or swallowed as before). */
  cut(): void;
  /** Cuts every open connection, and swallows new ones from now on. */
  swallow(): void;
  /** Forwards new connections from now on (swallowed ones stay so). */
  forward(): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free 127.0.0.1 port to `127.0.0.1:targetPort`, forwarding. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let mode: 'forward' | 'swallow' = 'forward';
  let accepted = 0;
  let swallowed = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    accepted++;
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    if (mode === 'swallow') {
      swallowed++;
      client.on('data', () => undefined);
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    open.add(upstream);
    upstream.on('close', () => (open.delete(upstream), client.destroy()));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const cut = () => {
    for (const s of open) s.destroy();
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    accepted: () => accepted,
    swallowed: () => swallowed,
    cut,
    swallow() {
      mode = 'swallow';
      cut();
    },
    forward() {
      mode = 'forward';
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
