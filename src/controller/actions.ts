/**
 * The controller's write port for the API (src/ports/controller.ts ControllerActions).
 * Every action is recorded in the store before it resolves: a manual run is created by
 * the schedule core's decisions like any other run; a pause is `overrides/<job>` and shows
 * as drift against git until resumed (git's own switch is `suspend`).
 */
import { KairosError } from '../core/errors.js';
import type { Run, RunOverrides } from '../core/run.js';
import { isTerminalRun, type AppliedResource, type OverridePolicy } from '../core/types.js';
import type { Clock } from '../ports/clock.js';
import type { BackfillOptions, BackfillResult, ControllerActions, ControllerView, JobSummary } from '../ports/controller.js';
import type { MesosFramework } from '../ports/mesos.js';
import type { SecretOverrides } from '../secrets/run-overrides.js';
import type { Dispatch } from './dispatch.js';
import type { RunLedger } from './run-ledger.js';
import type { ControllerState } from './state.js';

/** What the actions act on. */
export interface ActionDeps {
  state: ControllerState;
  ledger: RunLedger;
  /** The one way to the schedule core (its inbox, ./inbox.ts). */
  dispatch: Pick<Dispatch, 'post'>;
  framework: Pick<MesosFramework, 'kill'>;
  clock: Clock;
  view: ControllerView;
  /** Holds secret run overrides in memory for the launch; without it they are refused. */
  secretOverrides?: SecretOverrides;
}

function checkOverrides(o: RunOverrides | undefined): void {
  if (o?.args && !(Array.isArray(o.args) && o.args.every((a) => typeof a === 'string'))) {
    throw new KairosError('E_INVALID', 'args: expected an array of strings');
  }
  if (o?.env && (typeof o.env !== 'object' || Object.entries(o.env).some(([k, v]) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || typeof v !== 'string'))) {
    throw new KairosError('E_INVALID', 'env: expected an object of NAME: "value" strings');
  }
}

/**
 * The overrides as stored: secret env variables by name only. A name may be given once,
 * as a plain or as a secret value.
 */
function withSecretNames(o: RunOverrides | undefined, secretEnv: Record<string, string> | undefined): RunOverrides | undefined {
  if (!secretEnv || Object.keys(secretEnv).length === 0) return o;
  for (const [name, value] of Object.entries(secretEnv)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new KairosError('E_INVALID', `secretEnv.${name}: is not a valid environment variable name`);
    if (typeof value !== 'string' || value === '') throw new KairosError('E_INVALID', `secretEnv.${name}: must be a non-empty string`);
    if (o?.env && name in o.env) throw new KairosError('E_INVALID', `secretEnv.${name}: is also given in env; give it once`);
  }
  return { ...o, secretEnv: Object.keys(secretEnv).sort() };
}

/**
 * Overrides may not widen what an operator may do: only the env variables the manifest
 * names in `spec.overrides.env` (none by default) and args unless `spec.overrides.args` is
 * false. Arguments are shell-quoted at launch (src/mesos/tasks.ts); env values are never
 * put into a command line.
 */
function allowedOverrides(job: string, policy: OverridePolicy | undefined, o: RunOverrides | undefined): void {
  const allowed = policy?.env ?? [];
  if (o?.args?.length && policy?.args === false) {
    throw new KairosError('E_INVALID', `args: job ${job} does not allow argument overrides (spec.overrides.args: false)`);
  }
  for (const name of [...Object.keys(o?.env ?? {}), ...(o?.secretEnv ?? [])]) {
    if (allowed.includes(name)) continue;
    const what = allowed.length ? `allows overriding only ${allowed.join(', ')}` : 'allows no env overrides';
    throw new KairosError('E_INVALID', `env ${name}: job ${job} ${what} (spec.overrides.env)`);
  }
}

/** Implements ControllerActions. */
export class ControllerActionsImpl implements ControllerActions {
  constructor(private readonly d: ActionDeps) {}

  async runNow(job: string, overrides?: RunOverrides, secretEnv?: Record<string, string>): Promise<Run> {
    const applied = this.applied(job);
    const stored = withSecretNames(overrides, secretEnv);
    checkOverrides(stored);
    allowedOverrides(job, applied.resource.spec.overrides, stored);
    if (secretEnv && !this.d.secretOverrides) throw new KairosError('E_INVALID', 'secretEnv: this controller cannot hold secret overrides');
    await this.catchUp();
    const runId = await this.d.dispatch.post({ type: 'RunRequested', job, overrides: stored, ...(secretEnv && { secretEnv }) });
    const run = this.d.ledger.get(runId);
    if (!run) throw new KairosError('E_INTERNAL', `manual run ${runId} was not recorded`);
    return run;
  }

  async backfill(job: string, opts: BackfillOptions): Promise<BackfillResult> {
    this.applied(job);
    const req = { from: opts.from, to: opts.to, maxParallel: opts.maxParallel ?? 1, rerun: opts.rerun ?? 'none' };
    const dryRun = opts.dryRun === true;
    await this.catchUp();
    const { id, items } = await this.d.dispatch.post({ type: 'BackfillRequested', job, request: req, dryRun });
    return { id, job, dryRun, instants: items.map(({ at, runId, action, existing: e }) => ({ at, runId, action, ...(e && { existing: e }) })) };
  }

  async kill(runId: string): Promise<Run> {
    const run = this.d.ledger.get(runId);
    if (!run) throw new KairosError('E_NOT_FOUND', `no run with id ${JSON.stringify(runId)}`);
    if (isTerminalRun(run.state)) return run;
    if (run.backfill && run.attempts.length === 0 && run.state === 'pending') {
      // Queued by a backfill, never started: only the schedule core holds it.
      await this.d.dispatch.post({ type: 'KillRequested', runId });
    }
    const targets = [run, ...this.d.ledger.all().filter((r) => r.dagRunId === runId && !isTerminalRun(r.state))];
    for (const r of targets) {
      const a = r.attempts.at(-1);
      if (!a || a.endedAt !== undefined) continue;
      await this.d.framework.kill(a.taskId);
      if (!a.agentId) {
        // Never placed: withdrawn from the queue, so no Mesos status will come. End it here.
        await this.d.dispatch.post({ type: 'KillRequested', runId: r.id, attempt: a.n });
      }
    }
    return this.d.ledger.get(runId) ?? run;
  }

  pause(job: string): Promise<JobSummary> {
    return this.setPaused(job, true);
  }

  resume(job: string): Promise<JobSummary> {
    return this.setPaused(job, false);
  }

  private async setPaused(job: string, paused: boolean): Promise<JobSummary> {
    this.applied(job);
    await this.d.state.setPaused(job, paused, this.d.clock.now());
    await this.d.dispatch.post({ type: 'Applied', again: [job] });
    return this.d.view.jobs().find((j) => j.name === job)!;
  }

  /**
   * Brings the schedule core up to the applied state, in a dispatch step of its own (so a
   * request that fails still leaves the core caught up): a sync pass shows a newly applied
   * job in the read view before it hands the job to the core.
   */
  private catchUp(): Promise<void> {
    return this.d.dispatch.post({ type: 'Applied' });
  }

  private applied(job: string): AppliedResource {
    const a = this.d.state.applied.get(job);
    if (!a) throw new KairosError('E_NOT_FOUND', `no Job or DAG named ${JSON.stringify(job)}`);
    return a;
  }
}
