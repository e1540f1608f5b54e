/**
 * TaskInfo from a LaunchRequest (apache/mesos include/mesos/v1/mesos.proto TaskInfo, CommandInfo,
 * ContainerInfo), and the outcome Kairos gives each Mesos TaskState.
 *
 * Commands: `shell` runs `/bin/sh -c <shell>` (CommandInfo.shell = true, the upstream
 * default), extra args are shell-quoted onto the end; `argv` runs without a shell
 * (shell = false). Containers: Docker images run with the DOCKER containerizer
 * (ContainerInfo.DockerInfo) or, by configuration, the MESOS containerizer with a Docker
 * image (ContainerInfo.MesosInfo.image; agents need `--image_providers=docker`).
 * Labels `kairos.job`, `kairos.run`, `kairos.revision`, `kairos.attempt` let a restarted
 * controller recognise its tasks during reconciliation.
 */
import type { LaunchRequest } from '../ports/mesos.js';
import type { Allocation } from './resources.js';
import type { CommandInfo, ContainerInfo, EnvironmentVariable, Label, Resource, Secret, TaskInfo, TaskState, Volume } from './types.js';

/** Which containerizer runs Docker images. */
export type Containerizer = 'docker' | 'mesos';

/** Label: the job (or DAG) name. */
export const LABEL_JOB = 'kairos.job';
/** Label: the run id. */
export const LABEL_RUN = 'kairos.run';
/** Label: the manifest revision (commit) the run came from. */
export const LABEL_REVISION = 'kairos.revision';
/** Label: the attempt number (1-based). */
export const LABEL_ATTEMPT = 'kairos.attempt';

const NANOS_PER_SECOND = 1_000_000_000;

/**
 * One Mesos Resource of an allocation: the offer resource's template (role, reservations,
 * allocation info and the rest; offers.ts builds it key by key) with the allocated value.
 * `Object.assign`, not a spread: objects spread from another object cost the protobuf
 * writer about five times as much to read (1.7 µs against 0.33 µs per Resource).
 */
function resourceOf(a: Allocation): Resource {
  const value = a.ranges ? { type: 'RANGES', ranges: { range: a.ranges.map(([begin, end]) => ({ begin, end })) } } : { type: 'SCALAR', scalar: { value: a.scalar ?? 0 } };
  return Object.assign({}, a.template, { name: a.name }, value) as Resource;
}

/** Turns matcher allocations into Mesos Resources, keeping role/reservation/allocation. */
export function toMesosResources(allocs: readonly Allocation[]): Resource[] {
  return allocs.map(resourceOf);
}

/** Quotes one word for `/bin/sh` so that it arrives as one literal argument. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_\-.,:/@%+=]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function allocatedPorts(allocs: readonly Allocation[]): number[] {
  const ports: number[] = [];
  for (const a of allocs) for (const [b, e] of a.ranges ?? []) for (let p = b; p <= e; p++) ports.push(p);
  return ports;
}

function commandOf(req: LaunchRequest, env: Record<string, string>, docker: boolean): CommandInfo {
  const t = req.template;
  const cmd: CommandInfo = {};
  const variables: EnvironmentVariable[] = [];
  for (const name of Object.keys(env)) variables.push({ name, type: 'VALUE', value: env[name] });
  for (const [name, value] of Object.entries(req.secrets?.env ?? {})) variables.push({ name, type: 'SECRET', secret: secretValue(value) });
  if (variables.length > 0) cmd.environment = { variables };
  if (t.fetch.length > 0)
    cmd.uris = t.fetch.map((f) => ({ value: f.uri, executable: f.executable, extract: f.extract, cache: f.cache, ...(f.outputFile ? { output_file: f.outputFile } : {}) }));
  if (t.user) cmd.user = t.user;
  const extra = req.args ?? [];
  const c = t.command;
  if (c && 'shell' in c) {
    cmd.shell = true;
    cmd.value = [c.shell, ...extra.map(shellQuote)].join(' ');
  } else if (c && 'argv' in c) {
    const argv = [...c.argv, ...extra];
    cmd.shell = false;
    cmd.value = argv[0];
    // The command executor execs `value` with `arguments` as the whole argv; the Docker
    // containerizer appends `value` then `arguments` after the image (apache/mesos src/docker/docker.cpp).
    cmd.arguments = docker ? argv.slice(1) : argv;
  } else {
    // No command: run the image's own entrypoint/command.
    cmd.shell = false;
    if (extra.length > 0) cmd.arguments = extra;
  }
  return cmd;
}

/** A resolved secret as Mesos carries it: type VALUE, the bytes base64 (what the default resolver accepts). */
function secretValue(value: string): Secret {
  return { type: 'VALUE', value: { data: Buffer.from(value, 'utf8').toString('base64') } };
}

