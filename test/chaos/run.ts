/**
 * `npm run chaos -- --minutes 30 [--seed n] [--setup file|zk|both]`: the long chaos run.
 * With both setups the minutes are split between them. Prints each report; exits 1 if
 * any instant did not have exactly one successful side effect.
 */
import { formatReport, runChaos } from './chaos.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const minutes = Number(arg('minutes') ?? '30');
const seed = Number(arg('seed') ?? Math.floor(Math.random() * 2 ** 31));
const setup = arg('setup') ?? 'both';
const setups = setup === 'both' ? (['file', 'zk'] as const) : ([setup as 'file' | 'zk'] as const);
let failed = false;
for (const [i, s] of setups.entries()) {
  const seconds = Math.round((minutes * 60) / setups.length);
  const report = await runChaos({ setup: s, seconds, seed: seed + i, log: (l) => process.stderr.write(`[${s}] ${l}\n`) });
  process.stdout.write(formatReport(report) + '\n');
  failed ||= !report.ok;
}
process.exit(failed ? 1 : 0);
