/**
 * The embedded agent's fetcher: downloads CommandInfo.URIs into a task's sandbox before
 * the task (command or container) starts, as the Mesos fetcher does (mesos.apache.org/documentation/latest/fetcher/,
 * apache/mesos src/launcher/fetcher.cpp):
 * - `file://` URIs and absolute paths are copied; `http://` and `https://` are downloaded
 *   (redirects followed, a non-2xx answer fails the fetch);
 * - `output_file` names the file in the sandbox (else the URI's basename);
 * - `executable` sets mode 0755 and skips extraction;
 * - `extract` (the upstream default) unpacks `.tar .tgz .tar.gz .tbz2 .tar.bz2 .txz
 *   .tar.xz .zip` into the sandbox and gunzips a plain `.gz`, keeping the archive;
 * - `cache` keeps the download in the agent's cache directory, keyed by user and URI, and
 *   copies from there next time (one cache, no size limit: see README).
 * Any failure rejects with a FetchError whose message follows upstream's "Failed to fetch
 * all URIs for container"; the agent turns it into TASK_FAILED with
 * REASON_CONTAINER_LAUNCH_FAILED, as Mesos does.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, rename, stat } from 'node:fs/promises';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { URI } from '../types.js';

/** A fetch that failed; the message says which URI and why. */
export class FetchError extends Error {}

/** Where the fetcher keeps cached downloads (`cache: true`); none disables caching. */
export interface FetcherOptions {
  cacheDir?: string;
}

const ARCHIVES = ['.tar', '.tgz', '.tar.gz', '.tbz2', '.tar.bz2', '.txz', '.tar.xz', '.zip'];
const MAX_REDIRECTS = 5;

/** Fetches every URI into `sandbox`, in order; rejects with a FetchError on the first failure. */
export async function fetchUris(uris: readonly URI[], sandbox: string, containerId: string, user: string | undefined, opts: FetcherOptions = {}): Promise<void> {
  for (const uri of uris) {
    try {
      await fetchOne(uri, sandbox, user, opts);
    } catch (err) {
      throw new FetchError(`Failed to fetch all URIs for container '${containerId}': ${uri.value}: ${(err as Error).message}`);
    }
  }
}

async function fetchOne(uri: URI, sandbox: string, user: string | undefined, opts: FetcherOptions): Promise<void> {
  const name = uri.output_file ?? basename(new URL(uri.value, 'file:///').pathname);
  if (!name || name.includes('/') || name === '..') throw new Error(`cannot name a sandbox file after '${uri.output_file ?? uri.value}'`);
  const dest = join(sandbox, name);
  if (uri.cache && opts.cacheDir) {
    const cached = join(opts.cacheDir, createHash('sha256').update(`${user ?? ''}\n${uri.value}`).digest('hex'));
    if (!(await exists(cached))) {
      await mkdir(opts.cacheDir, { recursive: true });
      await download(uri.value, `${cached}.part`);
      await rename(`${cached}.part`, cached);
    }
    await copyFile(cached, dest);
  } else {
    await download(uri.value, dest);
  }
  if (uri.executable) return chmod(dest, 0o755);
  if (uri.extract !== false) await extract(dest, sandbox);
}

/** Copies a local file or downloads an http(s) URL to `dest`. */
async function download(value: string, dest: string): Promise<void> {
  if (value.startsWith('http://') || value.startsWith('https://')) return pipeline(await open(value, 0), createWriteStream(dest));
  const path = value.startsWith('file://') ? decodeURIComponent(new URL(value).pathname) : value;
  if (!path.startsWith('/')) throw new Error('unsupported URI: use file://, an absolute path, http:// or https://');
  await copyFile(path, dest);
}

function open(url: string, redirects: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? httpsGet : httpGet)(url, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && redirects < MAX_REDIRECTS) {
        res.resume();
        return resolve(open(new URL(res.headers.location, url).toString(), redirects + 1));
      }
      if (status < 200 || status >= 300) {
        res.resume();
        return reject(new Error(`HTTP ${status} ${res.statusMessage ?? ''}`.trim()));
      }
      resolve(res);
    });
    req.on('error', reject);
  });
}

/** Unpacks a recognised archive into `dir`; other files stay as they are. */
async function extract(file: string, dir: string): Promise<void> {
  const lower = file.toLowerCase();
  if (lower.endsWith('.zip')) return run('unzip', ['-o', '-q', file, '-d', dir]);
  if (ARCHIVES.some((ext) => lower.endsWith(ext))) return run('tar', ['-C', dir, '-xf', file]);
  if (lower.endsWith('.gz')) return run('sh', ['-c', 'gzip -dc "$1" > "$2"', 'gunzip', file, file.slice(0, -3)]);
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, (err, _out, stderr) => (err ? reject(new Error(`extracting failed: ${stderr.trim() || err.message}`)) : resolve())),
  );
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
