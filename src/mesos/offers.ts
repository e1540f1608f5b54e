/**
 * Turns Mesos Offers (apache/mesos include/mesos/v1/mesos.proto Offer) into the matcher's view, and
 * keeps the set of offers currently held. Offers are dropped wholesale on every
 * disconnect and every SUBSCRIBED: the master discards them silently on resubscribe
 * (mesos.apache.org/documentation/latest/scheduler-http-api/, "Disconnections"), so holding on to them only produces
 * ACCEPTs that fail with TASK_DROPPED.
 */
import type { MatchOffer } from './matcher.js';
import { toMilli, type Pool, type Range } from './resources.js';
import type { Attribute, Offer, Resource } from './types.js';

/** Text form of an attribute, as Mesos prints it (`rack:r1`, `cores:4`, `[1-5]`, `{a,b}`). */
export function attributeText(a: Attribute): string {
  switch (a.type) {
    case 'TEXT':
      return a.text?.value ?? '';
    case 'SCALAR':
      return String(a.scalar?.value ?? 0);
    case 'RANGES':
      return `[${(a.ranges?.range ?? []).map((r) => `${r.begin}-${r.end}`).join(',')}]`;
    case 'SET':
      return `{${(a.set?.item ?? []).join(',')}}`;
  }
}

/**
 * A resource without its value (scalar, ranges, set): what each task's Resource is built
 * from (tasks.ts). Copied key by key rather than by rest destructuring, whose objects read
 * many times slower, and this one is read for every task placed on the offer.
 */
function templateOf(r: Resource): Omit<Resource, 'scalar' | 'ranges' | 'set'> {
  const t: Record<string, unknown> = {};
  for (const k of Object.keys(r)) if (k !== 'scalar' && k !== 'ranges' && k !== 'set') t[k] = (r as unknown as Record<string, unknown>)[k];
  return t as unknown as Omit<Resource, 'scalar' | 'ranges' | 'set'>;
}

/**
 * The matcher's view of an offer. Resources the matcher does not understand (sets,
 * revocable or shared resources) are left out, so they are never handed to a task.
 */
export function toMatchOffer(o: Offer): MatchOffer {
  const pools: Pool[] = [];
  for (const r of o.resources ?? []) {
    if (r.revocable || r.shared) continue;
    const template = templateOf(r);
    if (r.type === 'SCALAR' && r.scalar && r.name !== 'ports') {
      pools.push({ name: r.name, template, milli: toMilli(r.scalar.value), ranges: [] });
    } else if (r.type === 'RANGES' && r.name === 'ports') {
      const ranges: Range[] = (r.ranges?.range ?? []).map((x) => [x.begin, x.end]);
      pools.push({ name: 'ports', template, milli: 0, ranges });
    }
  }
  const attributes: Record<string, string> = {};
  for (const a of o.attributes ?? []) attributes[a.name] = attributeText(a);
  const role = o.allocation_info?.role ?? o.resources?.find((r) => r.allocation_info?.role)?.allocation_info?.role ?? '*';
  return { id: o.id.value, agentId: o.agent_id.value, hostname: o.hostname, role, attributes, pools };
}

/** Offers currently held (for one batching window, or while the starting cap is reached; see flow.ts). */
export class OfferBook {
  private readonly offers = new Map<string, MatchOffer>();

  /** Holds an offer; returns the matcher's view of it. */
  add(o: Offer): MatchOffer {
    const offer = toMatchOffer(o);
    this.offers.set(o.id.value, offer);
    return offer;
  }

  /** Holds again offers a round took but left unused (flow.ts: while the starting cap is reached). */
  keep(offers: readonly MatchOffer[]): void {
    for (const o of offers) this.offers.set(o.id, o);
  }

  rescind(offerId: string): void {
    this.offers.delete(offerId);
  }

  /** Removes and returns every held offer (for one matching round). */
  takeAll(): MatchOffer[] {
    const all = [...this.offers.values()];
    this.offers.clear();
    return all;
  }

  /** Forgets every offer (disconnect, SUBSCRIBED): the master has already dropped them. */
  clear(): void {
    this.offers.clear();
  }

  get size(): number {
    return this.offers.size;
  }
}