/** File secrets: SECRET volumes at a sandbox-relative path (the volume/secret isolator's form). */
function secretVolumes(req: LaunchRequest): Volume[] {
  return Object.entries(req.secrets?.files ?? {}).map(([path, value]) => ({ mode: 'RO', container_path: path, source: { type: 'SECRET', secret: secretValue(value) } }));
}

function containerOf(req: LaunchRequest, containerizer: Containerizer, ports: number[]): ContainerInfo | undefined {
  const c = req.template.container;
  const secrets = secretVolumes(req);
  // A command task with file secrets needs a MESOS ContainerInfo to carry the volumes.
  if (!c) return secrets.length ? { type: 'MESOS', volumes: secrets } : undefined;
  const volumes: Volume[] = [...c.volumes.map((v) => ({ container_path: v.containerPath, host_path: v.hostPath, mode: v.mode })), ...secrets];
  if (containerizer === 'mesos') {
    return { type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: c.image }, cached: !c.forcePull } }, ...(volumes.length ? { volumes } : {}) };
  }
  let next = 0;
  const port_mappings = c.portMappings.map((m) => ({
    host_port: m.hostPort === 0 ? (ports[next++] ?? 0) : m.hostPort,
    container_port: m.containerPort,
    protocol: m.protocol,
  }));
  return {
    type: 'DOCKER',
    docker: {
      image: c.image,
      network: c.network,
      privileged: c.privileged,
      force_pull_image: c.forcePull,
      ...(port_mappings.length ? { port_mappings } : {}),
      ...(c.parameters.length ? { parameters: c.parameters.map((p) => ({ key: p.key, value: p.value })) } : {}),
    },
    ...(volumes.length ? { volumes } : {}),
    ...(c.network === 'USER' && c.networkName ? { network_infos: [{ name: c.networkName }] } : {}),
  };
}

/**
 * Builds the TaskInfo for one placed request. Environment: the template's env, then the
 * request's overrides, then `PORT0..n` for allocated host ports (as Marathon does), then
 * `KAIROS_JOB`, `KAIROS_RUN_ID`, `KAIROS_ATTEMPT` and `KAIROS_SCHEDULED_AT` (the run's
 * scheduled instant, ISO 8601 UTC: a backfilled run sees the past instant it stands for).
 */
export function buildTaskInfo(req: LaunchRequest, agentId: string, allocs: readonly Allocation[], containerizer: Containerizer): TaskInfo {
  const t = req.template;
  const ports = allocatedPorts(allocs);
  // Object.assign, not a spread: a spread copy of another object is slow to extend and to read.
  const env: Record<string, string> = Object.assign({}, t.env, req.env);
  ports.forEach((p, i) => (env[`PORT${i}`] = String(p)));
  if (ports.length > 0) env.PORT = String(ports[0]);
  env.KAIROS_JOB = req.job;
  env.KAIROS_RUN_ID = req.runId;
  env.KAIROS_ATTEMPT = String(req.attempt);
  if (req.scheduledAt !== undefined) env.KAIROS_SCHEDULED_AT = new Date(req.scheduledAt).toISOString();
  const docker = t.container !== undefined && containerizer === 'docker';
  const labels: Label[] = [
    { key: LABEL_JOB, value: req.job },
    { key: LABEL_RUN, value: req.runId },
    { key: LABEL_REVISION, value: req.revision },
    { key: LABEL_ATTEMPT, value: String(req.attempt) },
  ];
  const info: TaskInfo = {
    name: `${req.runId} #${req.attempt}`,
    task_id: { value: req.taskId },
    agent_id: { value: agentId },
    resources: toMesosResources(allocs),
    command: commandOf(req, env, docker),
    labels: { labels },
    kill_policy: { grace_period: { nanoseconds: Math.round(t.killGracePeriodSeconds * NANOS_PER_SECOND) } },
  };
  const container = containerOf(req, containerizer, ports);
  if (container) info.container = container;
  if (t.timeoutSeconds !== undefined) info.max_completion_time = { nanoseconds: Math.round(t.timeoutSeconds * NANOS_PER_SECOND) };
  return info;
}

/** Reads Kairos labels (and any others) off a TaskStatus/TaskInfo label list. */
export function labelMap(labels: readonly Label[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of labels ?? []) out[l.key] = l.value ?? '';
  return out;
}
