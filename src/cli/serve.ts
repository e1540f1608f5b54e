/**
 * `kairos serve`: runs the controller until SIGINT/SIGTERM, then stops taking work,
 * persists, stops the embedded master (killing its child processes) and exits 0.
 * Options are compiled once by src/config.ts; adapters are built by src/wiring.ts.
 */
import type { Command } from 'commander';
import { compileServeConfig, SERVE_DEFAULTS, type ServeFlags } from '../config.js';
import { systemClock } from '../ports/clock.js';
import type { RunningController } from '../wiring.js';
import { armStopDeadline, STOP_DEADLINE_MS } from './stop-deadline.js';

/** Registers `kairos serve`. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('run the controller: apply the repository to Mesos and run every job on time')
    .option('--source <dir|url>', `manifest directory, or git repository URL (or path with --ref) (default "${SERVE_DEFAULTS.source}")`)
    .option('--ref <ref>', 'git branch, tag or commit to follow')
    .option('--store <store>', `file:PATH, zk://host:port[,host:port]/path or memory (default "${SERVE_DEFAULTS.store}")`)
    .option('--mesos <master>', `embedded, http://host:port[,host:port] or zk://host:port/path (default "${SERVE_DEFAULTS.mesos}")`)
    .option('--cluster <name=master>', 'a named Mesos cluster: NAME=embedded, NAME=http://host:port[,host:port] or NAME=zk://host:port/path; repeat for several (jobs pick them with spec.clusters; instead of --mesos)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--cluster-move-after <duration>', 'with --cluster: how long a cluster may be down or starving before runs waiting on it move to the next (default 30s)')
    .option('--listen <host:port>', `API and UI address (default "${SERVE_DEFAULTS.listen}")`)
    .option('--zk-session-timeout <duration>', 'ZooKeeper session timeout with --store zk://: how soon a dead leader is replaced (default 10s)')
    .option('--allowed-hosts <names>', 'comma-separated Host names the API answers to besides the listen address (a proxy\'s name; * for any)')
    .option('--poll <duration>', `source poll interval, e.g. 30s, 5m (default "${SERVE_DEFAULTS.poll}")`)
    .option('--prune', 'delete jobs whose manifests were removed')
    .option('--allow-mass-prune', 'allow a sync to prune more than half of the jobs')
    .option('--allow-rewind', 'apply a git head that does not descend from the applied commit (default: refuse, the sync fails)')
    .option('--agents <n>', `local agents of the embedded master (default ${SERVE_DEFAULTS.agents})`)
    .option('--agent-resources <spec>', 'resources of each embedded local agent, e.g. "cpus:2;mem:2048" (default: this machine\'s)')
    .option('--preemption-after <duration>', `how long a run waits for resources before it may preempt lower-priority preemptible tasks, or off (default "${SERVE_DEFAULTS.preemptionAfter}"; a job's spec.preemption.afterSeconds wins)`)
    .option('--tokens <file>', 'API access tokens (README "API, UI and access control")')
    .option('--history-cap <n>', `finished runs kept across all jobs (default ${SERVE_DEFAULTS.historyCap})`)
    .option('--notify-config <file>', 'notification defaults, SMTP server and outbox limits (README "Notifications")')
    .option('--metrics-public', 'serve /metrics without a token (for Prometheus)')
    .option('--write-rate <perMinute[:burst]>', `API write requests per token (or client address) and minute, with a burst; 429 beyond (default "${SERVE_DEFAULTS.writeRate}")`)
    .option('--unschedulable-after <duration>', `a run no agent could ever hold becomes unschedulable after waiting this long (default "${SERVE_DEFAULTS.unschedulableAfter}")`)
    .option('--secrets-dir <dir>', 'resolve job secrets from files under DIR (default: KAIROS_SECRET_<NAME> variables)')
    .option('--log-level <level>', `debug, info, warn or error (default "${SERVE_DEFAULTS.logLevel}")`)
    .action(async (flags: ServeFlags) => {
      const config = compileServeConfig(flags, process.env);
      // Signal handlers come first: a SIGTERM while the store, master or API are still
      // starting must also end in a clean stop (exit 0, no orphaned agent processes).
      let stopping = false;
      let running: RunningController | undefined;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stdout.write(`kairos: ${signal}: stopping\n`);
        armStopDeadline(systemClock, STOP_DEADLINE_MS, (line) => process.stderr.write(`${line}\n`), (code) => process.exit(code));
        void running?.stop();
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      // Loaded here, not at the top: every other command (and --help) starts without
      // fastify, protobufjs, ZooKeeper and the controller.
      const { startController } = await import('../wiring.js');
      running = await startController(config);
      if (stopping) void running.stop();
      else process.stdout.write(`kairos: serving ${running.url} (UI and API); Mesos ${running.mesosUrl ?? 'remote'}\n`);
      await running.done;
      process.exit(0);
    });
}
