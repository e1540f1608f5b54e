/**
 * The OpenAPI part for the chart and backfill routes (src/api/routes-charts.ts), merged
 * into the document by ./openapi.ts; schemas describe src/ports/charts.ts and the
 * BackfillResult of src/ports/controller.ts (fields documented there).
 */
import { epochMs, int, listOf, obj, ref, str, type Op, type Schema } from './openapi-parts.js';

const num: Schema = { type: 'number' };
const kind: Schema = { type: 'string', enum: ['Job', 'DAG'] };
const action: Schema = { type: 'string', enum: ['run', 'rerun', 'skip'] };
const rerun: Schema = { type: 'string', enum: ['none', 'failed', 'all'], description: 'which instants that already ran are run again; default none' };

/** Component schemas of the chart and backfill routes. */
export const chartSchemas: Record<string, Schema> = {
  JobStats: obj(
    {
      job: str,
      kind,
      timeoutSeconds: num,
      slaSeconds: { type: 'number', description: 'spec.sla.finishWithinSeconds, counted from the scheduled instant' },
      counts: { type: 'object', additionalProperties: int, description: 'top-level runs kept, by state' },
      finished: int,
      successRate: { type: 'number', minimum: 0, maximum: 1 },
      p50Ms: int,
      p95Ms: int,
      points: listOf(
        obj(
          { id: str, state: ref('RunState'), trigger: str, scheduledAt: epochMs, startedAt: epochMs, endedAt: epochMs, durationMs: int, backfill: str },
          ['id', 'state', 'trigger', 'scheduledAt'],
        ),
      ),
      rows: listOf(str),
      columns: listOf(
        obj(
          { runId: str, scheduledAt: epochMs, state: ref('RunState'), cells: { type: 'object', additionalProperties: obj({ runId: str, state: ref('RunState') }, ['runId', 'state']) } },
          ['runId', 'scheduledAt', 'state', 'cells'],
        ),
      ),
    },
    ['job', 'kind', 'counts', 'finished', 'points', 'rows', 'columns'],
  ),
  Timeline: obj(
    {
      from: epochMs,
      to: epochMs,
      jobs: listOf(obj({ job: str, kind, cpus: num, mem: num, expectedMs: int, expectedFrom: { type: 'string', enum: ['history', 'timeout', 'default'] }, count: int })),
      runs: listOf(obj({ job: str, at: epochMs, expectedMs: int }, ['job', 'at', 'expectedMs'])),
      hours: listOf(obj({ start: epochMs, cpus: num, mem: num, byJob: listOf(obj({ job: str, cpus: num, mem: num })) }, ['start', 'cpus', 'mem', 'byJob'])),
      capacity: obj({ cpus: num, mem: num, agents: int }),
    },
    ['from', 'to', 'jobs', 'runs', 'hours'],
  ),
  BackfillRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['from', 'to'],
    properties: {
      from: { type: 'string', format: 'date-time', description: 'window start, inclusive' },
      to: { type: 'string', format: 'date-time', description: 'window end, inclusive; not in the future' },
      maxParallel: { type: 'integer', minimum: 1, maximum: 100, description: 'default 1' },
      rerun,
      dryRun: { type: 'boolean', description: 'only list the instants' },
    },
  },
  BackfillResult: obj(
    { id: str, job: str, dryRun: { type: 'boolean' }, instants: listOf(obj({ at: epochMs, runId: str, action, existing: ref('RunState') }, ['at', 'runId', 'action'])) },
    ['id', 'job', 'dryRun', 'instants'],
  ),
  BackfillProgress: obj(
    {
      id: str,
      job: str,
      maxParallel: int,
      total: int,
      queued: int,
      active: int,
      succeeded: int,
      failed: int,
      done: { type: 'boolean' },
      runs: listOf(obj({ id: str, state: ref('RunState'), scheduledAt: epochMs }, ['id', 'state', 'scheduledAt'])),
    },
    ['id', 'job', 'maxParallel', 'total', 'queued', 'active', 'succeeded', 'failed', 'done', 'runs'],
  ),
};

const name = { name: 'name', in: 'path', required: true, schema: str };
const q = (n: string, schema: Schema, description: string) => ({ name: n, in: 'query', required: false, schema, description });

/** Operations of the chart and backfill routes. */
export const chartOps: Op[] = [
  ['get', '/v1/jobs/{name}/stats', 'viewer', 'Run durations, success rate, p50/p95 and the runs × tasks grid of a job', 'JobStats', {
    parameters: [name, q('points', int, 'newest runs as duration points, 1..10000, default 500'), q('columns', int, 'newest runs as grid columns, 1..500, default 40')],
  }],
  ['get', '/v1/jobs/{name}/backfills', 'viewer', "A job's backfills and their progress, newest first", listOf(ref('BackfillProgress')), { parameters: [name] }],
  ['post', '/v1/jobs/{name}/backfill', 'operator', 'Backfill: run the scheduled instants of a past window under their scheduled run ids', 'BackfillResult', {
    status: '201',
    also: { '200': 'dry run: the instants it would run, nothing created' },
    parameters: [name],
    requestBody: { required: true, content: { 'application/json': { schema: ref('BackfillRequest') } } },
  }],
  ['get', '/v1/timeline', 'viewer', 'Upcoming runs of every job and their expected demand per hour, against cluster capacity', 'Timeline', {
    parameters: [q('hours', int, 'window, 1..168, default 24')],
  }],
];
