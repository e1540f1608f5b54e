/**
 * The framework's settings, normalised once at the edge (graphile/worker's
 * `processSharedOptions` idea): everything below reads a complete FrameworkConfig.
 * Defaults follow the Mesos docs' advice, cited per field.
 */
import { KairosError } from '../core/errors.js';
import type { Encoding } from './codec.js';
import { DEFAULT_RECONCILE_BACKOFF, type ReconcileBackoff } from './reconcile.js';
import type { Containerizer } from './tasks.js';
import type { FrameworkInfo } from './types.js';

/** Every framework setting, complete (see DEFAULT_FRAMEWORK_CONFIG). */
export interface FrameworkConfig {
  name: string;
  /** OS user tasks run as unless a job sets `user` (FrameworkInfo.user). */
  user: string;
  /** MULTI_ROLE roles (FrameworkInfo.roles; `role` is never sent). */
  roles: string[];
  principal?: string;
  /**
   * With `principal`: the secret for a master that authenticates frameworks (Mesos
   * `--authenticate_http_frameworks` with the `basic` authenticator; the embedded master's
   * `credentials`). Sent as HTTP Basic on every scheduler call; never logged.
   */
  secret?: string;
  hostname?: string;
  webuiUrl?: string;
  /**
   * Seconds the master keeps tasks running while Kairos is away. Upstream default is 0
   * (any disconnect kills every task); mesos.apache.org/documentation/latest/high-availability-framework-guide/ advises
   * weeks. Default: one week.
   */
  failoverTimeoutSeconds: number;
  encoding: Encoding;
  /** Which containerizer runs Docker images (tasks.ts). */
  containerizer: Containerizer;
  /** Offers are gathered this long, then matched and answered: never held longer. */
  batchWindowMs: number;
  /**
   * Queued tasks (in priority/due order) one matching round considers; the rest wait for
   * the next round. Bounds a round's cost when the queue is huge.
   */
  maxTasksPerRound: number;
  /**
   * Tasks launched but not yet RUNNING at most. A burst larger than the status-update
   * path can acknowledge within the agent's 10 s resend interval makes Mesos resend
   * updates, which slows everything further; beyond this the queue waits (offers are
   * still answered at once, declined with the short filter).
   */
  maxStarting: number;
  /**
   * Offers left unused only because `maxStarting` tasks are still starting are held this
   * long, and matched again as soon as a quarter of the cap (or a round's worth) is free,
   * instead of being declined and offered again a second or two later; then declined.
   * 0: never hold.
   */
  offerHoldMs: number;
  /** Refuse filter when demand remains (leftovers of an ACCEPT, unfit offers). */
  declineShortSeconds: number;
  /** Refuse filter when nothing is queued (mesos.apache.org/documentation/latest/app-framework-development-guide/). */
  declineLongSeconds: number;
  /** Demand without offers this long → REVIVE, then resubscribe, then "starving". */
  starvationTimeoutMs: number;
  /** Periodic reconciliation (mesos.apache.org/documentation/latest/reconciliation/ suggests minutes; Marathon 600 s). */
  reconcileIntervalMs: number;
  reconcileBackoff: ReconcileBackoff;
  /** Resubscribe backoff: doubling from initialMs, capped (the C++ library caps ~15 s). */
  resubscribeBackoff: { initialMs: number; maxMs: number };
  /** Heartbeat intervals without any event before the stream counts as dead. */
  heartbeatMisses: number;
  maxRedirects: number;
  requestTimeoutMs: number;
}

/** The defaults; see each field. */
export const DEFAULT_FRAMEWORK_CONFIG: FrameworkConfig = {
  name: 'kairos',
  user: 'root',
  roles: ['*'],
  failoverTimeoutSeconds: 7 * 24 * 3600,
  encoding: 'application/x-protobuf',
  containerizer: 'docker',
  batchWindowMs: 20,
  maxTasksPerRound: 10_000,
  maxStarting: 20_000,
  offerHoldMs: 10_000,
  declineShortSeconds: 1,
  declineLongSeconds: 300,
  starvationTimeoutMs: 60_000,
  reconcileIntervalMs: 15 * 60_000,
  reconcileBackoff: DEFAULT_RECONCILE_BACKOFF,
  resubscribeBackoff: { initialMs: 500, maxMs: 15_000 },
  heartbeatMisses: 5,
  maxRedirects: 3,
  requestTimeoutMs: 75_000,
};

/** Fills defaults and rejects settings that would starve or kill tasks by accident. */
export function normalizeConfig(partial: Partial<FrameworkConfig>): FrameworkConfig {
  const c: FrameworkConfig = { ...DEFAULT_FRAMEWORK_CONFIG, ...stripUndefined(partial) };
  if (c.roles.length === 0) throw new KairosError('E_INVALID', 'mesos roles: at least one role is needed');
  if (!(c.failoverTimeoutSeconds > 0)) throw new KairosError('E_INVALID', 'mesos failover timeout must be positive (0 kills every task on any disconnect)');
  for (const k of ['batchWindowMs', 'maxTasksPerRound', 'maxStarting', 'starvationTimeoutMs', 'reconcileIntervalMs', 'requestTimeoutMs'] as const)
    if (!(c[k] > 0)) throw new KairosError('E_INVALID', `mesos ${k} must be positive, got ${c[k]}`);
  if (!(c.offerHoldMs >= 0)) throw new KairosError('E_INVALID', `mesos offerHoldMs must be 0 or more, got ${c.offerHoldMs}`);
  if (c.declineShortSeconds < 0 || c.declineLongSeconds < c.declineShortSeconds) throw new KairosError('E_INVALID', 'mesos decline filters: need 0 ≤ short ≤ long');
  return c;
}

/**
 * The FrameworkInfo Kairos subscribes with (the subscription adds the FrameworkID):
 * checkpointing on, so agents keep tasks across their own restarts, and the
 * capabilities the status mapping (status.ts) and the offer flow rely on.
 */
export function frameworkInfoOf(c: FrameworkConfig): FrameworkInfo {
  const info: FrameworkInfo = {
    user: c.user,
    name: c.name,
    failover_timeout: c.failoverTimeoutSeconds,
    checkpoint: true,
    roles: c.roles,
    capabilities: [{ type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }, { type: 'GPU_RESOURCES' }, { type: 'MULTI_ROLE' }],
  };
  if (c.hostname) info.hostname = c.hostname;
  if (c.principal) info.principal = c.principal;
  if (c.webuiUrl) info.webui_url = c.webuiUrl;
  return info;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
