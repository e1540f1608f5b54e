/**
 * The OpenAPI 3.1 document of the Kairos API (spec.openapis.org/oas/v3.1.0), served at
 * `/v1/openapi.json`. Operations are listed in one table below so that the document and
 * the routes are reviewed side by side; schemas describe the ControllerView types of
 * src/ports/controller.ts (fields documented there).
 */
import { chartOps, chartSchemas } from './openapi-charts.js';
import { epochMs, int, listOf, obj, ref, str, type Op, type Schema } from './openapi-parts.js';

const num: Schema = { type: 'number' };

const RUN_STATES = ['pending', 'unschedulable', 'launching', 'running', 'succeeded', 'failed', 'killed', 'timed_out', 'missed', 'skipped', 'lost'];

const schemas: Record<string, Schema> = {
  Error: obj({ error: obj({ code: str, message: str }, ['code', 'message']) }, ['error']),
  RunState: { type: 'string', enum: RUN_STATES },
  JobStatus: { type: 'string', enum: ['suspended', 'paused', 'running', 'pending', 'idle'] },
  Attempt: obj(
    { n: int, taskId: str, intentAt: epochMs, notBefore: epochMs, agentId: str, hostname: str, sandbox: str, startedAt: epochMs, endedAt: epochMs, mesosState: str, exitStatus: int, message: str },
    ['n', 'taskId', 'intentAt', 'notBefore'],
  ),
  Run: obj(
    {
      id: { type: 'string', description: '<job>@<instant> or <job>@manual-<n>; DAG tasks add /<task>' },
      job: str,
      task: str,
      dagRunId: str,
      trigger: { type: 'string', enum: ['schedule', 'manual', 'parents', 'dag', 'catch-up', 'backfill'] },
      scheduledAt: epochMs,
      revision: str,
      state: ref('RunState'),
      reason: str,
      attempts: { type: 'array', items: ref('Attempt') },
      overrides: ref('RunOverrides'),
      backfill: obj({ id: str, maxParallel: int }, ['id', 'maxParallel']),
      rerun: int,
      createdAt: epochMs,
      endedAt: epochMs,
    },
    ['id', 'job', 'trigger', 'scheduledAt', 'revision', 'state', 'attempts', 'createdAt'],
  ),
  RunDetail: { allOf: [ref('Run'), obj({ children: { type: 'array', items: ref('Run') } }, ['children'])] },
  RunOverrides: {
    type: 'object',
    additionalProperties: false,
    properties: {
      args: { type: 'array', items: str },
      env: { type: 'object', additionalProperties: str },
      secretEnv: {
        description: 'In a request: NAME → secret value, never stored or shown. In a run: the names only.',
        oneOf: [{ type: 'object', additionalProperties: str }, { type: 'array', items: str }],
      },
    },
  },
  JobSummary: obj(
    {
      name: str,
      kind: { type: 'string', enum: ['Job', 'DAG'] },
      owner: str,
      labels: { type: 'object', additionalProperties: str },
      status: ref('JobStatus'),
      schedule: str,
      after: { type: 'array', items: str },
      nextRunAt: epochMs,
      lastRun: obj({ id: str, state: ref('RunState'), scheduledAt: epochMs, endedAt: epochMs, exitStatus: int }, ['id', 'state', 'scheduledAt']),
      activeRuns: int,
      revision: str,
      source: obj({ file: str, line: int, commit: str }, ['file', 'line']),
    },
    ['name', 'kind', 'labels', 'status', 'after', 'activeRuns', 'revision', 'source'],
  ),
  JobDetail: {
    allOf: [
      ref('JobSummary'),
      obj(
        {
          resource: { type: 'object', description: 'the applied resource: kind, metadata, compiled spec, source' },
          manifest: { type: 'string', description: 'the manifest document as in git' },
          paused: { type: 'boolean' },
          nextRuns: { type: 'array', items: epochMs },
          lastRuns: { type: 'array', items: ref('Run') },
          pendingReason: str,
          drift: { type: 'array', items: ref('Drift') },
        },
        ['resource', 'paused', 'nextRuns', 'lastRuns', 'drift'],
      ),
    ],
  },
  Drift: obj({ job: str, field: str, desired: {}, live: {}, since: epochMs }, ['job', 'field']),
  Problem: obj({ file: str, line: int, column: int, path: str, message: str }, ['file', 'line', 'column', 'path', 'message']),
  Sync: obj(
    {
      source: str,
      appliedRevision: str,
      appliedAt: epochMs,
      lastRevision: str,
      lastSyncAt: epochMs,
      failingSince: epochMs,
      result: { type: 'string', enum: ['never', 'ok', 'failed'] },
      message: str,
      problems: { type: 'array', items: ref('Problem') },
      drift: { type: 'array', items: ref('Drift') },
      syncing: { type: 'boolean' },
      readView: obj(
        { role: { type: 'string', enum: ['leader', 'follower'] }, watching: { type: 'boolean' }, loadedAt: epochMs, behind: { type: 'boolean' } },
        ['role', 'watching', 'behind'],
      ),
    },
    ['source', 'result', 'problems', 'drift', 'syncing'],
  ),
  Plan: obj({
    revision: str,
    appliedRevision: str,
    changes: { type: 'array', items: obj({ action: { type: 'string', enum: ['create', 'update', 'prune'] }, kind: str, name: str, fields: { type: 'array', items: str } }) },
    summary: obj({ create: int, update: int, prune: int, unchanged: int }),
    problems: { type: 'array', items: ref('Problem') },
  }),
  Graph: obj({
    nodes: { type: 'array', items: obj({ id: str, kind: { type: 'string', enum: ['job', 'dag', 'task'] }, label: str, dag: str, state: ref('RunState'), status: ref('JobStatus') }, ['id', 'kind', 'label']) },
    edges: { type: 'array', items: obj({ from: str, to: str, kind: { type: 'string', enum: ['after', 'dependsOn'] } }, ['from', 'to', 'kind']) },
  }),
  Cluster: obj({
    connected: { type: 'boolean' },
    frameworkId: str,
    master: str,
    starving: { type: 'boolean' },
    starvingSince: epochMs,
    lastOfferAt: epochMs,
    offersReceived: int,
    offersDeclined: int,
    revives: int,
    suppressed: { type: 'boolean' },
    pending: {
      type: 'array',
      items: obj({ taskId: str, runId: str, since: epochMs, reason: str, cluster: str, clusters: listOf(obj({ cluster: str, eligible: { type: 'boolean' }, why: str })) }),
    },
    clusters: listOf(obj({ name: str, connected: { type: 'boolean' }, frameworkId: str, master: str, starving: { type: 'boolean' }, starvingSince: epochMs, lastOfferAt: epochMs, offersReceived: int, offersDeclined: int, revives: int, suppressed: { type: 'boolean' } }, ['name', 'connected'])),
    facts: {
      ...obj({
        at: epochMs,
        agents: listOf(obj({ id: str, hostname: str, attributes: { type: 'object', additionalProperties: str }, resources: obj({ cpus: num, mem: num, disk: num, gpus: num, ports: int }) }, ['id', 'hostname', 'attributes', 'resources'])),
      }, ['at', 'agents']),
      description: "the agents' total resources and attributes as the leader last read them (what could ever run); `kairos reconcile --cluster-facts` reads this answer",
    },
  }),
  LogChunk: obj({ attempt: int, offset: int, data: str, size: int }, ['attempt', 'offset', 'data', 'size']),
  Explanation: obj(
    { job: str, running: { type: 'boolean' }, summary: str, reasons: { type: 'array', items: obj({ code: str, message: str }, ['code', 'message']) } },
    ['job', 'running', 'summary', 'reasons'],
  ),
  ...chartSchemas,
  Leader: obj({ leader: { type: 'boolean' }, epoch: { type: ['integer', 'null'] }, leaderUrl: { type: ['string', 'null'] } }),
};


