/**
 * The secret-provider port: resolves a job's `secrets:` references (names such as
 * `bi/warehouse-password`) to values at launch time, so a value never sits in git, in the
 * store, or in anything the API returns. Adapters: src/secrets/directory.ts (`--secrets-dir`)
 * and src/secrets/environment.ts (`KAIROS_SECRET_<NAME>`); src/secrets/open.ts picks one.
 */

/** A reference the provider cannot resolve; the message names the secret, never a value. */
export class SecretError extends Error {}

/** Resolves secret names to values. */
export interface SecretProvider {
  /** Where secrets come from, for messages (`directory /run/kairos-secrets`). */
  readonly description: string;
  /** The value of `name`; rejects with SecretError when there is none. */
  resolve(name: string): Promise<string>;
  /** Every value resolved so far, so API responses and logs can mask them. */
  resolvedValues(): Iterable<string>;
}
