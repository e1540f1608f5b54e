/**
 * Loading manifests: a snapshot's files → desired state, or every problem found.
 * parse (yaml.ts) → schema and defaults (schema.ts) → typed resources (compile.ts) →
 * cross-document checks (semantic.ts). All problems of a run are collected and reported
 * together, sorted by file and position; a snapshot with any problem yields no state, so a
 * broken commit never half-applies. Each resource's document text comes from the parser
 * (the job page shows the manifest as in git), not from cutting the files a second time.
 */
import { ManifestError, type Problem } from '../core/errors.js';
import type { DesiredState } from '../core/types.js';
import type { Snapshot } from '../ports/source.js';
import { byteOrder } from '../source/walk.js';
import { compileResource } from './compile.js';
import { validateDocument } from './schema.js';
import { checkSemantics, type Located } from './semantic.js';
import { parseFile } from './yaml.js';

/** Documents longer than this (characters) are not kept: the store holds them per resource. */
export const MAX_DOCUMENT_TEXT = 64 * 1024;

/** The outcome of loading: the state when there are no problems, and the problems. */
export interface LoadResult {
  desired?: DesiredState;
  problems: Problem[];
  /**
   * Each resource's YAML document as written, by resource name (none over MAX_DOCUMENT_TEXT),
   * cut when first asked for (only an apply stores them). Manifests hold secret references
   * only (`secrets:`), so a text never carries a secret value that the source itself does not.
   */
  documents(): Map<string, string>;
}

/** Loads and checks every manifest in a snapshot. Never throws for bad input. */
export function loadManifests(snapshot: Snapshot): LoadResult {
  const problems: Problem[] = [...snapshot.problems];
  const located: Located[] = [];
  const invalid = new Set<string>();
  for (const file of snapshot.files) {
    const parsed = parseFile(file.path, file.content);
    problems.push(...parsed.problems);
    for (const doc of parsed.docs) {
      const { kind, problems: found } = validateDocument(doc);
      problems.push(...found);
      if (kind === undefined) {
        const name = (doc.value as { metadata?: { name?: unknown } } | null)?.metadata?.name;
        if (typeof name === 'string') invalid.add(name);
        continue;
      }
      const source = { file: doc.file, line: doc.line, ...(snapshot.commit !== undefined && { commit: snapshot.commit }) };
      located.push({ resource: compileResource(kind, doc.value, source), doc });
    }
  }
  problems.push(...checkSemantics(located, invalid));
  problems.sort((a, b) => byteOrder(a.file, b.file) || a.line - b.line || a.column - b.column);
  if (problems.length > 0) return { problems, documents: () => new Map() };
  return { desired: { revision: snapshot.revision, resources: located.map((l) => l.resource) }, problems, documents: () => documentsOf(located) };
}

function documentsOf(located: readonly Located[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const { resource, doc } of located) {
    const text = doc.text;
    if (text.length <= MAX_DOCUMENT_TEXT) out.set(resource.metadata.name, text);
  }
  return out;
}

/** Like loadManifests, but throws ManifestError (code E_MANIFEST) listing every problem. */
export function loadChecked(snapshot: Snapshot): { desired: DesiredState; documents: () => Map<string, string> } {
  const { desired, problems, documents } = loadManifests(snapshot);
  if (!desired) throw new ManifestError(problems);
  return { desired, documents };
}

/** The desired state of a snapshot; throws ManifestError (code E_MANIFEST) listing every problem. */
export function loadDesired(snapshot: Snapshot): DesiredState {
  return loadChecked(snapshot).desired;
}
