/**
 * A promise-based ZooKeeper session over node-zookeeper-client, shared by the ZooKeeper
 * store and the leader election of one controller. It adds what that library lacks:
 * - liveness: the library never notices a silent server, so a heartbeat tracks the last
 *   answer and the connection counts as lost after 2/3 of the session timeout without one
 *   (the Java client's read timeout, ZooKeeper Programmer's Guide, "ZooKeeper Sessions"),
 *   and a handshake unanswered as long is abandoned for a new connection;
 * - expiry: an expired session is dead for good, so a new client and session replace it;
 * - events: `connected` (with `newSession`), `disconnected`, `expired`.
 */
import zookeeper from 'node-zookeeper-client';
import type { ACL, Client, Stat } from 'node-zookeeper-client';
import { KairosError } from '../core/errors.js';
import { codeOf, nameOf, UNAVAILABLE, ZkError } from './zk-errors.js';
import type { ZkOp } from './zk-op.js';
import { dropConnection, guardWire } from './zk-wire-guard.js';
import { systemClock, type Clock, type Timer } from '../ports/clock.js';
import { silentLogger, type Logger } from '../ports/logger.js';

const { createClient, CreateMode, Exception, ACL: AclClass, Id, Permission } = zookeeper;

export { ZK, ZkError } from './zk-errors.js';
export type { ZkOp } from './zk-op.js';

/** How long `connect()` waits for a first session by default. */
export const CONNECT_WITHIN_MS = 15_000;
/** The shortest time a call may wait for its answer (see `call`). */
const MIN_CALL_DEADLINE_MS = 2_000;

/** How to reach ZooKeeper. */
export interface ZkClientOptions {
  /** `host:port[,host:port]`. */
  servers: string;
  /** Requested session timeout; the server may negotiate it within its bounds. */
  sessionTimeoutMs?: number;
  /** `user:password` for the digest scheme; nodes are then created with CREATOR_ALL ACLs. */
  auth?: string;
  clock?: Clock;
  logger?: Logger;
}

type Events = { connected: { newSession: boolean }; disconnected: undefined; expired: undefined };

/** One logical ZooKeeper session that survives reconnects and is replaced on expiry. */
export class ZkClient {
  readonly requestedTimeoutMs: number;
  private client!: Client;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly acl: ACL[];
  private listeners: { [K in keyof Events]: Set<(e: Events[K]) => void> } = { connected: new Set(), disconnected: new Set(), expired: new Set() };
  private up = false;
  private everConnected = false;
  private contact = 0;
  /** When the connection was lost or the last connection attempt began (while not up). */
  private downSince = 0;
  private heartbeat?: Timer;
  private closed = false;

  constructor(private readonly opts: ZkClientOptions) {
    this.requestedTimeoutMs = opts.sessionTimeoutMs ?? 10_000;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    this.acl = opts.auth ? [new AclClass(Permission.ALL, new Id('auth', ''))] : [new AclClass(Permission.ALL, new Id('world', 'anyone'))];
    this.open(false);
  }

