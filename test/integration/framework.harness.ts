/**
 * Protocol-level test helper for the Mesos framework (STYLE.md #9: one test API against
 * a fake or a real server). By default every test gets its own embedded master on
 * 127.0.0.1 with shrunken intervals. Set `KAIROS_TEST_MESOS_URL=http://host:5050` to run
 * test/integration/framework.test.ts against a real Mesos master instead (its agents must
 * run `/bin/sh` command tasks; tasks are tagged with the test's own framework). The fault
 * tests (framework-faults.test.ts) need the embedded master's fault hooks and always use it.
 */
import { startEmbeddedMaster, type EmbeddedMaster, type EmbeddedMasterOptions } from '../../src/mesos/embedded/index.js';
import type { FrameworkConfig } from '../../src/mesos/config.js';
import { createFramework, type FrameworkEvents, type KairosFramework } from '../../src/mesos/framework.js';
import { detectorFor, parseMesosAddress } from '../../src/mesos/leader.js';
import { systemClock } from '../../src/ports/clock.js';
import { silentLogger } from '../../src/ports/logger.js';
import type { LaunchRequest, PlacedLaunch, TaskStatusUpdate } from '../../src/ports/mesos.js';
import type { TaskTemplate } from '../../src/core/types.js';
import { launchRequest, template } from '../unit/mesos/fixtures.js';

/** The URL of a real master to test against, if any. */
export const REAL_MASTER_URL = process.env.KAIROS_TEST_MESOS_URL;

/** A master for one test: a real one by URL, or an embedded one. */
export interface MasterUnderTest {
  url: string;
  /** Present only for the embedded master. */
  embedded?: EmbeddedMaster;
  stop(): Promise<void>;
}

/** Defaults that keep tests fast: heartbeats every 200 ms, allocation every 50 ms. */
const FAST_MASTER: EmbeddedMasterOptions = { heartbeatIntervalMs: 200, allocationIntervalMs: 50, statusRetryMs: 500, localAgents: 1, localResources: 'cpus:4;mem:4096;disk:1024;ports:[31000-31100]' };

/** The real master named by KAIROS_TEST_MESOS_URL, else a fresh embedded one. */
export async function masterUnderTest(opts: EmbeddedMasterOptions = {}): Promise<MasterUnderTest> {
  if (REAL_MASTER_URL) return { url: REAL_MASTER_URL, stop: async () => {} };
  return embeddedMaster(opts);
}

/** Always an embedded master (for fault tests). */
export async function embeddedMaster(opts: EmbeddedMasterOptions = {}): Promise<MasterUnderTest & { embedded: EmbeddedMaster }> {
  const embedded = await startEmbeddedMaster({ ...FAST_MASTER, ...opts });
  return { url: embedded.url, embedded, stop: () => embedded.stop() };
}

/** A framework under test with everything it reported recorded. */
export interface TestFramework {
  fw: KairosFramework;
  /** Every status passed to onStatus, in order. */
  statuses: TaskStatusUpdate[];
  /** Every launch passed to persistLaunch, in order. */
  persisted: PlacedLaunch[];
  /** The order of persistLaunch and ACCEPT, as `persist:<taskId>` / `accept:<taskId>`. */
  order: string[];
  /** The FrameworkID store's content. */
  frameworkId: { value?: string };
  /** Resolves with the first status of `taskId` in `state` (already seen or future). */
  waitForState(taskId: string, state: string): Promise<TaskStatusUpdate>;
  /** Resolves with the first status satisfying `pred` (already seen or future). */
  waitFor(pred: (u: TaskStatusUpdate) => boolean): Promise<TaskStatusUpdate>;
  /** Resolves with the next event `name` whose argument satisfies `pred`. */
  next<K extends keyof FrameworkEvents>(name: K, pred?: (...args: FrameworkEvents[K]) => boolean): Promise<FrameworkEvents[K]>;
  stop(): Promise<void>;
}

/** Test defaults for the framework: fast resubscribe, reconcile and batching. */
const FAST_FRAMEWORK: Partial<FrameworkConfig> = {
  name: 'kairos-test',
  user: process.env.USER ?? 'root',
  batchWindowMs: 10,
  resubscribeBackoff: { initialMs: 50, maxMs: 500 },
  reconcileBackoff: { initialMs: 200, maxMs: 1000, maxRounds: 4 },
};

/** Starts a framework against `url` (a master URL or `zk://host:port/path`) and waits until it is subscribed. */
export async function startFramework(
  url: string,
  config: Partial<FrameworkConfig> = {},
  opts: {
    frameworkId?: string;
    knownTasks?: { taskId: string; agentId?: string }[];
    onStatus?: (u: TaskStatusUpdate) => Promise<void>;
    /** Runs first inside persistLaunch: a test may hold it back or make it fail. */
    persistLaunch?: (l: PlacedLaunch[]) => Promise<void>;
  } = {},
): Promise<TestFramework> {
  const statuses: TaskStatusUpdate[] = [];
  const persisted: PlacedLaunch[] = [];
  const order: string[] = [];
  const frameworkId = { value: opts.frameworkId };
  const waiters: { pred: (u: TaskStatusUpdate) => boolean; resolve: (u: TaskStatusUpdate) => void }[] = [];
  const fw = createFramework(
    {
      detector: detectorFor(parseMesosAddress(url), systemClock),
      clock: systemClock,
      logger: silentLogger,
      frameworkIds: { load: async () => frameworkId.value, save: async (id) => void (frameworkId.value = id) },
      hooks: {
        persistLaunch: async (l) => {
          await opts.persistLaunch?.(l);
          persisted.push(...l);
          for (const p of l) order.push(`persist:${p.request.taskId}`);
        },
        onStatus: async (u) => {
          await opts.onStatus?.(u);
          statuses.push(u);
          for (const w of waiters.filter((x) => x.pred(u))) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(u);
          }
        },
      },
    },
    { ...FAST_FRAMEWORK, ...config },
  );
  const waitFor = (pred: (u: TaskStatusUpdate) => boolean): Promise<TaskStatusUpdate> => {
    const seen = statuses.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => waiters.push({ pred, resolve }));
  };
  fw.on('accepted', ({ taskIds }) => order.push(...taskIds.map((t) => `accept:${t}`)));
  void fw.start({ force: true, knownTasks: opts.knownTasks ?? [] });
  await fw.subscribed();
  return {
    fw,
    statuses,
    persisted,
    order,
    frameworkId,
    waitForState: (taskId, state) => waitFor((u) => u.taskId === taskId && u.mesosState === state),
    waitFor,
    next(name, pred) {
      return new Promise((resolve) => {
        const h = (...args: unknown[]) => {
          if (pred && !(pred as (...a: unknown[]) => boolean)(...args)) return;
          fw.off(name, h as never);
          resolve(args as never);
        };
        fw.on(name, h as never);
      });
    },
    stop: () => fw.stop(),
  };
}

let seq = 0;

/** A launch request running `shell` on `/bin/sh` with small resources. */
export function shellTask(shell: string, over: Partial<TaskTemplate> = {}, job = 'itest'): LaunchRequest {
  return launchRequest(job, `manual-${systemClock.now()}-${++seq}`, template({ command: { shell }, ...over }), systemClock.now());
}
