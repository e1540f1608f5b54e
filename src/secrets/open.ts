/**
 * Picks the secret provider from configuration: `--secrets-dir DIR` (or
 * `KAIROS_SECRETS_DIR`) reads files under DIR; otherwise secrets come from the
 * controller's environment (`KAIROS_SECRET_<NAME>`).
 */
import type { SecretProvider } from '../ports/secrets.js';
import { DirectorySecrets } from './directory.js';
import { EnvironmentSecrets } from './environment.js';

/** The provider for a secrets directory, or the environment one when there is none. */
export function openSecretProvider(dir: string | undefined, env: Record<string, string | undefined>): SecretProvider {
  return dir ? new DirectorySecrets(dir) : new EnvironmentSecrets(env);
}
