import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkArchitecture, MAX_LINES } from '../../scripts/check-architecture.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A throwaway repository root with these files under it. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'kairos-arch-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  roots.push(root);
  return root;
}
const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('architecture check', () => {
  it('finds a cycle through type-only imports and re-exports, with one loop through it, and files over the limit', () => {
    const root = tree({
      'src/a/app.ts': "import { routes } from './routes.js';\nexport const app = routes;\n",
      'src/a/routes.ts': "import type { Deps } from './deps.js';\nexport const routes: Deps = {};\n",
      'src/a/deps.ts': "export type { App } from './app.js';\nexport type Deps = object;\n",
      'src/b/ok.ts': "import { app } from '../a/app.js';\nimport { x } from 'node:fs';\n" + 'export const n = 1;\n'.repeat(5),
      'src/b/big.ts': 'export const n = 1;\n'.repeat(MAX_LINES + 1),
    });
    const { cycles, oversized } = checkArchitecture(root);
    expect(cycles).toEqual([{ files: ['src/a/app.ts', 'src/a/deps.ts', 'src/a/routes.ts'], loop: ['src/a/app.ts', 'src/a/routes.ts', 'src/a/deps.ts', 'src/a/app.ts'] }]);
    expect(oversized).toEqual([{ file: 'src/b/big.ts', lines: MAX_LINES + 1 }]);
  });

  it('accepts a tree whose imports only go one way and whose files are at most the limit', () => {
    const root = tree({
      'src/core/types.ts': 'export type T = 1;\n',
      'src/app/main.ts': "import type { T } from '../core/types.js';\nconst lazy = () => import('../core/types.js');\n" + 'export const n = 1;\n'.repeat(MAX_LINES - 2),
    });
    expect(checkArchitecture(root)).toEqual({ cycles: [], oversized: [] });
  });

  it('src/ has no import cycle and no file over 300 lines', () => {
    const { cycles, oversized } = checkArchitecture(ROOT);
    expect(cycles.map((c) => c.loop.join(' → '))).toEqual([]);
    expect(oversized).toEqual([]);
  });
});
