/**
 * Field-level difference between two JSON values (an applied and a desired resource),
 * for the plan's "old → new" lines. Lists of named items (DAG tasks) are paired by name,
 * so inserting a task shows one added task rather than every later task as changed.
 */
import type { FieldChange } from './types.js';

/** Every leaf that differs between `a` and `b`, with dotted paths starting at `path`. */
export function diffValues(a: unknown, b: unknown, path = ''): FieldChange[] {
  const out: FieldChange[] = [];
  walk(a, b, path, out);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: FieldChange[]): void {
  if (sameJson(a, b)) return;
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(a[k], b[k], join(path, k), out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (allNamed(a) && allNamed(b)) {
      const old = new Map(a.map((x) => [x.name, x]));
      const now = new Map(b.map((x) => [x.name, x]));
      const names = [...old.keys(), ...[...now.keys()].filter((n) => !old.has(n))];
      for (const n of names) walk(old.get(n), now.get(n), `${path}[${n}]`, out);
      return;
    }
    if (a.length === b.length) {
      a.forEach((x, i) => walk(x, b[i], `${path}[${i}]`, out));
      return;
    }
  }
  out.push({ path, ...(a !== undefined && { old: a }), ...(b !== undefined && { new: b }) });
}

/** Structural equality of JSON-like values (key order does not matter). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => sameJson(a[k], b[k]));
  }
  return false;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function allNamed(xs: unknown[]): xs is { name: string }[] {
  return xs.length > 0 && xs.every((x) => isRecord(x) && typeof x.name === 'string');
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
