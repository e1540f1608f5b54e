/**
 * The fast path of YAML loading, for the common file: plain documents separated by `---`
 * lines, no anchors, aliases, merge keys, tags or directives. js-yaml (core schema) reads
 * such a file several times faster than `yaml` builds its position-keeping tree, and 10,000
 * manifests must plan in well under two seconds. Positions are still exact: a document
 * starts at its first content line, and `locate` (needed only when a problem is reported)
 * parses the file again with `yaml` on demand. Anything unusual, or any js-yaml error,
 * returns undefined so the caller takes the full path, which is the reference behaviour.
 */
import { CORE_SCHEMA, load } from 'js-yaml';
import type { ParsedDoc } from './yaml.js';

/** Looks up the position of a field in the k-th document via the full parser. */
export type SlowLocate = (k: number, path: readonly (string | number)[], key?: boolean) => { line: number; column: number };

// An alias or anchor token (`*name`, `&name`), a tag (`!x`), a merge key, a directive or a
// document end marker: any of these sends the file to the full parser. False positives
// (e.g. `*/15` in a cron string) only cost speed, never correctness.
const UNUSUAL = /[*&!][^\s,[\]{}"']|<<|^%|^\.\.\.|^---[^\S\n]*\S/m;
const SEPARATOR = /^---[^\S\n]*$/;
const CONTENT = /^\s*[^\s#]/;

/** Parses a plain multi-document file, or returns undefined when the full parser is needed. */
export function fastParse(file: string, text: string, slowLocate: SlowLocate): ParsedDoc[] | undefined {
  if (UNUSUAL.test(text)) return undefined;
  const lines = text.split('\n');
  const docs: ParsedDoc[] = [];
  let chunkStart = 0;
  const flush = (end: number): boolean => {
    let first = chunkStart;
    while (first < end && !CONTENT.test(lines[first])) first++;
    if (first === end) return true; // blank or comments only: no document
    let value: unknown;
    try {
      value = load(lines.slice(chunkStart, end).join('\n'), { schema: CORE_SCHEMA, json: false });
    } catch {
      return false;
    }
    const k = docs.length;
    docs.push({ file, line: first + 1, value, locate: (path, key) => slowLocate(k, path, key) });
    return true;
  };
  for (let i = 0; i < lines.length; i++) {
    if (!SEPARATOR.test(lines[i])) continue;
    if (!flush(i)) return undefined;
    chunkStart = i + 1;
  }
  return flush(lines.length) ? docs : undefined;
}