const name = { name: 'name', in: 'path', required: true, schema: str };
const id = { name: 'id', in: 'path', required: true, schema: str, description: 'run id, URL-encoded' };
const q = (n: string, schema: Schema, description: string) => ({ name: n, in: 'query', required: false, schema, description });

const ops: Op[] = [
  ['get', '/v1/jobs', 'viewer', 'List jobs and DAGs', listOf(ref('JobSummary')), {
    parameters: [q('label', str, 'key or key=value'), q('owner', str, 'metadata.owner'), q('status', ref('JobStatus'), 'job status')],
  }],
  ['get', '/v1/jobs/{name}', 'viewer', 'One job: spec, source file@commit, status, next and last runs, pending reason', 'JobDetail', { parameters: [name] }],
  ['get', '/v1/jobs/{name}/runs', 'viewer', 'Runs of a job, newest first', listOf(ref('Run')), {
    parameters: [name, q('limit', int, '1..10000'), q('state', str, 'comma-separated run states')],
  }],
  ['post', '/v1/jobs/{name}/runs', 'operator', 'Run now, with optional args/env overrides', 'Run', {
    status: '201',
    parameters: [name],
    requestBody: { required: false, content: { 'application/json': { schema: ref('RunOverrides') } } },
  }],
  ['post', '/v1/jobs/{name}/pause', 'operator', 'Pause a job (recorded as drift)', 'JobSummary', { parameters: [name] }],
  ['post', '/v1/jobs/{name}/resume', 'operator', 'Resume a paused job', 'JobSummary', { parameters: [name] }],
  ['get', '/v1/jobs/{name}/explain', 'viewer', 'Why the job is or is not running now', 'Explanation', { parameters: [name] }],
  ['get', '/v1/runs/{id}', 'viewer', 'One run with its attempts (agent, sandbox, exit status)', 'RunDetail', { parameters: [id] }],
  ['post', '/v1/runs/{id}/kill', 'operator', 'Kill a run', 'Run', { parameters: [id], errors: { '409': 'the run already ended' } }],
  ['get', '/v1/runs/{id}/logs', 'viewer', "A chunk of the run's sandbox stdout or stderr", 'LogChunk', {
    parameters: [id, q('stream', { type: 'string', enum: ['stdout', 'stderr'] }, 'default stdout'), q('offset', int, 'byte offset'), q('length', int, 'bytes, at most 1 MiB'), q('attempt', int, 'default: latest')],
  }],
  ['get', '/v1/sync', 'viewer', 'Applied revision, last sync, problems, drift', 'Sync'],
  ['post', '/v1/sync', 'admin', 'Sync now', obj({ accepted: { type: 'boolean' } }), { status: '202' }],
  ['get', '/v1/plan', 'viewer', 'What the next sync would do', 'Plan'],
  ['get', '/v1/graph', 'viewer', 'Dependency graph (JSON, or DOT with ?format=dot)', 'Graph', { parameters: [q('format', { type: 'string', enum: ['json', 'dot'] }, 'default json')] }],
  ['get', '/v1/cluster', 'viewer', 'Mesos connection, offers, starvation, pending tasks; with --cluster, each named cluster in `clusters`', 'Cluster'],
  ['get', '/v1/leader', 'viewer', 'Leadership of this controller', 'Leader'],
  ['post', '/v1/webhook', 'public', 'Push webhook (GitHub, Gitea, GitLab); verified by HMAC or token when a secret is set; without a secret it needs an operator token when access control is on', obj({ accepted: { type: 'boolean' } }), {
    status: '202',
    also: { '200': 'not a push event: acknowledged and ignored' },
    errors: { '401': 'bad signature or token', '403': 'needs role operator (no secret set)' },
  }],
  ['get', '/healthz', 'public', 'Liveness', obj({ ok: { type: 'boolean' } })],
  ['get', '/readyz', 'public', '200 on the leader, 503 on followers', obj({ ready: { type: 'boolean' } }), { also: { '503': 'not the leader' } }],
  ['get', '/metrics', 'viewer', 'Prometheus metrics', 'text/plain'],
  ...chartOps,
  ['get', '/v1/notifications', 'viewer', 'Notifications waiting for delivery or given up (the outbox)', obj({ notifications: { type: 'array', items: { type: 'object' } } })],
];

