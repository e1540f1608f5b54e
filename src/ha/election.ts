/**
 * Leader election on ZooKeeper, the recipe of the ZooKeeper docs ("Recipes and
 * Solutions", "Leader Election"): each controller creates an ephemeral sequential
 * candidate node; the lowest leads; every other one watches only its predecessor, so a
 * leader's exit wakes one process, not the herd.
 *
 * On winning, the leader bumps the epoch znode (`{"epoch":n,"leader":url}`); the znode
 * version it wrote is its fence token (see ZookeeperStore). Losing the connection, the
 * session or the lease (no answer from ZooKeeper for 2/3 of the session timeout) deposes
 * the leader synchronously, before ZooKeeper can expire the session and let another win.
 */
import { FencedError, messageOf } from '../core/errors.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { LeaderState, Leadership } from '../ports/leader.js';
import { silentLogger, type Logger } from '../ports/logger.js';
import { ZK, ZkError, type ZkClient } from '../store/zk-client.js';
import { zkPaths } from '../store/zk-layout.js';
import type { FenceToken } from '../store/zookeeper-store.js';

/** What the epoch znode holds. */
export interface EpochRecord {
  epoch: number;
  leader?: string;
}

/** Options of one controller's candidacy. */
export interface ElectionOptions {
  zk: ZkClient;
  /** The installation's root path (the path of the `zk://` URL). */
  root: string;
  /** This controller's API URL, published while it leads. */
  selfUrl: string;
  clock?: Clock;
  logger?: Logger;
}

/** Delay before re-checking after a failed check (a reconnect also re-checks at once). */
const RETRY_MS = 500;

/** How long `stop()` waits for its candidate node's deletion. */
const STOP_WAIT_MS = 2_000;

/** Candidate node name prefix; ZooKeeper appends a 10-digit sequence. */
const PREFIX = 'c_';

/** One controller's candidacy; implements the Leadership port. */
export class ZkElection implements Leadership {
  private readonly zk: ZkClient;
  private readonly paths;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly subscribers = new Set<(s: LeaderState) => void>();
  private readonly offs: (() => void)[] = [];
  private running = false;
  private leading = false;
  private token?: FenceToken;
  private known: EpochRecord = { epoch: 0 };
  private candidate?: string;
  private checking = false;
  private epochWatched = false;
  private again = false;

