/**
 * `kairos reconcile`: plan the manifests (at a commit) against the applied state in the
 * store and apply the plan, or with `--dry-run` only show it. Exit codes follow terraform's
 * `-detailed-exitcode`: 0 in sync (or applied), 2 changes pending (dry-run), 1 error.
 * `--against REF` plans against the manifests at the merge base of REF and the source (what
 * a pull request's diff compares), or with `--against-tip` at REF's tip, instead of a
 * store: pull-request review without cluster access (implies --dry-run).
 */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { parseSource, parseStore, type StoreConfig } from '../config.js';
import { KairosError } from '../core/errors.js';
import { systemClock } from '../ports/clock.js';
import type { ManifestSource } from '../ports/source.js';
import type { Store } from '../ports/store.js';
import { loadChecked, loadDesired } from '../manifests/load.js';
import { appliedFromDesired, applyPlan, loadApplied } from '../plan/apply.js';
import { plan } from '../plan/plan.js';
import { OUTPUT_FORMATS, renderPlan, type OutputFormat } from '../plan/render.js';
import { hasChanges, type Plan } from '../plan/types.js';
import type { CapacityInput } from '../plan/capacity.js';
import { FileStore } from '../store/file-store.js';
import { StoreOwnedError } from '../store/file-owner.js';
import { MemoryStore } from '../store/memory-store.js';
import { addSourceOptions, openAgainst, openSource, withPrintablePaths, type AgainstSource, type SourceFlags } from '../source/open.js';

/** Everything one reconcile needs, already built. */
export interface ReconcileInput {
  source: ManifestSource;
  /** Applied state lives here (absent with `against`). */
  store?: Store;
  /** Plan against the manifests at another git ref (or its merge base) instead of the store (dry-run only). */
  against?: AgainstSource;
  dryRun: boolean;
  prune: boolean;
  allowMassPrune: boolean;
  output: OutputFormat;
  color: boolean;
  now: number;
  /** Cluster facts (`--server`, `--cluster-facts`): the plan then says whether each change fits and what it demands. */
  capacity?: CapacityInput;
}

/** What a reconcile printed and how the process should exit. */
export interface ReconcileResult {
  plan: Plan;
  output: string;
  exitCode: 0 | 2;
  applied: boolean;
}

/** Plans, and unless dry-run, applies. Throws ManifestError / KairosError on errors (exit 1). */
export async function reconcile(input: ReconcileInput): Promise<ReconcileResult> {
  const snapshot = await input.source.snapshot();
  const { desired, documents } = loadChecked(snapshot);
  const applied = input.against
    ? appliedFromDesired(loadDesired(await input.against.source.snapshot()))
    : await loadApplied(requireStore(input.store));
  const p: Plan = plan(desired, applied, { now: input.now, prune: input.prune, allowMassPrune: input.allowMassPrune, againstRef: input.against?.ref, mergeBaseOf: input.against?.mergeBaseOf });
  if (input.capacity) {
    const { planCapacity } = await import('../plan/capacity.js'); // loaded only when facts were given
    p.capacity = planCapacity(p, input.capacity);
  }
  let output = renderPlan(p, input.output, { color: input.color });
  const dryRun = input.dryRun || input.against !== undefined;
  if (dryRun) return { plan: p, output, exitCode: hasChanges(p) ? 2 : 0, applied: false };
  await applyPlan(requireStore(input.store), p, input.now, documents());
  if (input.output === 'text') output += `Applied revision ${p.revision}.\n`;
  return { plan: p, output, exitCode: 0, applied: true };
}

function requireStore(store: Store | undefined): Store {
  if (!store) throw new KairosError('E_INVALID', 'no store to read applied state from');
  return store;
}

/**
 * Opens the applied state `--store` names. ZooKeeper (the HA controllers' store) is for
 * plans only: the leader owns those writes (fenced by its leadership epoch), so applying
 * there from outside could race it; the leader applies git itself.
 */
export async function openCliStore(cfg: StoreConfig, dryRun: boolean): Promise<Store> {
  if (cfg.kind === 'file') return dryRun ? new FileStore(cfg.path) : openFileForApply(cfg.path);
  if (cfg.kind === 'memory') return new MemoryStore();
  if (!dryRun) {
    throw new KairosError('E_INVALID', `--store ${cfg.url}: ZooKeeper state is applied by the leading \`kairos serve\`; add --dry-run to plan against it`);
  }
  const { ZookeeperStore } = await import('../store/zookeeper-store.js'); // the ZooKeeper client loads only when used
  return ZookeeperStore.open(cfg.url);
}

