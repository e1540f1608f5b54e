/**
 * Composition helpers: the only place (with main.ts) where real adapters are built from
 * the compiled config — store and leadership (file/memory + solo, or ZooKeeper + election),
 * manifest source, Mesos (the embedded master, or a master by URL / ZooKeeper), the
 * framework, the API on a socket — and joined into a running controller.
 * `startController(config)` is what `kairos serve`, the e2e, browser and HA tests use.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { checkListenSafety, loadAccessConfig } from './api/access.js';
import { buildApp } from './api/app.js';
import { EarlyListener } from './api/early-listen.js';
import { allowedHostsFor } from './api/origin.js';
import { configuredSecrets, type ServeConfig, type StoreConfig } from './config.js';
import { Controller } from './controller/controller.js';
import type { ControllerEmitter } from './controller/events.js';
import { stripUrlCredentials } from './core/url-credentials.js';
import { isTerminalRun } from './core/types.js';
import { forwardToLeader } from './ha/forward.js';
import { openZookeeperHa } from './ha/zookeeper-ha.js';
import type { EmbeddedMaster, EmbeddedMasterOptions } from './mesos/embedded/index.js';
import { DEFAULT_CLUSTER } from './clusters/config.js';
import { agentDirOf, openClusters } from './clusters/open.js';
import { createFramework, type FrameworkIdStore } from './mesos/framework.js';
import { localSandboxes } from './mesos/status.js';
import { Metrics } from './metrics/metrics.js';
import { DEFAULT_NOTIFY_CONFIG, readNotifyConfig } from './notify/config.js';
import { Sender } from './notify/send.js';
import { systemClock, type Clock } from './ports/clock.js';
import { soloLeadership, type Leadership } from './ports/leader.js';
import { streamLogger, type Logger } from './ports/logger.js';
import { openSecretProvider } from './secrets/open.js';
import { MaskSet } from './secrets/mask-set.js';
import { SecretOverrides } from './secrets/run-overrides.js';
import { maskSecrets } from './api/redact.js';
import type { ManifestSource } from './ports/source.js';
import type { Store } from './ports/store.js';
import { openSource } from './source/open.js';
import { refuseIfOwned } from './store/file-owner.js';
import { FileStore } from './store/file-store.js';
import { MemoryStore } from './store/memory-store.js';
import { StoreLayout } from './store/layout.js';

/** A store with the leadership that goes with it, and how to let both go. */
export interface StoreAndLeadership {
  store: Store;
  leadership: Leadership;
  close(): Promise<void>;
}

/** Builds the store: file/memory with solo leadership, or ZooKeeper with an election. */
export async function openStore(cfg: StoreConfig, selfUrl: string, clock: Clock, logger: Logger, sessionTimeoutMs?: number): Promise<StoreAndLeadership> {
  if (cfg.kind === 'zk') {
    const ha = await openZookeeperHa(cfg.url, selfUrl, { clock, logger: logger.child({ component: 'ha' }), sessionTimeoutMs });
    return { store: ha.store, leadership: ha.leadership, close: () => ha.close() };
  }
  if (cfg.kind === 'file') await mkdir(dirname(cfg.path), { recursive: true });
  const store = cfg.kind === 'file' ? await FileStore.openExclusive(cfg.path, clock) : new MemoryStore();
  return { store, leadership: soloLeadership(selfUrl), close: () => store.close() };
}

/** The manifest source; git cache clones go under `.kairos/cache` beside a file store. */
export function openManifestSource(cfg: ServeConfig): ManifestSource {
  const cacheRoot = cfg.store.kind === 'file' ? join(dirname(cfg.store.path), 'cache') : undefined;
  return openSource(cfg.source, cacheRoot);
}

/**
 * The FrameworkID kept in the store, so a restart fails over to the same framework: one per
 * cluster (`StoreLayout.frameworkIdOf`; `default` keeps the key a single-cluster store had).
 */
export function frameworkIdStore(store: Store, cluster = DEFAULT_CLUSTER): FrameworkIdStore {
  const record = new StoreLayout(store).frameworkIdOf(cluster);
  return {
    load: async () => (await record.get())?.value,
    save: async (id) => (id === undefined ? record.delete() : void (await record.put(id))),
  };
}

