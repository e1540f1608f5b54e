/**
 * `kairos serve` options, normalised once (graphile/worker
 * `processSharedOptions`): flags win over `KAIROS_*` environment variables, which win over
 * defaults. Everything downstream reads the compiled {@link ServeConfig}, never raw strings.
 * Malformed values throw KairosError `E_INVALID` naming the flag and what was expected.
 */
import { resolve } from 'node:path';
import { parseClusters, type ClusterConfig, type ClusterMesos } from './clusters/config.js';
import { KairosError } from './core/errors.js';
import { parseAgentResources } from './mesos/embedded/resource-spec.js';
import { parseMesosAddress } from './mesos/leader.js';
import type { LogLevel } from './ports/logger.js';
import { isRemoteUrl } from './source/git.js';
import { urlCredentials } from './core/url-credentials.js';

/** Where the manifests come from: a plain directory, or a git repository at a ref. */
export type SourceConfig = { kind: 'dir'; path: string } | { kind: 'git'; url: string; ref?: string };

/** Where applied state and runs live (src/ports/store.ts adapters). */
export type StoreConfig =
  | { kind: 'file'; path: string }
  | { kind: 'zk'; url: string }
  | { kind: 'memory' };

/** Which Mesos master to use: the embedded one (default), or masters by URL / ZooKeeper. */
export type MesosConfig = ClusterMesos;

/** The compiled, validated configuration of one controller process. */
export interface ServeConfig {
  source: SourceConfig;
  store: StoreConfig;
  mesos: MesosConfig;
  /**
   * `--cluster NAME=...` (repeatable), in preference order; absent: one cluster named
   * `default` on `mesos` (src/clusters/config.ts, `clustersOf`).
   */
  clusters?: ClusterConfig[];
  /**
   * `--cluster-move-after`: how long a cluster may be disconnected or starving (or a run wait
   * there without a fitting offer) before runs waiting on it move to the next cluster.
   */
  clusterMoveAfterMs?: number;
  /** API listen address; port 0 picks a free port (tests). */
  listen: { host: string; port: number };
  /**
   * ZooKeeper session timeout for `--store zk://` (`--zk-session-timeout`; default: the URL's
   * `?sessionTimeoutMs`, else 10 s). A dead leader is replaced about this long after it died.
   */
  zkSessionTimeoutMs?: number;
  /** Extra Host names the API answers to besides the listen address's (`*`: any); src/api/origin.ts. */
  allowedHosts: string[];
  /** Git/directory poll interval in ms (0 disables polling). */
  pollMs: number;
  /** Delete applied jobs that left the manifests (Argo CD `prune`, Flux `spec.prune`). */
  prune: boolean;
  /** Allow a sync to prune more than half of the jobs (see src/plan). */
  allowMassPrune: boolean;
  /** Apply a git head that does not descend from the applied commit (src/controller/rewind.ts). */
  allowRewind: boolean;
  /** HMAC-SHA256 secret for `POST /v1/webhook`; unset = signatures not checked. */
  webhookSecret?: string;
  /** Access-control token file for the API (format: README "API, UI and access control"). */
  tokensFile?: string;
  /** Global cap on stored finished runs, across all jobs. */
  historyCap: number;
  logLevel: LogLevel;
  /** Secrets directory (one file per secret); unset = secrets from `KAIROS_SECRET_<NAME>`. */
  secretsDir?: string;
  /** `--notify-config FILE`: default notification rules, SMTP server, outbox limits (src/notify/config.ts). */
  notifyConfig?: string;
  /** Serve `/metrics` without a token, for Prometheus scrapers. */
  metricsPublic: boolean;
  /** Write requests per principal (`--write-rate PER_MINUTE[:BURST]`, default 60:20); 429 beyond. */
  writeRate: { perMinute: number; burst: number };
  /** Default preemption grace in seconds for jobs without `spec.preemption` (`--preemption-after`); undefined: off. */
  preemptAfterSeconds?: number;
  /** `--unschedulable-after`: a run no known agent could ever hold becomes `unschedulable` after waiting this long. */
  unschedulableAfterMs: number;
}

/** The raw options as commander hands them over; every field optional. */
export interface ServeFlags {
  source?: string;
  ref?: string;
  store?: string;
  mesos?: string;
  cluster?: string[];
  clusterMoveAfter?: string;
  listen?: string;
  poll?: string;
  prune?: boolean;
  allowMassPrune?: boolean;
  allowRewind?: boolean;
  allowedHosts?: string;
  zkSessionTimeout?: string;
  agents?: string;
  tokens?: string;
  historyCap?: string;
  logLevel?: string;
  secretsDir?: string;
  notifyConfig?: string;
  metricsPublic?: boolean;
  writeRate?: string;
  agentResources?: string;
  preemptionAfter?: string;
  unschedulableAfter?: string;
}

