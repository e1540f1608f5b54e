/**
 * `stop()` on a framework that is not subscribed: while its SUBSCRIBE waits on a master
 * that accepted the connection and never answers, and while it backs off between
 * attempts, and while no master is known yet. It must resolve promptly and leave no socket open.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createFramework, type KairosFramework } from '../../src/mesos/framework.js';
import { listDetector, type MasterDetector } from '../../src/mesos/leader.js';
import { systemClock, type Clock } from '../../src/ports/clock.js';
import { embeddedMaster, shellTask } from './framework.harness.js';
import { silentLogger } from '../../src/ports/logger.js';
import { gate } from '../support/gate.js';

let server: net.Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A TCP server on 127.0.0.1 that reads requests and never answers; reports each connection. */
async function silentMaster(onConnection: (s: net.Socket) => void): Promise<string> {
  server = net.createServer((s) => {
    s.resume();
    s.on('error', () => {}); // the framework resets the connection when it gives up
    onConnection(s);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

function framework(url: string, backoffMs = 50, detector: MasterDetector = listDetector([url])): KairosFramework {
  return createFramework(
    {
      detector,
      clock: systemClock,
      logger: silentLogger,
      frameworkIds: { load: async () => undefined, save: async () => {} },
      hooks: { persistLaunch: async () => {}, onStatus: async () => {} },
    },
    { name: 'kairos-test', user: 'root', resubscribeBackoff: { initialMs: backoffMs, maxMs: backoffMs } },
  );
}

/** `p`, or 'hung' if it has not settled after `ms` (a generous bound: only a hang reaches it). */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'hung'> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<'hung'>((resolve) => (t = setTimeout(() => resolve('hung'), ms)))]).finally(() => clearTimeout(t));
}

describe('framework stop() when not subscribed', () => {
  it('abandons a SUBSCRIBE the master never answers and closes its socket', async () => {
    let conn!: (s: net.Socket) => void;
    const connected = new Promise<net.Socket>((resolve) => (conn = resolve));
    const fw = framework(await silentMaster(conn));
    const done = fw.start({ force: true, knownTasks: [] });
    const socket = await connected;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(await within(fw.stop().then(() => 'stopped'), 3000)).toBe('stopped');
    expect(await within(done.then(() => 'done'), 3000)).toBe('done');
    expect(await within(closed.then(() => 'closed'), 3000)).toBe('closed');
    expect(fw.status().connected).toBe(false);
  });

  it('cuts the resubscribe backoff short and opens no new connection afterwards', async () => {
    let connections = 0;
    let refused!: () => void;
    const firstRefused = new Promise<void>((resolve) => (refused = resolve));
    // Every SUBSCRIBE is refused at once, so the framework sleeps in its backoff (1 min).
    const url = await silentMaster((s) => {
      connections++;
      s.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      refused();
    });
    const fw = framework(url, 60_000);
    const done = fw.start({ force: true, knownTasks: [] });
    await firstRefused;
    expect(await within(fw.stop().then(() => 'stopped'), 3000)).toBe('stopped');
    await done;
    expect(connections).toBe(1);
  });

  it('abandons a master detection that never ends (ZooKeeper unreachable) and closes the detector', async () => {
    let asked!: () => void;
    const detecting = new Promise<void>((resolve) => (asked = resolve));
    let closed = false;
    const detector: MasterDetector = {
      detect: () => {
        asked();
        return new Promise<string>(() => {});
      },
      close: async () => void (closed = true),
    };
    const fw = framework('http://127.0.0.1:1', 50, detector);
    const done = fw.start({ force: true, knownTasks: [] });
    await detecting;
    expect(await within(fw.stop().then(() => 'stopped'), 3000)).toBe('stopped');
    await done;
    expect(closed).toBe(true);
  });

  it('leaves no timer behind when stopped while a launch intent is being written', async () => {
    const live = new Set<object>();
    const clock: Clock = {
      ...systemClock,
      setTimeout(fn, ms) {
        const key = {};
        live.add(key);
        const t = systemClock.setTimeout(() => {
          live.delete(key);
          fn();
        }, ms);
        return { cancel: () => (live.delete(key), t.cancel()) };
      },
    };
    const master = await embeddedMaster();
    master.embedded.faults.stopOffering();
    const intent = gate();
    const fw = createFramework(
      {
        detector: listDetector([master.url]),
        clock,
        logger: silentLogger,
        frameworkIds: { load: async () => undefined, save: async () => {} },
        hooks: { persistLaunch: () => intent.pass(), onStatus: async () => {} },
      },
      { name: 'kairos-test', user: 'root', batchWindowMs: 10 },
    );
    try {
      const done = fw.start({ force: true, knownTasks: [] });
      await fw.subscribed();
      fw.launch([shellTask('true')]);
      master.embedded.faults.resumeOffering();
      await intent.reached;
      await fw.stop();
      await done;
      // The intent lands after stop(): its ACCEPT cannot go out, which must not re-arm reconciliation.
      intent.open();
      await new Promise((resolve) => setImmediate(resolve));
      expect(live.size).toBe(0);
    } finally {
      await master.stop();
    }
  });
});