/** A running controller with its API and Mesos. */
export interface RunningController {
  /** `http://host:port` of the API and UI. */
  url: string;
  /** The Mesos master URL in use (the embedded one's when embedded). */
  mesosUrl?: string;
  controller: Controller;
  events: ControllerEmitter;
  /** The embedded master, when `--mesos embedded` (the first embedded cluster's with `--cluster`). */
  embedded?: EmbeddedMaster;
  /** Every embedded master by cluster name (`default` with `--mesos embedded`). */
  clusters: Map<string, EmbeddedMaster>;
  /** Stops taking work, persists, closes the API, stops the embedded master (no orphaned children). */
  stop(): Promise<void>;
  /** Resolves once stopped. */
  done: Promise<void>;
}

/** Test and embedding hooks; the CLI passes none. */
export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
  /** Debounce of the directory watcher; default 300 ms. */
  watchDebounceMs?: number;
  /** Overrides of the embedded master (tests shrink its intervals). */
  embedded?: EmbeddedMasterOptions;
}

/** How long the embedded master lets a framework sit on an offer (Mesos `--offer_timeout`). */
const EMBEDDED_OFFER_TIMEOUT_MS = 30_000;

/** Builds every adapter from `config`, starts the controller and listens. */
export async function startController(config: ServeConfig, opts: StartOptions = {}): Promise<RunningController> {
  const clock = opts.clock ?? systemClock;
  const secrets = openSecretProvider(config.secretsDir, process.env);
  // Read before anything starts: a bad file stops the controller naming file, line and field.
  const notifyConfig = config.notifyConfig ? readNotifyConfig(config.notifyConfig) : DEFAULT_NOTIFY_CONFIG;
  const sender = new Sender({ env: process.env, clock, smtp: notifyConfig.smtp });
  const secretOverrides = new SecretOverrides();
  // Every token and secret is masked for every caller, in every response and log line.
  const masks = new MaskSet()
    .add(...configuredSecrets(config))
    .from(() => secrets.resolvedValues())
    .from(() => sender.resolvedValues())
    .from(() => secretOverrides.values());
  const masked = () => masks.values();
  // The log sink masks resolved secrets too: a value quoted in an error never reaches the log.
  const logger = opts.logger ?? streamLogger((l) => process.stderr.write(maskSecrets(l, masked())), { level: config.logLevel, now: () => clock.now() });
  const access = config.tokensFile ? loadAccessConfig(config.tokensFile) : undefined;
  masks.add(...(access?.mask ?? []));
  checkListenSafety(config.listen.host, access);
  // A second writer on a file store is refused before anything starts (openStore locks it).
  if (config.store.kind === 'file') await refuseIfOwned(config.store.path);

  const embeddedCredential = { principal: 'kairos', secret: randomBytes(24).toString('base64url') };
  masks.add(embeddedCredential.secret);
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch((err) => logger.error('shutdown step failed', { error: String(err) }));
  };
  try {
    // The socket first: the store and the election need this controller's URL.
    const listener = await EarlyListener.open(config.listen.host, config.listen.port);
    closers.push(() => listener.close());
    const selfUrl = listener.url;
    const held = await openStore(config.store, selfUrl, clock, logger, config.zkSessionTimeoutMs);
    closers.push(() => held.close());
    const metrics = new Metrics(clock);
    // Only this controller may subscribe to an embedded master (a random secret per start), and
    // offers a framework sits on are rescinded after 30 s, so no other local process can take
    // or hold them. Beside a file store, local agents checkpoint, so tasks survive a crash.
    const clusters = await openClusters(config, {
      clock,
      logger,
      agentDir: config.store.kind === 'file' ? agentDirOf(dirname(config.store.path)) : undefined,
      credential: embeddedCredential,
      embedded: opts.embedded,
      offerTimeoutMs: EMBEDDED_OFFER_TIMEOUT_MS,
      build: (cluster, hooks, detector, local) => {
        const log = logger.child({ component: 'mesos', ...(clusters.named && { cluster }) });
        // Local agents' sandboxes are read as files; others through the agent's /files/read.
        const withSandbox = local ? localSandboxes(hooks, (taskId) => local.agents.map((a) => a.sandbox(taskId)).find((x) => x !== undefined)) : hooks;
        const fw = createFramework({ detector, clock, logger: log, hooks: withSandbox, frameworkIds: frameworkIdStore(held.store, cluster) }, { webuiUrl: selfUrl, ...(local && embeddedCredential) });
        fw.on('reconciled', (e) => metrics.recordReconcile('tasks', e.ms));
        return fw;
      },
    });
    closers.push(() => clusters.stop());
    const embedded = clusters.embedded.values().next().value as EmbeddedMaster | undefined;
    const mesosUrl = embedded?.url;

    const controller = new Controller({
      store: held.store,
      source: openManifestSource(config),
      clock,
      logger,
      leadership: held.leadership,
      framework: (hooks) => clusters.framework(hooks),
      ...(clusters.named && { clusters: clusters.names }),
      pollMs: config.pollMs,
      prune: config.prune,
      allowMassPrune: config.allowMassPrune,
      allowRewind: config.allowRewind,
      historyCap: config.historyCap,
      preemptAfterSeconds: config.preemptAfterSeconds,
      secrets,
      secretOverrides,
      notify: { config: notifyConfig, sender, metrics: metrics.jobs },
      unschedulableAfterMs: config.unschedulableAfterMs,
      watch: config.source.kind === 'dir' ? { dir: config.source.path, debounceMs: opts.watchDebounceMs ?? 300 } : undefined,
    });
    observeMetrics(controller, metrics, clock);
    const app: FastifyInstance = buildApp({
      view: controller.view,
      actions: controller.actions,
      leadership: held.leadership,
      clock,
      logger: logger.child({ component: 'api' }),
      metrics,
      metricsPublic: config.metricsPublic,
      rateLimit: config.writeRate,
      notifications: () => controller.notifications(),
      access,
      allowedHosts: allowedHostsFor(config.listen.host, config.allowedHosts),
      webhook: {
        secret: config.webhookSecret,
        ...(config.source.kind === 'git' && { follows: { ref: config.source.ref } }),
        onWebhook: () => controller.triggerSync('webhook'),
      },
      triggerSync: () => controller.triggerSync('api'),
      secretValues: masked,
      forward: (req) => forwardToLeader(req, held.leadership, selfUrl),
      serverFactory: listener.factory,
    });
    closers.push(() => app.close());
    await app.ready();
    listener.serve();
    closers.push(() => controller.stop());
    await controller.start();
    logger.info('kairos controller listening', { url: selfUrl, source: config.source.kind === 'dir' ? config.source.path : stripUrlCredentials(config.source.url), mesos: mesosUrl ?? 'remote' });

    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    let stopping: Promise<void> | undefined;
    return {
      url: selfUrl,
      mesosUrl,
      controller,
      events: controller.events,
      embedded,
      clusters: clusters.embedded,
      done,
      stop: () => (stopping ??= closeAll().then(resolveDone)),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Feeds sync durations, run outcomes and launch latency into the metrics. */
function observeMetrics(controller: Controller, metrics: Metrics, clock: Clock): void {
  let syncStart = 0;
  const synced = () => metrics.recordReconcile('sync', clock.now() - syncStart);
  controller.events.on('sync:start', () => (syncStart = clock.now()));
  controller.events.on('sync:ok', synced);
  controller.events.on('sync:error', synced);
  controller.events.on('run:created', (e) => metrics.recordDispatch(e.scheduledAt, clock.now()));
  controller.events.on('run:state', (e) => {
    const run = controller.view.run(e.runId);
    if (!run) return;
    const first = run.attempts[0];
    if (e.state === 'running' && run.attempts.length === 1 && first.startedAt !== undefined) metrics.recordLaunch(run.scheduledAt, first.startedAt);
    if (e.state === 'running' && run.attempts.length === 1 && first.startedAt !== undefined) metrics.jobs.recordStarted(run, first.startedAt);
    if (isTerminalRun(e.state)) {
      metrics.recordRunEnded(e.state);
      metrics.jobs.recordRunEnded(run);
    }
  });
  controller.events.on('run:preempted', (e) => metrics.recordPreemption(e.job));
  controller.events.on('run:sla_missed', (e) => metrics.jobs.recordSlaMissed(e.job));
}
