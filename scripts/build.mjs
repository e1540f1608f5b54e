#!/usr/bin/env node
/**
 * `npm run build` (also run by `prepare`, so on `npm install`/`npm ci` in a checkout and on
 * `npm pack`): compiles src/ to dist/ with tsc, then generates the manifest validators as
 * ajv standalone code (dist/manifests/validators.cjs), so the installed CLI neither loads
 * ajv's compiler nor compiles JSON Schemas at start. With `--if-stale` (`npm start`) it
 * builds only when a file under src/ or schemas/ is newer than the last build, so a
 * source edit is never run stale and an unchanged tree starts at once.
 * Plain JavaScript: it runs before anything is compiled.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', '.built');
const require = createRequire(import.meta.url);

/** The newest modification time of any file under `dir`. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function builtAt() {
  try {
    return statSync(stamp).mtimeMs;
  } catch {
    return -1;
  }
}

if (process.argv.includes('--if-stale') && builtAt() >= Math.max(newest(join(root, 'src')), newest(join(root, 'schemas')))) process.exit(0);

let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  // e.g. `npm ci --omit=dev` in a checkout: say what to do instead of a module stack trace.
  process.stderr.write('kairos: cannot build dist/: typescript (a dev dependency) is not installed; run `npm ci` with dev dependencies, or install the packed tarball (`npm pack`), which contains dist/\n');
  process.exit(1);
}
rmSync(join(root, 'dist'), { recursive: true, force: true }); // no stale modules of deleted sources
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
const { standaloneValidatorsCode } = await import('../dist/manifests/schema-compile.js');
writeFileSync(join(root, 'dist', 'manifests', 'validators.cjs'), standaloneValidatorsCode());
writeFileSync(stamp, `${new Date().toISOString()}\n`);
process.stdout.write('kairos: built dist/ (tsc, standalone manifest validators)\n');
