/**
 * The leader's upkeep of stored runs, beside scheduling: history bounding after runs end
 * (per-job `spec.history`, then the global cap) and SLA flags before each notification
 * round (a `slaMissedAt` write raises `sla_missed` once, src/notify/events.ts).
 */
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import { Notifier, type NotifierDeps } from '../notify/notifier.js';
import { slaBreaches } from '../notify/sla.js';
import type { ControllerEmitter } from './events.js';
import { overHistory } from './history.js';
import type { RunLedger } from './run-ledger.js';
import type { ControllerState } from './state.js';

/** What the upkeep reads and writes. */
export interface UpkeepDeps {
  state: ControllerState;
  ledger: RunLedger;
  clock: Clock;
  events: ControllerEmitter;
  /** Global cap on finished runs kept. */
  historyCap: number;
}

/** Per-job limits for the jobs whose runs just ended; the global cap only once it is exceeded. */
export async function boundHistory(d: UpkeepDeps, jobs: Set<string>): Promise<void> {
  const limits = (job: string) => d.state.applied.get(job)?.resource.spec.history;
  const over = [...jobs].flatMap((job) => overHistory(d.ledger.ofJob(job), limits, Infinity));
  await d.ledger.remove(over);
  if (d.ledger.size() > d.historyCap) await d.ledger.remove(overHistory(d.ledger.all(), limits, d.historyCap));
}

/** Records `slaMissedAt` on runs past their SLA (that write raises `sla_missed`, once). */
export async function flagSlaMisses(d: UpkeepDeps): Promise<void> {
  const now = d.clock.now();
  for (const run of slaBreaches(d.ledger.all(), (job) => d.state.applied.get(job), now)) {
    const after = await d.ledger.update(run.id, (r) => (r.slaMissedAt === undefined ? { ...r, slaMissedAt: now } : undefined));
    if (after?.slaMissedAt === now) d.events.emit('run:sla_missed', { runId: run.id, job: run.job });
  }
}

/** The notifier of applied jobs' rules, flagging SLA misses before each round. */
export function buildNotifier(d: UpkeepDeps & { store: Store; logger: Logger }, n: Pick<NotifierDeps, 'config' | 'sender' | 'metrics' | 'intervalMs'>): Notifier {
  return new Notifier({
    ...n,
    store: d.store,
    clock: d.clock,
    logger: d.logger.child({ component: 'notify' }),
    rules: (job) => d.state.applied.get(job)?.resource.spec.notify,
    history: (job) => d.ledger.ofJob(job),
    beforeRound: () => flagSlaMisses(d),
  });
}
