/**
 * Fault hooks of the embedded master, for tests of the framework's failure handling:
 * streams that drop or go silent, a master failover (new master id, new streams, offers
 * lost), agents partitioned / removed / returning, rescinded offers, delayed or
 * duplicated status updates, and a master that stops offering. Each is a method; the
 * HTTP front exposes them as `POST /__faults/<name>?arg=...`.
 */
import { randomUUID } from 'node:crypto';
import type { Master } from './master.js';

/** See the file comment. */
export class Faults {
  constructor(private readonly master: Master) {}

  private streams(frameworkId?: string) {
    return [...this.master.frameworks.values()].filter((f) => frameworkId === undefined || f.id === frameworkId).map((f) => f.stream).filter((s) => s && !s.closed);
  }

  /** Destroys the subscription socket(s), as a network failure would. */
  dropStream(frameworkId?: string): void {
    for (const s of this.streams(frameworkId)) s!.drop();
  }

  /** Stops writing anything (heartbeats included) on the current stream(s); the socket stays open. */
  silence(frameworkId?: string): void {
    for (const s of this.streams(frameworkId)) s!.silent = true;
  }

  /**
   * The leading master fails over: a new master id, every stream is cut, outstanding
   * offers and filters are forgotten. Frameworks must resubscribe with their id. With
   * `agentReregisterMs` > 0 the agents re-register only that much later; until then they
   * make no offers and reconciliation about their tasks gets no answer.
   */
  failover(newMasterId: string = randomUUID(), agentReregisterMs = 0): void {
    const m = this.master;
    m.masterId = newMasterId;
    m.allocator.setMasterId(newMasterId);
    for (const f of m.frameworks.values()) m.allocator.forget(f.id);
    this.dropStream();
    if (agentReregisterMs > 0) m.cluster.recoverAgents(agentReregisterMs);
  }

  /** The agent stops reaching the master (TASK_UNREACHABLE / TASK_LOST); its offers are rescinded. */
  partitionAgent(agentId: string): void {
    this.master.dropOffers(undefined, true, agentId);
    this.master.cluster.removeAgent(agentId, 'unreachable');
  }

  /** A partitioned agent re-registers. */
  healAgent(agentId: string): void {
    this.master.cluster.reregisterAgent(agentId);
  }

  /** The operator removes the agent for good (TASK_GONE_BY_OPERATOR / TASK_LOST); its tasks are killed. */
  removeAgent(agentId: string): void {
    this.master.dropOffers(undefined, true, agentId);
    this.master.cluster.removeAgent(agentId, 'gone');
  }

  /** Rescinds every outstanding offer (of one framework, or all). */
  rescindOffers(frameworkId?: string): void {
    this.master.dropOffers(frameworkId, true);
  }

  /** Stops making offers (outstanding ones stay) until `resumeOffering`. */
  stopOffering(): void {
    this.master.offeringStopped = true;
  }

  resumeOffering(): void {
    this.master.offeringStopped = false;
    this.master.requestAllocation();
  }

  /** Delays every UPDATE event by `ms` (0 turns it off). */
  delayUpdates(ms: number): void {
    this.master.updateFault.delayMs = ms;
  }

  /** Sends every UPDATE event twice while on. */
  duplicateUpdates(on: boolean): void {
    this.master.updateFault.duplicate = on;
  }

  /** The HTTP form: a fault by kebab-case name with string arguments; false if unknown. */
  byName(name: string, args: Record<string, string>): boolean {
    const fw = args.framework_id;
    const table: Record<string, () => void> = {
      'drop-stream': () => this.dropStream(fw),
      silence: () => this.silence(fw),
      failover: () => this.failover(args.master_id || undefined, Number(args.agent_reregister_ms ?? 0)),
      'partition-agent': () => this.partitionAgent(args.agent_id),
      'heal-agent': () => this.healAgent(args.agent_id),
      'remove-agent': () => this.removeAgent(args.agent_id),
      'rescind-offers': () => this.rescindOffers(fw),
      'stop-offering': () => this.stopOffering(),
      'resume-offering': () => this.resumeOffering(),
      'delay-updates': () => this.delayUpdates(Number(args.ms ?? 0)),
      'duplicate-updates': () => this.duplicateUpdates(args.on !== 'false'),
    };
    const fn = table[name];
    if (!fn) return false;
    fn();
    return true;
  }
}
