/**
 * Builds the Mesos side of `kairos serve` from its clusters (composition only; called by
 * src/wiring.ts): an embedded master per `embedded` cluster, and per leadership term one
 * framework per cluster. With the single `--mesos` the controller gets that framework
 * itself, exactly as before; with `--cluster` it gets a ClusterRouter over them.
 */
import { join } from 'node:path';
import type { ServeConfig } from '../config.js';
import { startEmbeddedMaster, type EmbeddedMaster, type EmbeddedMasterOptions } from '../mesos/embedded/index.js';
import type { KairosFramework } from '../mesos/framework.js';
import { detectorFor, listDetector, type MasterDetector } from '../mesos/leader.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { FrameworkHooks, MesosFramework } from '../ports/mesos.js';
import { DEFAULT_CLUSTER, type ClusterConfig } from './config.js';
import { ClusterRouter, DEFAULT_MOVE_AFTER_MS } from './router.js';

/** The clusters of one controller process. */
export interface ClusterSet {
  /** The clusters in preference order (`default` alone with `--mesos`). */
  names: string[];
  /** Whether they were named with `--cluster` (the router is in use, intents record the cluster). */
  named: boolean;
  /** Embedded masters by cluster name. */
  embedded: Map<string, EmbeddedMaster>;
  /** The framework (or router) the controller uses for one leadership term. */
  framework(hooks: FrameworkHooks): MesosFramework;
  /** Stops the embedded masters. */
  stop(): Promise<void>;
}

/** What building the clusters needs from the composition root. */
export interface OpenClustersDeps {
  clock: Clock;
  logger: Logger;
  /** Beside a file store: where local agents checkpoint (one directory per embedded cluster). */
  agentDir?: string;
  /** Only this controller may subscribe to its embedded masters. */
  credential: { principal: string; secret: string };
  /** Overrides of the embedded masters (tests). */
  embedded?: EmbeddedMasterOptions;
  offerTimeoutMs: number;
  /** Builds one cluster's framework (FrameworkID key, metrics, web UI URL are the caller's); `local` is its embedded master. */
  build(cluster: string, hooks: FrameworkHooks, detector: MasterDetector, local: EmbeddedMaster | undefined): KairosFramework;
}

/** The clusters of `config`: `--cluster` entries, or the one `--mesos` cluster named `default`. */
export function clustersOf(config: Pick<ServeConfig, 'mesos' | 'clusters'>): ClusterConfig[] {
  return config.clusters ?? [{ name: DEFAULT_CLUSTER, mesos: config.mesos }];
}

/** Starts the embedded masters and returns the set (see the file comment). */
export async function openClusters(config: Pick<ServeConfig, 'mesos' | 'clusters' | 'clusterMoveAfterMs'>, d: OpenClustersDeps): Promise<ClusterSet> {
  const list = clustersOf(config);
  const named = config.clusters !== undefined;
  const embedded = new Map<string, EmbeddedMaster>();
  const stop = async () => {
    for (const m of [...embedded.values()].reverse()) await m.stop();
  };
  try {
    for (const c of list) {
      if (c.mesos.kind !== 'embedded') continue;
      // One checkpoint directory per embedded cluster: `agent` for the unnamed one, as before.
      const stateDir = d.agentDir && (named ? `${d.agentDir}-${c.name}` : d.agentDir);
      const m = await startEmbeddedMaster({
        localAgents: c.mesos.agents,
        ...(c.mesos.agentResources && { localResources: c.mesos.agentResources }),
        stateDir,
        clock: d.clock,
        logger: d.logger.child({ component: 'embedded-master', ...(named && { cluster: c.name }) }),
        offerTimeoutMs: d.offerTimeoutMs,
        credentials: [d.credential],
        ...d.embedded,
      });
      embedded.set(c.name, m);
      d.logger.info('embedded Mesos master started', { url: m.url, agents: c.mesos.agents, ...(named && { cluster: c.name }) });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const detector = (c: ClusterConfig) => (c.mesos.kind === 'embedded' ? listDetector([embedded.get(c.name)!.url]) : detectorFor(c.mesos.address, d.clock));
  const one = (c: ClusterConfig, hooks: FrameworkHooks) => d.build(c.name, hooks, detector(c), embedded.get(c.name));
  return {
    names: list.map((c) => c.name),
    named,
    embedded,
    framework: (hooks) => {
      if (!named) return one(list[0], hooks);
      const router = new ClusterRouter(hooks, { clock: d.clock, logger: d.logger, moveAfterMs: config.clusterMoveAfterMs ?? DEFAULT_MOVE_AFTER_MS });
      for (const c of list) {
        const fw = one(c, router.hooksFor(c.name));
        fw.on('offers', (e) => router.offered(c.name, e.offers));
        router.attach({ name: c.name, framework: fw });
      }
      return router;
    },
    stop,
  };
}

/** Where the unnamed embedded cluster's agents checkpoint beside a file store (`<store dir>/agent`). */
export function agentDirOf(storeDir: string): string {
  return join(storeDir, 'agent');
}
