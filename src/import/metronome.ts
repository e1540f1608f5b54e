/**
 * Metronome → Kairos: maps each job of `GET /v1/jobs?embed=schedules` (dcos/metronome
 * jobspec.schema.json and schedulespec.schema.json) to a Job manifest. Pure. A Metronome
 * job runs once per launch unless `restart.policy` is ON_FAILURE; its first schedule gives
 * the cron, zone, deadline and concurrency policy. README "Importing from Chronos and
 * Metronome" has the table of every field.
 */
import { importDraft } from './common.js';
import type { Draft, JobReader } from './model.js';

/** Fields Kairos does not keep, and why. */
const DROPPED: Record<string, string> = {
  activeRuns: 'server-written run state',
  history: 'server-written run history',
  historySummary: 'server-written run history',
};

/** Metronome's schedule defaults (schedulespec.schema.json). */
const SCHEDULE_DEFAULTS = { timezone: 'UTC', startingDeadlineSeconds: 900, concurrencyPolicy: 'ALLOW' };
/** Metronome's default run.maxLaunchDelay (seconds). */
const MAX_LAUNCH_DELAY = 3600;

/** Maps one Metronome job. Throws a KairosError naming the job and field on bad input. */
export function mapMetronomeJob(obj: Record<string, unknown>, index: number): Draft {
  return importDraft('metronome', obj, index, 'id', DROPPED, (r, d) => {
    const m = d.manifest;
    const description = r.str('description');
    if (description) m.metadata.annotations = { description };
    const labels = r.sub('labels');
    if (labels) m.metadata.labels = stringMap(r, 'labels', r.raw('labels'));
    d.after = r.list('dependencies').map((dep, i) => r.item('dependencies', i, dep).str('id') ?? r.fail(`dependencies[${i}].id`, 'missing'));
    const run = r.sub('run') ?? r.fail('run', 'missing: every Metronome job has a run spec');
    mapRun(run, d);
    const schedules = r.list('schedules');
    if (schedules.length > 0) mapSchedule(r.item('schedules', 0, schedules[0]), d);
    if (schedules.length > 1) d.lost.push(`schedules[1..${schedules.length - 1}] (Kairos has one schedule per job; only the first, ${JSON.stringify((schedules[0] as { id?: string }).id ?? '')}, was imported)`);
    if (schedules.length > 0 && d.after.length > 0) r.fail('dependencies', 'a job with a schedule cannot also depend on other jobs in Kairos');
  });
}

function mapRun(run: JobReader, d: Draft): void {
  const spec = d.manifest.spec;
  const cmd = run.str('cmd');
  const args = run.list('args').map((a, i) => (typeof a === 'string' ? a : run.fail(`args[${i}]`, 'expected a string')));
  if (cmd && args.length) run.fail('args', 'cmd and args are exclusive');
  const docker = run.sub('docker');
  const ucr = run.sub('ucr');
  if (docker && ucr) run.fail('ucr', 'docker and ucr are exclusive');
  if (cmd) spec.command = { shell: cmd };
  else if (args.length) spec.command = { argv: args };
  else if (!docker && !ucr) run.fail('cmd', 'missing: a job needs cmd, args or a container image');
  const resources: Record<string, number> = {};
  for (const key of ['cpus', 'mem', 'disk', 'gpus'] as const) {
    const v = run.num(key);
    if (v === undefined) {
      if (key !== 'gpus') run.fail(key, 'missing (required by Metronome)');
      continue;
    }
    if (v < 0) run.fail(key, `must not be negative, got ${v}`);
    resources[key] = v;
  }
  spec.resources = resources;
  if (docker) spec.container = dockerOf(docker, d);
  if (ucr) spec.container = ucrOf(ucr, d);
  mapNetworks(run, d);
  const used = mapEnv(run, d);
  mapVolumes(run, d, used);
  reportUnusedSecrets(run, d, used);
  spec.fetch = run.list('artifacts').map((a, i) => {
    const ar = run.item('artifacts', i, a);
    return { uri: ar.str('uri') ?? ar.fail('uri', 'missing'), executable: ar.bool('executable') ?? false, extract: ar.bool('extract') ?? true, cache: ar.bool('cache') ?? false };
  });
  const placement = run.sub('placement');
  spec.constraints = (placement?.list('constraints') ?? []).map((c, i) => {
    const cr = placement!.item('constraints', i, c);
    const attribute = cr.str('attribute') ?? cr.fail('attribute', 'missing');
    const op = (cr.str('operator') ?? cr.fail('operator', 'missing')).toUpperCase();
    const operator = op === 'EQ' || op === 'IS' ? 'EQUALS' : op;
    if (!['EQUALS', 'LIKE', 'UNLIKE'].includes(operator)) cr.fail('operator', `expected IS, EQ, LIKE or UNLIKE, got ${JSON.stringify(op)}`);
    const value = cr.str('value');
    return value === undefined ? { attribute, operator } : { attribute, operator, value };
  });
  const user = run.str('user');
  if (user) spec.user = user;
  const grace = run.num('taskKillGracePeriodSeconds');
  if (grace !== undefined) spec.killGracePeriodSeconds = grace;
  const restart = run.sub('restart');
  const policy = (restart?.str('policy') ?? 'NEVER').toUpperCase();
  if (policy === 'NEVER') spec.retries = { count: 0 };
  else if (policy === 'ON_FAILURE') {
    spec.retries = { count: 100 };
    const deadline = restart!.num('activeDeadlineSeconds');
    d.warnings.push(`restart ON_FAILURE: Metronome relaunched ${deadline ? `for up to ${deadline} s` : 'without limit'}; Kairos retries a counted number of times, here 100 (edit retries.count)`);
  } else restart!.fail('policy', `expected NEVER or ON_FAILURE, got ${JSON.stringify(policy)}`);
  const delay = run.num('maxLaunchDelay');
  if (delay !== undefined && delay !== MAX_LAUNCH_DELAY) d.lost.push(`run.maxLaunchDelay ${delay} (a run not started in time is judged by startingDeadlineSeconds)`);
  for (const k of [...run.unread(), ...(placement?.unread() ?? []), ...(restart?.unread() ?? [])]) d.lost.push(k);
}

