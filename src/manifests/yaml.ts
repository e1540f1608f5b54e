/**
 * Step 1 of loading: bytes → YAML documents that keep their own text and can say where
 * every field came from. One parser, js-yaml (core schema plus merge keys `<<`): it reads
 * a plain manifest several times faster than a parser that builds a position-keeping tree,
 * and 10,000 manifests must plan in well under a second. Positions come from the same
 * parser: a problem's position is found by parsing that one document again with js-yaml's
 * node listener (yaml-trace.ts), so the common case (no problem) pays nothing for them.
 *
 * A file is cut into documents at its `---` lines (YAML 1.2 §9.1.2: a document marker at
 * the start of a line ends any node, even a block scalar) and each is parsed on its own,
 * so a syntax error in one document neither hides the problems of the others nor shifts
 * their positions. Refuses invalid UTF-8 (naming the line of the first bad byte) and YAML
 * alias bombs ("billion laughs": alias expansions are counted without expanding anything).
 * Duplicate keys are errors. An empty file, and a document of only comments, have no documents.
 */
import { isUtf8 } from 'node:buffer';
import { CORE_SCHEMA, load, Type, YAMLException, type LoadOptions } from 'js-yaml';
import type { Problem } from '../core/errors.js';
import { offsetOf, traceParse, type TracedNode } from './yaml-trace.js';

/** At most this many alias expansions per document. */
export const MAX_ALIAS_COUNT = 100;

/** One parsed document with its plain value, its text, and what is needed to locate fields in it. */
export interface ParsedDoc {
  file: string;
  /** 1-based line where the document's content starts. */
  line: number;
  value: unknown;
  /** The document as written: from its first content line to the next `---` line or the end of the file. */
  readonly text: string;
  locate(path: readonly (string | number)[], key?: boolean): { line: number; column: number };
}

// YAML 1.2 core schema (so `yes`, `2026-01-01` and `0777` stay what they are in YAML 1.2)
// and merge keys, which manifests use to share a block within a document.
// (The merge key type as js-yaml defines it; its type declarations do not export `types`.)
const MERGE = new Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (data: unknown) => data === '<<' });
const OPTIONS: LoadOptions = { schema: CORE_SCHEMA.extend({ implicit: [MERGE] }) };

/** Parses every document of one file; problems are returned, never thrown. */
export function parseFile(file: string, content: Buffer): { docs: ParsedDoc[]; problems: Problem[] } {
  const bad = firstInvalidUtf8(content);
  if (bad >= 0) {
    const line = countLines(content, bad);
    return { docs: [], problems: [{ file, line, column: 1, path: '', message: `file is not valid UTF-8 (first invalid byte at offset ${bad})` }] };
  }
  const text = decode(content);
  const docs: ParsedDoc[] = [];
  const problems: Problem[] = [];
  for (const chunk of documentChunks(text)) {
    const src = text.slice(chunk.start, chunk.end);
    const at = (offset: number) => position(src, chunk.line, offset);
    let value: unknown;
    let traced: TracedNode | undefined | null = null; // null: not traced yet
    try {
      if (src.includes('&')) {
        // An anchor may be aliased: count the expansions before anything walks the value.
        const t = traceParse(src, OPTIONS);
        if (t.root && t.root.expansions > MAX_ALIAS_COUNT) {
          problems.push({ file, ...at(t.root.start), path: '', message: `YAML refused: more than ${MAX_ALIAS_COUNT} alias expansions (a YAML "billion laughs" attack?)` });
          continue;
        }
        [value, traced] = [t.value, t.root];
      } else value = load(src, OPTIONS);
    } catch (err) {
      if (err instanceof RangeError) {
        // js-yaml descends recursively: thousands of nested `[` exhaust the stack.
        problems.push({ file, ...position(src, chunk.line, chunk.contentStart - chunk.start), path: '', message: 'YAML refused: nested too deeply' });
        continue;
      }
      if (!(err instanceof YAMLException)) throw err;
      // The reason only: js-yaml's message quotes the source lines, which may hold a secret (a token file).
      problems.push({ file, ...position(src, chunk.line, errorOffset(err)), path: '', message: `YAML syntax: ${err.reason}` });
      continue;
    }
    docs.push(new Doc(file, value, content, chunk, traced));
  }
  return { docs, problems };
}

