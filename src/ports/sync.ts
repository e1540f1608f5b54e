/**
 * The API's plain JSON types of syncing (part of the controller port, src/ports/controller.ts,
 * which re-exports them): the last sync and the drift it sees (`GET /v1/sync`), the read
 * view's freshness, and the plan of the next sync (`GET /v1/plan`).
 */
import type { Problem } from '../core/errors.js';

/**
 * One item of drift: the live state disagrees with git on purpose (pause) or by accident
 * (the head cannot be applied, applied state changed outside git); src/controller/drift.ts.
 */
export interface DriftItem {
  /** Job or DAG name; `*` for the whole applied state (field `revision`). */
  job: string;
  /** Field that differs: `paused`, `revision`, `exists`, or a field path such as `spec.schedule.expression`. */
  field: string;
  /** Value in git (the manifest). */
  desired: unknown;
  /** Value in effect. */
  live: unknown;
  /** Epoch ms the drift started, if known. */
  since?: number;
}

/** Outcome of the last sync and what is applied (`GET /v1/sync`, the UI's sync banner). */
export interface SyncStatus {
  /** Where manifests come from: a directory path or a git URL with its ref. */
  source: string;
  /** Revision (commit) currently applied; absent before the first successful sync. */
  appliedRevision?: string;
  /** Epoch ms the applied revision was applied. */
  appliedAt?: number;
  /** Revision the last sync attempt looked at (may differ from applied when it failed). */
  lastRevision?: string;
  /** Epoch ms of the last sync attempt. */
  lastSyncAt?: number;
  /** `ok`: last attempt applied (or found nothing to do); `failed`: it changed nothing. */
  result: 'never' | 'ok' | 'failed';
  /** Human message for a failure (source unreachable, mass prune refused, ...). */
  message?: string;
  /** Epoch ms of the first of the consecutive failed attempts, while the last one failed. */
  failingSince?: number;
  /** Validation problems of the last attempt, with file:line:column and field path. */
  problems: Problem[];
  /** All drift across jobs. */
  drift: DriftItem[];
  /** True while a sync is in progress. */
  syncing: boolean;
  /** Who answered and how fresh its reads are: a follower reloads when the store changes. */
  readView?: ReadView;
}

/** The freshness of a controller's read view (`GET /v1/sync` → `readView`). */
export interface ReadView {
  role: 'leader' | 'follower';
  /** A follower: whether the store notifies it of changes (ZooKeeper watch); else it polls. */
  watching: boolean;
  /** A follower: epoch ms its last reload from the store began. */
  loadedAt?: number;
  /** A follower: the store changed after that reload began; another reload is under way. */
  behind: boolean;
}

/** One change the next sync would make (`GET /v1/plan`). */
export interface PlanChange {
  action: 'create' | 'update' | 'prune';
  kind: 'Job' | 'DAG';
  name: string;
  /** Changed field paths for updates, e.g. `spec.schedule.expression`. */
  fields: string[];
}

/** What the next sync would do, computed by the same path as a real sync, without writing. */
export interface PlanView {
  /** Revision the plan was computed against (the source's head). */
  revision: string;
  /** Revision currently applied. */
  appliedRevision?: string;
  changes: PlanChange[];
  /** Counts per action, for summaries ("2 create, 1 update, 0 prune"). */
  summary: { create: number; update: number; prune: number; unchanged: number };
  /** Validation problems: a plan with problems is never applied. */
  problems: Problem[];
}
