/**
 * Chronos → Kairos: maps each job of `GET /v1/scheduler/jobs` (mesos/chronos Jobs.scala,
 * JobSerializer, MesosTaskBuilder.scala) to a Job manifest. Pure. Defaults are Chronos's
 * own (retries 2, shell true, cpus 0.1 / mem 128 / disk 256 from `--mesos_task_*`), so an
 * imported job asks Mesos for what Chronos asked. README "Importing from Chronos and
 * Metronome" has the table of every field; anything not mapped is reported as lost.
 */
import { isValidTimeZone } from '../schedule/zone.js';
import type { Draft, JobReader } from './model.js';
import { importDraft } from './common.js';

/** Chronos `--mesos_task_cpu/mem/disk` defaults, used when a job says 0 or nothing. */
export const CHRONOS_DEFAULTS = { cpus: 0.1, mem: 128, disk: 256 } as const;
/** Chronos `--failure_retry` default: 60 s between a failure and its retry, no backoff. */
const RETRY_DELAY_SECONDS = 60;

/**
 * Java's three-letter zone ids (java.time.ZoneId.SHORT_IDS, also accepted by the
 * java.util.TimeZone that Chronos's `scheduleTimeZone` goes through) → IANA names.
 */
export const JAVA_SHORT_ZONES: Record<string, string> = {
  ACT: 'Australia/Darwin', AET: 'Australia/Sydney', AGT: 'America/Argentina/Buenos_Aires', ART: 'Africa/Cairo',
  AST: 'America/Anchorage', BET: 'America/Sao_Paulo', BST: 'Asia/Dhaka', CAT: 'Africa/Harare', CNT: 'America/St_Johns',
  CST: 'America/Chicago', CTT: 'Asia/Shanghai', EAT: 'Africa/Addis_Ababa', ECT: 'Europe/Paris', EST: 'Etc/GMT+5',
  HST: 'Etc/GMT+10', IET: 'America/Indiana/Indianapolis', IST: 'Asia/Kolkata', JST: 'Asia/Tokyo', MIT: 'Pacific/Apia',
  MST: 'Etc/GMT+7', NET: 'Asia/Yerevan', NST: 'Pacific/Auckland', PLT: 'Asia/Karachi', PNT: 'America/Phoenix',
  PRT: 'America/Puerto_Rico', PST: 'America/Los_Angeles', SST: 'Pacific/Guadalcanal', VST: 'Asia/Ho_Chi_Minh',
};

/** Environment variables Chronos sets itself; a job's own value for one of them was ignored. */
const CHRONOS_ENV = ['mesos_task_id', 'CHRONOS_JOB_OWNER', 'CHRONOS_JOB_NAME', 'HOST', 'CHRONOS_RESOURCE_MEM', 'CHRONOS_RESOURCE_CPU', 'CHRONOS_RESOURCE_DISK', 'CHRONOS_JOB_RUN_TIME', 'CHRONOS_JOB_RUN_ATTEMPT'];

/** Variable names that usually hold a credential. */
const SECRET_LIKE = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL/i;

/** Fields Kairos does not keep, and why. */
const DROPPED: Record<string, string> = {
  epsilon: 'Chronos 3 ignores it; a late run is judged by startingDeadlineSeconds (default 900 s)',
  async: 'Chronos 3 ignores it',
  successCount: 'server-written run statistics',
  errorCount: 'server-written run statistics',
  lastSuccess: 'server-written run statistics',
  lastError: 'server-written run statistics',
  errorsSinceLastSuccess: 'server-written run statistics',
  softError: 'no Kairos equivalent: a failed run is recorded as failed and its children do not run',
  dataProcessingJobType: 'no Kairos equivalent (Chronos UI hint)',
  executorFlags: 'custom executors are not supported: Kairos launches the command with the Mesos command executor',
  taskInfoData: 'custom executors are not supported: Kairos launches the command with the Mesos command executor',
};

