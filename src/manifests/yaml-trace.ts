/**
 * Where every node of one YAML document is, recorded while js-yaml parses it: js-yaml's
 * `listener` reports each node when it opens and closes, in document order, and this
 * builds a small tree of source offsets from those events. Two uses, both off the hot path:
 *  - locating a field (`spec.schedule.cron`, or its key) for a problem report, by parsing
 *    the document again only when a problem needs its position;
 *  - counting alias expansions (a YAML "billion laughs" document is small as text but
 *    huge once its aliases are expanded), done only for documents that define an anchor.
 * js-yaml keeps an alias as a reference to the anchored value, so nothing is expanded here.
 */
import { load, type LoadOptions, type State } from 'js-yaml';

/** One node: where it starts, its kind, and its children in source order. */
export interface TracedNode {
  /** Offset of its first character (its `&anchor`/`!tag` or its content); for an empty value, right after its `:`. */
  start: number;
  kind: 'mapping' | 'sequence' | 'scalar' | 'alias' | 'empty';
  /** A scalar's value as a string (what a mapping key is matched by). */
  key?: string;
  /** Followed by `:` (a mapping key with a value after it). */
  colon?: boolean;
  children: TracedNode[];
  /** Alias nodes within this node once every alias is expanded (an alias counts 1 + its anchor's). */
  expansions: number;
}

/** The value of one document and the tree of where its nodes are. */
export interface Traced {
  value: unknown;
  root: TracedNode | undefined;
}

/** Parses `text` (one document) with `options`, recording node positions. Throws js-yaml's YAMLException. */
export function traceParse(text: string, options: LoadOptions): Traced {
  const open: TracedNode[] = [];
  const anchors = new Map<string, number>();
  let root: TracedNode | undefined;
  const listener = (event: 'open' | 'close', state: State): void => {
    if (event === 'open') {
      open.push({ start: state.position, kind: 'empty', children: [], expansions: 0 });
      return;
    }
    const node = open.pop()!;
    const start = skipBlank(text, node.start, state.position);
    if (text.charCodeAt(start) === 0x2a /* * */) {
      node.kind = 'alias';
      node.start = start;
      node.expansions = 1 + (anchors.get(aliasName(text, start + 1)) ?? 0);
    } else if (state.kind) {
      node.kind = state.kind as TracedNode['kind'];
      node.start = start;
      if (node.kind === 'scalar') node.key = String(state.result);
      if (text.charCodeAt(skipBlank(text, state.position, text.length)) === 0x3a /* : */) node.colon = true;
    }
    const anchor = (state as State & { anchor?: string | null }).anchor;
    if (anchor) anchors.set(anchor, node.expansions);
    // js-yaml tries a flow collection as a block mapping's key first; when no `:` follows,
    // that attempt is a node wrapping the very same collection: keep only the collection.
    const only = node.children.length === 1 ? node.children[0] : undefined;
    const kept = only && only.start === node.start && only.kind === node.kind ? only : node;
    const parent = open[open.length - 1];
    if (parent) {
      parent.children.push(kept);
      parent.expansions += kept.expansions;
    } else root = kept;
  };
  const value = load(text, { ...options, listener });
  return { value, root };
}

/**
 * The offset of the node at `path` in the tree, or of its deepest existing ancestor (a
 * missing field is reported where its parent is). With `key`, the offset of the last key.
 */
export function offsetOf(root: TracedNode | undefined, path: readonly (string | number)[], key: boolean): number {
  let node = root;
  let offset = node?.start ?? 0;
  for (let i = 0; node && i < path.length; i++) {
    const seg = path[i];
    let next: TracedNode | undefined;
    if (node.kind === 'mapping') {
      const pair = pairOf(node.children, String(seg));
      if (!pair) break;
      if (key && i === path.length - 1) return pair.key.start;
      next = pair.value;
      if (!next) return pair.key.start; // `{ a }` (a key without a value): at the key
    } else if (node.kind === 'sequence' && typeof seg === 'number') {
      next = node.children[seg];
    }
    if (!next) break;
    node = next;
    offset = node.start;
  }
  return offset;
}

/**
 * The key named `name` among a mapping's children and its value. The children are keys
 * and values in source order; a key followed by `:` has its value next, a key without one
 * (`{ a, b: 1 }`) has none.
 */
function pairOf(children: readonly TracedNode[], name: string): { key: TracedNode; value?: TracedNode } | undefined {
  for (let i = 0; i < children.length; i++) {
    const k = children[i];
    const value = k.colon ? children[i + 1] : undefined;
    if (k.key === name) return { key: k, value };
    if (value) i++;
  }
  return undefined;
}

/** Skips spaces, line breaks and comments from `from`, never past `limit`. */
function skipBlank(text: string, from: number, limit: number): number {
  let i = from;
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else if (c === 0x23 /* # */) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? limit : nl;
    } else break;
  }
  return i;
}

/** The alias name starting at `from` (after the `*`), up to whitespace or a flow indicator. */
function aliasName(text: string, from: number): string {
  let i = from;
  while (i < text.length && !/[\s,[\]{}]/.test(text[i])) i++;
  return text.slice(from, i);
}
