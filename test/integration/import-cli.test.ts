import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `kairos import` as users run it: the real CLI process, input from a file or a local HTTP
// server, output checked by `kairos validate` (the real loader) in another process.

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const fixtures = fileURLToPath(new URL('../fixtures/import/', import.meta.url));

function kairos(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('kairos import (CLI)', () => {
  let dir: string;
  let server: Server;
  let base: string;
  let authed: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kairos-import-'));
    server = createServer((req, res) => {
      // Chronos behind HTTP basic auth, as it often is.
      if (req.url === '/v1/scheduler/jobs' && req.headers.authorization !== `Basic ${Buffer.from('ops:s3cret').toString('base64')}`) res.writeHead(401).end();
      else if (req.url === '/v1/scheduler/jobs') res.writeHead(200, { 'content-type': 'application/json' }).end(readFileSync(join(fixtures, 'chronos-jobs.json')));
      else if (req.url === '/v1/jobs?embed=schedules') res.writeHead(200, { 'content-type': 'application/json' }).end(readFileSync(join(fixtures, 'metronome-jobs.json')));
      else res.writeHead(404).end('no');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    authed = `http://ops:s3cret@127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports Chronos from a URL (basic auth) into one file per job that kairos validate accepts', async () => {
    const out = join(dir, 'chronos');
    const r = await kairos('import', 'chronos', '--from-url', `${authed}/v1/scheduler/jobs`, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^5 jobs written to /);
    expect(r.stdout).toContain('etl-extract (was "ETL Extract")');
    expect(readdirSync(out).sort()).toEqual(['cleanup.yaml', 'etl-extract.yaml', 'etl-load.yaml', 'etl_load.yaml', 'report.yaml']);
    expect(readFileSync(join(out, 'etl-extract.yaml'), 'utf8')).toContain('# not imported: epsilon "PT30M"');
    const v = await kairos('validate', '--source', out);
    expect([v.code, v.stdout]).toEqual([0, expect.stringMatching(/^ok: 5 Jobs, 0 DAGs/)]);
  });

  it('imports Metronome from a file into a single file that kairos validate accepts', async () => {
    const out = join(dir, 'metronome');
    const r = await kairos('import', 'metronome', '--from-file', join(fixtures, 'metronome-jobs.json'), '--out', out, '--single-file');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(readdirSync(out)).toEqual(['metronome-jobs.yaml']);
    const v = await kairos('validate', '--source', out);
    expect([v.code, v.stdout]).toEqual([0, expect.stringMatching(/^ok: 4 Jobs, 0 DAGs/)]);
  });

  it('bad input: a clear error naming job and field, exit 1, nothing written', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ name: 'ok', command: 'true', schedule: 'R/2026-01-01T00:00:00Z/PT1H' }, { name: 'Broken Job', schedule: 'R/2026-01-01T00:00:00Z/PT1H' }]));
    const out = join(dir, 'never', 'deeper', 'out');
    const r = await kairos('import', 'chronos', '--from-file', bad, '--out', out);
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', 'kairos: chronos job "Broken Job": command: missing: every Chronos job needs a command\n']);
    expect(readdirSync(dir).filter((f) => f.includes('never'))).toEqual([]);
  });

  it('output the loader refuses (a cron Kairos cannot parse) is not written at all', async () => {
    const bad = join(dir, 'bad-cron.json');
    writeFileSync(bad, JSON.stringify([{ id: 'a', run: { cmd: 'true', cpus: 1, mem: 32, disk: 0 } }, { id: 'b', run: { cmd: 'true', cpus: 1, mem: 32, disk: 0 }, schedules: [{ id: 's', cron: 'every tuesday' }] }]));
    const out = join(dir, 'never2');
    const r = await kairos('import', 'metronome', '--from-file', bad, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/do not validate, nothing was written:\n {2}b\.yaml:\d+: spec\.schedule/);
    expect(readdirSync(dir).filter((f) => f.includes('never2'))).toEqual([]);
  });

  it('refuses a non-empty --out and leaves it untouched; an unreachable URL is an error', async () => {
    const out = join(dir, 'full');
    mkdirSync(out);
    writeFileSync(join(out, 'mine.yaml'), 'keep me');
    const r = await kairos('import', 'chronos', '--from-file', join(fixtures, 'chronos-jobs.json'), '--out', out);
    expect([r.code, r.stderr]).toEqual([1, `kairos: --out ${out} exists and is not empty; choose a new directory\n`]);
    expect(readdirSync(out)).toEqual(['mine.yaml']);
    // The password never shows in a message.
    const u = await kairos('import', 'chronos', '--from-url', `${authed}/missing`, '--out', join(dir, 'x'));
    expect([u.code, u.stderr]).toEqual([1, `kairos: --from-url ${base}/missing: HTTP 404\n`]);
  });
});
