/**
 * `kairos import chronos|metronome (--from-file FILE | --from-url URL) --out DIR
 * [--single-file]`: turns a Chronos (`GET /v1/scheduler/jobs`) or Metronome
 * (`GET /v1/jobs?embed=schedules`) job list into Kairos manifests (src/import), written
 * all-or-nothing and validated by the same loader as `kairos validate`. Exit 0 when
 * written, 1 on any error (nothing written then).
 */
import { readFile } from 'node:fs/promises';
import { Argument, type Command } from 'commander';
import { KairosError, messageOf } from '../core/errors.js';
import { IMPORT_SYSTEMS, importJobs, type ImportSystem, layout, renderSummary, writeAtomically } from '../import/index.js';

/** Flags of `kairos import`. */
export interface ImportFlags {
  fromFile?: string;
  fromUrl?: string;
  out: string;
  singleFile?: boolean;
}

/** Reads the job list from a file or an HTTP(S) URL; returns its text and a label for errors. */
export async function readInput(flags: ImportFlags): Promise<{ text: string; from: string }> {
  if ((flags.fromFile === undefined) === (flags.fromUrl === undefined)) throw new KairosError('E_INVALID', 'give exactly one of --from-file FILE or --from-url URL');
  if (flags.fromFile !== undefined) {
    try {
      return { text: await readFile(flags.fromFile, 'utf8'), from: flags.fromFile };
    } catch (err) {
      throw new KairosError('E_INVALID', `--from-file ${flags.fromFile}: ${messageOf(err)}`);
    }
  }
  const { url, shown, headers } = httpTarget(flags.fromUrl!);
  let res: Response;
  try {
    res = await fetch(url, { headers });
  } catch (err) {
    throw new KairosError('E_UNAVAILABLE', `--from-url ${shown}: ${messageOf((err as Error).cause ?? err)}`);
  }
  const text = await res.text();
  if (!res.ok) throw new KairosError('E_UNAVAILABLE', `--from-url ${shown}: HTTP ${res.status}`);
  return { text, from: shown };
}

/**
 * Chronos and Metronome are often behind HTTP basic auth: `http://user:pass@host/...`
 * becomes an Authorization header (fetch refuses credentials in a URL), and messages show
 * the URL without them.
 */
export function httpTarget(text: string): { url: string; shown: string; headers: Record<string, string> } {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new KairosError('E_INVALID', `--from-url: not a URL: ${JSON.stringify(text)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new KairosError('E_INVALID', `--from-url: expected an http(s) URL, got ${u.protocol}`);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (u.username || u.password) {
    const user = decodeURIComponent(u.username);
    const pass = decodeURIComponent(u.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    u.username = '';
    u.password = '';
  }
  return { url: u.toString(), shown: u.toString(), headers };
}

/** Runs one import; returns the summary to print. */
export async function runImport(system: ImportSystem, flags: ImportFlags): Promise<string> {
  const { text, from } = await readInput(flags);
  const drafts = importJobs(system, text, from);
  await writeAtomically(flags.out, layout(system, drafts, flags.singleFile === true));
  return renderSummary(drafts, flags.out);
}

/** Registers `kairos import`. */
export function register(program: Command): void {
  program
    .command('import')
    .description('turn a Chronos or Metronome job list into Kairos manifests')
    .addArgument(new Argument('<system>', 'where the jobs come from').choices([...IMPORT_SYSTEMS]))
    .option('--from-file <file>', 'job list JSON (Chronos: GET /v1/scheduler/jobs; Metronome: GET /v1/jobs?embed=schedules)')
    .option('--from-url <url>', 'fetch the job list from this URL, e.g. http://chronos:4400/v1/scheduler/jobs')
    .requiredOption('--out <dir>', 'new (or empty) directory for the manifests')
    .option('--single-file', 'write all jobs into one file, <system>-jobs.yaml')
    .action(async (system: ImportSystem, flags: ImportFlags) => {
      process.stdout.write(await runImport(system, flags));
    });
}
