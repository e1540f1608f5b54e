/**
 * What the API is built from (`buildApp(deps)`, ./app.ts) and what its route modules
 * share: apart from ./app.ts, so the routes (./routes-*.ts) read these types without
 * importing the app that registers them.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { ForwardRequest, ForwardResponse } from '../ha/forward.js';
import type { Clock } from '../ports/clock.js';
import type { ControllerActions, ControllerView } from '../ports/controller.js';
import type { Leadership } from '../ports/leader.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { OutboxEntry } from '../notify/events.js';
import type { AccessConfig, Role } from './access.js';
import type { RateLimitOptions } from './rate-limit.js';
import type { WebhookEvent } from './webhook.js';

/** What the API reads of leadership: the Leadership port (src/ports/leader.ts) without `onChange`. */
export type LeadershipView = Pick<Leadership, 'isLeader' | 'epoch' | 'leaderUrl'>;

/** Everything `buildApp` needs. Only `view`, `actions`, `leadership` and `clock` are required. */
export interface ApiDeps {
  view: ControllerView;
  actions: ControllerActions;
  leadership: LeadershipView;
  clock: Clock;
  logger?: Logger;
  /** Serves `/metrics` when given. */
  metrics?: Metrics;
  /** `/metrics` without a token (`--metrics-public`), for Prometheus scrapers. */
  metricsPublic?: boolean;
  /** Notifications waiting or failed (`GET /v1/notifications`); absent: the list is empty. */
  notifications?: () => Promise<OutboxEntry[]>;
  /** Bearer tokens; when absent every request is treated as admin (loopback only: see checkListenSafety). */
  access?: AccessConfig;
  /**
   * Webhook trigger; `secret` enables signature verification. Without `onWebhook`, /v1/webhook
   * is 404. `follows` (git sources) names the ref the controller reads (undefined: the default
   * branch); pushes to other refs are acknowledged and ignored. Without it every push counts.
   */
  webhook?: { secret?: string; follows?: { ref?: string }; onWebhook(event: WebhookEvent): void | Promise<void> };
  /** Asks the controller to sync now (`POST /v1/sync`, admin). */
  triggerSync?: () => void | Promise<void>;
  /**
   * Forwards a write to the leader when this controller is a follower; wire it as
   * `(req) => forwardToLeader(req, leadership, selfUrl)` (src/ha/forward.ts).
   */
  forward?: (req: ForwardRequest) => Promise<ForwardResponse>;
  /** Write rate limit per principal; default 60/min, burst 20. */
  rateLimit?: RateLimitOptions;
  /** Request body limit in bytes; default 64 KiB (webhooks: 1 MiB). */
  bodyLimit?: number;
  /** Values that must never appear in a response (resolved secrets, tokens). */
  secretValues?: () => Iterable<string>;
  /** Serve the web UI under `/`; default true. */
  ui?: boolean;
  /** Host names the server answers to (`allowedHostsFor`); undefined answers any (in-process tests). */
  allowedHosts?: readonly string[];
  /** A server already listening (./early-listen.ts); absent: fastify makes its own for `.listen()`. */
  serverFactory?: (handler: (req: IncomingMessage, res: ServerResponse) => void) => Server;
}

/** Per-route options read by the hooks. `role: 'public'` skips authentication. */
export interface RouteAccess {
  role: Role | 'public';
  /** A write that takes form bodies too (the webhook); others must be application/json. */
  formBodies?: boolean;
  /** The route rate-limits itself once it knows whether the request is signed (the webhook). */
  limitsItself?: boolean;
}

/** Takes a write token for `key` or throws 429 with Retry-After. */
export type TakeToken = (key: string, reply: FastifyReply) => void;
