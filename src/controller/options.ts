/**
 * What a controller is built from (src/controller/controller.ts): adapters, the per-term
 * framework factory and the compiled settings. src/wiring.ts fills it from `ServeConfig`;
 * tests fill it with in-memory adapters and the fake clock.
 */
import type { Clock } from '../ports/clock.js';
import type { Leadership } from '../ports/leader.js';
import type { Logger } from '../ports/logger.js';
import type { FrameworkHooks, MesosFramework } from '../ports/mesos.js';
import type { SecretProvider } from '../ports/secrets.js';
import type { ManifestSource } from '../ports/source.js';
import type { Store } from '../ports/store.js';
import type { NotifierDeps } from '../notify/notifier.js';
import type { SecretOverrides } from '../secrets/run-overrides.js';

/** Everything the controller is built from. */
export interface ControllerOptions {
  store: Store;
  source: ManifestSource;
  clock: Clock;
  logger: Logger;
  leadership: Leadership;
  /**
   * Builds a Mesos framework around the controller's hooks, once per leadership term
   * (a stopped framework is not restarted: its subscription and master detector are gone).
   */
  framework(hooks: FrameworkHooks): MesosFramework;
  pollMs: number;
  prune: boolean;
  allowMassPrune: boolean;
  /** Apply a head that does not descend from the applied commit (default: the sync fails). */
  allowRewind?: boolean;
  /** Global cap on finished runs kept. */
  historyCap: number;
  /** For a directory source: watch it and sync on changes (debounced). */
  watch?: { dir: string; debounceMs: number };
  /** Retry backoff of failed syncs. */
  syncBackoff?: { initialMs: number; maxMs: number };
  /** Resolves jobs' `secrets:` at launch (src/ports/secrets.ts). */
  secrets?: SecretProvider;
  /** Named Mesos clusters (`--cluster`): a job's `spec.clusters` naming another fails the sync. */
  clusters?: readonly string[];
  /** Secret env values of manual runs, held in memory for their launches. */
  secretOverrides?: SecretOverrides;
  /** Notifications and SLAs (src/notify); without it no notification is written. */
  notify?: Pick<NotifierDeps, 'config' | 'sender' | 'metrics' | 'intervalMs'>;
  /** Default preemption grace for jobs without `spec.preemption` (`--preemption-after`); undefined: none. */
  preemptAfterSeconds?: number;
  /** `--unschedulable-after`: how long a run waits before it is judged unschedulable (default 5 min). */
  unschedulableAfterMs?: number;
}
