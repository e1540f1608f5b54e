/**
 * The run lifecycle: it carries out the schedule core's decisions (src/schedule/
 * decisions.ts), in order, and decides nothing itself. A run is created with
 * create-if-absent, and its launch is asked for only when this process created it, so a
 * run computed twice is launched once; an update writes the run as the core holds it (the
 * core owns run state, placement and statuses included: one write per decision; the
 * consecutive writes of a step, e.g. an offer round's placements, share one commit). Dispatch
 * (./dispatch.ts) calls it inside its steps, so a placement is written before ACCEPT and a
 * status before its acknowledgement (mesos.apache.org/documentation/latest/high-availability-framework-guide/;
 * src/ports/mesos.ts).
 */
import { messageOf } from '../core/errors.js';
import type { Run } from '../core/run.js';
import { isTerminalRun } from '../core/types.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { SecretOverrides } from '../secrets/run-overrides.js';
import type { SecretProvider } from '../ports/secrets.js';
import type { LaunchRequest, MesosFramework, TaskStatusUpdate } from '../ports/mesos.js';
import type { CreateDecision, Decision, LaunchDecision, UpdateDecision } from '../schedule/decisions.js';
import type { ControllerEmitter } from './events.js';
import type { RunLedger, RunWrite } from './run-ledger.js';
import { adoptedRun } from '../schedule/attempt-facts.js';

/** What the lifecycle needs around it. */
export interface RunLifecycleDeps {
  ledger: RunLedger;
  framework: Pick<MesosFramework, 'launch' | 'kill'>;
  clock: Clock;
  events: ControllerEmitter;
  logger: Logger;
  /** Resolves `secrets:` references at launch; without one, a job with secrets cannot run. */
  secrets?: SecretProvider;
  /** Secret run overrides held in memory (src/secrets/run-overrides.ts). */
  secretOverrides?: SecretOverrides;
}

/**
 * The state name shown on an attempt whose launch Kairos refused itself (its secrets could
 * not be resolved): what Mesos says of a task description it refuses. Display only.
 */
const REFUSED_STATE = 'TASK_ERROR';

/** The Mesos launch request for a launch decision. */
export function launchRequest(d: LaunchDecision): LaunchRequest {
  return {
    taskId: d.attempt.taskId,
    runId: d.run.id,
    job: d.run.job,
    attempt: d.attempt.n,
    revision: d.run.revision,
    template: d.template,
    ...(d.overrides?.args && { args: d.overrides.args }),
    ...(d.overrides?.env && { env: d.overrides.env }),
    ...(d.overrides?.secretEnv && { secretEnv: d.overrides.secretEnv }),
    dueAt: d.attempt.notBefore,
    scheduledAt: d.run.scheduledAt,
  };
}

/**
 * The stored run replaced by the core's copy, keeping the one field the core does not own:
 * `slaMissedAt`, set by the notifier's SLA check (src/notify/sla.ts).
 */
function asDecided(stored: Run, decided: Run): Run {
  return stored.slaMissedAt === undefined || decided.slaMissedAt !== undefined ? decided : { ...decided, slaMissedAt: stored.slaMissedAt };
}

/** A decision that writes a run: batched with its neighbours (`execute`). */
type RunWriteDecision = CreateDecision | UpdateDecision;

/** Executes the core's decisions. */
export class RunLifecycle {
  constructor(private readonly deps: RunLifecycleDeps) {}

  /**
   * Carries out decisions in order; a run this process did not create is never launched.
   * Resolves with the statuses of launches refused before Mesos (secrets not resolvable),
   * which the caller records like any status.
   */
  async execute(decisions: Decision[]): Promise<TaskStatusUpdate[]> {
    const { ledger, framework, events, logger } = this.deps;
    const refused = new Set<string>();
    const launches: LaunchDecision[] = [];
    // Consecutive run writes (launches only wait for them) go to the store together.
    const writes: RunWriteDecision[] = [];
    const writing = new Set<string>();
    const flush = async (): Promise<void> => {
      writing.clear();
      if (writes.length) await this.write(writes.splice(0), refused);
    };
    for (const d of decisions) {
      switch (d.type) {
        case 'create':
        case 'update':
          if (writing.has(d.run.id)) await flush();
          writes.push(d);
          writing.add(d.run.id);
          break;
        case 'launch':
          launches.push(d);
          break;
        case 'reset':
          await flush();
          await ledger.reset(d.run);
          this.stateChanged(d.run);
          break;
        case 'kill':
          await flush();
          if (d.reason === 'preempted') {
            logger.info('preempting a task for a higher-priority run', { run: d.runId, task: d.taskId, by: d.by });
            events.emit('run:preempted', { runId: d.runId, job: ledger.get(d.runId)?.job ?? '', by: d.by ?? '' });
          }
          await framework.kill(d.taskId).catch((err) => logger.warn('kill failed', { task: d.taskId, error: messageOf(err) }));
          break;
        case 'dropped':
          logger.warn('missed runs beyond the catch-up bound were not recorded', {
            job: d.job,
            from: new Date(d.from).toISOString(),
            to: new Date(d.to).toISOString(),
          });
          break;
      }
    }
    await flush();
    const requests = launches.filter((d) => !refused.has(d.run.id)).map(launchRequest);
    if (!requests.length) return [];
    const { ok, refusals } = await this.withSecrets(requests);
    if (ok.length) framework.launch(ok);
    return refusals;
  }