/** Maps one Chronos job. Throws a KairosError naming the job and field on bad input. */
export function mapChronosJob(obj: Record<string, unknown>, index: number): Draft {
  return importDraft('chronos', obj, index, 'name', DROPPED, (r, d) => {
    const m = d.manifest;
    const spec = m.spec;
    scheduleOf(r, d);
    mapCommand(r, d);
    const container = r.sub('container');
    if (container) spec.container = containerOf(container, d);
    const res = (key: 'cpus' | 'mem' | 'disk') => {
      const v = r.num(key);
      if (v !== undefined && v < 0) r.fail(key, `must not be negative, got ${v}`);
      return v === undefined || v === 0 ? CHRONOS_DEFAULTS[key] : v;
    };
    spec.resources = { cpus: res('cpus'), mem: res('mem'), disk: res('disk') };
    const retries = r.num('retries') ?? 2;
    if (!Number.isInteger(retries) || retries < 0) r.fail('retries', `expected a whole number ≥ 0, got ${retries}`);
    if (retries > 100) d.warnings.push(`retries ${retries} capped at 100 (the Kairos maximum)`);
    spec.retries = { count: Math.min(retries, 100), initialDelaySeconds: RETRY_DELAY_SECONDS, maxDelaySeconds: RETRY_DELAY_SECONDS };
    spec.suspend = r.bool('disabled') ?? false;
    spec.concurrencyPolicy = r.bool('concurrent') ? 'Allow' : 'Forbid';
    spec.priority = r.bool('highPriority') ? 1 : 0;
    const owner = r.str('owner');
    if (owner) m.metadata.owner = owner;
    const user = r.str('runAsUser');
    if (user) spec.user = user;
    const maxMs = r.num('maxCompletionTime');
    if (maxMs !== undefined && maxMs > 0) spec.timeoutSeconds = maxMs / 1000;
    const annotations: Record<string, string> = {};
    const description = r.str('description');
    if (description) annotations.description = description;
    const ownerName = r.str('ownerName');
    if (ownerName) annotations['chronos/ownerName'] = ownerName;
    if (Object.keys(annotations).length) m.metadata.annotations = { ...m.metadata.annotations, ...annotations };
    mapEnv(r, d);
    mapFetch(r, d);
    spec.constraints = r.list('constraints').map((c, i) => constraintOf(r, c, i));
    const executor = r.str('executor');
    if (executor) {
      d.lost.push(`executor ${JSON.stringify(executor)} (${DROPPED.executorFlags})`);
      d.warnings.push('ran with a custom executor in Chronos; Kairos runs the command with the Mesos command executor');
    }
  });
}

