/**
 * The embedded agent's fetcher over real files and a real HTTP server on 127.0.0.1:
 * output_file, executable, extraction (the archive kept), cache keyed by user and URI,
 * and failures naming the URI. Judged by the files the sandbox ends up with.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchUris, FetchError } from '../../src/mesos/embedded/fetcher.js';

const dir = mkdtempSync(join(tmpdir(), 'kairos-fetcher-'));
const files = new Map<string, Buffer>();
let hits = 0;
let server: Server;
let base = '';

beforeAll(async () => {
  mkdirSync(join(dir, 'tree/bin'), { recursive: true });
  writeFileSync(join(dir, 'tree/bin/tool.sh'), 'echo tool\n');
  execFileSync('tar', ['-C', join(dir, 'tree'), '-czf', join(dir, 'bundle.tgz'), 'bin']);
  files.set('/bundle.tgz', readFileSync(join(dir, 'bundle.tgz')));
  files.set('/run.sh', Buffer.from('#!/bin/sh\necho run\n'));
  server = createServer((req, res) => {
    hits++;
    if (req.url === '/moved') return res.writeHead(302, { location: '/run.sh' }).end();
    const body = files.get(req.url ?? '');
    if (!body) return res.writeHead(404, 'Not Found').end();
    res.writeHead(200).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const sandbox = (name: string) => {
  const s = join(dir, name);
  mkdirSync(s);
  return s;
};

describe('fetcher', () => {
  it('downloads over http, follows redirects, extracts archives (keeping them) and marks executables', async () => {
    const s = sandbox('a');
    await fetchUris([{ value: `${base}/bundle.tgz` }, { value: `${base}/moved`, output_file: 'go.sh', executable: true }], s, 'c1', undefined);
    expect(readFileSync(join(s, 'bin/tool.sh'), 'utf8')).toBe('echo tool\n');
    expect(existsSync(join(s, 'bundle.tgz'))).toBe(true);
    expect(statSync(join(s, 'go.sh')).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(s, 'go.sh'), 'utf8')).toBe('#!/bin/sh\necho run\n');
  });

  it('leaves an archive packed with extract: false', async () => {
    const s = sandbox('b');
    await fetchUris([{ value: `file://${join(dir, 'bundle.tgz')}`, extract: false }], s, 'c2', undefined);
    expect(existsSync(join(s, 'bundle.tgz'))).toBe(true);
    expect(existsSync(join(s, 'bin'))).toBe(false);
  });

  it('serves cache: true from the cache after the first download, per user', async () => {
    const cacheDir = join(dir, 'cache');
    const before = hits;
    await fetchUris([{ value: `${base}/run.sh`, cache: true }], sandbox('c'), 'c3', 'nobody', { cacheDir });
    files.set('/run.sh', Buffer.from('changed\n'));
    await fetchUris([{ value: `${base}/run.sh`, cache: true }], sandbox('d'), 'c4', 'nobody', { cacheDir });
    expect(readFileSync(join(dir, 'd/run.sh'), 'utf8')).toBe('#!/bin/sh\necho run\n');
    expect(hits - before).toBe(1);
    await fetchUris([{ value: `${base}/run.sh`, cache: true }], sandbox('e'), 'c5', 'root', { cacheDir });
    expect(readFileSync(join(dir, 'e/run.sh'), 'utf8')).toBe('changed\n');
  });

  it('fails with the container and the URI named: HTTP errors, missing files, relative paths', async () => {
    await expect(fetchUris([{ value: `${base}/nope` }], sandbox('f'), 'c6', undefined)).rejects.toThrow(
      new FetchError(`Failed to fetch all URIs for container 'c6': ${base}/nope: HTTP 404 Not Found`),
    );
    await expect(fetchUris([{ value: 'file:///no/such/file' }], sandbox('g'), 'c7', undefined)).rejects.toThrow(/^Failed to fetch all URIs for container 'c7': file:\/\/\/no\/such\/file: ENOENT/);
    await expect(fetchUris([{ value: 'relative/x' }], sandbox('h'), 'c8', undefined)).rejects.toThrow(/unsupported URI/);
  });
});
