/**
 * The run lifecycle: schedule → intent written → Mesos launch → status → history.
 * `execute` carries out the schedule core's decisions (src/schedule/decisions.ts) in order:
 * a run is created with create-if-absent, and its launch is asked for only when this
 * process created it, so a run computed twice is launched once. The framework hooks keep
 * the store ahead of Mesos: `persistLaunch` records where an attempt goes before the
 * framework sends ACCEPT, and `onStatus` records a status before it is acknowledged
 * (mesos.apache.org/documentation/latest/high-availability-framework-guide/; src/ports/mesos.ts).
 */
import { messageOf } from '../core/errors.js';
import type { Attempt, Run } from '../core/run.js';
import { awaitsOffer, isTerminalRun } from '../core/types.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { SecretOverrides } from '../secrets/run-overrides.js';
import type { SecretProvider } from '../ports/secrets.js';
import type { FrameworkHooks, LaunchRequest, MesosFramework, PlacedLaunch, TaskStatusUpdate } from '../ports/mesos.js';
import type { Decision, LaunchDecision } from '../schedule/decisions.js';
import { notLeading } from './dispatch.js';
import type { ControllerEmitter } from './events.js';
import type { RunLedger } from './run-ledger.js';
import { adoptedRun, recordTaskStatus, type AttemptChange } from './task-status.js';

/** What the lifecycle needs around it. */
export interface RunLifecycleDeps {
  ledger: RunLedger;
  framework: Pick<MesosFramework, 'launch' | 'kill'>;
  clock: Clock;
  events: ControllerEmitter;
  logger: Logger;
  /**
   * Told about a status that started or ended an attempt; resolves once the schedule
   * core's decisions about it were carried out with `facts` (so the status is acknowledged
   * only after them). See {@link StatusFacts}.
   */
  onAttempt(change: AttemptChange, facts: StatusFacts): Promise<void>;
  /** Told about every other status of a known run (it confirms the run's state to the core). */
  onSeen?(runId: string): void;
  /**
   * Whether this controller leads now. The hooks refuse work otherwise: a placement is
   * then not recorded (so not accepted) and a status not acknowledged (Mesos re-sends it
   * to the leader), even with a store that does not fence deposed writers.
   */
  leading(): boolean;
  /** Resolves `secrets:` references at launch; without one, a job with secrets cannot run. */
  secrets?: SecretProvider;
  /** Secret run overrides held in memory (src/secrets/run-overrides.ts). */
  secretOverrides?: SecretOverrides;
}

/**
 * What a Mesos status says about a run, applied to the stored run. It is written in the
 * same store write as the core's decision about that status (never before it): a run
 * whose attempt is recorded as ended is then always terminal or queued for retry, even
 * if the process dies between the two.
 */