/** Defaults, also shown in `kairos serve --help`. */
export const SERVE_DEFAULTS = {
  source: '.',
  store: 'file:.kairos/state.json',
  mesos: 'embedded',
  listen: '127.0.0.1:4400',
  poll: '30s',
  agents: '2',
  historyCap: '10000',
  logLevel: 'info',
  preemptionAfter: '5m',
  unschedulableAfter: '5m',
  writeRate: '60:20',
} as const;

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `500ms`, `30s`, `5m`, `1h` (or a bare number of seconds) into milliseconds. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw invalid(flag, text, 'a duration like 500ms, 30s, 5m or 1h');
  return Math.round(Number(m[1]) * units[m[2] ?? 's']);
}

/** Parses `host:port` (IPv6 in brackets); port 0 means "any free port". */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw invalid('--listen', text, 'host:port, e.g. 127.0.0.1:4400');
  return { host: m[1] ?? m[2], port };
}

/**
 * A source is git when it is a URL (scheme://, user@host:path) or when a ref is given;
 * otherwise it is a directory read as it is on disk (the rule of src/source/open.ts).
 */
export function parseSource(text: string, ref: string | undefined, cwd: string): SourceConfig {
  if (isRemoteUrl(text)) return { kind: 'git', url: text, ref };
  if (ref !== undefined) return { kind: 'git', url: resolve(cwd, text), ref };
  return { kind: 'dir', path: resolve(cwd, text) };
}

/** Parses `file:PATH`, `zk://host:port[,host:port]/path` or `memory`. */
export function parseStore(text: string, cwd: string): StoreConfig {
  if (text === 'memory' || text === 'memory:') return { kind: 'memory' };
  if (text.startsWith('file:') && text.length > 5) return { kind: 'file', path: resolve(cwd, text.slice(5)) };
  if (/^zk:\/\/[^/]+\/.+/.test(text)) return { kind: 'zk', url: text };
  throw invalid('--store', text, 'file:PATH, zk://host:port[,host:port]/path or memory');
}

/** `embedded`, or a master address as src/mesos/leader.ts parses it (http list or zk://). */
export function parseMesos(text: string, agents: number): MesosConfig {
  if (text === 'embedded') return { kind: 'embedded', agents };
  return { kind: 'remote', address: parseMesosAddress(text) };
}

/** `PER_MINUTE[:BURST]` of `--write-rate`; the burst defaults to a third of the minute's rate. */
export function parseWriteRate(text: string): { perMinute: number; burst: number } {
  const m = /^(\d+)(?::(\d+))?$/.exec(text.trim());
  const perMinute = Number(m?.[1]);
  const burst = m?.[2] === undefined ? Math.max(1, Math.ceil(perMinute / 3)) : Number(m[2]);
  if (!m || perMinute < 1 || burst < 1) throw invalid('--write-rate', text, 'PER_MINUTE[:BURST], e.g. 600:100 (both integers ≥ 1)');
  return { perMinute, burst };
}

function parseCount(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw invalid(flag, text, `an integer ≥ ${min}`);
  return n;
}

const levels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * Compiles flags and environment (`KAIROS_SOURCE`, `KAIROS_REF`, `KAIROS_STORE`,
 * `KAIROS_MESOS`, `KAIROS_LISTEN`, `KAIROS_POLL`, `KAIROS_PRUNE=1`, `KAIROS_AGENTS`,
 * `KAIROS_TOKENS`, `KAIROS_WEBHOOK_SECRET`, `KAIROS_LOG_LEVEL`, `KAIROS_SECRETS_DIR`,
 * `KAIROS_NOTIFY_CONFIG`, `KAIROS_METRICS_PUBLIC=1`, `KAIROS_AGENT_RESOURCES`,
 * `KAIROS_PREEMPTION_AFTER`, `KAIROS_UNSCHEDULABLE_AFTER`, `KAIROS_CLUSTERS`, `KAIROS_WRITE_RATE`) into one ServeConfig.
 */
