/**
 * Builds the framework's parts and wires them to each other once, so framework.ts stays
 * the MesosFramework front: the subscription loop hands events to the handler table;
 * every call leaves through one Caller (stream → framework id → metrics); a refused
 * ACCEPT makes the offer flow's Caller start a reconciliation; the status pipe ACKs
 * through the same Caller; the watchdogs drop the stream or REVIVE.
 */
import { messageOf } from '../core/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { FrameworkHooks, TaskStatusUpdate } from '../ports/mesos.js';
import { onFailure, streamCaller, withFrameworkId, withMetrics, type Caller, type CallEvents, type EmitCallEvent } from './caller.js';
import { AgentLedger } from './agent-view.js';
import { CapacityProbe } from './capacity.js';
import { SchedulerClient } from './client.js';
import { frameworkInfoOf, type FrameworkConfig } from './config.js';
import { OfferFlow } from './flow.js';
import type { Offer } from './types.js';
import { eventHandlers, route } from './handlers.js';
import type { MasterDetector } from './leader.js';
import { Reconciler } from './reconciler.js';
import { AgentSandboxes } from './sandbox.js';
import { StatusPipe } from './status-pipe.js';
import { SubscriptionLoop, type FrameworkIdStore } from './subscription.js';
import { MasterLabels } from './task-labels.js';
import { TaskBook } from './taskbook.js';
import { HeartbeatWatchdog, StarvationWatchdog } from './watchdog.js';

/** What the framework is built from; `main` builds the real ones. */
export interface FrameworkDeps {
  detector: MasterDetector;
  clock: Clock;
  logger: Logger;
  hooks: FrameworkHooks;
  frameworkIds: FrameworkIdStore;
}

/** Typed events for tests, metrics and logs: tests wait on these, never on sleeps. */
export interface FrameworkEvents extends CallEvents {
  subscribed: [{ frameworkId: string; master: string }];
  disconnected: [{ reason: string }];
  /** Offers arrived (`offers`: as received, for placement across clusters, src/clusters). */
  offers: [{ count: number; offers: readonly Offer[] }];
  status: [TaskStatusUpdate];
  starving: [boolean];
  /** A reconciliation finished; `ms` is how long it took (for the reconcile duration metric). */
  reconciled: [{ unanswered: string[]; ms: number }];
}

/** Reports one framework event (the framework's EventEmitter `emit`). */
export type EmitFrameworkEvent = <K extends keyof FrameworkEvents>(name: K, ...args: FrameworkEvents[K]) => void;

/** The parts of one framework, wired. */
export interface FrameworkParts {
  client: SchedulerClient;
  tasks: TaskBook;
  sandboxes: AgentSandboxes;
  loop: SubscriptionLoop;
  caller: Caller;
  flow: OfferFlow;
  reconciler: Reconciler;
  heartbeat: HeartbeatWatchdog;
  starvation: StarvationWatchdog;
  capacity: CapacityProbe;
  /** What offers told of each agent, for preemption (agent-view.ts). */
  agents: AgentLedger;
}

/** Builds and wires the parts; `disconnected` runs whenever a stream ends (or never opened). */
export function buildParts(deps: FrameworkDeps, c: FrameworkConfig, emit: EmitFrameworkEvent, disconnected: (reason: string, wasSubscribed: boolean) => void): FrameworkParts {
  const { clock, hooks } = deps;
  const log = deps.logger.child({ component: 'mesos' });
  const authorization = c.principal && c.secret ? `Basic ${Buffer.from(`${c.principal}:${c.secret}`).toString('base64')}` : undefined;
  const client = new SchedulerClient({ encoding: c.encoding, maxRedirects: c.maxRedirects, requestTimeoutMs: c.requestTimeoutMs, authorization });
  const tasks = new TaskBook();
  const sandboxes = new AgentSandboxes();
  let handle: ReturnType<typeof route> = () => {};
  const loop = new SubscriptionLoop({ detector: deps.detector, client, log, frameworkIds: deps.frameworkIds, clock, backoff: c.resubscribeBackoff, frameworkInfo: () => frameworkInfoOf(c), handle: (e, sub) => handle(e, sub), ended: disconnected });
  const connected = () => loop.stream !== undefined;
  const caller = withMetrics(withFrameworkId(streamCaller(client, () => loop.live), () => loop.frameworkId), emit as EmitCallEvent);
  const reconciler = new Reconciler({ clock, caller, log, intervalMs: c.reconcileIntervalMs, backoff: c.reconcileBackoff, live: () => tasks.live(), connected, reconciled: (e) => emit('reconciled', e) });
  const agents = new AgentLedger();
  const flow = new OfferFlow({ clock, config: c, log, tasks, hooks, agents, caller: onFailure(caller, 'ACCEPT', () => void reconciler.run()) });
  const labels = new MasterLabels(client, () => (loop.stream && loop.frameworkId ? { url: loop.stream.url, frameworkId: loop.frameworkId } : undefined), log);
  const sandboxOf = (taskId: string) => (loop.frameworkId ? sandboxes.locate(loop.frameworkId, taskId) : undefined);
  const statuses = new StatusPipe({ clock, log, caller, tasks, sandboxes, labels, hooks, sandboxOf, observed: (id, at) => reconciler.observe(id, at), recorded: (u) => emit('status', u) });
  const heartbeat = new HeartbeatWatchdog(clock, () => loop.drop('no event for 5 heartbeat intervals'));
  const starvation = new StarvationWatchdog(clock, c.starvationTimeoutMs, {
    hasDemand: () => tasks.queued > 0,
    connected,
    revive: () => void flow.revive().catch((e) => log.warn('REVIVE failed', { error: messageOf(e) })),
    resubscribe: () => loop.drop('starving: no offers after REVIVE'),
    starving: (on, quietMs) => {
      if (on) log.error('starving: tasks are waiting and no offers arrive', { queued: tasks.queued, quietMs });
      else log.info('offers are back, no longer starving');
      emit('starving', on);
    },
  });
  const events = { subscribed: (e: FrameworkEvents['subscribed'][0]) => emit('subscribed', e), offers: (e: FrameworkEvents['offers'][0]) => emit('offers', e) };
  handle = route(eventHandlers({ log, heartbeat, heartbeatMisses: c.heartbeatMisses, starvation, sandboxes, offers: flow, statuses, reconcile: () => void reconciler.run(), events }), heartbeat);
  return { client, tasks, sandboxes, loop, caller, flow, reconciler, heartbeat, starvation, capacity: new CapacityProbe(clock, client), agents };
}
