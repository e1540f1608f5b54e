/**
 * Builds the ManifestSource a compiled source config describes (src/config.ts
 * `parseSource` decides between a directory and git from `--source`/`--ref`), and adds
 * those two flags to CLI commands that read manifests.
 */
import { relative, sep } from 'node:path';
import type { Command } from 'commander';
import type { SourceConfig } from '../config.js';
import { ManifestError } from '../core/errors.js';
import type { ManifestSource } from '../ports/source.js';
import { DirectorySource } from './directory.js';
import { GitSource } from './git.js';

/** The raw `--source`/`--ref` flag values. */
export interface SourceFlags {
  source?: string;
  ref?: string;
}

/** Adds `--source DIR|URL` and `--ref REF` to a command. */
export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('--source <dir|url>', 'manifest directory, or git repository (URL, or a path with --ref)', '.')
    .option('--ref <ref>', 'git branch, tag or commit to read (makes a local path a git source)');
}

/** The source for a config; git cache clones live under `cacheRoot` (default `.kairos/cache`). */
export function openSource(cfg: SourceConfig, cacheRoot?: string): ManifestSource {
  if (cfg.kind === 'git') return new GitSource({ url: cfg.url, ref: cfg.ref, cacheRoot });
  return new DirectorySource(cfg.path);
}

/**
 * Runs `fn`; a ManifestError from it is re-thrown with each problem's file made relative
 * to the current directory (a directory source reports paths relative to its root), so
 * `file:line:column` can be opened as printed. Git sources keep repository paths.
 */
export async function withPrintablePaths<T>(cfg: SourceConfig, cwd: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof ManifestError) || cfg.kind !== 'dir') throw err;
    const base = relative(cwd, cfg.path);
    throw new ManifestError(err.problems.map((p) => ({ ...p, file: base === '' ? p.file : `${base.split(sep).join('/')}/${p.file}` })));
  }
}
