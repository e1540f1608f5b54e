/**
 * What a sync pass tells the log and the controller's events (`sync:ok`, `sync:error`):
 * the applied changes, or the failure with every manifest problem as file:line:column.
 * URL credentials never reach either (src/core/url-credentials.ts).
 */
import { KairosError, ManifestError, messageOf } from '../core/errors.js';
import { stripUrlCredentials } from '../core/url-credentials.js';
import type { Logger } from '../ports/logger.js';
import type { Plan } from '../plan/types.js';
import type { ControllerEmitter } from './events.js';

/** Logs and emits an applied plan. */
export function reportSynced(plan: Plan, log: Logger, events: ControllerEmitter): void {
  const byAction = (a: string) => plan.entries.filter((e) => e.action === a && e.willApply).map((e) => e.name);
  const created = byAction('create');
  const updated = byAction('update');
  const pruned = byAction('prune');
  if (created.length || updated.length || pruned.length) log.info('applied', { revision: plan.revision, created, updated, pruned });
  events.emit('sync:ok', { revision: plan.revision, created, updated, pruned });
}

/** Logs and emits a failed pass (`revision`: the head it looked at, as recorded). */
export function reportSyncFailed(err: unknown, retryInMs: number | undefined, revision: string | undefined, log: Logger, events: ControllerEmitter): void {
  const problems = err instanceof ManifestError ? err.problems : [];
  const code = err instanceof KairosError ? err.code : 'E_INTERNAL';
  const message = stripUrlCredentials(messageOf(err));
  log.error('sync failed: nothing applied', { code, error: problems.length ? `${problems.length} problem(s)` : message, retryInMs });
  for (const p of problems) log.error(`${p.file}:${p.line}:${p.column}: ${p.path ? p.path + ': ' : ''}${p.message}`);
  events.emit('sync:error', { revision, code, message, problems, retryInMs });
}