function dockerOf(c: JobReader, d: Draft): Record<string, unknown> {
  const out: Record<string, unknown> = {
    image: c.str('image') ?? c.fail('image', 'missing'),
    forcePull: c.bool('forcePullImage') ?? false,
    privileged: c.bool('privileged') ?? false,
    parameters: c.list('parameters').map((p, i) => {
      const pr = c.item('parameters', i, p);
      return { key: pr.str('key') ?? pr.fail('key', 'missing'), value: pr.str('value') ?? '' };
    }),
  };
  for (const k of c.unread()) d.lost.push(k);
  return out;
}

function ucrOf(c: JobReader, d: Draft): Record<string, unknown> {
  const image = c.sub('image') ?? c.fail('image', 'missing');
  const kind = image.str('kind') ?? 'docker';
  if (kind !== 'docker') image.fail('kind', `only docker images can be imported, got ${JSON.stringify(kind)}`);
  d.warnings.push('ucr image: Kairos runs it with the containerizer the controller is configured with (Docker by default)');
  const out = { image: image.str('id') ?? image.fail('id', 'missing'), forcePull: image.bool('forcePull') ?? false };
  for (const k of [...c.unread(), ...image.unread()]) d.lost.push(k);
  return out;
}

/** `networks[{mode: host|container/bridge|container, name}]` → the container's network. */
function mapNetworks(run: JobReader, d: Draft): void {
  const nets = run.list('networks');
  if (nets.length === 0) return;
  const container = d.manifest.spec.container as Record<string, unknown> | undefined;
  const nr = run.item('networks', 0, nets[0]);
  const mode = nr.str('mode') ?? 'host';
  const name = nr.str('name');
  if (!container) {
    if (mode !== 'host') d.lost.push(`run.networks (${mode} networking needs a container)`);
    return;
  }
  container.network = mode === 'host' ? 'HOST' : mode === 'container/bridge' ? 'BRIDGE' : mode === 'container' ? 'USER' : nr.fail('mode', `expected host, container/bridge or container, got ${JSON.stringify(mode)}`);
  if (mode === 'container' && name) container.networkName = name;
  if (nets.length > 1) d.lost.push('run.networks[1..] (one network per job)');
}

/**
 * Host volumes → the container's volumes; secret volumes (`{containerPath, secret}`) →
 * secret files, which Kairos places in the sandbox (an absolute container path becomes
 * the same path under the sandbox, with a warning).
 */
