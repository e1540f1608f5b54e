/**
 * Composition root and CLI entry. Each command lives in src/cli/<name>.ts and exports
 * `register(program)`; this file only wires them and turns errors into exit codes.
 * Real adapters (system clock, file/ZooKeeper store, git, HTTP, processes) are built by
 * the commands through src/wiring.ts, never deeper in the tree.
 */
import { Command, CommanderError } from 'commander';
import { KairosError, ManifestError, messageOf } from './core/errors.js';
import * as runCommand from './cli/run.js';
import * as serveCommand from './cli/serve.js';
import * as statusCommand from './cli/status.js';
import * as explainCommand from './cli/explain.js';
import * as validateCommand from './cli/validate.js';
import * as reconcileCommand from './cli/reconcile.js';
import * as nextCommand from './cli/next.js';
import * as embeddedMasterCommand from './cli/embedded-master.js';
import * as importCommand from './cli/import.js';
import * as operateCommands from './cli/operate.js';
import * as backfillCommand from './cli/backfill.js';

const program = new Command('kairos')
  .description('Declarative, GitOps-style job controller for Apache Mesos')
  .showHelpAfterError()
  .exitOverride();

const commands: { register(p: Command): void }[] = [serveCommand, statusCommand, explainCommand, runCommand, validateCommand, reconcileCommand, nextCommand, embeddedMasterCommand, importCommand, ...operateCommands.all];
commands.push(backfillCommand);
for (const c of commands) c.register(program);

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
