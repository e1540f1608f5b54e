/**
 * The embedded master's allocator: turns each agent's free resources into one offer for
 * one framework role at a time, honouring refuse filters and suppression as the Mesos
 * hierarchical allocator does (mesos.apache.org/documentation/latest/app-framework-development-guide/, "Offer filters"):
 * a filter is keyed by framework, role and agent, lasts max(allocation interval,
 * refuse_seconds) and blocks any offer that is a subset of what was refused; REVIVE
 * clears filters and suppression, SUPPRESS stops offers for roles until REVIVE. Not the
 * DRF ordering: frameworks take turns round-robin.
 */
import type { Clock } from '../../ports/clock.js';
import { ResourceBag } from './resources.js';

/** An outstanding offer. */
export interface OfferRecord {
  id: string;
  frameworkId: string;
  agentId: string;
  role: string;
  resources: ResourceBag;
}

/** What the allocator needs to know of a framework that can receive offers. */
export interface FrameworkView {
  id: string;
  roles: string[];
  gpuCapable: boolean;
}

/** What the allocator needs to know of an agent that can be offered. */
export interface AgentView {
  id: string;
  free: ResourceBag;
}

interface Filter {
  resources: ResourceBag;
  until: number;
}

/** Upper bound of refuse_seconds (Mesos caps filters at 365 days). */
const MAX_REFUSE_SECONDS = 365 * 24 * 3600;

/** See the file comment. */
export class Allocator {
  readonly offers = new Map<string, OfferRecord>();
  private readonly filters = new Map<string, Filter[]>();
  private readonly suppressed = new Map<string, Set<string>>();
  private offerSeq = 0;
  private turn = 0;

  constructor(
    private readonly clock: Clock,
    private masterId: string,
    private readonly allocationIntervalMs: number,
  ) {}

  /** After a master failover offer ids restart under the new master id. */
  setMasterId(id: string): void {
    this.masterId = id;
  }

  /**
   * Offers every agent's free resources (moved out of `free`) to the next eligible
   * framework role; returns the new offers.
   */
  allocate(agents: Iterable<AgentView>, frameworks: FrameworkView[]): OfferRecord[] {
    const made: OfferRecord[] = [];
    const candidates = frameworks.flatMap((f) => f.roles.map((role) => ({ f, role })));
    if (candidates.length === 0) return made;
    const now = this.clock.now();
    for (const agent of agents) {
      if (agent.free.isEmpty()) continue;
      const gpus = agent.free.scalar('gpus') > 0;
      for (let k = 0; k < candidates.length; k++) {
        const { f, role } = candidates[(this.turn + k) % candidates.length];
        if (gpus && !f.gpuCapable) continue;
        if (this.suppressed.get(f.id)?.has(role)) continue;
        if (this.filtered(f.id, role, agent.id, agent.free, now)) continue;
        const offer: OfferRecord = { id: `${this.masterId}-O${++this.offerSeq}`, frameworkId: f.id, agentId: agent.id, role, resources: agent.free.clone() };
        agent.free.subtract(offer.resources);
        this.offers.set(offer.id, offer);
        made.push(offer);
        this.turn = (this.turn + k + 1) % candidates.length;
        break;
      }
    }
    return made;
  }

  /** Records a refuse filter for what a framework declined or left unused. */
  refuse(frameworkId: string, role: string, agentId: string, resources: ResourceBag, refuseSeconds: number): void {
    if (resources.isEmpty()) return;
    const seconds = Math.min(Math.max(0, refuseSeconds), MAX_REFUSE_SECONDS);
    const ms = Math.max(this.allocationIntervalMs, seconds * 1000);
    const key = `${frameworkId}|${role}|${agentId}`;
    const list = this.filters.get(key) ?? [];
    list.push({ resources: resources.clone(), until: this.clock.now() + ms });
    this.filters.set(key, list);
  }

  /** REVIVE: clears filters of the roles and un-suppresses them. */
  revive(frameworkId: string, roles: string[]): void {
    for (const role of roles) {
      this.suppressed.get(frameworkId)?.delete(role);
      for (const key of this.filters.keys()) if (key.startsWith(`${frameworkId}|${role}|`)) this.filters.delete(key);
    }
  }

  /** SUPPRESS: no offers for these roles until REVIVE. */
  suppress(frameworkId: string, roles: string[]): void {
    const set = this.suppressed.get(frameworkId) ?? new Set<string>();
    for (const r of roles) set.add(r);
    this.suppressed.set(frameworkId, set);
  }

  /** Roles of a framework currently suppressed. */
  suppressedRoles(frameworkId: string): string[] {
    return [...(this.suppressed.get(frameworkId) ?? [])];
  }

  /** Forgets a framework's filters and suppression (it was removed). */
  forget(frameworkId: string): void {
    this.suppressed.delete(frameworkId);
    for (const key of this.filters.keys()) if (key.startsWith(`${frameworkId}|`)) this.filters.delete(key);
  }

  /** Outstanding offers matching a predicate. */
  find(pred: (o: OfferRecord) => boolean): OfferRecord[] {
    return [...this.offers.values()].filter(pred);
  }

  private filtered(frameworkId: string, role: string, agentId: string, free: ResourceBag, now: number): boolean {
    const key = `${frameworkId}|${role}|${agentId}`;
    let list = this.filters.get(key);
    if (!list) return false;
    // Loops, not some/filter: every agent of every round comes here.
    let expired = false;
    for (const f of list) if (f.until <= now) expired = true;
    if (expired) {
      const live: Filter[] = [];
      for (const f of list) if (f.until > now) live.push(f);
      if (live.length) this.filters.set(key, live);
      else this.filters.delete(key);
      list = live;
    }
    for (const f of list) if (f.resources.contains(free)) return true;
    return false;
  }
}
