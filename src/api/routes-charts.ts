/**
 * Routes for the UI's charts and for backfill: a job's run statistics, the cluster's
 * upcoming-runs timeline, a job's backfills with their progress, and starting a backfill.
 * Shapes are src/ports/charts.ts and the BackfillResult of src/ports/controller.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { BackfillOptions } from '../ports/controller.js';
import type { RerunMode } from '../schedule/backfill.js';
import type { ApiDeps } from './deps.js';
import { intParam, invalid, notFound } from './errors.js';
import { MAX_COLUMNS, MAX_POINTS } from './stats.js';

/** Longest timeline window, in hours. */
export const MAX_TIMELINE_HOURS = 168;

const BODY_FIELDS = ['from', 'to', 'maxParallel', 'rerun', 'dryRun'];

/** An ISO 8601 instant with a date, a time and a zone (`2026-03-01T00:00:00Z`), as epoch ms. */
function instant(field: string, v: unknown): number {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) || !Number.isFinite(Date.parse(v))) {
    invalid(field, 'expected an ISO 8601 instant with a zone, e.g. 2026-03-01T00:00:00Z');
  }
  return Date.parse(v);
}

/** Validates a backfill body: `{from, to, maxParallel?, rerun?, dryRun?}`, nothing else. */
export function parseBackfillBody(body: unknown): BackfillOptions {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) invalid('body', 'must be a JSON object {from, to, maxParallel?, rerun?, dryRun?}');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!BODY_FIELDS.includes(k)) invalid(k, `unknown field (expected ${BODY_FIELDS.join(', ')})`);
  const out: BackfillOptions = { from: instant('from', b.from), to: instant('to', b.to) };
  if (b.maxParallel !== undefined) {
    if (!Number.isInteger(b.maxParallel)) invalid('maxParallel', 'must be an integer');
    out.maxParallel = b.maxParallel as number;
  }
  if (b.rerun !== undefined) {
    if (!['none', 'failed', 'all'].includes(b.rerun as string)) invalid('rerun', 'must be none, failed or all');
    out.rerun = b.rerun as RerunMode;
  }
  if (b.dryRun !== undefined) {
    if (typeof b.dryRun !== 'boolean') invalid('dryRun', 'must be true or false');
    out.dryRun = b.dryRun;
  }
  return out;
}

type NameParams = { Params: { name: string } };
type Query = { Querystring: Record<string, string | undefined> };

/** Registers `/v1/jobs/{name}/stats`, `/v1/jobs/{name}/backfills`, `/v1/jobs/{name}/backfill`, `/v1/timeline`. */
export function registerChartRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const viewer = { access: { role: 'viewer' as const } };
  const operator = { access: { role: 'operator' as const } };

  app.get<NameParams & Query>('/v1/jobs/:name/stats', { config: viewer }, async (req) => {
    const opts = { points: intParam('points', req.query.points, 1, MAX_POINTS), columns: intParam('columns', req.query.columns, 1, MAX_COLUMNS) };
    return deps.view.stats(req.params.name, opts) ?? notFound('job', req.params.name);
  });
  app.get<NameParams>('/v1/jobs/:name/backfills', { config: viewer }, async (req) => deps.view.backfills(req.params.name) ?? notFound('job', req.params.name));
  app.get<Query>('/v1/timeline', { config: viewer }, async (req) => deps.view.timeline(intParam('hours', req.query.hours, 1, MAX_TIMELINE_HOURS)));

  app.post<NameParams>('/v1/jobs/:name/backfill', { config: operator }, async (req, reply) => {
    const opts = parseBackfillBody(req.body);
    if (!deps.view.job(req.params.name)) notFound('job', req.params.name);
    const result = await deps.actions.backfill(req.params.name, opts);
    return reply.status(result.dryRun ? 200 : 201).send(result);
  });
}
