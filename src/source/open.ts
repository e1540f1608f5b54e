/**
 * Builds the ManifestSource a compiled source config describes (src/config.ts
 * `parseSource` decides between a directory and git from `--source`/`--ref`), and adds
 * those two flags to CLI commands that read manifests.
 */
import type { Command } from 'commander';
import type { SourceConfig } from '../config.js';
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
