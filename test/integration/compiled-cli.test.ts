/**
 * The installed `kairos` command runs the compiled dist/ (built by `prepare` on npm
 * install/ci; rebuilt here only if a source is newer). These run bin/kairos.js as users
 * and CI do and judge by what it prints and its exit codes: help, a valid tree, a plan
 * as JSON, and a broken manifest reported with file:line:column and "did you mean"
 * through the standalone validators generated at build time (no ajv compile at start).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobYaml } from '../fixtures/manifests/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'kairos.js');

function kairos(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as NodeJS.ErrnoException & { code?: unknown }).code) : 0, stdout, stderr }),
    );
  });
}

let tmp: string;
beforeAll(async () => {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--if-stale'], { cwd: root, stdio: 'ignore' });
  tmp = await mkdtemp(join(tmpdir(), 'kairos-compiled-'));
}, 180_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('the compiled CLI (bin/kairos.js → dist/)', () => {
  it('is built with its standalone manifest validators', () => {
    expect(existsSync(join(root, 'dist', 'main.js'))).toBe(true);
    expect(existsSync(join(root, 'dist', 'manifests', 'validators.cjs'))).toBe(true);
  });

  it('prints help and validates the examples', async () => {
    const help = await kairos(root, '--help');
    expect(help.code).toBe(0);
    for (const command of ['serve', 'validate', 'reconcile', 'status', 'embedded-master']) expect(help.stdout).toContain(command);
    const ok = await kairos(root, 'validate', '--source', 'examples');
    // (stderr may carry warnings, e.g. example secrets not set in this environment)
    expect([ok.code, ok.stdout]).toEqual([0, expect.stringMatching(/^ok: \d+ Jobs?, \d+ DAGs? in dir:/)]);
  });

  it('plans as JSON with exit 2 (changes pending) against an empty store', async () => {
    const r = await kairos(root, 'reconcile', '--dry-run', '--output', 'json', '--source', 'examples', '--store', 'memory');
    expect(r.code).toBe(2);
    const plan = JSON.parse(r.stdout) as { kind: string; entries: { action: string }[] };
    expect(plan.kind).toBe('Plan');
    expect(plan.entries.length).toBeGreaterThan(0);
    expect(plan.entries.every((e) => e.action === 'create')).toBe(true);
  });

  it('reports a misspelled field at its position with a suggestion, exit 1', async () => {
    await writeFile(join(tmp, 'bad.yaml'), jobYaml('a', 'shedule: { cron: "* * * * *" }\ncommand: { shell: x }'));
    const r = await kairos(tmp, 'validate', '--source', '.');
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', 'bad.yaml:6:3: spec.shedule: unknown field "shedule" (did you mean "schedule"?)\n']);
  });
});