/**
 * A parsed document. It holds the file's bytes (outside the JavaScript heap), not its text:
 * a dry run of 100,000 manifests keeps every document alive until the plan is printed, and
 * the garbage collector copies whatever they hold. The text is decoded again only when a
 * problem needs a position or an apply stores the document.
 */
class Doc implements ParsedDoc {
  readonly line: number;
  private src: string | undefined;
  constructor(
    readonly file: string,
    readonly value: unknown,
    private readonly content: Buffer,
    private readonly chunk: Chunk,
    private traced: TracedNode | undefined | null, // null: not traced yet
  ) {
    this.line = chunk.contentLine + 1;
  }

  get text(): string {
    return decode(this.content).slice(this.chunk.contentStart, this.chunk.end).trimEnd() + '\n';
  }

  locate(path: readonly (string | number)[], key?: boolean): { line: number; column: number } {
    this.src ??= decode(this.content).slice(this.chunk.start, this.chunk.end);
    try {
      this.traced ??= traceParse(this.src, OPTIONS).root;
    } catch {
      this.traced = undefined; // the listener's frames overflowed a deeply nested document: at its start
    }
    return position(this.src, this.chunk.line, this.traced ? offsetOf(this.traced, path, key ?? false) : this.chunk.contentStart - this.chunk.start);
  }
}

/**
 * The file's text without a leading byte order mark: js-yaml drops it, and its offsets
 * (errors, node positions) must be offsets into the same text.
 */
function decode(content: Buffer): string {
  const text = content.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** One document's extent in a file: from its first line (or its `---`) to the next `---` line. */
interface Chunk {
  start: number;
  end: number;
  /** 0-based line of `start`. */
  line: number;
  /** Offset and 0-based line of its first line with content (not blank, a comment, a directive or a bare `---`). */
  contentStart: number;
  contentLine: number;
}

/** The documents of a file, cut before each `---` line; documents without content are dropped. */
export function documentChunks(text: string): Chunk[] {
  const out: Chunk[] = [];
  let cur: Chunk = { start: 0, end: 0, line: 0, contentStart: -1, contentLine: -1 };
  let marked = false; // the current chunk has its `---`
  for (let pos = 0, line = 0; pos <= text.length; line++) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    if (isMarker(text, pos, end)) {
      // A second `---`, or one after content, starts the next document; comments and
      // directives before the first `---` belong to the document it opens.
      if (cur.contentStart >= 0 || marked) {
        if (cur.contentStart >= 0) out.push({ ...cur, end: pos });
        cur = { start: pos, end: 0, line, contentStart: -1, contentLine: -1 };
      }
      marked = true;
    }
    if (cur.contentStart < 0 && hasContent(text, pos, end)) [cur.contentStart, cur.contentLine] = [pos, line];
    if (nl < 0) break;
    pos = nl + 1;
  }
  if (cur.contentStart >= 0) out.push({ ...cur, end: text.length });
  return out;
}

/** A `---` document marker line (`---` alone or followed by a space, tab or CR). */
function isMarker(text: string, from: number, end: number): boolean {
  if (!text.startsWith('---', from)) return false;
  const c = text.charCodeAt(from + 3);
  return from + 3 === end || c === 0x20 || c === 0x09 || c === 0x0d;
}

/** A line with document content: not blank, a comment, a `%` directive, a `...` end marker or a bare `---`. */
function hasContent(text: string, from: number, end: number): boolean {
  let i = from;
  if (isMarker(text, from, end)) i += 3;
  else if (text.charCodeAt(from) === 0x25 /* % */) return false;
  else if (text.startsWith('...', from) && /^\s*(#.*)?$/.test(text.slice(from + 3, end))) return false;
  while (i < end && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09 || text.charCodeAt(i) === 0x0d)) i++;
  return i < end && text.charCodeAt(i) !== 0x23 /* # */;
}

/** Where a js-yaml error is: its mark, moved back to the `*` of an unknown alias (js-yaml marks the name's end). */
function errorOffset(err: YAMLException): number {
  const offset = err.mark?.position ?? 0;
  const alias = /^unidentified alias "(.*)"$/.exec(err.reason);
  return alias ? Math.max(0, offset - alias[1].length - 1) : offset;
}

/** 1-based line and column of `offset` in a chunk that starts at 0-based line `firstLine` of its file. */
function position(src: string, firstLine: number, offset: number): { line: number; column: number } {
  let line = firstLine + 1;
  let lineStart = 0;
  for (let i = src.indexOf('\n'); i >= 0 && i < offset; i = src.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
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
