/**
 * `kairos validate [--source DIR|URL] [--ref REF] [--secrets-dir DIR] [--cluster NAME ...]`: load every manifest
 * and report every problem (file:line:column, field, what was expected) or a one-line
 * summary. Exit 1 on any problem (main.ts prints ManifestError problems, never a stack
 * trace). A secret reference the provider cannot resolve is a warning on stderr. With
 * `--cluster`, a `spec.clusters` name that is not among them is a problem, as in a sync.
 */
import type { Command } from 'commander';
import { parseSource } from '../config.js';
import { unknownClusters } from '../clusters/manifest-check.js';
import { ManifestError } from '../core/errors.js';
import type { DesiredState } from '../core/types.js';
import { loadDesired } from '../manifests/load.js';
import type { ManifestSource } from '../ports/source.js';
import { unresolvableSecrets } from '../secrets/check.js';
import { openSecretProvider } from '../secrets/open.js';
import { addSourceOptions, openSource, withPrintablePaths, type SourceFlags } from '../source/open.js';

/** Loads a source's manifests; throws ManifestError listing every problem (names `clusters` does not hold included). */
export async function validateSource(source: ManifestSource, clusters: readonly string[] = []): Promise<DesiredState> {
  const snapshot = await source.snapshot();
  const desired = loadDesired(snapshot);
  const unknown = clusters.length ? unknownClusters(desired, snapshot.files, clusters) : [];
  if (unknown.length) throw new ManifestError(unknown);
  return desired;
}

/** `ok: 3 Jobs, 1 DAG in dir:examples at sha256:…` */
export function describeDesired(source: ManifestSource, d: DesiredState): string {
  const jobs = d.resources.filter((r) => r.kind === 'Job').length;
  const dags = d.resources.length - jobs;
  return `ok: ${jobs} Job${jobs === 1 ? '' : 's'}, ${dags} DAG${dags === 1 ? '' : 's'} in ${source.description} at ${d.revision}\n`;
}

/** Registers `validate` on the program. */
export function register(program: Command): void {
  addSourceOptions(program.command('validate').description('check manifests: schema, references, cycles, schedules; warn about unresolvable secrets'))
    .option('--secrets-dir <dir>', 'the secrets directory the controller uses (default: KAIROS_SECRET_<NAME> variables)', process.env.KAIROS_SECRETS_DIR)
    .option('--cluster <name>', 'a cluster name kairos serve --cluster gives; repeat for each (spec.clusters may name only these)', (v: string, prev: string[] = []) => [...prev, v])
    .action(async (flags: SourceFlags & { secretsDir?: string; cluster?: string[] }) => {
      const cfg = parseSource(flags.source ?? '.', flags.ref, process.cwd());
      const source = openSource(cfg);
      const desired = await withPrintablePaths(cfg, process.cwd(), () => validateSource(source, flags.cluster));
      // A warning, not an error: the secret may be provisioned before the job first runs.
      for (const w of await unresolvableSecrets(desired, openSecretProvider(flags.secretsDir, process.env))) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(describeDesired(source, desired));
    });
}