/** `schedule` (kept exactly) + `scheduleTimeZone`, or `parents` → `after`. */
function scheduleOf(r: JobReader, d: Draft): void {
  const schedule = r.str('schedule');
  const parents = r.list('parents').map((p, i) => (typeof p === 'string' && p ? p : r.fail(`parents[${i}]`, 'expected a job name')));
  const zoneText = r.str('scheduleTimeZone');
  if (parents.length) {
    // Chronos's JobDeserializer makes any job with parents a DependencyBasedJob.
    d.after = [...new Set(parents)];
    if (schedule) d.lost.push(`schedule ${JSON.stringify(schedule)} (Chronos ignores the schedule of a job with parents)`);
    if (zoneText) d.lost.push(`scheduleTimeZone ${JSON.stringify(zoneText)} (a job with parents has no schedule)`);
    return;
  }
  if (!schedule) r.fail('schedule', 'missing: a Chronos job needs a schedule or parents');
  if (!/^R\d*\/[^/]*\/P\S+$/.test(schedule)) r.fail('schedule', `expected R[n]/[start]/period (ISO 8601 repeating interval), got ${JSON.stringify(schedule)}`);
  if (/^R0\//.test(schedule)) d.warnings.push(`schedule ${schedule}: R0 never runs (Chronos had used up its repetitions)`);
  d.manifest.spec.schedule = { iso8601: schedule, timeZone: zoneOf(zoneText, d) };
}

function zoneOf(text: string | undefined, d: Draft): string {
  if (!text) return 'UTC';
  const mapped = JAVA_SHORT_ZONES[text.toUpperCase()];
  if (mapped) {
    d.warnings.push(`scheduleTimeZone ${JSON.stringify(text)} is an abbreviation; imported as the IANA zone ${mapped} (Java's meaning of it)`);
    return mapped;
  }
  if (isValidTimeZone(text)) return text;
  d.warnings.push(`scheduleTimeZone ${JSON.stringify(text)} is not a zone Java knows, so Chronos ran the job in GMT; imported as UTC`);
  return 'UTC';
}

/**
 * `command`/`shell`/`arguments` as Mesos ran them (MesosTaskBuilder: CommandInfo value =
 * command, shell = shell, arguments = arguments). With shell true Mesos runs
 * `/bin/sh -c command` and ignores arguments. With shell false the command executor execs
 * `command` with `arguments` as the whole argv (arguments[0] is argv[0], the program's own
 * name), while Docker appends `command` and every argument after the image.
 */
function mapCommand(r: JobReader, d: Draft): void {
  const command = r.str('command');
  if (!command || !command.trim()) r.fail('command', 'missing: every Chronos job needs a command');
  const shell = r.bool('shell') ?? true;
  const args = r.list('arguments').map((a, i) => (typeof a === 'string' ? a : r.fail(`arguments[${i}]`, 'expected a string')));
  const spec = d.manifest.spec;
  if (/^(https?|ftp)/.test(command)) {
    // Chronos fetches a URL command as an executable and runs it by its file name.
    const file = command.slice(command.lastIndexOf('/'));
    spec.fetch = [{ uri: command, executable: true }];
    spec.command = { shell: `".${file}"` };
    d.warnings.push(`command is a URL: fetched into the sandbox and run as ".${file}", as Chronos did`);
    if (args.length) d.lost.push('arguments (Chronos ignores them for a URL command)');
    return;
  }
  if (shell) {
    spec.command = { shell: command };
    if (args.length) d.lost.push(`arguments ${JSON.stringify(args)} (Mesos ignores arguments when shell is true)`);
    return;
  }
  const docker = (r.has('container') && dockerType(r)) === true;
  if (docker) {
    spec.command = { argv: [command, ...args] };
    return;
  }
  spec.command = { argv: [command, ...args.slice(1)] };
  if (args.length > 0 && args[0] !== command) {
    d.warnings.push(`shell false: Mesos passed arguments[0] ${JSON.stringify(args[0])} as the program's argv[0], not as an argument; imported argv is ${JSON.stringify([command, ...args.slice(1)])}`);
  }
}

/** Whether the job's container is Docker (Chronos's default type). */
function dockerType(r: JobReader): boolean {
  const c = r.sub('container');
  return (c?.str('type') ?? 'DOCKER').toUpperCase() === 'DOCKER';
}

function containerOf(c: JobReader, d: Draft): Record<string, unknown> {
  const image = c.str('image');
  if (!image) c.fail('image', 'missing: a container needs an image');
  const type = (c.str('type') ?? 'DOCKER').toUpperCase();
  if (type !== 'DOCKER' && type !== 'MESOS') c.fail('type', `expected DOCKER or MESOS, got ${JSON.stringify(type)}`);
  if (type === 'MESOS') d.warnings.push('container type MESOS: Kairos runs the image with the containerizer the controller is configured with (Docker by default)');
  const out: Record<string, unknown> = { image, forcePull: c.bool('forcePullImage') ?? false };
  const network = (c.str('network') ?? 'HOST').toUpperCase();
  if (!['HOST', 'BRIDGE', 'USER', 'NONE'].includes(network)) c.fail('network', `expected HOST, BRIDGE, USER or NONE, got ${JSON.stringify(network)}`);
  out.network = network;
  const networkName = c.str('networkName');
  if (networkName) out.networkName = networkName;
  out.portMappings = c.list('portMappings').map((p, i) => {
    const pr = c.item('portMappings', i, p);
    const containerPort = pr.num('containerPort') ?? pr.fail('containerPort', 'missing');
    const protocol = (pr.str('protocol') ?? 'tcp').toLowerCase();
    return { containerPort, hostPort: pr.num('hostPort') ?? 0, protocol };
  });
  out.volumes = c.list('volumes').flatMap((v, i) => {
    const vr = c.item('volumes', i, v);
    const containerPath = vr.str('containerPath') ?? vr.fail('containerPath', 'missing');
    const hostPath = vr.str('hostPath');
    const special = vr.has('external') ? 'external' : vr.has('persistent') ? 'persistent' : undefined;
    vr.raw('external');
    vr.raw('persistent');
    if (special || !hostPath) {
      d.lost.push(`container.volumes[${i}] ${containerPath} (${special ?? 'no hostPath'} volumes are not supported; only host paths)`);
      return [];
    }
    const mode = vr.str('mode')?.toUpperCase();
    if (mode !== undefined && mode !== 'RO' && mode !== 'RW') vr.fail('mode', `expected RO or RW, got ${JSON.stringify(mode)}`);
    return [{ containerPath, hostPath, mode: mode ?? 'RW' }];
  });
  out.parameters = c.list('parameters').map((p, i) => {
    const pr = c.item('parameters', i, p);
    return { key: pr.str('key') ?? pr.fail('key', 'missing'), value: String(pr.raw('value') ?? '') };
  });
  for (const k of c.unread()) d.lost.push(k);
  return out;
}

/** `[[attribute, EQUALS|LIKE|UNLIKE, value]]` (JobSerializer's array form). */
function constraintOf(r: JobReader, c: unknown, i: number): Record<string, string> {
  if (!Array.isArray(c) || c.length !== 3 || c.some((x) => typeof x !== 'string')) r.fail(`constraints[${i}]`, 'expected [attribute, operator, value]');
  const [attribute, op, value] = c as string[];
  const operator = op.toUpperCase();
  if (!['EQUALS', 'LIKE', 'UNLIKE'].includes(operator)) r.fail(`constraints[${i}]`, `operator ${JSON.stringify(op)}: expected EQUALS, LIKE or UNLIKE`);
  return { attribute, operator, value };
}

function mapEnv(r: JobReader, d: Draft): void {
  const env: Record<string, string> = {};
  r.list('environmentVariables').forEach((e, i) => {
    const er = r.item('environmentVariables', i, e);
    const name = er.str('name') ?? er.fail('name', 'missing');
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) er.fail('name', `${JSON.stringify(name)} is not a valid environment variable name`);
    const value = er.str('value') ?? '';
    if (CHRONOS_ENV.includes(name)) d.lost.push(`environmentVariables ${name} (Chronos set it itself and ignored the job's value)`);
    else env[name] = value;
    if (SECRET_LIKE.test(name) && value) d.warnings.push(`env ${name} looks like a secret and is now in the manifest in plain text: move it to spec.secrets`);
  });
  d.manifest.spec.env = env;
  const cmd = d.manifest.spec.command as { shell?: string; argv?: string[] };
  if (JSON.stringify(cmd).includes('CHRONOS_')) d.warnings.push('the command reads CHRONOS_* variables, which Kairos does not set (it sets KAIROS_* ones)');
}

/** `fetch` objects and the deprecated `uris` strings (Fetch defaults: extract, not executable, not cached). */
function mapFetch(r: JobReader, d: Draft): void {
  const spec = d.manifest.spec;
  const out = (spec.fetch as Record<string, unknown>[] | undefined) ?? [];
  r.list('fetch').forEach((f, i) => {
    const fr = r.item('fetch', i, f);
    const uri = fr.str('uri') ?? fr.fail('uri', 'missing');
    const item: Record<string, unknown> = { uri, executable: fr.bool('executable') ?? false, extract: fr.bool('extract') ?? true, cache: fr.bool('cache') ?? false };
    const outputFile = fr.str('outputFile');
    if (outputFile) item.outputFile = outputFile;
    out.push(item);
  });
  r.list('uris').forEach((u, i) => out.push({ uri: typeof u === 'string' && u ? u : r.fail(`uris[${i}]`, 'expected a URI string') }));
  spec.fetch = out;
}