  constructor(private readonly opts: ElectionOptions) {
    this.zk = opts.zk;
    this.paths = zkPaths(opts.root);
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.logger ?? silentLogger).child({ component: 'election' });
  }

  /** Joins the election; resolves once the candidacy is registered (not when leading). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.offs.push(
      this.zk.on('disconnected', () => this.depose('lost the ZooKeeper connection')),
      this.zk.on('expired', () => {
        this.candidate = undefined;
        this.epochWatched = false;
        this.depose('ZooKeeper session expired');
      }),
      this.zk.on('connected', ({ newSession }) => {
        if (newSession) this.candidate = undefined;
        this.kick();
      }),
    );
    await this.zk.ensure(this.paths.leader);
    await this.zk.create(this.paths.epoch, Buffer.from(JSON.stringify({ epoch: 0 })), 'persistent').catch((err) => {
      if (!(err instanceof ZkError && err.zkCode === ZK.NODE_EXISTS)) throw err;
    });
    await this.check();
  }

  /** Leaves the election: deposes itself and deletes its candidate node. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const off of this.offs.splice(0)) off();
    this.depose('stopped');
    const c = this.candidate;
    this.candidate = undefined;
    // While disconnected the delete would wait for a reconnect; the node also goes when the
    // session ends, so do not hold shutdown up for it.
    if (!c) return;
    await new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(resolve, STOP_WAIT_MS);
      void this.zk
        .remove(c)
        .catch(() => undefined)
        .then(() => (timer.cancel(), resolve()));
    });
  }

  /** Leading, and ZooKeeper answered within the lease (checked at call time). */
  isLeader(): boolean {
    if (this.leading && !this.zk.connected()) this.depose('no answer from ZooKeeper within the read timeout');
    return this.leading;
  }

  epoch(): number | undefined {
    return this.known.epoch > 0 ? this.known.epoch : undefined;
  }

  leaderUrl(): string | undefined {
    return this.known.leader;
  }

  onChange(fn: (s: LeaderState) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** The fence token for ZookeeperStore writes; throws FencedError unless leading. */
  fence(): FenceToken {
    if (!this.isLeader() || !this.token) throw new FencedError('this controller is not the leader; writes are refused');
    return this.token;
  }

  /** The candidate node of this process, if registered (for tests and `/v1/leader`). */
  candidatePath(): string | undefined {
    return this.candidate;
  }

  private state(): LeaderState {
    return { leader: this.leading, epoch: this.epoch(), leaderUrl: this.known.leader };
  }

  private emit(): void {
    const s = this.state();
    for (const fn of [...this.subscribers]) fn(s);
  }

  private depose(reason: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.token = undefined;
    this.log.warn('leadership lost', { reason, epoch: this.known.epoch });
    this.emit();
  }

  /** Re-runs `check`, coalescing calls that arrive while one runs. */
  private kick(): void {
    if (!this.running) return;
    if (this.checking) {
      this.again = true;
      return;
    }
    this.check().catch((err) => {
      this.log.warn('election check failed; retrying', { error: messageOf(err) });
      this.clock.setTimeout(() => this.kick(), RETRY_MS);
    });
  }

  private async check(): Promise<void> {
    this.checking = true;
    try {
      do {
        this.again = false;
        await this.checkOnce();
      } while (this.again && this.running);
    } finally {
      this.checking = false;
    }
  }

  private async checkOnce(): Promise<void> {
    if (!this.running) return;
    const dir = this.paths.leader;
    if (!this.candidate) {
      this.candidate = await this.zk.create(`${dir}/${PREFIX}`, Buffer.from(JSON.stringify({ url: this.opts.selfUrl })), 'ephemeral-sequential');
      this.log.info('joined election', { candidate: this.candidate });
    }
    await this.watchEpoch();
    const names = ((await this.zk.children(dir)) ?? []).filter((n) => n.startsWith(PREFIX)).sort();
    const mine = this.candidate.slice(dir.length + 1);
    const at = names.indexOf(mine);
    if (at < 0) {
      this.candidate = undefined; // our node went with an old session
      this.again = true;
      return;
    }
    if (at === 0) {
      if (!this.leading) await this.win();
      return;
    }
    this.depose('another candidate leads');
    const predecessor = `${dir}/${names[at - 1]}`;
    if ((await this.zk.exists(predecessor, () => this.kick())) === undefined) this.again = true;
  }

  /** Bumps the epoch; the version written is the fence token of this term. */
  private async win(): Promise<void> {
    for (;;) {
      const cur = await this.zk.get(this.paths.epoch);
      const prev = cur ? (JSON.parse(cur.data.toString('utf8')) as EpochRecord) : { epoch: 0 };
      const next: EpochRecord = { epoch: prev.epoch + 1, leader: this.opts.selfUrl };
      try {
        const version = await this.zk.set(this.paths.epoch, Buffer.from(JSON.stringify(next)), cur?.version ?? -1);
        if (!this.running) return;
        this.known = next;
        this.token = { path: this.paths.epoch, version };
        this.leading = true;
        this.log.info('elected leader', { epoch: next.epoch, candidate: this.candidate });
        this.emit();
        return;
      } catch (err) {
        if (!(err instanceof ZkError && err.zkCode === ZK.BAD_VERSION)) throw err;
      }
    }
  }

  /**
   * Everyone watches the epoch znode (one watch per session): followers learn the leader's
   * URL and epoch; a leader that finds a newer epoch there has been replaced and steps down.
   */
  private async watchEpoch(): Promise<void> {
    if (this.epochWatched) return;
    this.epochWatched = true;
    const cur = await this.zk
      .get(this.paths.epoch, () => {
        this.epochWatched = false;
        if (this.running) void this.watchEpoch().catch(() => undefined);
      })
      .catch((err) => {
        this.epochWatched = false;
        throw err;
      });
    if (!cur) return;
    const rec = JSON.parse(cur.data.toString('utf8')) as EpochRecord;
    if (rec.epoch === this.known.epoch && rec.leader === this.known.leader) return;
    if (this.leading && rec.epoch > this.known.epoch) this.depose(`a newer leader took over at epoch ${rec.epoch}`);
    if (!this.leading) {
      this.known = rec;
      this.emit();
    }
  }
}