export function compileServeConfig(
  flags: ServeFlags,
  env: Record<string, string | undefined> = {},
  cwd = process.cwd(),
): ServeConfig {
  const pick = (flag: string | undefined, name: string, dflt?: string): string | undefined =>
    flag ?? (env[`KAIROS_${name}`] || undefined) ?? dflt;
  const agents = parseCount('--agents', pick(flags.agents, 'AGENTS', SERVE_DEFAULTS.agents)!, 1);
  const logLevel = pick(flags.logLevel, 'LOG_LEVEL', SERVE_DEFAULTS.logLevel)! as LogLevel;
  if (!levels.includes(logLevel)) throw invalid('--log-level', logLevel, levels.join(', '));
  const secretsDir = pick(flags.secretsDir, 'SECRETS_DIR');
  const mesos = parseMesos(pick(flags.mesos, 'MESOS', SERVE_DEFAULTS.mesos)!, agents);
  const agentResources = pick(flags.agentResources, 'AGENT_RESOURCES');
  if (agentResources !== undefined) {
    if (mesos.kind !== 'embedded') throw invalid('--agent-resources', agentResources, '--mesos embedded (it sizes the embedded master\'s agents)');
    mesos.agentResources = parseAgentResources('--agent-resources', agentResources);
  }
  const preemptAfter = pick(flags.preemptionAfter, 'PREEMPTION_AFTER', SERVE_DEFAULTS.preemptionAfter)!;
  return {
    source: parseSource(pick(flags.source, 'SOURCE', SERVE_DEFAULTS.source)!, pick(flags.ref, 'REF'), cwd),
    store: parseStore(pick(flags.store, 'STORE', SERVE_DEFAULTS.store)!, cwd),
    mesos,
    ...clusterFlags(flags, env, agents, mesos.kind === 'embedded' ? mesos.agentResources : undefined),
    listen: parseListen(pick(flags.listen, 'LISTEN', SERVE_DEFAULTS.listen)!),
    ...zkSession(pick(flags.zkSessionTimeout, 'ZK_SESSION_TIMEOUT')),
    allowedHosts: (pick(flags.allowedHosts, 'ALLOWED_HOSTS') ?? '').split(',').map((h) => h.trim()).filter(Boolean),
    pollMs: parseDuration('--poll', pick(flags.poll, 'POLL', SERVE_DEFAULTS.poll)!),
    prune: flags.prune ?? env.KAIROS_PRUNE === '1',
    allowMassPrune: flags.allowMassPrune ?? false,
    allowRewind: flags.allowRewind ?? false,
    webhookSecret: env.KAIROS_WEBHOOK_SECRET || undefined,
    tokensFile: pick(flags.tokens, 'TOKENS'),
    historyCap: parseCount('--history-cap', pick(flags.historyCap, 'HISTORY_CAP', SERVE_DEFAULTS.historyCap)!, 1),
    logLevel,
    ...(secretsDir !== undefined && { secretsDir: resolve(cwd, secretsDir) }),
    ...(pick(flags.notifyConfig, 'NOTIFY_CONFIG') !== undefined && { notifyConfig: resolve(cwd, pick(flags.notifyConfig, 'NOTIFY_CONFIG')!) }),
    metricsPublic: flags.metricsPublic ?? env.KAIROS_METRICS_PUBLIC === '1',
    writeRate: parseWriteRate(pick(flags.writeRate, 'WRITE_RATE', SERVE_DEFAULTS.writeRate)!),
    ...(preemptAfter !== 'off' && { preemptAfterSeconds: parseDuration('--preemption-after', preemptAfter) / 1000 }),
    unschedulableAfterMs: parseDuration('--unschedulable-after', pick(flags.unschedulableAfter, 'UNSCHEDULABLE_AFTER', SERVE_DEFAULTS.unschedulableAfter)!),
  };
}

/**
 * `--cluster` (repeatable) or `KAIROS_CLUSTERS` (entries separated by spaces); refused
 * beside `--mesos`/`KAIROS_MESOS`, which name the one cluster of a single-cluster setup.
 */
function clusterFlags(flags: ServeFlags, env: Record<string, string | undefined>, agents: number, agentResources: string | undefined): { clusters?: ClusterConfig[] } {
  const specs = flags.cluster?.length ? flags.cluster : (env.KAIROS_CLUSTERS ?? '').split(/\s+/).filter(Boolean);
  if (specs.length === 0) return {};
  if (flags.mesos !== undefined || (!flags.cluster?.length && env.KAIROS_MESOS)) throw invalid('--cluster', specs.join(' '), 'either --cluster (several clusters) or --mesos (one), not both');
  const moveAfter = flags.clusterMoveAfter ?? env.KAIROS_CLUSTER_MOVE_AFTER;
  const clusters = parseClusters(specs, agents, agentResources);
  if (agentResources !== undefined && !clusters.some((c) => c.mesos.kind === 'embedded')) throw invalid('--agent-resources', agentResources, 'an embedded --cluster (it sizes the embedded masters\' agents)');
  return { clusters, ...(moveAfter !== undefined && { clusterMoveAfterMs: parseDuration('--cluster-move-after', moveAfter) }) };
}

/** `--zk-session-timeout`: 1 s to 10 min (ZooKeeper clamps it to 2-20 server ticks). */
function zkSession(text: string | undefined): { zkSessionTimeoutMs?: number } {
  if (text === undefined) return {};
  const ms = parseDuration('--zk-session-timeout', text);
  if (ms < 1000 || ms > 600_000) throw invalid('--zk-session-timeout', text, 'a duration from 1s to 10m');
  return { zkSessionTimeoutMs: ms };
}

function invalid(flag: string, got: string, expected: string): KairosError {
  return new KairosError('E_INVALID', `${flag}: expected ${expected}, got ${JSON.stringify(got)}`);
}

/**
 * The secrets written into the configuration itself (the webhook secret, credentials in the
 * source, store and Mesos URLs), for the mask applied to every response and log line.
 */
export function configuredSecrets(config: ServeConfig): string[] {
  const urls = [
    config.source.kind === 'git' ? config.source.url : '',
    config.store.kind === 'zk' ? config.store.url : '',
    config.mesos.kind === 'remote' ? (config.mesos.address.kind === 'http' ? config.mesos.address.urls.join(' ') : `zk://${config.mesos.address.hosts}/`) : '',
  ];
  return [...(config.webhookSecret ? [config.webhookSecret] : []), ...urls.flatMap(urlCredentials)];
}
