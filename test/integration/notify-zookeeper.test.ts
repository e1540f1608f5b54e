/**
 * The outbox on the HA store, a real ZooKeeper: a notification is committed in the same
 * ZooKeeper multi as the run change that raised it. Two leaders racing to end the same run
 * raise it once; a deposed leader (stale epoch) writes neither the run nor the
 * notification; the next leader delivers what the old one committed, once, to a real
 * HTTP receiver that checks the signature.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunLedger } from '../../src/controller/run-ledger.js';
import { FencedError } from '../../src/core/errors.js';
import type { Run } from '../../src/core/run.js';
import type { NotifyRule } from '../../src/core/types.js';
import { silentLogger } from '../../src/ports/logger.js';
import type { Store } from '../../src/ports/store.js';
import { DEFAULT_NOTIFY_CONFIG } from '../../src/notify/config.js';
import { Notifier } from '../../src/notify/notifier.js';
import { KEYS } from '../../src/store/layout.js';
import { Sender } from '../../src/notify/send.js';
import { ZkClient } from '../../src/store/zk-client.js';
import { ZookeeperStore } from '../../src/store/zookeeper-store.js';
import { FakeClock } from '../support/fake-clock.js';
import { startHttpReceiver } from '../support/notify-receivers.js';
import { startZooKeeper, type TestZooKeeper } from '../support/zookeeper.js';

/** The outbox collection, read raw to judge what was stored. */
const OUTBOX = KEYS.outbox;

const SECRET = 'zk-hook-secret-42';
let zk: TestZooKeeper;
let http: Awaited<ReturnType<typeof startHttpReceiver>>;
let n = 0;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  [zk, http] = await Promise.all([startZooKeeper(), startHttpReceiver(SECRET)]);
});
afterAll(async () => {
  for (const s of opened) await s.close().catch(() => {});
  await http?.close();
  await zk?.destroy();
});

const clock = new FakeClock('2026-03-01T10:05:00Z');
const rules = (path: string): NotifyRule[] => [{ on: ['failed'], webhook: { url: `${http.url}${path}`, secret: { env: 'HOOK_SECRET' } } }];

/** A controller's notification side over `store`: its ledger (writing the outbox) and notifier. */
function side(store: Store, hook: string) {
  let ledger: RunLedger;
  const notifier: Notifier = new Notifier({
    store,
    clock,
    logger: silentLogger,
    config: DEFAULT_NOTIFY_CONFIG,
    sender: new Sender({ env: { HOOK_SECRET: SECRET }, clock }),
    rules: () => rules(hook),
    history: (job) => ledger.ofJob(job),
  });
  ledger = new RunLedger(store, (b, a) => notifier.effects(b, a));
  return { ledger, notifier };
}

async function open(path: string): Promise<ZookeeperStore> {
  const s = await ZookeeperStore.open(zk.url(path));
  opened.push(s);
  return s;
}

const run = (id: string): Run => ({ id, job: 'etl', trigger: 'schedule', scheduledAt: Date.parse('2026-03-01T10:00:00Z'), revision: 'r1', state: 'running', attempts: [{ n: 1, taskId: `t-${id}`, intentAt: 0, notBefore: 0 }], createdAt: 0 });
const failed = (r: Run): Run => ({ ...r, state: 'failed', reason: 'exit status 1' });

describe('notification outbox on ZooKeeper', () => {
  it('two writers ending the same run raise one notification; the next leader delivers it once', async () => {
    const path = `/notify-${n++}`;
    const a = side(await open(path), '/race');
    const b = side(await open(path), '/race');
    await a.ledger.create(run('etl@1'));
    await b.ledger.load();
    // Both saw the run running; both write "failed": compare-and-set lets one transition happen.
    await Promise.all([a.ledger.update('etl@1', failed), b.ledger.update('etl@1', failed)]);
    const reader = await open(path);
    expect((await reader.get<Run>('runs/etl@1'))?.value.state).toBe('failed');
    expect(await reader.list(OUTBOX)).toEqual(['etl@1~failed']);
    // Written once: a second raise would have overwritten it (version 1).
    expect((await reader.get(`${OUTBOX}/etl@1~failed`))?.version).toBe(0);

    // The old leader goes away before delivering; a new one delivers what was committed.
    const c = side(await open(path), '/race');
    await c.ledger.load();
    await c.notifier.deliverDue();
    await c.notifier.deliverDue();
    const got = http.got.filter((g) => g.path === '/race');
    expect(got).toHaveLength(1);
    expect(got[0].signatureOk).toBe(true);
    expect(await reader.list(OUTBOX)).toEqual([]);
  });

  it('a deposed leader writes neither the run change nor its notification', async () => {
    const path = `/notify-${n++}`;
    const raw = new ZkClient({ servers: zk.connectString });
    await raw.connect();
    opened.push(raw);
    const epoch = `${path}-epoch`;
    await raw.create(epoch, Buffer.from('1'));
    const store = (await open(path)).withFence(() => ({ path: epoch, version: 0 }));
    const old = side(store, '/deposed');
    await old.ledger.create(run('etl@2'));
    await raw.set(epoch, Buffer.from('2'), 0); // a new leader took the epoch

    await expect(old.ledger.update('etl@2', failed)).rejects.toBeInstanceOf(FencedError);
    const reader = await open(path);
    expect((await reader.get<Run>('runs/etl@2'))?.value.state).toBe('running');
    expect(await reader.list(OUTBOX)).toEqual([]);
  });
});
