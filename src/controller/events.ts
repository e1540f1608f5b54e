/**
 * Typed events of a running controller (graphile/worker `Runner.events`).
 * Tests and the HA/browser suites wait on these with `next(name, predicate)` instead of
 * sleeping; the log is written from the same events.
 */
import type { RunState } from '../core/types.js';
import type { Problem } from '../core/errors.js';

/** Every event the controller emits, by name. */
export interface ControllerEvents {
  /** A sync began; `reason` is what triggered it (poll, webhook, watch, start, retry). */
  'sync:start': { reason: string };
  /** A sync applied a revision (possibly with no changes). */
  'sync:ok': { revision: string; created: string[]; updated: string[]; pruned: string[] };
  /** A sync failed; nothing was applied. `retryInMs` is absent for errors that wait for a new commit. */
  'sync:error': { revision?: string; code: string; message: string; problems: Problem[]; retryInMs?: number };
  /** A run record was created in the store (its intent), before any launch. */
  'run:created': { runId: string; job: string; scheduledAt: number };
  /** A run changed state (launching, running, succeeded, failed, ...). */
  'run:state': { runId: string; job: string; state: RunState; attempt?: number };
  /** A run passed its `spec.sla` deadline unfinished, or finished after it (raised once per run). */
  'run:sla_missed': { runId: string; job: string };
  /** A task of run `runId` was killed to make room for the waiting run `by` (preemption); the run will run again. */
  'run:preempted': { runId: string; job: string; by: string };
  /** A task the store did not know about, or one known from before a restart, was adopted. */
  'run:adopted': { runId: string; taskId: string };
  /** The controller is shutting down. */
  'stopping': { reason: string };
  /** A leadership transition finished: this controller now works (`leading`) or only serves reads. */
  'leadership': { leading: boolean };
}

export type EventName = keyof ControllerEvents;
type Listener<K extends EventName> = (payload: ControllerEvents[K]) => void;

/** A small typed emitter; listener errors are not the emitter's business (they propagate). */
export class ControllerEmitter {
  private listeners = new Map<EventName, Set<(p: unknown) => void>>();

  /** Subscribes; returns the unsubscribe function. */
  on<K extends EventName>(name: K, fn: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn as (p: unknown) => void);
    return () => void set!.delete(fn as (p: unknown) => void);
  }

  emit<K extends EventName>(name: K, payload: ControllerEvents[K]): void {
    for (const fn of [...(this.listeners.get(name) ?? [])]) fn(payload);
  }

  /** Resolves with the next `name` event for which `match` holds. */
  next<K extends EventName>(name: K, match: (p: ControllerEvents[K]) => boolean = () => true): Promise<ControllerEvents[K]> {
    return new Promise((resolve) => {
      const off = this.on(name, (p) => {
        if (!match(p)) return;
        off();
        resolve(p);
      });
    });
  }
}
