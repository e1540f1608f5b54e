/**
 * Notifications end to end against real receivers: an HTTP server checking the HMAC
 * signature (webhook and Slack shapes) and an SMTP server with STARTTLS and auth. The run
 * ledger writes runs to a real store; the outbox entries must be committed with the run
 * change that raised them, delivered once, retried with backoff, and given up visibly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunLedger } from '../../src/controller/run-ledger.js';
import type { Run } from '../../src/core/run.js';
import type { NotifyRule } from '../../src/core/types.js';
import { silentLogger } from '../../src/ports/logger.js';
import type { Store, StoreOp } from '../../src/ports/store.js';
import { DEFAULT_NOTIFY_CONFIG, type NotifyConfig } from '../../src/notify/config.js';
import type { OutboxEntry } from '../../src/notify/events.js';
import { Notifier, type NotifyMetricsSink } from '../../src/notify/notifier.js';
import { KEYS } from '../../src/store/layout.js';
import { Sender } from '../../src/notify/send.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { FakeClock } from '../support/fake-clock.js';
import { startHttpReceiver, startSmtpReceiver } from '../support/notify-receivers.js';

/** The outbox collection, read raw to judge what was stored. */
const OUTBOX = KEYS.outbox;

const SECRET = 'hook-secret-1f2e';
const SLACK_TOKEN = 'T000/B000/slack-token-9a8b';
let http: Awaited<ReturnType<typeof startHttpReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;

beforeAll(async () => {
  [http, smtp] = await Promise.all([startHttpReceiver(SECRET), startSmtpReceiver('kairos', 'mail-pass-77')]);
});
afterAll(async () => {
  await Promise.all([http?.close(), smtp?.close()]);
});

function run(id: string, over: Partial<Run> = {}): Run {
  return { id, job: id.slice(0, id.indexOf('@')), trigger: 'schedule', scheduledAt: Date.parse('2026-03-01T10:00:00Z'), revision: 'r1', state: 'running', attempts: [{ n: 1, taskId: `t-${id}`, intentAt: 0, notBefore: 0 }], createdAt: 0, ...over };
}

function setup(opts: { rules: NotifyRule[]; config?: Partial<NotifyConfig>; store?: Store; clock?: FakeClock; warnings?: string[]; metrics?: NotifyMetricsSink }) {
  const clock = opts.clock ?? new FakeClock('2026-03-01T10:05:00Z');
  const store = opts.store ?? new MemoryStore();
  const env = { HOOK_SECRET: SECRET, SLACK_URL: `${http.url}/slack/${SLACK_TOKEN}`, SMTP_PASS: 'mail-pass-77' };
  const config: NotifyConfig = {
    ...DEFAULT_NOTIFY_CONFIG,
    smtp: { host: '127.0.0.1', port: smtp.port, secure: false, requireTLS: true, user: 'kairos', password: { env: 'SMTP_PASS' }, caFile: smtp.caFile, from: 'kairos@example.com' },
    ...opts.config,
  };
  const logger = { ...silentLogger, warn: (msg: string, f?: Record<string, unknown>) => opts.warnings?.push(`${msg} ${JSON.stringify(f)}`), child: () => logger };
  let ledger: RunLedger;
  const notifier: Notifier = new Notifier({ store, clock, logger, config, sender: new Sender({ env, clock, smtp: config.smtp }), rules: () => opts.rules, history: (job) => ledger.ofJob(job), metrics: opts.metrics });
  ledger = new RunLedger(store, (b, a) => notifier.effects(b, a));
  return { clock, store, ledger, notifier };
}

const outbox = async (store: Store) => (await store.list(OUTBOX)).length;

