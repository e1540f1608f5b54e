/**
 * Foreign job names → Kairos names (`[a-z0-9][a-z0-9._-]{0,62}` after import): lowercase,
 * every other character becomes `-`, leading non-alphanumerics go, at most 63 characters.
 * Collisions are resolved deterministically, whatever the input order: a name that is
 * already its own normal form keeps it, the others take `-2`, `-3`, … in sorted order of
 * their original names. `after` references are renamed with the same table.
 */
import { badField, type Draft, type ImportSystem } from './model.js';

const MAX = 63;

/** The normal form of one name (before collisions). */
export function normaliseName(raw: string): string {
  const s = raw.toLowerCase().replace(/[^a-z0-9._-]/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, MAX);
  return s || 'job';
}

/** Original name → unique Kairos name, independent of the order of `originals`. */
export function assignNames(originals: string[]): Map<string, string> {
  const sorted = [...new Set(originals)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const o of sorted) {
    if (normaliseName(o) === o && !used.has(o)) {
      out.set(o, o);
      used.add(o);
    }
  }
  for (const o of sorted) {
    if (out.has(o)) continue;
    const base = normaliseName(o);
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base.slice(0, MAX - `-${n}`.length)}-${n}`;
    out.set(o, name);
    used.add(name);
  }
  return out;
}

/**
 * Gives every draft its Kairos name and `spec.after`; a renamed job keeps its original
 * name as the annotation `<system>/name`. Duplicate names and references to jobs not in
 * the list are input errors (naming the job and field).
 */
export function applyNames(system: ImportSystem, drafts: Draft[]): Draft[] {
  const seen = new Set<string>();
  for (const d of drafts) {
    if (seen.has(d.original)) badField(system, d.original, system === 'chronos' ? 'name' : 'id', 'appears twice in the list');
    seen.add(d.original);
  }
  const names = assignNames(drafts.map((d) => d.original));
  const refField = system === 'chronos' ? 'parents' : 'dependencies';
  return drafts.map((d) => {
    const name = names.get(d.original)!;
    const after = d.after.map((p) => names.get(p) ?? badField(system, d.original, refField, `${JSON.stringify(p)} is not a job in this list`));
    const manifest = structuredClone(d.manifest);
    manifest.metadata.name = name;
    const warnings = [...d.warnings];
    if (name !== d.original) {
      manifest.metadata.annotations = { ...manifest.metadata.annotations, [`${system}/name`]: d.original };
      warnings.unshift(`renamed from ${JSON.stringify(d.original)}`);
    }
    if (after.length) manifest.spec.after = after;
    return { ...d, manifest, warnings };
  });
}
