/**
 * Finding the leading Mesos master from `--mesos`:
 * - `http://h1:5050[,h2:5050]` (or bare `h1:5050,...`): a fixed list, tried in turn; a
 *   standby answers 307 to the leader, which the client follows.
 * - `zk://h1:2181[,h2:2181]/mesos`: each master holds an ephemeral sequential znode
 *   `<path>/json.info_<seq>` with its MasterInfo as JSON; the leader is the smallest
 *   sequence (mesos.apache.org/documentation/latest/high-availability/, "Leader election"; apache/mesos src/master/detector).
 */
import { createRequire } from 'node:module';
import { KairosError } from '../core/errors.js';
import type { Clock, Timer } from '../ports/clock.js';
import type { MasterInfo } from './types.js';

/** Gives the base URL (`http://host:port`) of the master to try next. */
export interface MasterDetector {
  detect(): Promise<string>;
  close(): Promise<void>;
}

/** A parsed `--mesos` value. */
export type MesosAddress = { kind: 'http'; urls: string[] } | { kind: 'zk'; hosts: string; path: string };

/** Parses `--mesos`; throws E_INVALID naming the flag on anything else. */
export function parseMesosAddress(spec: string): MesosAddress {
  const s = spec.trim();
  if (s.startsWith('zk://')) {
    const rest = s.slice(5);
    const slash = rest.indexOf('/');
    if (slash <= 0 || slash === rest.length - 1) throw new KairosError('E_INVALID', `--mesos: expected zk://host:port[,host:port]/path, got ${JSON.stringify(spec)}`);
    return { kind: 'zk', hosts: rest.slice(0, slash), path: rest.slice(slash).replace(/\/+$/, '') };
  }
  const urls = s.split(',').map((part) => {
    const withScheme = /^https?:\/\//.test(part) ? part : `http://${part}`;
    let u: URL;
    try {
      u = new URL(withScheme);
    } catch {
      throw new KairosError('E_INVALID', `--mesos: ${JSON.stringify(part)} is not host:port or a URL`);
    }
    // Said at once rather than failing on every SUBSCRIBE: the client speaks plain HTTP
    // (pipeline.ts writes to TCP sockets), and the scheduler API lives at the root.
    if (u.protocol !== 'http:') throw new KairosError('E_INVALID', `--mesos: ${JSON.stringify(part)}: only http:// masters are supported`);
    if (u.pathname !== '/' || u.search) throw new KairosError('E_INVALID', `--mesos: ${JSON.stringify(part)}: a master address has no path (the API is at /api/v1/scheduler)`);
    if (!u.port && !/^https?:\/\//.test(part)) u.port = '5050';
    return `${u.protocol}//${u.host}`;
  });
  if (urls.length === 0 || urls.some((u) => u === 'http://')) throw new KairosError('E_INVALID', `--mesos: no master in ${JSON.stringify(spec)}`);
  return { kind: 'http', urls };
}

/** A fixed list of masters, handed out round-robin (each failure moves to the next). */
export function listDetector(urls: string[]): MasterDetector {
  let i = 0;
  return {
    detect: async () => urls[i++ % urls.length],
    close: async () => {},
  };
}

/** The sequence number of a `json.info_<seq>` child, or undefined for other children. */
function sequenceOf(child: string): number | undefined {
  const m = /^json\.info_(\d+)$/.exec(child);
  return m ? Number(m[1]) : undefined;
}

/** The leader's znode among `children`: the `json.info_` child with the smallest sequence. */
export function leaderZnode(children: readonly string[]): string | undefined {
  let best: { child: string; seq: number } | undefined;
  for (const child of children) {
    const seq = sequenceOf(child);
    if (seq !== undefined && (!best || seq < best.seq)) best = { child, seq };
  }
  return best?.child;
}

/** `http://host:port` from a MasterInfo (address.hostname, then address.ip, then the legacy fields). */
export function masterUrl(info: MasterInfo): string {
  const port = info.address?.port ?? info.port;
  const ipv4 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
  const host = info.address?.hostname || info.address?.ip || info.hostname || (info.ip !== undefined ? ipv4(info.ip) : undefined);
  if (!host || !port) throw new KairosError('E_MESOS', `MasterInfo without address: ${JSON.stringify(info)}`);
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Reads the leader from ZooKeeper on every `detect()`; one ZooKeeper session per detector. */
export function zkDetector(hosts: string, path: string, clock: Clock, timeoutMs = 10_000): MasterDetector {
  // Required here, not imported: config.ts parses --mesos with this module, so every CLI
  // start (--help, a dry run) would load the ZooKeeper client for nothing.
  const zookeeper = createRequire(import.meta.url)('node-zookeeper-client') as typeof import('node-zookeeper-client');
  const client = zookeeper.createClient(hosts, { sessionTimeout: timeoutMs, retries: 1 });
  let connected: Promise<void> | undefined;
  /** The connection attempt under way: `close()` ends it, timer included. */
  let connecting: { timer: Timer; reject: (e: Error) => void } | undefined;
  const connect = () =>
    (connected ??= new Promise<void>((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        connected = undefined;
        connecting = undefined;
        reject(new KairosError('E_UNAVAILABLE', `ZooKeeper ${hosts}: not connected after ${timeoutMs} ms`));
      }, timeoutMs);
      connecting = { timer, reject };
      client.once('connected', () => {
        timer.cancel();
        connecting = undefined;
        resolve();
      });
      client.connect();
    }));
  const call = <T>(f: (cb: (err: Error | null, v: T) => void) => void) =>
    new Promise<T>((resolve, reject) => f((err, v) => (err ? reject(new KairosError('E_UNAVAILABLE', `ZooKeeper ${hosts}${path}: ${err.message}`, { cause: err })) : resolve(v))));
  return {
    async detect() {
      await connect();
      const children = await call<string[]>((cb) => client.getChildren(path, (e, c) => cb(e as Error | null, c)));
      const leader = leaderZnode(children);
      if (!leader) throw new KairosError('E_UNAVAILABLE', `no Mesos master registered under zk://${hosts}${path}`);
      const data = await call<Buffer | undefined>((cb) => client.getData(`${path}/${leader}`, (e, d) => cb(e as Error | null, d)));
      let info: MasterInfo;
      try {
        info = JSON.parse((data ?? Buffer.alloc(0)).toString('utf8')) as MasterInfo;
      } catch (err) {
        throw new KairosError('E_MESOS', `zk://${hosts}${path}/${leader}: not MasterInfo JSON`, { cause: err });
      }
      return masterUrl(info);
    },
    async close() {
      connecting?.timer.cancel();
      connecting?.reject(new KairosError('E_UNAVAILABLE', `ZooKeeper ${hosts}: detector closed`));
      connecting = undefined;
      try {
        client.close();
      } catch {
        // Thrown when no socket is open yet; the client is CLOSING by then and stops retrying.
      }
    },
  };
}

/** The detector for a parsed `--mesos` value. */
export function detectorFor(addr: MesosAddress, clock: Clock): MasterDetector {
  return addr.kind === 'http' ? listDetector(addr.urls) : zkDetector(addr.hosts, addr.path, clock);
}
