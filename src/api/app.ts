/**
 * `buildApp(deps)`: the controller's HTTP API, `/metrics` and the web UI as one fastify
 * instance. It never listens (the caller does, or tests use `app.inject`; fastify
 * test/inject.test.js). Everything it knows comes through `deps`.
 *
 * Request pipeline, in order:
 * 1. onRequest — answer only allowed Host names (421); authenticate the bearer token,
 *    check the route's role (401/403); refuse cross-origin and non-JSON writes (403/415,
 *    src/api/origin.ts); rate-limit writes (429).
 * 2. body parsing — JSON (and form bodies for webhooks), raw bytes kept for HMAC and
 *    forwarding; body size limited (413).
 * 3. preHandler — on a follower, writes are forwarded once to the leader (src/ha/forward.ts
 *    via `deps.forward`), or answered 503 naming the leader.
 * 4. handler; errors become `{error: {code, message}}` (src/api/errors.ts).
 * 5. onSend — known secret values and the caller's token are masked in every response body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { silentLogger } from '../ports/logger.js';
import { authenticate, bearerToken, roleAllows, type Principal, type Role } from './access.js';
import { clientErrorHandler, errorHandler, HttpError } from './errors.js';
import { answerUnmatched, trackRouteMethods } from './methods.js';
import { RateLimiter } from './rate-limit.js';
import { checkHost, checkWriteRequest } from './origin.js';
import { maskSecrets } from './redact.js';
import { registerChartRoutes } from './routes-charts.js';
import { registerJobRoutes } from './routes-jobs.js';
import { registerRunRoutes } from './routes-runs.js';
import { registerNotificationRoutes } from './routes-notify.js';
import { registerSystemRoutes, WEBHOOK_BODY_LIMIT } from './routes-system.js';
import { registerUiRoutes } from './ui.js';
import type { ApiDeps, RouteAccess, TakeToken } from './deps.js';

export type { ApiDeps, LeadershipView, RouteAccess, TakeToken } from './deps.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The raw request body, for signatures and forwarding. */
    rawBody?: Buffer;
    /** Who is calling (anonymous admin when access control is off). */
    principal?: Principal;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

const ANONYMOUS: Principal = { name: 'anonymous', role: 'admin' };
const isWrite = (method: string) => method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';

function parseJsonBody(req: FastifyRequest, body: Buffer, done: (err: Error | null, value?: unknown) => void) {
  req.rawBody = body;
  if (body.length === 0) return done(null, undefined);
  try {
    done(null, JSON.parse(body.toString('utf8')));
  } catch {
    done(new HttpError(400, 'E_INVALID', 'request body is not valid JSON'));
  }
}

