/**
 * What each scheduler event does, as one table (mesos-go's `events.Handlers` keyed by
 * `scheduler.Event_Type`, composed with rules): the subscription loop hands every event
 * to `route`, which first feeds the heartbeat watchdog (any event proves the stream
 * alive, mesos.apache.org/documentation/latest/scheduler-http-api/ "Disconnections") and then runs the event's handler.
 * Types without one (HEARTBEAT, INVERSE_OFFERS, MESSAGE, ...) only feed the watchdog.
 */
import type { Logger } from '../ports/logger.js';
import type { Subscription } from './client.js';
import type { OfferFlow } from './flow.js';
import type { AgentSandboxes } from './sandbox.js';
import type { StatusPipe } from './status-pipe.js';
import type { Event, EventTypeName } from './scheduler-types.js';
import type { Offer } from './types.js';
import type { HeartbeatWatchdog, StarvationWatchdog } from './watchdog.js';

/** Handles one event of the stream `sub`. */
export type EventHandler = (event: Event, sub: Subscription) => void;

/** One handler per event type; a missing type is ignored. */
export type HandlerTable = Partial<Record<EventTypeName, EventHandler>>;

/** The parts the handlers drive. */
export interface HandlerParts {
  log: Logger;
  heartbeat: Pick<HeartbeatWatchdog, 'arm'>;
  /** Events missed before the stream counts as dead (× heartbeat_interval_seconds). */
  heartbeatMisses: number;
  starvation: Pick<StarvationWatchdog, 'offerArrived'>;
  sandboxes: Pick<AgentSandboxes, 'offers'>;
  offers: Pick<OfferFlow, 'offers' | 'rescind' | 'subscribed'>;
  statuses: Pick<StatusPipe, 'receive'>;
  /** Starts a reconciliation (Reconciler.run). */
  reconcile(): void;
  /** The framework's typed events these handlers report. */
  events: {
    subscribed(e: { frameworkId: string; master: string }): void;
    offers(e: { count: number; offers: readonly Offer[] }): void;
  };
}

/** SUBSCRIBED → arm the heartbeat, reset the offer flow, reconcile. OFFERS → offer flow. UPDATE → status pipe. */
export function eventHandlers(p: HandlerParts): HandlerTable {
  return {
    SUBSCRIBED: (e, sub) => {
      const s = e.subscribed!;
      const frameworkId = s.framework_id.value;
      p.heartbeat.arm((s.heartbeat_interval_seconds ?? 15) * 1000 * p.heartbeatMisses);
      p.log.info('subscribed', { frameworkId, master: sub.url, streamId: sub.streamId });
      p.offers.subscribed();
      p.events.subscribed({ frameworkId, master: sub.url });
      p.reconcile();
    },
    OFFERS: (e) => {
      const offers = e.offers?.offers ?? [];
      p.starvation.offerArrived();
      p.sandboxes.offers(offers);
      p.offers.offers(offers);
      p.events.offers({ count: offers.length, offers });
    },
    RESCIND: (e) => p.offers.rescind(e.rescind!.offer_id.value),
    UPDATE: (e) => p.statuses.receive(e.update!.status),
    FAILURE: (e) => p.log.warn('agent or executor failure', { agentId: e.failure?.agent_id?.value, status: e.failure?.status }),
    ERROR: (e, sub) => {
      p.log.error('master sent ERROR', { message: e.error?.message ?? '' });
      sub.close();
    },
  };
}

/** The stream's one handler: touch the heartbeat watchdog, then the event type's handler. */
export function route(table: HandlerTable, heartbeat: Pick<HeartbeatWatchdog, 'touch'>): EventHandler {
  return (event, sub) => {
    heartbeat.touch();
    const h = event.type && table[event.type];
    if (h) h(event, sub);
  };
}
