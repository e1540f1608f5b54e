/**
 * Job routes: list and filter, detail, runs, run now, pause/resume, explain.
 * Shapes are the ControllerView types (src/ports/controller.ts), returned as they are.
 */
import type { FastifyInstance } from 'fastify';
import type { RunOverrides } from '../core/run.js';
import type { RunState } from '../core/types.js';
import type { JobStatus, JobSummary } from '../ports/controller.js';
import type { ApiDeps } from './deps.js';
import { intParam, invalid, notFound } from './errors.js';
import { explain, type Explanation } from './explain.js';

const JOB_STATUSES: JobStatus[] = ['suspended', 'paused', 'running', 'pending', 'idle'];
const RUN_STATES: RunState[] = ['pending', 'unschedulable', 'launching', 'running', 'succeeded', 'failed', 'killed', 'timed_out', 'missed', 'skipped', 'lost'];

/** Filters of `GET /v1/jobs`: `label=key=value` (or `label=key`), `owner`, `status`. */
export interface JobFilter {
  label?: { key: string; value?: string };
  owner?: string;
  status?: JobStatus;
}

/** Parses and validates the query string of `GET /v1/jobs`. */
export function parseJobFilter(q: Record<string, string | undefined>): JobFilter {
  const f: JobFilter = {};
  if (q.label) {
    const i = q.label.indexOf('=');
    f.label = i < 0 ? { key: q.label } : { key: q.label.slice(0, i), value: q.label.slice(i + 1) };
    if (!f.label.key) invalid('label', 'needs a key: key or key=value');
  }
  if (q.owner) f.owner = q.owner;
  if (q.status) {
    if (!JOB_STATUSES.includes(q.status as JobStatus)) invalid('status', `must be one of ${JOB_STATUSES.join(', ')}`);
    f.status = q.status as JobStatus;
  }
  return f;
}

/** The jobs matching every given filter. */
export function filterJobs(jobs: JobSummary[], f: JobFilter): JobSummary[] {
  return jobs.filter(
    (j) =>
      (!f.owner || j.owner === f.owner) &&
      (!f.status || j.status === f.status) &&
      (!f.label || (f.label.key in j.labels && (f.label.value === undefined || j.labels[f.label.key] === f.label.value))),
  );
}

/** A run-now body: stored overrides, and secret env values that are never stored. */
export interface RunRequest {
  overrides?: RunOverrides;
  secretEnv?: Record<string, string>;
}

/** Validates a run-now body: `{ args?: string[], env?: {NAME: value}, secretEnv?: {NAME: value} }`, nothing else. */
export function parseOverrides(body: unknown): RunRequest {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) invalid('body', 'must be a JSON object {args?, env?, secretEnv?}');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (k !== 'args' && k !== 'env' && k !== 'secretEnv') invalid(k, 'unknown field (expected args, env, secretEnv)');
  const out: RunOverrides = {};
  if (b.args !== undefined) {
    if (!Array.isArray(b.args) || b.args.some((a) => typeof a !== 'string')) invalid('args', 'must be a list of strings');
    out.args = b.args as string[];
  }
  if (b.env !== undefined) out.env = envObject('env', b.env);
  const secretEnv = b.secretEnv === undefined ? undefined : envObject('secretEnv', b.secretEnv);
  // `{}` is how clients say "no parameters" (writes are always JSON, src/api/origin.ts).
  return { ...((out.args || out.env) && { overrides: out }), ...(secretEnv && Object.keys(secretEnv).length && { secretEnv }) };
}

/** An object of NAME: "value" strings, or a 400 naming the field. */
function envObject(field: string, v: unknown): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(field, 'must be an object of NAME: "value"');
  for (const [k, x] of Object.entries(v)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) invalid(`${field}.${k}`, 'is not a valid environment variable name');
    if (typeof x !== 'string') invalid(`${field}.${k}`, 'must be a string');
  }
  return v as Record<string, string>;
}

/** Parses `limit` and `state` (comma-separated) of a runs listing. */
export function parseRunQuery(q: Record<string, string | undefined>): { limit?: number; states?: RunState[] } {
  const out: { limit?: number; states?: RunState[] } = {};
  const limit = intParam('limit', q.limit, 1, 10_000);
  if (limit !== undefined) out.limit = limit;
  if (q.state) {
    const states = q.state.split(',');
    for (const s of states) if (!RUN_STATES.includes(s as RunState)) invalid('state', `${s} is not one of ${RUN_STATES.join(', ')}`);
    out.states = states as RunState[];
  }
  return out;
}

/** Explains a job by name from the view; 404 when unknown. Shared by the API and the UI. */
export function explainJob(deps: ApiDeps, name: string): Explanation {
  const job = deps.view.job(name) ?? notFound('job', name);
  const parents = Object.fromEntries(job.after.map((p) => [p, deps.view.job(p)]));
  return explain({
    job,
    parents,
    cluster: deps.view.cluster(),
    sync: deps.view.sync(),
    leader: { isLeader: deps.leadership.isLeader(), leaderUrl: deps.leadership.leaderUrl() },
    now: deps.clock.now(),
  });
}

type NameParams = { Params: { name: string } };
type Query = { Querystring: Record<string, string | undefined> };

/** Registers `/v1/jobs...`. */
export function registerJobRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const viewer = { access: { role: 'viewer' as const } };
  const operator = { access: { role: 'operator' as const } };

  app.get<Query>('/v1/jobs', { config: viewer }, async (req) => {
    return filterJobs(deps.view.jobs(), parseJobFilter(req.query));
  });
  app.get<NameParams>('/v1/jobs/:name', { config: viewer }, async (req) => deps.view.job(req.params.name) ?? notFound('job', req.params.name));
  app.get<NameParams & Query>('/v1/jobs/:name/runs', { config: viewer }, async (req) => {
    return deps.view.runs(req.params.name, parseRunQuery(req.query)) ?? notFound('job', req.params.name);
  });
  app.get<NameParams>('/v1/jobs/:name/explain', { config: viewer }, async (req) => explainJob(deps, req.params.name));

  app.post<NameParams>('/v1/jobs/:name/runs', { config: operator }, async (req, reply) => {
    const { overrides, secretEnv } = parseOverrides(req.body);
    if (!deps.view.job(req.params.name)) notFound('job', req.params.name);
    const run = secretEnv ? await deps.actions.runNow(req.params.name, overrides, secretEnv) : await deps.actions.runNow(req.params.name, overrides);
    return reply.status(201).header('location', `/v1/runs/${encodeURIComponent(run.id)}`).send(run);
  });
  app.post<NameParams>('/v1/jobs/:name/pause', { config: operator }, async (req) => {
    if (!deps.view.job(req.params.name)) notFound('job', req.params.name);
    return deps.actions.pause(req.params.name);
  });
  app.post<NameParams>('/v1/jobs/:name/resume', { config: operator }, async (req) => {
    if (!deps.view.job(req.params.name)) notFound('job', req.params.name);
    return deps.actions.resume(req.params.name);
  });
}
