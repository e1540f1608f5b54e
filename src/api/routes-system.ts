/**
 * Controller-wide routes: sync status and trigger, plan, graph (JSON and DOT), cluster,
 * leadership and health probes, `/metrics`, the OpenAPI document and the push webhook.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDeps, RouteAccess, TakeToken } from './deps.js';
import { toDot } from './dot.js';
import { invalid } from './errors.js';
import { openApiDocument } from './openapi.js';
import { isPushEvent, parseWebhook, pushTargetsRef, verifyWebhook } from './webhook.js';

const viewer = { access: { role: 'viewer' as const } };
const publicRoute = { access: { role: 'public' as const } };

/** True when the client asked for DOT: `?format=dot` or an Accept of text/vnd.graphviz. */
function wantsDot(req: FastifyRequest<{ Querystring: { format?: string } }>): boolean {
  const f = req.query.format;
  if (f !== undefined && f !== 'dot' && f !== 'json') invalid('format', 'must be json or dot');
  return f === 'dot' || (f === undefined && /text\/vnd\.graphviz/.test(req.headers.accept ?? ''));
}

/** Registers the system routes. */
export function registerSystemRoutes(app: FastifyInstance, deps: ApiDeps, takeToken: TakeToken): void {
  app.get('/v1/sync', { config: viewer }, async () => deps.view.sync());
  if (deps.triggerSync) {
    const trigger = deps.triggerSync;
    app.post('/v1/sync', { config: { access: { role: 'admin' } } }, async (_req, reply) => {
      await trigger();
      return reply.status(202).send({ accepted: true });
    });
  }
  app.get('/v1/plan', { config: viewer }, async () => deps.view.plan());
  app.get<{ Querystring: { format?: string } }>('/v1/graph', { config: viewer }, async (req, reply) => {
    const g = deps.view.graph();
    if (wantsDot(req)) return reply.type('text/vnd.graphviz; charset=utf-8').send(toDot(g));
    return g;
  });
  app.get('/v1/cluster', { config: viewer }, async () => deps.view.cluster());
  app.get('/v1/leader', { config: viewer }, async () => ({
    leader: deps.leadership.isLeader(),
    epoch: deps.leadership.epoch() ?? null,
    leaderUrl: deps.leadership.leaderUrl() ?? null,
  }));

  // Probes are public: load balancers and orchestrators carry no tokens.
  app.get('/healthz', { config: publicRoute }, async () => ({ ok: true }));
  app.get('/readyz', { config: publicRoute }, async (_req, reply) => {
    const leader = deps.leadership.isLeader();
    return reply.status(leader ? 200 : 503).send({ ready: leader, leader, leaderUrl: deps.leadership.leaderUrl() ?? null });
  });
  app.get('/v1/openapi.json', { config: publicRoute }, async () => openApiDocument());

  if (deps.metrics) {
    const metrics = deps.metrics;
    // --metrics-public: a Prometheus scraper holds no token.
    const access: RouteAccess = { role: deps.metricsPublic ? 'public' : 'viewer' };
    app.get('/metrics', { config: { access } }, async (_req, reply) => {
      metrics.observeCluster(deps.view.cluster());
      metrics.jobs.observeJobs(deps.view.jobs().map((j) => ({ name: j.name, runs: deps.view.runs(j.name) ?? [] })));
      metrics.observeSync(deps.view.sync());
      metrics.observeLeader(deps.leadership.isLeader());
      return reply.type(metrics.contentType).send(await metrics.render());
    });
  }

  if (deps.webhook) registerWebhook(app, deps, deps.webhook, takeToken);
}

/** Largest webhook body (GitHub caps payloads at 25 MB; pushes are far smaller). */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/**
 * `POST /v1/webhook`. With a secret, the signature is the authentication (no bearer token
 * needed: GitHub cannot send one). Without a secret, an operator token is required when
 * access control is on. With a secret, signed requests are rate-limited apart from unsigned
 * ones, so forged requests (from behind the sender's proxy too) cannot use up its budget.
 */
function registerWebhook(app: FastifyInstance, deps: ApiDeps, hook: NonNullable<ApiDeps['webhook']>, takeToken: TakeToken): void {
  const role = hook.secret || !deps.access ? ('public' as const) : ('operator' as const);
  const limitsItself = hook.secret !== undefined;
  app.post('/v1/webhook', { config: { access: { role, formBodies: true, limitsItself } }, bodyLimit: WEBHOOK_BODY_LIMIT }, async (req: FastifyRequest, reply: FastifyReply) => {
    const raw = req.rawBody ?? Buffer.alloc(0);
    if (hook.secret) {
      let forged: unknown;
      try {
        verifyWebhook(req.headers, raw, hook.secret);
      } catch (err) {
        forged = err;
      }
      takeToken(forged ? `webhook-unsigned:${req.ip}` : 'webhook-signed', reply);
      if (forged) throw forged;
    }
    const event = parseWebhook(req.headers, raw);
    if (!isPushEvent(event)) return reply.status(200).send({ accepted: false, reason: `ignored event ${event.event}` });
    if (hook.follows && !pushTargetsRef(event, hook.follows.ref)) {
      const followed = hook.follows.ref ?? `the default branch${event.defaultBranch ? ` ${event.defaultBranch}` : ''}`;
      return reply.status(202).send({ accepted: false, reason: `push to ${event.ref} ignored: kairos follows ${followed}` });
    }
    await hook.onWebhook(event);
    return reply.status(202).send({ accepted: true, provider: event.provider, ref: event.ref ?? null, after: event.after ?? null });
  });
}
