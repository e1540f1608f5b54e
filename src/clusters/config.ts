/**
 * `kairos serve --cluster NAME=embedded|http://host:5050[,host:5050]|zk://host:2181/mesos`
 * (repeatable): the Mesos clusters one controller places runs on, parsed once. The single
 * `--mesos` stays what it was: one cluster named `default`, whose FrameworkID keeps the
 * store key it always had, so an existing store fails over to the same framework.
 */
import { KairosError } from '../core/errors.js';
import { parseMesosAddress, type MesosAddress } from '../mesos/leader.js';

/** One cluster's master: the embedded one (with its local agents), or masters by URL / ZooKeeper. */
export type ClusterMesos = { kind: 'embedded'; agents: number; agentResources?: string } | { kind: 'remote'; address: MesosAddress };

/** A named Mesos cluster, in the order given on the command line (the default preference). */
export interface ClusterConfig {
  name: string;
  mesos: ClusterMesos;
}

/** The name `--mesos` (or no flag at all) gives its one cluster. */
export const DEFAULT_CLUSTER = 'default';

/** A cluster name: what a job's `spec.clusters` may list (the manifest name rule). */
export const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * Parses the repeated `--cluster` values; `agents` and `agentResources` (`--agents`,
 * `--agent-resources`) size each embedded cluster's local agents. Throws E_INVALID naming the flag and the value on a malformed entry
 * or a repeated name.
 */
export function parseClusters(specs: readonly string[], agents: number, agentResources?: string): ClusterConfig[] {
  const out: ClusterConfig[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = eq > 0 ? spec.slice(0, eq).trim() : '';
    const target = eq > 0 ? spec.slice(eq + 1).trim() : '';
    if (!CLUSTER_NAME.test(name) || target === '') throw invalid(spec, 'NAME=embedded, NAME=http://host:port[,host:port] or NAME=zk://host:port/path (NAME: letters, digits, . _ -)');
    if (out.some((c) => c.name === name)) throw invalid(spec, `a cluster name used once (${name} is repeated)`);
    out.push({ name, mesos: target === 'embedded' ? { kind: 'embedded', agents, ...(agentResources !== undefined && { agentResources }) } : { kind: 'remote', address: remoteAddress(spec, target) } });
  }
  return out;
}

function remoteAddress(spec: string, target: string): MesosAddress {
  try {
    return parseMesosAddress(target);
  } catch (err) {
    throw invalid(spec, `NAME=http://host:port[,host:port] or NAME=zk://host:port/path (${(err as Error).message.replace(/^--mesos: /, '')})`);
  }
}

function invalid(got: string, expected: string): KairosError {
  return new KairosError('E_INVALID', `--cluster: expected ${expected}, got ${JSON.stringify(got)}`);
}