/**
 * A file store for applying: as its one writer. A store a running controller owns is
 * refused (its next write would erase this apply), with the ways to do it instead.
 */
async function openFileForApply(path: string): Promise<Store> {
  try {
    return await FileStore.openExclusive(path);
  } catch (err) {
    if (!(err instanceof StoreOwnedError)) throw err;
    throw new KairosError(
      'E_INVALID',
      `${err.message}.\nA running controller applies its source itself: commit the change (or, for a directory source, save it) and trigger a sync with \`curl -X POST -H 'content-type: application/json' -d '{}' <api>/v1/sync\`; use --dry-run to only plan, or stop the controller first.`,
    );
  }
}

interface ReconcileFlags extends SourceFlags {
  dryRun?: boolean;
  store: string;
  output: OutputFormat;
  prune?: boolean;
  allowMassPrune?: boolean;
  against?: string;
  againstTip?: boolean;
  server?: string;
  token?: string;
  clusterFacts?: string;
}

/** Registers `reconcile` on the program. */
export function register(program: Command): void {
  const cmd = program
    .command('reconcile')
    .description('plan manifests against the applied state and apply (or only show, with --dry-run)')
    .option('--dry-run', 'show the plan; exit 0 in sync, 2 changes pending, 1 error')
    .option('--store <spec>', 'applied state: file:PATH, memory, or zk://host:port[,host:port]/path (with --dry-run)', 'file:.kairos/state.json')
    .addOption(new Option('--output <format>', 'plan format').choices([...OUTPUT_FORMATS]).default('text'))
    .option('--prune', 'delete applied jobs that are no longer in the manifests')
    .option('--allow-mass-prune', 'allow pruning more than half of the applied jobs')
    .option('--against <ref>', 'plan against the manifests at the merge base of this git ref and the source, as a pull request diff does (implies --dry-run)')
    .option('--against-tip', 'with --against: compare with the tip of the ref instead of the merge base')
    .option('--server <url>', 'a running controller: the plan says whether each change fits its cluster (GET /v1/cluster) and what it demands per hour, with durations from run history')
    .option('--token <token>', 'bearer token for --server (env KAIROS_TOKEN)')
    .option('--cluster-facts <file>', 'a saved GET /v1/cluster answer: the plan says whether each change fits that cluster and what it demands per hour');
  addSourceOptions(cmd).action(async (flags: ReconcileFlags) => {
    const cwd = process.cwd();
    const sourceText = flags.source ?? '.';
    if (flags.againstTip && flags.against === undefined) throw new KairosError('E_INVALID', '--against-tip needs --against REF');
    const against = flags.against === undefined ? undefined : await openAgainst(sourceText, flags.ref, flags.against, flags.againstTip === true, cwd);
    const cfg = parseSource(sourceText, flags.ref, cwd);
    if (flags.server !== undefined && flags.clusterFacts !== undefined) throw new KairosError('E_INVALID', '--server and --cluster-facts both give cluster facts: use one');
    const capacity = await capacityInput(flags, cwd);
    const store = against ? undefined : await openCliStore(parseStore(flags.store, cwd), flags.dryRun === true);
    try {
      const result = await withPrintablePaths(cfg, cwd, () => reconcile({
        source: openSource(cfg),
        store,
        against,
        dryRun: flags.dryRun === true,
        prune: flags.prune === true,
        allowMassPrune: flags.allowMassPrune === true,
        output: flags.output,
        color: process.stdout.isTTY === true,
        now: systemClock.now(),
        capacity,
      }));
      process.stdout.write(result.output);
      process.exitCode = result.exitCode;
    } finally {
      await store?.close();
    }
  });
}

/** The cluster facts the flags name, read at this edge (none: the plan skips capacity). */
async function capacityInput(flags: ReconcileFlags, cwd: string): Promise<CapacityInput | undefined> {
  if (flags.server === undefined && flags.clusterFacts === undefined) return undefined;
  const facts = await import('./cluster-facts.js');
  if (flags.clusterFacts !== undefined) return facts.readClusterFactsFile(resolve(cwd, flags.clusterFacts), flags.clusterFacts);
  return facts.fetchClusterFacts({ server: flags.server, token: flags.token });
}
