/**
 * What one cluster's recent offers say about room: per agent, the resources of its latest
 * offer and when it came. Placement asks whether a task's need fits one of them (the
 * "has, or had recently, an offer that fits" of README "Several clusters"). Answers are
 * cached per need shape until the next offers arrive, so a burst of 100,000 launches of a
 * few shapes costs a few scans of the agents, not one per task.
 */
import type { Fit } from './placement.js';
import { toMatchOffer } from '../mesos/offers.js';
import { needOf, shortfall, totalsOf, type Need, type Totals } from '../mesos/resources.js';
import type { Offer } from '../mesos/types.js';
import type { Resources } from '../core/types.js';

/** How long an offer still counts as "recent" for placement. */
export const OFFER_MEMORY_MS = 5 * 60_000;

/** Recent offers of one cluster, by agent (see the file comment). */
export class OfferMemory {
  private readonly agents = new Map<string, { totals: Totals; at: number }>();
  private readonly cache = new Map<string, { fit: Fit; at: number }>();
  private lastOfferAt: number | undefined;

  constructor(private readonly windowMs = OFFER_MEMORY_MS) {}

  /** Offers arrived at `now` (each agent's latest offer replaces its earlier one). */
  offered(offers: readonly Offer[], now: number): void {
    for (const o of offers) {
      const m = toMatchOffer(o);
      this.agents.set(m.agentId, { totals: totalsOf(m.pools), at: now });
    }
    if (offers.length) this.lastOfferAt = now;
    this.cache.clear();
  }

  /** Whether `resources` fit an offer seen within the window before `now`. */
  fit(resources: Resources, now: number): Fit {
    if (this.lastOfferAt === undefined || now - this.lastOfferAt > this.windowMs) return 'no-offers';
    const key = `${resources.cpus}/${resources.mem}/${resources.disk}/${resources.gpus}/${resources.ports}`;
    const hit = this.cache.get(key);
    // The cache holds until new offers come (they clear it) or the window drops an agent.
    if (hit && now - hit.at < 1000) return hit.fit;
    const fit = this.scan(needOf(resources), now);
    this.cache.set(key, { fit, at: now });
    return fit;
  }

  private scan(need: Need, now: number): Fit {
    let seen = false;
    for (const [id, a] of this.agents) {
      if (now - a.at > this.windowMs) {
        this.agents.delete(id);
        continue;
      }
      seen = true;
      if (shortfall(need, a.totals) === undefined) return 'fits';
    }
    return seen ? 'too-small' : 'no-offers';
  }
}