describe('notifications', () => {
  it('delivers a failure to a signed webhook, Slack and SMTP (STARTTLS + auth) once, then empties the outbox', async () => {
    const rules: NotifyRule[] = [
      { on: ['failed', 'sla_missed'], webhook: { url: `${http.url}/hook`, secret: { env: 'HOOK_SECRET' } } },
      { on: ['failed'], slack: { url: { env: 'SLACK_URL' } } },
      { on: ['failed', 'missed'], email: { to: ['bi@example.com'] } },
    ];
    const { ledger, notifier, store } = setup({ rules });
    const before = http.got.length;
    await ledger.create(run('etl@1'));
    expect(await outbox(store)).toBe(0);
    await ledger.update('etl@1', (r) => ({ ...r, state: 'failed', reason: 'exit status 3', endedAt: Date.parse('2026-03-01T10:04:00Z') }));
    expect(await outbox(store)).toBe(1);

    await notifier.deliverDue();
    expect(await outbox(store)).toBe(0);
    const mine = http.got.slice(before);
    const hook = mine.find((g) => g.path === '/hook')!;
    expect(hook.signatureOk).toBe(true);
    expect(hook.headers['x-kairos-delivery']).toBe('etl@1~failed');
    expect(JSON.parse(hook.body)).toEqual({ id: 'etl@1~failed', event: 'failed', job: 'etl', at: '2026-03-01T10:05:00.000Z', run: { id: 'etl@1', state: 'failed', reason: 'exit status 3', scheduledAt: '2026-03-01T10:00:00.000Z', endedAt: '2026-03-01T10:04:00.000Z', attempts: 1 } });
    const slack = mine.find((g) => g.path.startsWith('/slack/'))!;
    expect(JSON.parse(slack.body).text).toContain('etl failed (run etl@1, failed: exit status 3)');
    expect(mine).toHaveLength(2);
    const mail = smtp.mails.at(-1)!;
    expect(mail).toMatchObject({ to: ['bi@example.com'], from: 'kairos@example.com', secured: true, user: 'kairos' });
    expect(mail.raw).toContain('Subject: Kairos: etl failed');

    // Written again (a recomputation after a leader change): already failed, so nothing new.
    await ledger.update('etl@1', (r) => ({ ...r, reason: 'exit status 3 (recomputed)' }));
    await notifier.deliverDue();
    expect(http.got.length - before).toBe(2);
  });

  it('commits the outbox entry with the run: a failed commit writes neither, a new leader delivers what was committed', async () => {
    const rules: NotifyRule[] = [{ on: ['failed'], webhook: { url: `${http.url}/hook2` } }];
    const real = new MemoryStore();
    let failCommits = true;
    const flaky: Store = Object.assign(Object.create(real) as Store, {
      commit: (ops: StoreOp[]) => (failCommits && ops.length > 1 ? Promise.reject(new Error('store down')) : real.commit(ops)),
    });
    const old = setup({ rules, store: flaky });
    await old.ledger.create(run('etl@2'));
    await expect(old.ledger.update('etl@2', (r) => ({ ...r, state: 'failed' }))).rejects.toThrow('store down');
    expect((await real.get<Run>('runs/etl@2'))!.value.state).toBe('running');
    expect(await outbox(real)).toBe(0);

    failCommits = false;
    await old.ledger.update('etl@2', (r) => ({ ...r, state: 'failed' }));
    // The old leader dies before delivering; the new one loads the store and delivers once.
    const fresh = setup({ rules, store: real });
    await fresh.ledger.load();
    await fresh.ledger.update('etl@2', (r) => ({ ...r, state: 'failed' })); // recomputed: no second entry
    expect(await outbox(real)).toBe(1);
    await fresh.notifier.deliverDue();
    await fresh.notifier.deliverDue();
    expect(http.got.filter((g) => g.path === '/hook2')).toHaveLength(1);
  });

  it('retries with backoff through the clock, keeps what was delivered, and gives up visibly after maxAttempts', async () => {
    const warnings: string[] = [];
    const rules: NotifyRule[] = [
      { on: ['failed'], webhook: { url: `${http.url}/hook3` } },
      { on: ['failed'], slack: { url: { env: 'SLACK_URL' } } },
      { on: ['failed'], webhook: { url: 'http://127.0.0.1:1/refused' } },
    ];
    const { ledger, notifier, store, clock } = setup({ rules, config: { maxAttempts: 3 }, warnings });
    await ledger.create(run('etl@3', { state: 'failed' }));
    http.failNext(1); // the first target's first try answers 500
    await notifier.deliverDue();
    let [e] = await notifier.list();
    expect(e).toMatchObject({ status: 'pending', attempts: 1, nextAt: clock.now() + 2000 });
    expect(e.targets.map((t) => t.delivered)).toEqual([false, true, false]);
    expect(e.lastError).toMatch(/webhook: HTTP 500.*; webhook: fetch failed: bad port/);

    await notifier.deliverDue(); // not due yet: nothing sent
    expect(http.got.filter((g) => g.path === '/hook3')).toHaveLength(0);
    clock.advance(2000);
    await notifier.deliverDue();
    [e] = await notifier.list();
    expect(e).toMatchObject({ status: 'pending', attempts: 2, nextAt: clock.now() + 4000 });
    expect(e.targets.map((t) => t.delivered)).toEqual([true, true, false]);
    clock.advance(4000);
    await notifier.deliverDue();
    [e] = await notifier.list();
    expect(e).toMatchObject({ status: 'failed', attempts: 3 });
    expect(http.got.filter((g) => g.path === '/hook3')).toHaveLength(1);
    expect(http.got.filter((g) => g.path.includes('slack') && g.body.includes('etl@3'))).toHaveLength(1);
    expect(warnings.some((w) => w.includes('giving up'))).toBe(true);
    expect(await outbox(store)).toBe(1);
  });

  it('never stores, logs or reports a resolved secret', async () => {
    const warnings: string[] = [];
    const rules: NotifyRule[] = [{ on: ['failed'], slack: { url: { env: 'SLACK_URL' } } }];
    const { ledger, notifier, store } = setup({ rules, warnings });
    await ledger.create(run('etl@4', { state: 'failed' }));
    http.failNext(1);
    await notifier.deliverDue();
    const stored = JSON.stringify(await store.get<OutboxEntry>(`${OUTBOX}/etl@4~failed`));
    expect(stored).toContain('"env":"SLACK_URL"');
    for (const text of [stored, JSON.stringify(await notifier.list()), warnings.join('\n')]) expect(text).not.toContain(SLACK_TOKEN);
  });

  it('bounds the outbox: beyond maxOutbox new notifications are dropped, counted and logged', async () => {
    const warnings: string[] = [];
    let dropped = 0;
    const rules: NotifyRule[] = [{ on: ['failed'], webhook: { url: 'http://127.0.0.1:1/x' } }];
    const metrics = { recordDropped: () => dropped++, recordDelivery: () => {}, observeOutbox: () => {} };
    const { ledger, store } = setup({ rules, config: { maxOutbox: 2 }, warnings, metrics });
    for (const i of [5, 6, 7]) await ledger.create(run(`etl@${i}`, { state: 'failed' }));
    expect(await outbox(store)).toBe(2);
    expect(dropped).toBe(1);
    expect(warnings.some((w) => w.includes('outbox full'))).toBe(true);
  });
});

describe('delivery rounds and other writers', () => {
  it('a round that loses an entry to another leader goes on with the next entries', async () => {
    const rules: NotifyRule[] = [{ on: ['failed'], webhook: { url: `${http.url}/hook5` } }];
    const warnings: string[] = [];
    const real = new MemoryStore();
    // The store drops `etl@8`'s entry under the round's feet (another leader delivered it).
    const racing: Store = Object.assign(Object.create(real) as Store, {
      delete: async (key: string, v?: number) => {
        if (key.includes('etl@8')) await real.delete(key);
        return real.delete(key, v);
      },
    });
    const { ledger, notifier } = setup({ rules, store: racing, warnings });
    await ledger.create(run('etl@8', { state: 'failed' }));
    await ledger.create(run('etl@9', { state: 'failed' }));
    await notifier.deliverDue();
    expect(http.got.filter((g) => g.path === '/hook5').map((g) => JSON.parse(g.body).run.id).sort()).toEqual(['etl@8', 'etl@9']);
    expect(await outbox(real)).toBe(0);
    expect(warnings.some((w) => w.includes('could not record a delivery') && w.includes('etl@8'))).toBe(true);
  });
});