function mapVolumes(run: JobReader, d: Draft, used: Set<string>): void {
  const vols = run.list('volumes');
  if (vols.length === 0) return;
  const container = d.manifest.spec.container as Record<string, unknown> | undefined;
  const secrets = d.manifest.spec.secrets as Record<string, string>[];
  const host = vols.flatMap((v, i) => {
    const vr = run.item('volumes', i, v);
    const containerPath = vr.str('containerPath') ?? vr.fail('containerPath', 'missing');
    const ref = vr.str('secret');
    if (ref !== undefined) {
      const file = containerPath.replace(/^\/+/, '');
      if (file !== containerPath) d.warnings.push(`secret file ${containerPath} is now $MESOS_SANDBOX/${file} (Kairos places secret files in the sandbox)`);
      secrets.push({ file, secret: secretSource(run, d, ref, `volumes[${i}].secret`) });
      used.add(ref);
      return [];
    }
    const hostPath = vr.str('hostPath');
    if (!hostPath) {
      d.lost.push(`run.volumes[${i}] ${containerPath} (only host-path and secret volumes are supported)`);
      return [];
    }
    if (!container) {
      d.lost.push(`run.volumes[${i}] ${containerPath} (host volumes need a container image in Kairos)`);
      return [];
    }
    const mode = (vr.str('mode') ?? 'RW').toUpperCase();
    if (mode !== 'RO' && mode !== 'RW') vr.fail('mode', `expected RO or RW, got ${JSON.stringify(mode)}`);
    return [{ containerPath, hostPath, mode }];
  });
  if (container && host.length) container.volumes = host;
}

/**
 * A secret reference's source. Kairos secret names are relative paths, so DC/OS's
 * leading `/` is dropped (with a warning).
 */
function secretSource(run: JobReader, d: Draft, ref: string, field: string): string {
  const defs = (run.raw('secrets') ?? {}) as Record<string, { source?: unknown } | undefined>;
  const source = defs[ref]?.source;
  if (typeof source !== 'string' || !source) run.fail(`secrets.${ref}`, `${field} refers to secret ${JSON.stringify(ref)}, which has no source`);
  const name = source.replace(/^\/+/, '');
  if (name !== source) d.warnings.push(`secret ${JSON.stringify(source)} is referenced as ${JSON.stringify(name)} (Kairos secret names are relative paths)`);
  return name;
}

function reportUnusedSecrets(run: JobReader, d: Draft, used: Set<string>): void {
  for (const ref of Object.keys((run.raw('secrets') ?? {}) as object)) if (!used.has(ref)) d.lost.push(`run.secrets.${ref} (not referenced by env or a volume)`);
}

/**
 * `env` strings → env; `env: {NAME: {secret: ref}}` + `secrets: {ref: {source}}` → secret
 * references (never values). Returns the secret refs used.
 */
function mapEnv(run: JobReader, d: Draft): Set<string> {
  const env: Record<string, string> = {};
  const secrets: Record<string, string>[] = [];
  const defs = run.raw('secrets') ?? {};
  if (typeof defs !== 'object' || Array.isArray(defs)) run.fail('secrets', 'expected an object of secret definitions');
  const used = new Set<string>();
  for (const [name, v] of Object.entries((run.raw('env') ?? {}) as Record<string, unknown>)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) run.fail(`env.${name}`, 'is not a valid environment variable name');
    if (typeof v === 'string') env[name] = v;
    else if (v && typeof v === 'object' && typeof (v as { secret?: unknown }).secret === 'string') {
      const ref = (v as { secret: string }).secret;
      secrets.push({ env: name, secret: secretSource(run, d, ref, `env.${name}`) });
      used.add(ref);
    } else run.fail(`env.${name}`, 'expected a string or {secret: name}');
  }
  d.manifest.spec.env = env;
  d.manifest.spec.secrets = secrets;
  return used;
}

function mapSchedule(s: JobReader, d: Draft): void {
  const spec = d.manifest.spec;
  const cron = s.str('cron') ?? s.fail('cron', 'missing');
  spec.schedule = { cron, timeZone: s.str('timezone') || SCHEDULE_DEFAULTS.timezone };
  spec.startingDeadlineSeconds = s.num('startingDeadlineSeconds') ?? SCHEDULE_DEFAULTS.startingDeadlineSeconds;
  const policy = (s.str('concurrencyPolicy') ?? SCHEDULE_DEFAULTS.concurrencyPolicy).toUpperCase();
  if (policy !== 'ALLOW' && policy !== 'FORBID') s.fail('concurrencyPolicy', `expected ALLOW or FORBID, got ${JSON.stringify(policy)}`);
  spec.concurrencyPolicy = policy === 'ALLOW' ? 'Allow' : 'Forbid';
  spec.suspend = s.bool('enabled') === false;
  s.raw('id');
  s.raw('nextRunAt');
  for (const k of s.unread()) d.lost.push(k);
}

function stringMap(r: JobReader, key: string, v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (typeof val !== 'string') r.fail(`${key}.${k}`, 'expected a string');
    out[k] = val;
  }
  return out;
}
