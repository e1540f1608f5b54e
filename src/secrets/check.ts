/**
 * `kairos validate`'s secret check: every `secrets:` reference of every Job and inline DAG
 * task template is resolved through the configured provider, and each one that cannot be
 * is reported as `file:line: <kind> <name>: <why>` (the values themselves are dropped).
 */
import type { DesiredState, TaskTemplate } from '../core/types.js';
import type { SecretProvider } from '../ports/secrets.js';

/** One warning line per reference `provider` cannot resolve (none when all resolve). */
export async function unresolvableSecrets(desired: DesiredState, provider: SecretProvider): Promise<string[]> {
  const warnings: string[] = [];
  for (const r of desired.resources) {
    const templates: [string, TaskTemplate][] =
      r.kind === 'Job' ? [[`Job ${r.metadata.name}`, r.spec]] : r.spec.tasks.flatMap((t) => (t.template ? [[`DAG ${r.metadata.name} task ${t.name}`, t.template] as [string, TaskTemplate]] : []));
    for (const [what, t] of templates)
      for (const ref of t.secrets) {
        const why = await provider.resolve(ref.secret).then(() => undefined, (err: Error) => err.message);
        if (why) warnings.push(`${r.source.file}:${r.source.line}: ${what}: ${why}`);
      }
  }
  return warnings;
}
