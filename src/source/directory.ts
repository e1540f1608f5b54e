/**
 * A ManifestSource over a local directory. The revision is a content hash of the files
 * read (paths and bytes), so the same tree always has the same revision and any edit
 * changes it: "after apply, a dry-run of the same tree is in sync" holds for directories too.
 */
import { createHash } from 'node:crypto';
import { KairosError, messageOf } from '../core/errors.js';
import type { ManifestSource, Snapshot, SourceFile } from '../ports/source.js';
import { readManifestTree, type WalkOptions } from './walk.js';

/** `sha256:<first 16 hex digits>` over every file's path and content. */
export function contentRevision(files: SourceFile[]): string {
  const h = createHash('sha256');
  for (const f of files) {
    h.update(f.path).update('\0').update(String(f.content.length)).update('\0').update(f.content);
  }
  return `sha256:${h.digest('hex').slice(0, 16)}`;
}

/** Reads `*.yaml`/`*.yml` under `root` on every `snapshot()`. */
export class DirectorySource implements ManifestSource {
  readonly description: string;
  constructor(
    private readonly root: string,
    private readonly opts: WalkOptions = {},
  ) {
    this.description = `dir:${root}`;
  }

  async snapshot(): Promise<Snapshot> {
    try {
      const { files, problems } = await readManifestTree(this.root, this.opts);
      return { revision: contentRevision(files), files, problems };
    } catch (err) {
      throw new KairosError('E_SOURCE', `cannot read manifest directory ${this.root}: ${messageOf(err)}`, { cause: err });
    }
  }
}