  /**
   * Writes consecutive run decisions of distinct runs in one store commit (or a few, by
   * size: RunLedger.writeMany), then reports each as it would have alone. A run another
   * process created is added to `refused`: its launch is never asked for.
   */
  private async write(batch: RunWriteDecision[], refused: Set<string>): Promise<void> {
    const { ledger, events, logger } = this.deps;
    const before = batch.map((d) => (d.type === 'update' ? ledger.get(d.run.id)?.state : undefined));
    const written = await ledger.writeMany(batch.map((d): RunWrite => (d.type === 'create' ? d : { type: 'update', id: d.run.id, change: (cur) => asDecided(cur, d.run) })));
    written.forEach((w, i) => {
      const run = batch[i].run;
      if (w.type === 'create' && w.created) {
        events.emit('run:created', { runId: run.id, job: run.job, scheduledAt: run.scheduledAt });
        this.stateChanged(run);
      } else if (w.type === 'create') {
        refused.add(run.id);
        logger.info('run already exists: not launching it again', { run: run.id });
      } else if (w.run && w.run.state !== before[i]) {
        this.stateChanged(w.run, w.run.attempts.at(-1)?.n);
      }
    });
  }

  /**
   * Resolves each launch's secret references (values stay in memory, on the request only).
   * A launch with a reference that cannot be resolved is not sent: its attempt ends as
   * TASK_ERROR naming the secret, so the run fails with that reason (after the job's
   * retries, which give a secret provisioned late its chance).
   */
  private async withSecrets(launches: LaunchRequest[]): Promise<{ ok: LaunchRequest[]; refusals: TaskStatusUpdate[] }> {
    const ok: LaunchRequest[] = [];
    const refusals: TaskStatusUpdate[] = [];
    for (const l of launches) {
      const refs = l.template.secrets ?? []; // templates built by older code paths may lack the list
      const secretEnv = l.secretEnv ?? [];
      if (refs.length === 0 && secretEnv.length === 0) {
        ok.push(l);
        continue;
      }
      try {
        const env: Record<string, string> = {};
        const files: Record<string, string> = {};
        for (const ref of refs) {
          if (!this.deps.secrets) throw new Error('no secret provider is configured');
          const value = await this.deps.secrets.resolve(ref.secret);
          if (ref.env) env[ref.env] = value;
          if (ref.file) files[ref.file] = value;
        }
        for (const name of secretEnv) env[name] = this.heldOverride(l.runId, name);
        ok.push(Object.assign({}, l, { secrets: { env, files } })); // not a spread: the framework reads this per launch, and spread copies read slowly
      } catch (err) {
        const message = `secrets could not be resolved: ${messageOf(err)}`;
        this.deps.logger.warn('launch refused', { run: l.runId, task: l.taskId, reason: message });
        refusals.push({ taskId: l.taskId, outcome: 'error', mesosState: REFUSED_STATE, reason: 'REASON_TASK_INVALID', message, at: this.deps.clock.now(), fromReconciliation: false });
      }
    }
    return { ok, refusals };
  }

  /** A secret override's value, or an error saying why this controller does not hold it. */
  private heldOverride(runId: string, name: string): string {
    const value = this.deps.secretOverrides?.valueOf(runId, name);
    if (value !== undefined) return value;
    throw new Error(`secret override ${name} is not held by this controller: its value lived only in the memory of the controller that accepted the run (it restarted or lost leadership since); start the run again`);
  }

  /**
   * Writes a run for a task Mesos reports that the store does not know but whose labels
   * name a Kairos run (src/schedule/attempt-facts.ts `adoptedRun`), so it is followed to
   * its end. Resolves with the run as stored, or undefined for a task that is not Kairos's.
   */
  async adopt(u: TaskStatusUpdate, now: number): Promise<Run | undefined> {
    const adopted = adoptedRun(u, now);
    if (!adopted) return undefined;
    if (!(await this.deps.ledger.create(adopted))) return this.deps.ledger.byTask(u.taskId) ?? this.deps.ledger.get(adopted.id);
    this.deps.events.emit('run:adopted', { runId: adopted.id, taskId: u.taskId });
    return adopted;
  }

  private stateChanged(run: Run, attempt?: number): void {
    this.deps.events.emit('run:state', { runId: run.id, job: run.job, state: run.state, attempt });
    const fields = { run: run.id, state: run.state, ...(attempt && { attempt }) };
    if (isTerminalRun(run.state) && run.state !== 'succeeded') this.deps.logger.warn('run ended', { ...fields, reason: run.reason });
    else this.deps.logger.info(isTerminalRun(run.state) ? 'run ended' : 'run', fields);
  }
}
