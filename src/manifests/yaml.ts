/**
 * Step 1 of loading: bytes → YAML documents that remember where every node came from.
 * Refuses invalid UTF-8 (naming the line of the first bad byte) and YAML alias bombs
 * ("billion laughs": yaml's maxAliasCount bounds the expansion, so refusal is fast and
 * memory stays bounded). YAML merge keys (`<<: *anchor`) are allowed. An empty file is
 * fine and has no documents.
 */
import type { Document, Node, Pair } from 'yaml';
import { isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';
import type { Problem } from '../core/errors.js';
import { fastParse } from './fast-yaml.js';

let yamlModule: typeof import('yaml') | undefined;

/**
 * `yaml`, loaded on first use: most files take the fast path (fast-yaml.ts) and never
 * need it, and loading it cost every CLI start (a dry run in CI included) ~40 ms.
 * Exported for the other modules that need it only inside one command (kairos import).
 */
export function yaml(): typeof import('yaml') {
  return (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));
}

/** At most this many alias expansions per document (yaml's default is 100). */
export const MAX_ALIAS_COUNT = 100;

/** One parsed document with its plain value and what is needed to locate fields in it. */
export interface ParsedDoc {
  file: string;
  /** 1-based line where the document starts. */
  line: number;
  value: unknown;
  locate(path: readonly (string | number)[], key?: boolean): { line: number; column: number };
}

/** Parses every document of one file; problems are returned, never thrown. */
export function parseFile(file: string, content: Buffer): { docs: ParsedDoc[]; problems: Problem[] } {
  const bad = firstInvalidUtf8(content);
  if (bad >= 0) {
    const line = countLines(content, bad);
    return { docs: [], problems: [{ file, line, column: 1, path: '', message: `file is not valid UTF-8 (first invalid byte at offset ${bad})` }] };
  }
  const text = content.toString('utf8');
  let full: { docs: ParsedDoc[]; problems: Problem[] } | undefined;
  const parsedFully = () => (full ??= parseText(file, text));
  const fast = fastParse(file, text, (k, path, key) => parsedFully().docs[k]?.locate(path, key) ?? { line: 1, column: 1 });
  return fast ? { docs: fast, problems: [] } : parsedFully();
}

/**
 * The full parse with `yaml`: positions, precise errors, merge keys and bounded aliases.
 * Exported so tests can check the fast path (fast-yaml.ts) against it.
 */
export function parseText(file: string, text: string): { docs: ParsedDoc[]; problems: Problem[] } {
  const { LineCounter, parseAllDocuments } = yaml();
  const lc = new LineCounter();
  const docs: ParsedDoc[] = [];
  const problems: Problem[] = [];
  const pos = (offset: number) => {
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  for (const doc of parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, merge: true })) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) problems.push({ file, ...pos(e.pos[0]), path: '', message: `YAML syntax: ${firstLine(e.message)}` });
      continue;
    }
    if (isEmpty(doc)) continue; // `---` alone, or only comments
    const start = doc.contents?.range?.[0] ?? 0;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      const at = pos(start);
      const msg = err instanceof Error ? err.message : String(err);
      const why = /alias count/i.test(msg) ? `: more than ${MAX_ALIAS_COUNT} alias expansions (a YAML "billion laughs" attack?)` : `: ${msg}`;
      problems.push({ file, ...at, path: '', message: `YAML refused${why}` });
      continue;
    }
    docs.push({ file, line: pos(start).line, value, locate: (path, key) => pos(offsetOf(doc, path, key ?? false)) });
  }
  return { docs, problems };
}

/**
 * The source offset of the node at `path`, or of its deepest existing ancestor (a missing
 * field is reported where its parent is). With `key`, the offset of the last key itself.
 */
function offsetOf(doc: Document, path: readonly (string | number)[], key: boolean): number {
  const { isMap, isSeq } = yaml();
  let node: Node | null | undefined = doc.contents as Node | null;
  let offset = node?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = (node.items as Pair[]).find((p) => keyText(p.key) === String(seg));
      if (!pair) break;
      const keyNode = pair.key as Node | null;
      if (key && i === path.length - 1) return keyNode?.range?.[0] ?? offset;
      node = pair.value as Node | null;
      offset = node?.range?.[0] ?? keyNode?.range?.[0] ?? offset;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else break;
  }
  return offset;
}

/** A document with no content at all (not even an explicit `null` or `~`). */
function isEmpty(doc: Document): boolean {
  const { isScalar } = yaml();
  const c = doc.contents;
  return c === null || (isScalar(c) && c.value === null && c.source === '');
}

function keyText(k: unknown): string | undefined {
  if (k && typeof k === 'object' && 'value' in k) return String((k as { value: unknown }).value);
  return k === null || k === undefined ? undefined : String(k);
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

function countLines(buf: Buffer, end: number): number {
  let n = 1;
  for (let i = 0; i < end; i++) if (buf[i] === 0x0a) n++;
  return n;
}

/** Offset of the first byte that breaks UTF-8 (RFC 3629 §4), or -1 when the buffer is valid. */
export function firstInvalidUtf8(b: Buffer): number {
  if (isUtf8(b)) return -1;
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}
