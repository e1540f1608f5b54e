/**
 * Composition root and CLI entry. Each command lives in src/cli/<name>.ts and exports
 * `register(program)`; this file only wires them and turns errors into exit codes.
 * Real adapters (system clock, file/ZooKeeper store, git, HTTP, processes) are built by
 * the commands through src/wiring.ts, never deeper in the tree.
 */
import { Command, CommanderError } from 'commander';
import { KairosError, ManifestError, messageOf } from './core/errors.js';

/**
 * The commands by name, loaded on demand: a CLI call imports only its own command's module
 * (`kairos run` need not load fastify, ZooKeeper and protobufjs, which `serve` pulls in),
 * so short commands start fast. Help, `completion` (it reads every command's options) or an
 * unknown name load them all, in this order (`completion` last).
 */
const COMMANDS: Record<string, () => Promise<{ register(p: Command): void }>> = {
  serve: () => import('./cli/serve.js'),
  status: () => import('./cli/status.js'),
  explain: () => import('./cli/explain.js'),
  run: () => import('./cli/run.js'),
  validate: () => import('./cli/validate.js'),
  reconcile: () => import('./cli/reconcile.js'),
  next: () => import('./cli/next.js'),
  'embedded-master': () => import('./cli/embedded-master.js'),
  import: () => import('./cli/import.js'),
  jobs: () => import('./cli/jobs.js'),
  logs: () => import('./cli/logs.js'),
  kill: () => import('./cli/kill.js'),
  pause: () => import('./cli/pause.js'),
  backfill: () => import('./cli/backfill.js'),
  completion: () => import('./cli/completion.js'),
};
/** Commands registered by another command's module. */
const ALIASES: Record<string, string> = { resume: 'pause' };

const program = new Command('kairos')
  .description('Declarative, GitOps-style job controller for Apache Mesos')
  .showHelpAfterError()
  .exitOverride();

const name = process.argv[2] ?? '';
const named = name === 'completion' ? undefined : COMMANDS[ALIASES[name] ?? name];
for (const load of named ? [named] : Object.values(COMMANDS)) (await load()).register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof ManifestError) {
    for (const p of err.problems) process.stderr.write(`${p.file}:${p.line}:${p.column}: ${p.path ? p.path + ': ' : ''}${p.message}\n`);
  } else if (err instanceof KairosError) {
    process.stderr.write(`kairos: ${err.message}\n`);
  } else {
    process.stderr.write(`kairos: internal error: ${messageOf(err)}\n`);
  }
  process.exit(1);
}
