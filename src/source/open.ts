/**
 * Builds the ManifestSource a compiled source config describes (src/config.ts
 * `parseSource` decides between a directory and git from `--source`/`--ref`), and adds
 * those two flags to CLI commands that read manifests.
 */
import { relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import type { SourceConfig } from '../config.js';
import { ManifestError } from '../core/errors.js';
import type { ManifestSource } from '../ports/source.js';
import { DirectorySource } from './directory.js';
import { GitSource, isRemoteUrl, mergeBase } from './git.js';

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

/** The source for a config; git cache clones live under `cacheRoot` (default: src/source/git.ts `defaultCacheRoot`). */
export function openSource(cfg: SourceConfig, cacheRoot?: string): ManifestSource {
  if (cfg.kind === 'git') return new GitSource({ url: cfg.url, ref: cfg.ref, cacheRoot });
  return new DirectorySource(cfg.path);
}

/** What `--against` compares with: a ref, the source at the commit chosen, and how it was chosen. */
export interface AgainstSource {
  ref: string;
  source: ManifestSource;
  /** Set when the commit is the merge base of `ref` and this (the source's ref, e.g. `HEAD`). */
  mergeBaseOf?: string;
}

/**
 * The source `--against REF` plans against: by default the merge base of REF and the
 * source's own commit (`--ref`, else the working copy's HEAD), which is what a pull
 * request's diff shows, so changes that only landed on REF after the branch point are not
 * reported as this branch's; with `tip`, REF's tip as it is now.
 */
export async function openAgainst(sourceText: string, headRef: string | undefined, ref: string, tip: boolean, cwd: string): Promise<AgainstSource> {
  if (tip) return { ref, source: new GitSource({ url: sourceText, ref }) };
  const head = headRef ?? 'HEAD';
  const commit = isRemoteUrl(sourceText) ? await new GitSource({ url: sourceText, ref: headRef }).mergeBase(ref) : await mergeBase(resolve(cwd, sourceText), ref, head);
  return { ref, source: new GitSource({ url: sourceText, ref: commit }), mergeBaseOf: head };
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
