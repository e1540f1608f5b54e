/**
 * Secrets from the controller's environment: the secret `bi/warehouse-password` is the
 * variable `KAIROS_SECRET_BI_WAREHOUSE_PASSWORD`. Mangling: upper-case the name and turn
 * every character other than A-Z and 0-9 into `_` (so `bi/x-y` and `bi_x_y` are one
 * variable; choose names that differ in letters or digits). An empty variable counts as
 * absent: a task never gets an empty secret.
 */
import { SecretError, type SecretProvider } from '../ports/secrets.js';
import { ResolvedValues } from './resolved.js';

/** The environment variable that holds secret `name`. */
export function secretVariable(name: string): string {
  return `KAIROS_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** See the file comment. */
export class EnvironmentSecrets implements SecretProvider {
  readonly description = 'the controller environment (KAIROS_SECRET_*)';
  private readonly seen = new ResolvedValues();

  constructor(private readonly env: Record<string, string | undefined>) {}

  async resolve(name: string): Promise<string> {
    const variable = secretVariable(name);
    const value = this.env[variable];
    if (!value) throw new SecretError(`secret '${name}' not found: ${variable} is not set in ${this.description}`);
    return this.seen.add(value);
  }

  resolvedValues(): Iterable<string> {
    return this.seen.values();
  }
}
