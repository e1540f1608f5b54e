/**
 * The compiled build (dist/, as `kairos` runs it) for benches that measure CPU per task:
 * the launch benches load the framework and start the master from it, so their figures are
 * those of production code, not of tsx's transpile (which wraps every closure it creates
 * with a naming call). Builds first when src/ changed since the last build.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
let built = false;

/** Builds dist/ if stale (scripts/build.mjs --if-stale), once per bench run. */
function ensureBuilt(): void {
  if (built) return;
  execFileSync(process.execPath, [fileURLToPath(new URL('scripts/build.mjs', root)), '--if-stale'], { stdio: 'inherit' });
  built = true;
}

/** The compiled module of `src/<path>` (path ending in .js), typed as its source `T`. */
export async function compiled<T>(path: string): Promise<T> {
  ensureBuilt();
  return (await import(new URL(`dist/${path}`, root).href)) as T;
}

/** The compiled CLI entry (bin/kairos.js), for a child process. */
export function compiledCli(): string {
  ensureBuilt();
  return fileURLToPath(new URL('bin/kairos.js', root));
}
