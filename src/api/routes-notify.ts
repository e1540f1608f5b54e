/**
 * `GET /v1/notifications`: the notification outbox (src/notify/notifier.ts) as it is in the
 * store: what waits for delivery, with attempts, next try and last error, and what was given
 * up (`status: failed`). Targets show secret references (`{env: NAME}`), never values.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';

/** Registers the notification routes (an empty list when the controller has no notifications). */
export function registerNotificationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const list = deps.notifications ?? (async () => []);
  app.get('/v1/notifications', { config: { access: { role: 'viewer' } } }, async () => ({ notifications: await list() }));
}
