/**
 * Writes imported manifests, all or nothing: every file goes to a fresh temporary
 * directory next to `--out`, the real loader (the one `kairos validate` uses) must accept
 * that directory without a single problem, and only then is it renamed to `--out`. An
 * existing non-empty `--out` is refused, so an import never mixes with or overwrites files.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { KairosError, ManifestError } from '../core/errors.js';
import type { DesiredState } from '../core/types.js';
import { loadDesired } from '../manifests/load.js';
import { dump } from 'js-yaml';
import { DirectorySource } from '../source/directory.js';
import type { Draft, ImportSystem } from './model.js';

/** One file to write: a path relative to `--out` and its text. */
export interface OutFile {
  path: string;
  text: string;
}

const TITLE: Record<ImportSystem, string> = { chronos: 'Chronos', metronome: 'Metronome' };

/** A manifest as YAML, headed by comments saying where it came from and what it lost. */
export function renderDraft(system: ImportSystem, d: Draft): string {
  const head = [`# Imported from ${TITLE[system]} job ${JSON.stringify(d.original)} by kairos import.`];
  for (const w of d.warnings) head.push(`# warning: ${w}`);
  for (const l of d.lost) head.push(`# not imported: ${l}`);
  return head.map(oneLine).join('\n') + '\n' + dump(d.manifest, { lineWidth: -1, noRefs: true });
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

/** One file per job (`<name>.yaml`), or all of them in `<system>-jobs.yaml`. */
export function layout(system: ImportSystem, drafts: Draft[], singleFile: boolean): OutFile[] {
  const docs = drafts.map((d) => ({ path: `${d.manifest.metadata.name}.yaml`, text: renderDraft(system, d) }));
  if (!singleFile) return docs;
  return [{ path: `${system}-jobs.yaml`, text: docs.map((f) => f.text).join('---\n') }];
}

/**
 * Writes `files` to `out` atomically and returns what the loader made of them. Throws
 * (leaving nothing behind) when `out` is not empty or the manifests do not validate.
 */
export async function writeAtomically(out: string, files: OutFile[]): Promise<DesiredState> {
  const target = resolve(out);
  const existing = await readdir(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new KairosError('E_INVALID', `--out ${out}: ${err.message}`);
  });
  if (existing && existing.length > 0) throw new KairosError('E_INVALID', `--out ${out} exists and is not empty; choose a new directory`);
  // Parents created here are removed again if the import fails: nothing is left behind.
  const createdParent = await mkdir(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.import-${randomBytes(6).toString('hex')}`);
  await mkdir(tmp);
  let done = false;
  try {
    for (const f of files) await writeFile(join(tmp, f.path), f.text, { flag: 'wx' });
    let desired: DesiredState;
    try {
      desired = loadDesired(await new DirectorySource(tmp).snapshot());
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err;
      throw new KairosError('E_INVALID', `the imported manifests do not validate, nothing was written:\n${err.problems.map((p) => `  ${p.file}:${p.line}: ${p.path ? p.path + ': ' : ''}${p.message}`).join('\n')}`);
    }
    if (existing) await rmdir(target);
    await rename(tmp, target);
    done = true;
    return desired;
  } finally {
    await rm(tmp, { recursive: true, force: true });
    if (!done && createdParent) await rm(createdParent, { recursive: true, force: true });
  }
}