  /** Resolves once connected, or throws E_UNAVAILABLE after `withinMs`. */
  async connect(withinMs = CONNECT_WITHIN_MS): Promise<void> {
    if (this.connected()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        off();
        reject(new KairosError('E_UNAVAILABLE', `ZooKeeper ${this.opts.servers} not reachable within ${withinMs} ms`));
      }, withinMs);
      const off = this.on('connected', () => {
        timer.cancel();
        off();
        resolve();
      });
    });
  }

  /** Subscribes to a session event; returns the unsubscribe function. */
  on<K extends keyof Events>(event: K, fn: (e: Events[K]) => void): () => void {
    this.listeners[event].add(fn);
    return () => this.listeners[event].delete(fn);
  }

  /** The negotiated session timeout (the requested one until connected). */
  sessionTimeoutMs(): number {
    return this.up ? this.client.getSessionTimeout() : this.requestedTimeoutMs;
  }

  /** Connected and heard from within the read timeout (2/3 of the session timeout). */
  connected(): boolean {
    return this.up && this.clock.now() - this.contact <= this.readTimeoutMs();
  }

  /** Data and version of a node, or undefined if absent; `watch` fires once on change. */
  get(path: string, watch?: () => void): Promise<{ data: Buffer; version: number } | undefined> {
    return this.call<{ data: Buffer; version: number } | undefined>((done) => {
      const cb = (err: unknown, data: Buffer, stat: Stat) => done(err, err ? undefined : { data: data ?? Buffer.alloc(0), version: stat.version });
      if (watch) this.client.getData(path, () => watch(), cb);
      else this.client.getData(path, cb);
    }, true);
  }

  /** The version of a node, or undefined if absent; `watch` fires once on creation/change/deletion. */
  exists(path: string, watch?: () => void): Promise<number | undefined> {
    return this.call<number | undefined>((done) => {
      const cb = (err: unknown, stat: Stat) => done(err, stat ? stat.version : undefined);
      if (watch) this.client.exists(path, () => watch(), cb);
      else this.client.exists(path, cb);
    });
  }

  /** Child names of a node, or undefined if it is absent; `watch` fires once on change. */
  children(path: string, watch?: () => void): Promise<string[] | undefined> {
    return this.call<string[] | undefined>((done) => {
      const cb = (err: unknown, names: string[]) => done(err, names);
      if (watch) this.client.getChildren(path, () => watch(), cb);
      else this.client.getChildren(path, cb);
    }, true);
  }

  /** Creates a node; returns its path (with the sequence suffix for sequential modes). */
  create(path: string, data: Buffer, mode: 'persistent' | 'ephemeral' | 'ephemeral-sequential' = 'persistent'): Promise<string> {
    const m = mode === 'persistent' ? CreateMode.PERSISTENT : mode === 'ephemeral' ? CreateMode.EPHEMERAL : CreateMode.EPHEMERAL_SEQUENTIAL;
    return this.call<string>((done) => this.client.create(path, data, this.acl, m, (err, p) => done(err, p)));
  }

  /** Creates a path and its missing parents (empty persistent nodes); existing is fine. */
  ensure(path: string): Promise<void> {
    return this.call<void>((done) => this.client.mkdirp(path, Buffer.alloc(0), this.acl, CreateMode.PERSISTENT, (err) => done(err, undefined)));
  }

  /** Writes a node at an expected version (-1 = any); returns the new version. */
  set(path: string, data: Buffer, version: number): Promise<number> {
    return this.call<number>((done) => this.client.setData(path, data, version, (err, stat) => done(err, stat?.version)));
  }

  /** Deletes a node at an expected version (-1 = any). */
  remove(path: string, version = -1): Promise<void> {
    return this.call<void>((done) => this.client.remove(path, version, (err) => done(err, undefined)));
  }

  /**
   * Applies all ops or none. On failure throws ZkError with the failing op's `index`;
   * on success returns the new version of each op's node (create 0, set n, else -1).
   */
  multi(ops: ZkOp[]): Promise<number[]> {
    const tx = this.client.transaction();
    // node-zookeeper-client's Transaction turns version 0 into -1 ("any": `version || -1`),
    // which would silently drop a compare-and-set; the queued op gets the real version back.
    const queued = (tx as unknown as { ops: { version?: number }[] }).ops;
    for (const op of ops) {
      if (op.type === 'create') tx.create(op.path, op.data, this.acl, CreateMode.PERSISTENT);
      else if (op.type === 'set') tx.setData(op.path, op.data, op.version);
      else if (op.type === 'remove') tx.remove(op.path, op.version);
      else tx.check(op.path, op.version);
      if (op.type !== 'create') queued[queued.length - 1].version = op.version;
    }
    return this.call<number[]>((done) =>
      tx.commit((err, results: { type: number; err?: number; stat?: Stat }[]) => {
        if (!err) return done(null, ops.map((op, i) => (op.type === 'create' ? 0 : op.type === 'set' ? (results[i].stat?.version ?? -1) : -1)));
        const index = Array.isArray(results) ? results.findIndex((r) => r.err !== undefined && r.err !== 0 && r.err !== Exception.RUNTIME_INCONSISTENCY) : -1;
        const code = codeOf(err);
        done(new ZkError(code, `ZooKeeper transaction failed at op ${index} (${ops[index]?.path ?? '?'}): ${nameOf(err)}`, index < 0 ? undefined : index), undefined);
      }),
    );
  }

  /** Ends the session (its ephemeral nodes vanish at once) and stops the heartbeat. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.heartbeat?.cancel();
    const c = this.client;
    if (this.up) await new Promise<void>((resolve) => {
      const t = this.clock.setTimeout(resolve, 2_000);
      c.once('disconnected', () => (t.cancel(), resolve()));
      c.close();
    });
    else c.close();
    this.up = false;
  }

  private readTimeoutMs(): number {
    return Math.floor((this.sessionTimeoutMs() * 2) / 3);
  }

  private open(newSession: boolean): void {
    const c = createClient(this.opts.servers, { sessionTimeout: this.requestedTimeoutMs, spinDelay: 200, retries: 0 });
    guardWire(c, this.log);
    this.client = c;
    if (this.opts.auth) c.addAuthInfo('digest', Buffer.from(this.opts.auth));
    let fresh = newSession;
    c.on('state', (s) => {
      if (c !== this.client || this.closed) return;
      const name = (s as unknown as { name: string }).name;
      if (name === 'SYNC_CONNECTED') {
        this.up = true;
        this.contact = this.clock.now();
        const isNew = fresh || !this.everConnected;
        fresh = false;
        this.everConnected = true;
        this.log.info('zookeeper connected', { servers: this.opts.servers, newSession: isNew, sessionTimeoutMs: c.getSessionTimeout() });
        this.emit('connected', { newSession: isNew });
      } else if (name === 'DISCONNECTED') {
        this.lost();
      } else if (name === 'EXPIRED' || name === 'AUTH_FAILED') {
        this.lost();
        this.log.warn(name === 'EXPIRED' ? 'zookeeper session expired; opening a new one' : 'zookeeper authentication failed', { servers: this.opts.servers });
        this.emit('expired', undefined);
        c.close();
        if (name === 'EXPIRED') this.open(true);
      }
    });
    this.downSince = this.clock.now();
    c.connect();
    this.beat();
  }

  private lost(): void {
    if (!this.up) return;
    this.up = false;
    this.downSince = this.clock.now();
    this.log.warn('zookeeper disconnected', { servers: this.opts.servers });
    this.emit('disconnected', undefined);
  }

  /**
   * Every 1/3 session timeout: pings; drops a connection silent for the read timeout; and, like
   * the Java client, abandons an attempt not answered as a session by then (the library only
   * times out the TCP connect: a server that took the socket but never answers held it forever).
   */
  private beat(): void {
    this.heartbeat?.cancel();
    if (this.closed) return;
    this.heartbeat = this.clock.setTimeout(() => {
      if (this.closed) return;
      const now = this.clock.now();
      if (this.up && now - this.contact > this.readTimeoutMs()) {
        this.lost();
        this.reconnect();
      } else if (this.up) {
        this.exists('/').catch(() => undefined);
      } else if (now - this.downSince > this.readTimeoutMs()) {
        if (this.reconnect()) this.log.warn('zookeeper handshake unanswered; reconnecting', { servers: this.opts.servers, afterMs: this.readTimeoutMs() });
      }
      this.beat();
    }, Math.max(50, Math.floor(this.sessionTimeoutMs() / 3)));
  }

  /** Closes the library's socket so it connects again on a new one (same session, if it lives); true if it was open. */
  private reconnect(): boolean {
    this.downSince = this.clock.now();
    return dropConnection(this.client);
  }

  private emit<K extends keyof Events>(event: K, e: Events[K]): void {
    for (const fn of [...this.listeners[event]]) fn(e);
  }

  /** Runs one library call, records contact on an answer, maps errors; NO_NODE → undefined if `absentOk`. */
  private call<T>(start: (done: (err: unknown, value: T | undefined) => void) => void, absentOk = false): Promise<T> {
    const sent = this.clock.now();
    return new Promise<T>((resolve, reject) => {
      // No call waits forever (a request queued on a connection that never becomes a session
      // would hang its caller): past twice the session timeout the session is gone either way;
      // the outcome is unknown, as for any connection loss, and callers retry.
      let settled = false;
      const deadlineMs = Math.max(2 * this.sessionTimeoutMs(), MIN_CALL_DEADLINE_MS);
      const deadline = this.clock.setTimeout(() => {
        settled = true;
        reject(new ZkError(Exception.CONNECTION_LOSS, `ZooKeeper ${this.opts.servers}: no answer within ${deadlineMs} ms (twice the session timeout)`));
      }, deadlineMs);
      start((err, value) => {
        if (settled) return;
        settled = true;
        deadline.cancel();
        if (err instanceof ZkError) return reject(err);
        const code = err ? codeOf(err) : 0;
        if (!err || !UNAVAILABLE.has(code)) this.contact = Math.max(this.contact, sent);
        if (!err) return resolve(value as T);
        if (absentOk && code === Exception.NO_NODE) return resolve(undefined as T);
        const hint = code === Exception.NO_AUTH ? ' (not authorised: check the user:password in the zk:// URL)' : '';
        reject(new ZkError(code, `ZooKeeper ${this.opts.servers}: ${nameOf(err)}${hint}`));
      });
    });
  }
}