/** Builds the API. Call `.listen()` yourself, or `.inject()` in tests. */
export function buildApp(deps: ApiDeps): FastifyInstance {
  const logger = deps.logger ?? silentLogger;
  const app = Fastify({
    logger: false,
    bodyLimit: deps.bodyLimit ?? 64 * 1024,
    return503OnClosing: true,
    clientErrorHandler,
    ...(deps.serverFactory && { serverFactory: deps.serverFactory }),
    // Malformed URLs (bad %-encoding, an over-long path segment) are rejected by the router before
    // any hook runs; answer them in the Kairos error shape, without echoing the URL (it may hold a token).
    frameworkErrors: (err, _req, reply) => {
      const status = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      const what = status === 414 ? 'a path segment of the URL is too long' : 'the URL is not valid (bad percent-encoding?)';
      (reply as FastifyReply).status(status).send({ error: { code: status === 414 ? 'E_TOO_LARGE' : 'E_INVALID', message: what } });
    },
  });
  const limiter = new RateLimiter(deps.clock, deps.rateLimit ?? { perMinute: 60, burst: 20 });
  const takeToken: TakeToken = (key, reply) => {
    const d = limiter.take(key);
    if (!d.ok) {
      reply.header('retry-after', String(d.retryAfterSeconds));
      throw new HttpError(429, 'E_RATE_LIMITED', `too many write requests; retry in ${d.retryAfterSeconds}s`);
    }
  };

  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parseJsonBody);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (req, body, done) => {
    req.rawBody = body as Buffer;
    done(null, undefined);
  });
  app.setErrorHandler(errorHandler(logger));
  app.setNotFoundHandler(answerUnmatched(trackRouteMethods(app)));

  app.addHook('onRequest', async (req, reply) => {
    checkHost(req, deps.allowedHosts);
    const access = req.routeOptions.config.access;
    const role = access?.role ?? 'admin';
    if (role !== 'public') authorize(req, reply, role);
    if (isWrite(req.method)) {
      // Unmatched routes answer 404/405 first (src/api/methods.ts).
      if (req.routeOptions.url !== undefined) checkWriteRequest(req, { formBodies: access?.formBodies === true });
      if (access?.limitsItself) return;
      // Other public writes are limited per client address: they can cost a sync each.
      takeToken(deps.access && req.principal ? `p:${req.principal.name}` : `ip:${req.ip}`, reply);
    }
  });

  // Expect: 100-continue is answered only once the declared size is within the route's
  // limit; node would otherwise ask for any body before a hook could look at it.
  app.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const limit = req.url?.startsWith('/v1/webhook') ? WEBHOOK_BODY_LIMIT : (deps.bodyLimit ?? 64 * 1024);
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
      return void res.end(JSON.stringify({ error: { code: 'E_TOO_LARGE', message: `request body over ${limit} bytes` } }));
    }
    res.writeContinue();
    app.server.emit('request', req, res);
  });

  // Every query parameter is single-valued; `?state=a&state=b` would otherwise reach handlers as an array.
  app.addHook('preValidation', async (req) => {
    for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
      if (Array.isArray(v)) throw new HttpError(400, 'E_INVALID', `${k}: given more than once; pass it once`);
    }
  });

  /** Authenticates the bearer token (when access control is on) and checks the route's role. */
  function authorize(req: FastifyRequest, reply: FastifyReply, role: Role): void {
    let principal = ANONYMOUS;
    if (deps.access) {
      const token = bearerToken(req.headers.authorization);
      if (!token) {
        reply.header('www-authenticate', 'Bearer realm="kairos"');
        throw new HttpError(401, 'E_UNAUTHENTICATED', 'a bearer token is required (Authorization: Bearer <token>)');
      }
      const found = authenticate(deps.access, token);
      if (!found) {
        reply.header('www-authenticate', 'Bearer realm="kairos", error="invalid_token"');
        throw new HttpError(401, 'E_UNAUTHENTICATED', 'the bearer token is not valid');
      }
      principal = found;
    }
    req.principal = principal;
    if (!roleAllows(principal.role, role)) {
      throw new HttpError(403, 'E_FORBIDDEN', `${principal.name} has role ${principal.role}; this needs ${role}`);
    }
  }

  app.addHook('preHandler', async (req, reply) => {
    if (!isWrite(req.method) || deps.leadership.isLeader()) return;
    if (!deps.forward) {
      const leader = deps.leadership.leaderUrl();
      throw new HttpError(503, 'E_NOT_LEADER', leader ? `not the leader; send writes to ${leader}` : 'not the leader, and no leader is known', 'E_UNAVAILABLE');
    }
    const res = await deps.forward({ method: req.method, url: req.url, headers: req.headers, body: req.rawBody ?? Buffer.alloc(0) });
    for (const [k, v] of Object.entries(res.headers)) {
      if (v !== undefined && !/^(content-length|transfer-encoding|connection|keep-alive)$/i.test(k)) reply.header(k, v);
    }
    return reply.status(res.status).send(res.body);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    // The controller's clock, so the UI shows "in 5m" relative to it (and tests' fake clocks).
    reply.header('x-kairos-now', String(deps.clock.now()));
    // The caller's own token is masked too (e.g. pasted into a URL and echoed in a 404).
    const token = bearerToken(req.headers.authorization);
    const secrets = [...(deps.secretValues?.() ?? []), ...(token ? [token] : [])];
    return secrets.length ? maskSecrets(payload, secrets) : payload;
  });

  app.addHook('onResponse', async (req, reply) => {
    logger.debug('api', { method: req.method, route: req.routeOptions.url ?? '-', status: reply.statusCode, who: req.principal?.name ?? '-' });
  });

  registerJobRoutes(app, deps);
  registerChartRoutes(app, deps);
  registerRunRoutes(app, deps);
  registerSystemRoutes(app, deps, takeToken);
  registerNotificationRoutes(app, deps);
  if (deps.ui !== false) registerUiRoutes(app);
  return app;
}
