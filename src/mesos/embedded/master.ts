/**
 * The embedded Mesos master's brain: framework subscriptions (SUBSCRIBE, failover,
 * disconnect and failover_timeout, TEARDOWN), offers (allocation, ACCEPT, DECLINE,
 * REVIVE, SUPPRESS) and the dispatch of every other scheduler call, following
 * mesos.apache.org/documentation/latest/scheduler-http-api/ and apache/mesos src/master/master.cpp. HTTP framing lives in http.ts,
 * the other calls in calls.ts (ACCEPT in accept.ts), agents and tasks in cluster.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, Timer } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { FrameworkInfo, MasterInfo, Offer } from '../types.js';
import type { Call, Event } from '../scheduler-types.js';
import type { Agent } from './agent.js';
import { Allocator, type OfferRecord } from './allocator.js';
import { Cluster } from './cluster.js';
import type { ResourceBag } from './resources.js';
import type { EventStream } from './stream.js';
import { longTimeout, type FrameworkState } from './frameworks.js';
import type { RetryOptions } from './updates.js';
import { hasCapability, rolesOf, validateFrameworkInfo } from './validate.js';

/** Normalised options of the master core. */
export interface MasterOptions {
  clock: Clock;
  logger: Logger;
  masterId: string;
  heartbeatIntervalMs: number;
  allocationIntervalMs: number;
  statusRetry: RetryOptions;
  /**
   * Mesos `--offer_timeout`: an offer neither accepted nor declined this long is rescinded
   * and its resources are filtered from that framework for as long, so a framework that sits
   * on offers (a stuck or hostile local SUBSCRIBE) cannot starve the others. Undefined: never.
   */
  offerTimeoutMs?: number;
}

/** See the file comment. */
export class Master {
  masterId: string;
  /** Where this master listens; set by the HTTP layer once it knows its port. */
  address = { hostname: '127.0.0.1', ip: '127.0.0.1', port: 0 };
  readonly frameworks = new Map<string, FrameworkState>();
  readonly removedFrameworks = new Set<string>();
  readonly allocator: Allocator;
  readonly cluster: Cluster;
  /** Fault: while true no offers are made. */
  offeringStopped = false;
  /** Fault: UPDATE events delayed by `delayMs` and/or sent twice. */
  readonly updateFault = { delayMs: 0, duplicate: false };
  /** Counters served at `/metrics/snapshot` (names as in Mesos's metrics where one exists). */
  readonly counters = { declineCalls: 0, offersDeclined: 0, offersTimedOut: 0 };
  /** Offer timeouts armed, by offer id. */
  private readonly offerTimers = new Map<string, Timer>();
  private frameworkSeq = 0;
  /** Frameworks restored from agent checkpoints that have not subscribed again yet. */
  private readonly restored = new Set<string>();
  private allocationPending = false;
  /** Agents whose free resources changed since the last round; `all` after other changes. */
  private dirty: Set<string> | 'all' = 'all';
  private periodic: Timer | undefined;
  private stopped = false;

  constructor(readonly opts: MasterOptions) {
    this.masterId = opts.masterId;
    this.allocator = new Allocator(opts.clock, opts.masterId, opts.allocationIntervalMs);
    this.cluster = new Cluster(opts.clock, opts.statusRetry, {
      send: (fw, event) => this.send(fw, event),
      caps: (fw) => {
        return this.frameworks.get(fw);
      },
      freed: (agentId) => this.requestAllocation(agentId),
      recovered: (id, info) => this.restoreFramework(id, info),
    });
    const tick = () => {
      this.dirty = 'all'; // filters may have expired anywhere
      this.allocate();
      this.periodic = opts.clock.setTimeout(tick, opts.allocationIntervalMs);
    };
    this.periodic = opts.clock.setTimeout(tick, opts.allocationIntervalMs);
  }

  /** MasterInfo as SUBSCRIBED carries it (ip is the IPv4 address in network byte order). */
  masterInfo(): MasterInfo {
    const { hostname, ip, port } = this.address;
    const [a, b, c, d] = ip.split('.').map(Number);
    return { id: this.masterId, ip: (((d << 24) >>> 0) + (c << 16) + (b << 8) + a) >>> 0, port, pid: `master@${ip}:${port}`, hostname, version: '1.11.0', address: { hostname, ip, port } };
  }

  addAgent(agent: Agent): void {
    this.cluster.addAgent(agent);
  }

  /** Delivers an event to a framework if it is connected. */
  send(frameworkId: string, event: Event): void {
    if (event.type === 'UPDATE' && this.updateFault.delayMs > 0) this.opts.clock.setTimeout(() => this.deliver(frameworkId, event), this.updateFault.delayMs);
    else this.deliver(frameworkId, event);
  }

