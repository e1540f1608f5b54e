/**
 * `--agent-resources "cpus:2;mem:2048"`: the resources of each local agent of the embedded
 * master, in the Mesos agent's `--resources` syntax (mesos.apache.org/documentation/latest/attributes-resources/:
 * `name:scalar`, `name:[begin-end,...]`, `name:{a,b}`, separated by `;`). Checked once
 * here, so a typo stops `kairos serve` / `kairos embedded-master` naming the flag and the
 * part, instead of an agent with NaN cpus. Resources the text leaves out keep the local
 * default for `disk` and `ports` (a small agent still has ports and disk for its tasks).
 */
import { KairosError } from '../../core/errors.js';

/** What an agent gets for `disk` and `ports` when `--agent-resources` does not say. */
export const DEFAULT_AGENT_EXTRAS = { disk: 'disk:10240', ports: 'ports:[31000-32000]' } as const;

const PART = /^([A-Za-z][A-Za-z0-9_.-]*):(\d+(?:\.\d+)?|\[\d+-\d+(?:,\d+-\d+)*\]|\{[^{}]+\})$/;

/**
 * Validates `text` and returns it normalised (parts trimmed, `disk`/`ports` defaults
 * appended when absent); throws KairosError E_INVALID naming `flag` and the bad part.
 */
export function parseAgentResources(flag: string, text: string): string {
  const parts = text.split(';').map((s) => s.replace(/\s+/g, '')).filter(Boolean);
  if (parts.length === 0) throw invalid(flag, text, 'at least one resource');
  const names = new Set<string>();
  for (const p of parts) {
    const m = PART.exec(p);
    if (!m) throw invalid(flag, text, `name:number, name:[begin-end] or name:{a,b} in each part (bad part ${JSON.stringify(p)})`);
    if (names.has(m[1])) throw invalid(flag, text, `each resource once (${m[1]} repeats)`);
    names.add(m[1]);
    if (m[2].startsWith('[')) {
      for (const r of m[2].slice(1, -1).split(',')) {
        const [b, e] = r.split('-').map(Number);
        if (b > e || e > 65535) throw invalid(flag, text, `ranges with begin ≤ end ≤ 65535 (bad ${r})`);
      }
    }
  }
  for (const [name, dflt] of Object.entries(DEFAULT_AGENT_EXTRAS)) if (!names.has(name)) parts.push(dflt);
  return parts.join(';');
}

function invalid(flag: string, got: string, expected: string): KairosError {
  return new KairosError('E_INVALID', `${flag}: expected ${expected}, got ${JSON.stringify(got)}`);
}