export interface StatusFacts {
  runId: string;
  apply(stored: Run): Run | undefined;
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
 * Merges the schedule core's view of a run into the stored one: the core decides state,
 * reason and which attempts exist; what only Mesos told us (agent, sandbox, start, exit
 * status) is kept from the store when the core's copy does not carry it.
 */
export function mergeRun(stored: Run, decided: Run): Run {
  const byTask = new Map(stored.attempts.map((a) => [a.taskId, a]));
  const attempts = decided.attempts.map((a): Attempt => ({ ...byTask.get(a.taskId), ...definedOnly(a) }) as Attempt);
  return { ...stored, ...definedOnly(decided), attempts };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Executes decisions and implements the framework hooks. */
export class RunLifecycle implements FrameworkHooks {
  constructor(private readonly deps: RunLifecycleDeps) {}

  /**
   * Carries out decisions in order; a run this process did not create is never launched.
   * `facts` (a status the decisions answer) are merged into that run's first write, or
   * written on their own when the core decided nothing about the run.
   */
  async execute(decisions: Decision[], facts?: StatusFacts): Promise<void> {
    const { ledger, framework, events, logger } = this.deps;
    const refused = new Set<string>();
    const launches: LaunchRequest[] = [];
    let pendingFacts = facts;
    for (const d of decisions) {
      switch (d.type) {
        case 'create':
          if (await ledger.create(d.run)) {
            events.emit('run:created', { runId: d.run.id, job: d.run.job, scheduledAt: d.run.scheduledAt });
            this.stateChanged(d.run);
          } else {
            refused.add(d.run.id);
            logger.info('run already exists: not launching it again', { run: d.run.id });
          }
          break;
        case 'reset':
          await ledger.reset(d.run);
          this.stateChanged(d.run);
          break;
        case 'update': {
          const withFacts = pendingFacts?.runId === d.run.id ? pendingFacts : undefined;
          if (withFacts) pendingFacts = undefined;
          const before = ledger.get(d.run.id)?.state;
          const after = await ledger.update(d.run.id, (cur) => mergeRun(withFacts?.apply(cur) ?? cur, d.run));
          if (after && after.state !== before) this.stateChanged(after, after.attempts.at(-1)?.n);
          break;
        }
        case 'launch':
          if (!refused.has(d.run.id)) launches.push(launchRequest(d));
          break;
        case 'kill':
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
    if (pendingFacts) {
      const { runId, apply } = pendingFacts;
      const before = ledger.get(runId)?.state;
      const after = await ledger.update(runId, apply);
      if (after && after.state !== before) this.stateChanged(after, after.attempts.at(-1)?.n);
    }
    if (launches.length) framework.launch(await this.withSecrets(launches));
  }

  /**
   * Resolves each launch's secret references (values stay in memory, on the request only).
   * A launch with a reference that cannot be resolved is not sent: its attempt ends as
   * TASK_ERROR naming the secret, so the run fails with that reason (after the job's
   * retries, which give a secret provisioned late its chance).
   */
  private async withSecrets(launches: LaunchRequest[]): Promise<LaunchRequest[]> {
    const ok: LaunchRequest[] = [];
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
        ok.push({ ...l, secrets: { env, files } });
      } catch (err) {
        const message = `secrets could not be resolved: ${messageOf(err)}`;
        this.deps.logger.warn('launch refused', { run: l.runId, task: l.taskId, reason: message });
        // Not awaited: the status goes through the dispatch queue this call runs in.
        const u: TaskStatusUpdate = { taskId: l.taskId, outcome: 'error', mesosState: REFUSED_STATE, reason: 'REASON_TASK_INVALID', message, at: this.deps.clock.now(), fromReconciliation: false };
        void this.onStatus(u).catch((e) => this.deps.logger.warn('recording the refused launch failed', { task: l.taskId, error: messageOf(e) }));
      }
    }
    return ok;
  }

  /** A secret override's value, or an error saying why this controller does not hold it. */
  private heldOverride(runId: string, name: string): string {
    const value = this.deps.secretOverrides?.valueOf(runId, name);
    if (value !== undefined) return value;
    throw new Error(`secret override ${name} is not held by this controller: its value lived only in the memory of the controller that accepted the run (it restarted or lost leadership since); start the run again`);
  }

  /** Records where each attempt goes before the framework sends ACCEPT. */
  async persistLaunch(placed: PlacedLaunch[]): Promise<void> {
    if (!this.deps.leading()) throw notLeading();
    const now = this.deps.clock.now();
    for (const p of placed) {
      const after = await this.deps.ledger.update(p.request.runId, (run) => {
        const a = run.attempts.find((x) => x.taskId === p.request.taskId);
        if (!a) return undefined;
        Object.assign(a, { agentId: p.agentId, hostname: p.hostname, intentAt: now, ...(p.cluster !== undefined && { cluster: p.cluster }) });
        if (run.state === 'unschedulable') delete run.reason; // an offer fitted after all
        if (awaitsOffer(run.state)) run.state = 'launching';
        return run;
      });
      if (after?.state === 'launching') this.stateChanged(after, p.request.attempt);
    }
  }

  /** The cluster the task's launch intent recorded (src/ports/mesos.ts `clusterOf`). */
  clusterOf(taskId: string): string | undefined {
    return this.deps.ledger.byTask(taskId)?.attempts.find((a) => a.taskId === taskId)?.cluster;
  }

  /** Records a status (adopting unknown Kairos tasks), then acts on the core's decisions. */
  async onStatus(u: TaskStatusUpdate): Promise<void> {
    if (!this.deps.leading()) throw notLeading();
    const { ledger, clock, events } = this.deps;
    let run = ledger.byTask(u.taskId);
    if (!run) {
      const adopted = adoptedRun(u, clock.now());
      if (!adopted) return;
      if (!(await ledger.create(adopted))) return this.onStatus(u);
      events.emit('run:adopted', { runId: adopted.id, taskId: u.taskId });
      run = adopted;
    }
    const change = recordTaskStatus(run, u);
    if (!change || !(change.started || change.final)) this.deps.onSeen?.(run.id);
    if (!change) return;
    const facts: StatusFacts = {
      runId: run.id,
      apply: (cur) => {
        const c = recordTaskStatus(cur, u);
        return c?.run;
      },
    };
    if (change.started || change.final) return this.deps.onAttempt(change, facts);
    const before = ledger.get(run.id)?.state;
    const stored = await ledger.update(run.id, facts.apply);
    if (stored && stored.state !== before) this.stateChanged(stored, change.attempt.n);
  }

  private stateChanged(run: Run, attempt?: number): void {
    this.deps.events.emit('run:state', { runId: run.id, job: run.job, state: run.state, attempt });
    const fields = { run: run.id, state: run.state, ...(attempt && { attempt }) };
    if (isTerminalRun(run.state) && run.state !== 'succeeded') this.deps.logger.warn('run ended', { ...fields, reason: run.reason });
    else this.deps.logger.info(isTerminalRun(run.state) ? 'run ended' : 'run', fields);
  }
}