  private deliver(frameworkId: string, event: Event): void {
    const s = this.frameworks.get(frameworkId)?.stream;
    if (!s || s.closed) return;
    s.send(event);
    if (event.type === 'UPDATE' && this.updateFault.duplicate) s.send(event);
  }

  /**
   * SUBSCRIBE on a fresh stream (Master::subscribe). Invalid FrameworkInfo: ERROR event
   * and close. A second subscription of a known framework fails the old stream over.
   */
  subscribe(call: Call, stream: EventStream): void {
    const info = call.subscribe!.framework_info;
    const error = validateFrameworkInfo(info) ?? (info.id && this.removedFrameworks.has(info.id.value) ? 'Framework has been removed' : undefined);
    if (error) {
      stream.send({ type: 'ERROR', error: { message: error } });
      stream.close();
      return;
    }
    const id = info.id?.value || `${this.masterId}-${String(this.frameworkSeq++).padStart(4, '0')}`;
    let fw = this.frameworks.get(id);
    if (fw) {
      fw.failoverTimer?.cancel();
      fw.failoverTimer = undefined;
      if (fw.stream && !fw.stream.closed) {
        fw.stream.send({ type: 'ERROR', error: { message: 'Framework failed over' } });
        fw.stream.close();
      }
      this.dropOffers(id, false);
      fw.info = { ...info, id: { value: id } };
    } else {
      fw = { id, info: { ...info, id: { value: id } }, roles: [], registeredAt: this.opts.clock.now(), partitionAware: false, killingState: false };
      this.frameworks.set(id, fw);
    }
    fw.roles = rolesOf(info);
    fw.partitionAware = hasCapability(info, 'PARTITION_AWARE');
    fw.killingState = hasCapability(info, 'TASK_KILLING_STATE');
    fw.stream = stream;
    this.allocator.revive(id, fw.roles);
    this.allocator.suppress(id, call.subscribe!.suppressed_roles ?? []);
    const current = fw;
    stream.onDisconnect(() => this.disconnected(current, stream));
    stream.send({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: id }, heartbeat_interval_seconds: this.opts.heartbeatIntervalMs / 1000, master_info: this.masterInfo() } });
    stream.startHeartbeats(this.opts.heartbeatIntervalMs);
    // Restored from a checkpoint: the agents' pending updates go out now, as a restarted
    // agent resends them when it re-registers (not on an ordinary framework failover).
    if (this.restored.delete(id)) this.cluster.updates.resendNow(id);
    this.opts.logger.info('framework subscribed', { framework: id, stream: stream.streamId });
    this.requestAllocation();
  }

  /**
   * A framework known only from an agent's checkpoint (this process restarted): it is
   * disconnected, so it gets its failover_timeout to subscribe again before it and its
   * tasks are removed, as after any disconnection.
   */
  restoreFramework(id: string, info: FrameworkInfo): void {
    if (this.frameworks.has(id) || this.removedFrameworks.has(id)) return;
    const fw: FrameworkState = { id, info: { ...info, id: { value: id } }, roles: rolesOf(info), registeredAt: this.opts.clock.now(), partitionAware: hasCapability(info, 'PARTITION_AWARE'), killingState: hasCapability(info, 'TASK_KILLING_STATE') };
    this.frameworks.set(id, fw);
    this.restored.add(id);
    const ms = (info.failover_timeout ?? 0) * 1000;
    this.opts.logger.info('framework recovered from an agent checkpoint', { framework: id, failoverTimeoutMs: ms });
    fw.failoverTimer = longTimeout(this.opts.clock, () => this.removeFramework(id), ms);
  }

  /** A new Mesos-Stream-Id. */
  newStreamId(): string {
    return randomUUID();
  }

  /** Disconnect: deactivate, drop offers, remove the framework after failover_timeout. */
  private disconnected(fw: FrameworkState, stream: EventStream): void {
    if (fw.stream !== stream || this.frameworks.get(fw.id) !== fw) return;
    fw.stream = undefined;
    this.dropOffers(fw.id, false);
    const ms = (fw.info.failover_timeout ?? 0) * 1000;
    this.opts.logger.info('framework disconnected', { framework: fw.id, failoverTimeoutMs: ms });
    fw.failoverTimer = longTimeout(this.opts.clock, () => this.removeFramework(fw.id), ms);
  }

  /** TEARDOWN or failover timeout: the framework and all its tasks go away. */
  removeFramework(id: string): void {
    const fw = this.frameworks.get(id);
    if (!fw) return;
    fw.failoverTimer?.cancel();
    this.dropOffers(id, false);
    this.frameworks.delete(id);
    this.removedFrameworks.add(id);
    this.allocator.forget(id);
    this.cluster.removeFramework(id);
    fw.stream?.close();
    this.opts.logger.info('framework removed', { framework: id });
  }

  /** Removes a framework's (or all) outstanding offers, returning resources; RESCIND if asked. */
  dropOffers(frameworkId: string | undefined, rescind: boolean, agentId?: string): void {
    for (const o of this.allocator.find((x) => (frameworkId === undefined || x.frameworkId === frameworkId) && (agentId === undefined || x.agentId === agentId))) {
      this.recover(o);
      if (rescind) this.send(o.frameworkId, { type: 'RESCIND', rescind: { offer_id: { value: o.id } } });
    }
  }

  /** Takes an offer out of circulation and returns its resources to the agent. */
  recover(o: OfferRecord): void {
    this.allocator.offers.delete(o.id);
    this.offerTimers.get(o.id)?.cancel();
    this.offerTimers.delete(o.id);
    const a = this.cluster.agents.get(o.agentId);
    if (a && a.status !== 'gone') a.free.add(o.resources);
    this.requestAllocation(o.agentId);
  }

  /**
   * Allocates soon (coalesced into one round per microtask): only `agentId`'s resources
   * when given (they changed), else every agent (demand, filters or suppression changed).
   */
  requestAllocation(agentId?: string): void {
    if (this.dirty !== 'all') {
      if (agentId === undefined) this.dirty = 'all';
      else this.dirty.add(agentId);
    }
    if (this.allocationPending || this.stopped) return;
    this.allocationPending = true;
    queueMicrotask(() => {
      this.allocationPending = false;
      this.allocate();
    });
  }

  /** One allocation round: offers go out as one OFFERS event per framework. */
  allocate(): void {
    if (this.offeringStopped || this.stopped) return;
    const dirty = this.dirty;
    this.dirty = new Set();
    const active = [...this.frameworks.values()].filter((f) => f.stream && !f.stream.closed);
    const views = active.map((f) => ({ id: f.id, roles: f.roles, gpuCapable: hasCapability(f.info, 'GPU_RESOURCES') }));
    const states = dirty === 'all' ? this.cluster.agents.values() : [...dirty].map((id) => this.cluster.agents.get(id)!).filter(Boolean);
    const agents: { id: string; free: ResourceBag }[] = [];
    for (const a of states) if (a.status === 'active') agents.push({ id: a.agent.id, free: a.free });
    const made = this.allocator.allocate(agents, views);
    const byFw = new Map<string, Offer[]>();
    for (const o of made) {
      this.armOfferTimeout(o);
      const a = this.cluster.agents.get(o.agentId)!.agent;
      const offer: Offer = {
        id: { value: o.id },
        framework_id: { value: o.frameworkId },
        agent_id: { value: o.agentId },
        hostname: a.hostname,
        // The agent's HTTP address (Offer.url): every local agent is served by this master.
        url: { scheme: 'http', address: { hostname: this.address.hostname, ip: this.address.ip, port: this.address.port }, path: '/slave(1)' },
        resources: o.resources.toProto(o.role),
        attributes: a.attributes,
        allocation_info: { role: o.role },
      };
      const list = byFw.get(o.frameworkId);
      if (list) list.push(offer);
      else byFw.set(o.frameworkId, [offer]);
    }
    for (const [fw, offers] of byFw) this.send(fw, { type: 'OFFERS', offers: { offers } });
  }

  private armOfferTimeout(o: OfferRecord): void {
    const ms = this.opts.offerTimeoutMs;
    if (ms === undefined || ms <= 0) return;
    this.offerTimers.set(
      o.id,
      this.opts.clock.setTimeout(() => {
        this.offerTimers.delete(o.id);
        if (this.allocator.offers.get(o.id) !== o) return; // accepted, declined or rescinded meanwhile
        this.counters.offersTimedOut++;
        this.opts.logger.warn('offer timed out: rescinded', { framework: o.frameworkId, offer: o.id, timeoutMs: ms });
        this.allocator.refuse(o.frameworkId, o.role, o.agentId, o.resources, ms / 1000);
        this.recover(o);
        this.send(o.frameworkId, { type: 'RESCIND', rescind: { offer_id: { value: o.id } } });
      }, ms),
    );
  }

  /** Stops timers, closes streams and stops agents. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.periodic?.cancel();
    for (const t of this.offerTimers.values()) t.cancel();
    this.offerTimers.clear();
    for (const fw of this.frameworks.values()) {
      fw.failoverTimer?.cancel();
      fw.stream?.close();
    }
    await this.cluster.stop();
  }
}
