/**
 * No silent rollback. When the followed ref moves to a commit that is not a descendant of
 * the applied one (a force-push back, a branch recreated elsewhere), applying it would
 * revert and prune jobs without anyone asking for it. The pass fails instead (E_REWIND,
 * recorded in `meta/sync` like any failed sync) until the ref moves forward again or the
 * operator starts the controller with `--allow-rewind` (Flux and Argo CD apply whatever
 * the ref points at; Kairos asks for the rollback to be explicit).
 */
import { KairosError } from '../core/errors.js';
import type { ManifestSource, Snapshot } from '../ports/source.js';

/** Throws E_REWIND when `snapshot` would move the applied commit to a non-descendant. */
export async function refuseRewind(source: ManifestSource, snapshot: Snapshot, appliedRevision: string | undefined, allowRewind: boolean): Promise<void> {
  const commit = snapshot.commit;
  if (allowRewind || !commit || !appliedRevision || commit === appliedRevision || !source.descendsFrom) return;
  if (!/^[0-9a-f]{40,64}$/.test(appliedRevision)) return; // applied from a directory source before
  if (await source.descendsFrom(commit, appliedRevision)) return;
  throw new KairosError(
    'E_REWIND',
    `the source moved back: ${commit} does not descend from the applied commit ${appliedRevision} (a force-push, or a branch deleted and recreated?); nothing applied. Push a descendant of ${appliedRevision.slice(0, 12)}, or restart with --allow-rewind to apply the rewind`,
  );
}
