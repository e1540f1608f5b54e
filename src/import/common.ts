/**
 * The frame both mappers share: read the job's name, build an empty manifest, let the
 * system-specific mapper fill it, then report every field it did not read as lost (with
 * the reason from the mapper's table, or "no Kairos equivalent"). Keeping this in one
 * place is what guarantees that no foreign field disappears without a line in the summary.
 */
import { type Draft, type ImportSystem, JobReader, newManifest } from './model.js';

/** Builds one Draft: `map` fills it from the reader; unread fields become `lost`. */
export function importDraft(
  system: ImportSystem,
  obj: Record<string, unknown>,
  index: number,
  nameKey: string,
  dropped: Record<string, string>,
  map: (r: JobReader, d: Draft) => void,
): Draft {
  const rawName = obj[nameKey];
  const label = typeof rawName === 'string' && rawName ? rawName : `#${index}`;
  const r: JobReader = new JobReader(system, label, obj);
  const original = r.str(nameKey);
  if (!original || !original.trim()) r.fail(nameKey, 'missing: every job needs a name');
  const d: Draft = { original, after: [], manifest: newManifest(original), lost: [], warnings: [] };
  map(r, d);
  for (const key of r.unread()) {
    d.lost.push(`${key}${describe(obj[key])} (${dropped[key] ?? 'no Kairos equivalent'})`);
  }
  return d;
}

function describe(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return ` ${JSON.stringify(v)}`;
  return '';
}
