/**
 * Secret env values of manual runs (`secretEnv` of `POST /v1/jobs/{name}/runs`, `kairos run
 * --secret-env`). The run in the store records only their names; the values stay in the
 * memory of the controller that accepted the run until its attempts launch, and leave it only
 * inside the TaskInfo as Mesos `Secret` VALUEs, like resolved `secrets:`. A controller that
 * never held them (a new leader, a restart) refuses the launch naming the variable, so the
 * run fails visibly instead of running without its secret.
 */

/** At most this many runs' values are held for launching; older ones are forgotten first. */
const MAX_HELD_RUNS = 10_000;
/** At most this many values are kept to mask run logs after their runs have ended. */
const MAX_MASKED = 100_000;

/** In-memory holder of secret run overrides. */
export class SecretOverrides {
  private readonly held = new Map<string, Readonly<Record<string, string>>>();
  private readonly masked = new Set<string>();

  /** Holds `env` (name → value) for `runId`'s launches and for masking. */
  hold(runId: string, env: Readonly<Record<string, string>>): void {
    this.held.delete(runId);
    this.held.set(runId, { ...env });
    if (this.held.size > MAX_HELD_RUNS) this.held.delete(this.held.keys().next().value!);
    for (const v of Object.values(env)) {
      this.masked.delete(v);
      this.masked.add(v);
      if (this.masked.size > MAX_MASKED) this.masked.delete(this.masked.values().next().value!);
    }
  }

  /** The value of `name` for `runId`, when this process holds it. */
  valueOf(runId: string, name: string): string | undefined {
    return this.held.get(runId)?.[name];
  }

  /** Every value held or handed out, for masking (a task may print its environment). */
  values(): Iterable<string> {
    return this.masked.values();
  }
}
