/**
 * The ManifestSource port: where desired state comes from. A directory and a git
 * repository (src/source/) both implement it, so the controller and the CLI do not care
 * which one they read. A snapshot is immutable: the files exactly as they were at one
 * revision, read once, so validation and planning never see a half-changed tree.
 */
import type { Problem } from '../core/errors.js';

/** One manifest file: its path relative to the source root (always `/`-separated) and bytes. */
export interface SourceFile {
  path: string;
  content: Buffer;
}

/** The manifest files of a source at one revision. */
export interface Snapshot {
  /** The git commit id for git sources; `sha256:<hex>` of the files for directories. */
  revision: string;
  /** Set only for git sources: the commit the files were read from. */
  commit?: string;
  /** Manifest files, sorted by path (byte order), so every run sees the same order. */
  files: SourceFile[];
  /**
   * Files the source refused to read (a symlink leaving the root, a file over the size
   * limit), as problems at `path:1:1`. The loader reports them with all other problems.
   */
  problems: Problem[];
}

/** Anything that can produce a snapshot of manifest files. */
export interface ManifestSource {
  /** A short human description for logs, e.g. `dir:examples` or `git:<url>@main`. */
  readonly description: string;
  snapshot(): Promise<Snapshot>;
  /**
   * Version-controlled sources only: whether `commit` is `ancestor` or descends from it.
   * The sync refuses to move the applied commit to a non-descendant (a rewind) unless told.
   */
  descendsFrom?(commit: string, ancestor: string): Promise<boolean>;
}
