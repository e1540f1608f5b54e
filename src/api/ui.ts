/**
 * Serves the web UI: static files from src/ui/ (plain HTML, ES modules and CSS; no build
 * step) and the dagre layout library's ES module from node_modules. Only the files named
 * here are served: no directory traversal by construction. Files are read once and kept.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const uiDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'ui');
const dagreDir = dirname(createRequire(import.meta.url).resolve('@dagrejs/dagre/package.json'));

/** URL path → [file on disk, content type]. */
export const UI_FILES: Record<string, [string, string]> = {
  '/': [join(uiDir, 'index.html'), 'text/html; charset=utf-8'],
  '/ui/app.js': [join(uiDir, 'app.js'), 'text/javascript; charset=utf-8'],
  '/ui/api.js': [join(uiDir, 'api.js'), 'text/javascript; charset=utf-8'],
  '/ui/views.js': [join(uiDir, 'views.js'), 'text/javascript; charset=utf-8'],
  '/ui/dag.js': [join(uiDir, 'dag.js'), 'text/javascript; charset=utf-8'],
  '/ui/style.css': [join(uiDir, 'style.css'), 'text/css; charset=utf-8'],
  '/ui/vendor/dagre.esm.js': [join(dagreDir, 'dist', 'dagre.esm.js'), 'text/javascript; charset=utf-8'],
};

/** Registers one GET route per UI file; public, since the UI asks for a token itself. */
export function registerUiRoutes(app: FastifyInstance): void {
  const cache = new Map<string, Buffer>();
  for (const [path, [file, type]] of Object.entries(UI_FILES)) {
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
