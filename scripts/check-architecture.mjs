#!/usr/bin/env node
/**
 * Architecture check: no import cycle among the TypeScript files of src/, and no file in
 * src/ over MAX_LINES lines (ARCHITECTURE.md "Rules that keep it honest").
 *
 * The import graph is read with TypeScript's own pre-processor (`ts.preProcessFile`:
 * static imports, `export … from`, `import type`, and `import('…')` with a literal), so
 * a type-only import counts too: a cycle of types is still two files that cannot be read
 * apart. Cycles are the strongly connected components of that graph (Tarjan), each
 * reported with one concrete loop through it, as madge's `--circular` does.
 *
 * Usage: node scripts/check-architecture.mjs [root]   (exit status 1 on any finding)
 * `checkArchitecture(root)` is exported for test/unit/architecture.test.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The largest number of lines a file in src/ may have (STYLE.md "Sizes"). */
export const MAX_LINES = 300;

/** Every .ts file under `dir`, as absolute paths, sorted. */
function tsFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The files of `files` that `file` imports (relative specifiers only; `.js` maps to `.ts`). */
function importsOf(file, text, files) {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  const out = new Set();
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const base = resolve(dirname(file), fileName);
    const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
    const hit = candidates.find((c) => files.has(c));
    if (hit && hit !== file) out.add(hit);
  }
  return [...out].sort();
}

/** Strongly connected components with more than one file (Tarjan, iterative-safe for src/ sizes). */
function cyclesOf(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const sccs = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) !== idx.get(v)) return;
    const scc = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1) sccs.push(scc.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return sccs;
}

/** One loop through a component: the shortest path from its first file back to itself (BFS). */
function loopIn(graph, scc) {
  const inside = new Set(scc);
  const start = scc[0];
  const prev = new Map();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = prev.get(u)) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return scc;
}

/**
 * Checks `root`/src. Returns `{cycles, oversized}`: each cycle as `{files, loop}` (paths
 * relative to root, `/`-separated), each oversized file as `{file, lines}`.
 */
export function checkArchitecture(root, maxLines = MAX_LINES) {
  const src = join(root, 'src');
  const list = tsFiles(src);
  const files = new Set(list);
  const rel = (p) => relative(root, p).split(sep).join('/');
  const graph = new Map();
  const oversized = [];
  for (const file of list) {
    const text = readFileSync(file, 'utf8');
    graph.set(file, importsOf(file, text, files));
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > maxLines) oversized.push({ file: rel(file), lines });
  }
  const cycles = cyclesOf(graph).map((scc) => ({ files: scc.map(rel), loop: loopIn(graph, scc).map(rel) }));
  return { cycles, oversized };
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] && resolve(process.argv[1]) === self) {
  const root = resolve(process.argv[2] ?? join(dirname(self), '..'));
  const { cycles, oversized } = checkArchitecture(root);
  for (const c of cycles) console.log(`import cycle: ${c.loop.join(' → ')}${c.files.length > c.loop.length - 1 ? ` (component of ${c.files.length} files)` : ''}`);
  for (const o of oversized) console.log(`${o.file}: ${o.lines} lines (over ${MAX_LINES})`);
  if (cycles.length || oversized.length) process.exit(1);
  console.log(`architecture ok: no import cycle in src/, no file over ${MAX_LINES} lines`);
}
