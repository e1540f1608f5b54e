/**
 * Serves the web UI: static files from src/ui/ (plain HTML, ES modules and CSS; no build
 * step) and the dagre layout library's ES module from node_modules. One exact route per
 * file found at start: no directory traversal by construction. Files are read once and kept.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

// src/ui ships as is; the path is the same from src/api/ and from the compiled dist/api/.
const uiDir = fileURLToPath(new URL('../../src/ui/', import.meta.url));
const dagreDir = dirname(createRequire(import.meta.url).resolve('@dagrejs/dagre/package.json'));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** URL path → [file on disk, content type]: `/` is index.html, every other UI file is `/ui/<name>`. */
export function uiFiles(): Record<string, [string, string]> {
  const files: Record<string, [string, string]> = {
    '/ui/vendor/dagre.esm.js': [join(dagreDir, 'dist', 'dagre.esm.js'), TYPES['.js']],
  };
  for (const name of readdirSync(uiDir)) {
    const type = TYPES[extname(name)];
    if (type) files[name === 'index.html' ? '/' : `/ui/${name}`] = [join(uiDir, name), type];
  }
  return files;
}

/** Registers one GET route per UI file; public, since the UI asks for a token itself. */
export function registerUiRoutes(app: FastifyInstance): void {
  const cache = new Map<string, Buffer>();
  for (const [path, [file, type]] of Object.entries(uiFiles())) {
    app.get(path, { config: { access: { role: 'public' } } }, async (_req, reply) => {
      let body = cache.get(path);
      if (!body) cache.set(path, (body = readFileSync(file)));
      return reply
        .type(type)
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'")
        .send(body);
    });
  }
}
