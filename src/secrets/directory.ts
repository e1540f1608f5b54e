/**
 * Secrets from a directory, one file per secret (`--secrets-dir DIR`): the secret
 * `bi/warehouse-password` is the file `DIR/bi/warehouse-password`, its bytes the value
 * (one trailing newline removed, as `echo value > file` adds one). Names are relative
 * paths of plain segments: no `..`, no leading `/`, and a symlink may not lead outside DIR.
 */
import { readFile, realpath } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { SecretError, type SecretProvider } from '../ports/secrets.js';
import { ResolvedValues } from './resolved.js';

/** See the file comment. */
export class DirectorySecrets implements SecretProvider {
  readonly description: string;
  private readonly dir: string;
  private readonly seen = new ResolvedValues();

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.description = `directory ${this.dir}`;
  }

  async resolve(name: string): Promise<string> {
    if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(name) || name.split('/').some((s) => s === '.' || s === '..'))
      throw new SecretError(`secret '${name}': a name is a relative path of letters, digits, '_', '.', '-' segments`);
    let path: string;
    try {
      path = await realpath(join(this.dir, name));
    } catch {
      throw new SecretError(`secret '${name}' not found in ${this.description}`);
    }
    const root = await realpath(this.dir).catch(() => this.dir);
    if (!path.startsWith(root + sep)) throw new SecretError(`secret '${name}' leads outside ${this.description}`);
    const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new SecretError(`secret '${name}' in ${this.description} is unreadable (${err.code ?? err.message})`);
    });
    return this.seen.add(text.endsWith('\n') ? text.slice(0, -1) : text);
  }

  resolvedValues(): Iterable<string> {
    return this.seen.values();
  }
}
