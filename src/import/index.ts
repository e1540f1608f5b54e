/**
 * `kairos import` without I/O: a foreign job list (text) → named drafts → files, and the
 * summary the user reads. src/cli/import.ts only fetches the input and writes the output.
 */
import { mapChronosJob } from './chronos.js';
import { mapMetronomeJob } from './metronome.js';
import { type Draft, type ImportSystem, parseJobList } from './model.js';
import { applyNames } from './names.js';

export type { Draft, ImportSystem } from './model.js';
export { layout, writeAtomically } from './writer.js';

/** The systems `kairos import` reads. */
export const IMPORT_SYSTEMS: readonly ImportSystem[] = ['chronos', 'metronome'];

/** Parses and maps a whole job list; the first bad job stops the import (nothing is written). */
export function importJobs(system: ImportSystem, text: string, from: string): Draft[] {
  const map = system === 'chronos' ? mapChronosJob : mapMetronomeJob;
  const drafts = parseJobList(system, text, from).map((job, i) => map(job, i));
  return applyNames(system, drafts).sort((a, b) => (a.manifest.metadata.name < b.manifest.metadata.name ? -1 : 1));
}

/** What was written, and for each job what it lost and what to check. */
export function renderSummary(drafts: Draft[], out: string): string {
  const lines = [`${drafts.length} job${drafts.length === 1 ? '' : 's'} written to ${out}`];
  let lossy = 0;
  let warned = 0;
  for (const d of drafts) {
    if (d.lost.length === 0 && d.warnings.length === 0) continue;
    lines.push(`  ${d.manifest.metadata.name}${d.manifest.metadata.name === d.original ? '' : ` (was ${JSON.stringify(d.original)})`}`);
    for (const w of d.warnings) lines.push(`    warning: ${w}`);
    for (const l of d.lost) lines.push(`    not imported: ${l}`);
    if (d.lost.length) lossy++;
    if (d.warnings.length) warned++;
  }
  lines.push(`${drafts.length - lossy} imported whole, ${lossy} with fields not imported, ${warned} with warnings`);
  return lines.join('\n') + '\n';
}