const err = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } });

function operation([method, path, role, summary, ok, extra = {}]: Op): Schema {
  const { status = '200', also = {}, errors = {}, ...rest } = extra;
  const okContent = ok === 'text/plain' ? { 'text/plain': { schema: str } } : { 'application/json': { schema: typeof ok === 'string' ? ref(ok) : ok } };
  const responses: Record<string, unknown> = { [status]: { description: 'OK', content: okContent } };
  responses['400'] = err('bad request (malformed URL, query or body)');
  responses['421'] = err('Host is not a name this server answers to (--allowed-hosts)');
  if (role !== 'public') Object.assign(responses, { '401': err('no or invalid bearer token'), '403': err(`needs role ${role}`) });
  if (method === 'post') {
    Object.assign(responses, {
      '403': err(role === 'public' ? 'cross-origin request refused' : `needs role ${role}, or a cross-origin request was refused`),
      '413': err('request body too large'),
      '415': err('unsupported content type (send application/json)'),
      '429': err('rate limited'),
      '503': err('not the leader and cannot forward'),
    });
  }
  if (path.includes('{')) Object.assign(responses, { '404': err('no such job or run'), '414': err('path segment too long') });
  for (const [code, description] of Object.entries(also)) responses[code] = { description, content: okContent };
  for (const [code, description] of Object.entries(errors)) responses[code] = err(description);
  return { summary, 'x-kairos-role': role, ...(role === 'public' ? { security: [] } : {}), ...rest, responses };
}

/** Builds the document (cheap; built per request so it never goes stale in memory). */
export function openApiDocument(): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const op of ops) (paths[op[1]] ??= {})[op[0]] = operation(op);
  return {
    openapi: '3.1.0',
    info: { title: 'Kairos API', version: '1', description: 'GitOps job controller for Apache Mesos. Roles: viewer < operator < admin.' },
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
