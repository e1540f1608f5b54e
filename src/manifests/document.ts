/**
 * The YAML text of each document as written in git, for the job page's "manifest as in
 * git with file@commit". Cut from the snapshot file at the document's first line up to the
 * next `---` separator line (YAML 1.2 §9.1, document markers) or the end of the file.
 * Manifests hold secret references only (`secrets:`), so the text never carries a secret
 * value that the source itself does not.
 */
import type { Resource } from '../core/types.js';
import type { Snapshot } from '../ports/source.js';

/** Documents longer than this (characters) are not kept: the store holds them per resource. */
export const MAX_DOCUMENT_TEXT = 64 * 1024;

const SEPARATOR = /^---(\s|$)/;

/** The document starting at 1-based `line` of a file split into `lines`; undefined when `line` is outside it. */
export function documentText(lines: readonly string[], line: number): string | undefined {
  if (line < 1 || line > lines.length) return undefined;
  let end = line;
  while (end < lines.length && !SEPARATOR.test(lines[end])) end++;
  return lines.slice(line - 1, end).join('\n').trimEnd() + '\n';
}

/** Each resource's document text, by resource name, read from the snapshot it came from. */
export function documentsOf(snapshot: Snapshot, resources: readonly Resource[]): Map<string, string> {
  const contents = new Map(snapshot.files.map((f) => [f.path, f.content]));
  const split = new Map<string, string[]>();
  const out = new Map<string, string>();
  for (const r of resources) {
    const { file, line } = r.source;
    let lines = split.get(file);
    if (!lines) {
      const content = contents.get(file);
      if (!content) continue;
      split.set(file, (lines = content.toString('utf8').split('\n')));
    }
    const doc = documentText(lines, line);
    if (doc !== undefined && doc.length <= MAX_DOCUMENT_TEXT) out.set(r.metadata.name, doc);
  }
  return out;
}
