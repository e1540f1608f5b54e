/**
 * Run routes: one run (tasks, agent, sandbox, exit status), kill, and sandbox logs.
 * Run ids contain `@`, `:` and, for DAG tasks, `/`: clients URL-encode them
 * (`encodeURIComponent`), the router decodes.
 */
import type { FastifyInstance } from 'fastify';
import { KairosError } from '../core/errors.js';
import { isTerminalRun } from '../core/types.js';
import type { LogChunk, LogStream } from '../ports/controller.js';
import type { ApiDeps } from './deps.js';
import { intParam, invalid, notFound } from './errors.js';
import { maskAcross, maskContext } from './redact.js';

type IdParams = { Params: { id: string } };
type LogQuery = { Querystring: { stream?: string; offset?: string; length?: string; attempt?: string } };

/** Largest log chunk one request returns (1 MiB), as the Mesos agent's default page. */
const MAX_LOG_CHUNK = 1024 * 1024;

/** Registers `/v1/runs...`. */
export function registerRunRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<IdParams>('/v1/runs/:id', { config: { access: { role: 'viewer' } } }, async (req) => deps.view.run(req.params.id) ?? notFound('run', req.params.id));

  app.post<IdParams>('/v1/runs/:id/kill', { config: { access: { role: 'operator' } } }, async (req, reply) => {
    const run = deps.view.run(req.params.id) ?? notFound('run', req.params.id);
    if (isTerminalRun(run.state)) {
      return reply.status(409).send({ error: { code: 'E_CONFLICT', message: `run ${run.id} already ended (${run.state})` } });
    }
    return deps.actions.kill(run.id);
  });

  app.get<IdParams & LogQuery>('/v1/runs/:id/logs', { config: { access: { role: 'viewer' } } }, async (req) => {
    const stream = (req.query.stream ?? 'stdout') as LogStream;
    if (stream !== 'stdout' && stream !== 'stderr') invalid('stream', 'must be stdout or stderr');
    const opts = {
      offset: intParam('offset', req.query.offset, 0, Number.MAX_SAFE_INTEGER),
      length: intParam('length', req.query.length, 0, MAX_LOG_CHUNK) ?? MAX_LOG_CHUNK,
      attempt: intParam('attempt', req.query.attempt, 0, 10_000),
    };
    if (!deps.view.run(req.params.id)) notFound('run', req.params.id);
    const chunk = await deps.view.logs(req.params.id, stream, opts);
    if (!chunk) throw new KairosError('E_NOT_FOUND', `run ${req.params.id} has no ${stream} (it never launched)`);
    return maskChunk(deps, req.params.id, stream, chunk);
  });
}

/**
 * Masks the known secrets in a log slice as if the whole file had been masked: the bytes
 * just before and after the slice are read too, so a secret cut by offset/length is hidden
 * in each piece (src/api/redact.ts `maskAcross`).
 */
async function maskChunk(deps: ApiDeps, runId: string, stream: LogStream, chunk: LogChunk): Promise<LogChunk> {
  const secrets = [...(deps.secretValues?.() ?? [])];
  const k = maskContext(secrets);
  if (k === 0 || chunk.data === '') return chunk;
  const end = chunk.offset + Buffer.byteLength(chunk.data);
  const from = Math.max(0, chunk.offset - k);
  const before = from < chunk.offset ? await deps.view.logs(runId, stream, { offset: from, length: chunk.offset - from, attempt: chunk.attempt }) : undefined;
  const after = end < chunk.size ? await deps.view.logs(runId, stream, { offset: end, length: k, attempt: chunk.attempt }) : undefined;
  return { ...chunk, data: maskAcross(before?.data ?? '', chunk.data, after?.data ?? '', secrets) };
}
