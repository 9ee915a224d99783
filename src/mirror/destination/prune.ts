/**
 * `prune: true`: destination tags whose name the source no longer has are deleted, after the copies and
 * only for repositories that copied without failure. On Quay with a token a tag is ended through the API
 * (the manifest stays while other tags use it). A plain registry deletes manifests, not tags (every tag of
 * the digest goes, local-infra.md §1d), so a tag sharing its manifest with a tag that stays is left alone.
 */

import type { HostLimiter } from '../../concurrency/host-limiter.js';
import { errorMessage } from '../../report/item-failure.js';
import { splitQuayPath } from '../plan/inventory.js';
import type { DestinationPlan, PruneRef } from '../plan/plan.js';
import type { Endpoint } from '../sides/endpoint.js';

export type PruneOutcome = PruneRef & { error?: string };

export async function pruneDestination(
  endpoint: Endpoint,
  destination: DestinationPlan,
  limiter: HostLimiter,
): Promise<PruneOutcome[]> {
  const api = endpoint.api;
  const gone = new Set(destination.prune.map((p) => p.tag));
  return Promise.all(
    destination.prune.map(async (ref): Promise<PruneOutcome> => {
      try {
        if (api) {
          const { namespace, repository } = splitQuayPath(destination.path);
          await limiter.run([endpoint.host], () => api.deleteTag(namespace, repository, ref.tag));
          return ref;
        }
        const sharedWith = [...destination.present]
          .filter(([name, digest]) => digest === ref.digest && !gone.has(name))
          .map(([name]) => name)
          .concat(destination.copy.filter((c) => c.digest === ref.digest).map((c) => c.tag ?? c.digest));
        if (sharedWith.length > 0) {
          return {
            ...ref,
            error:
              `not deleted: its manifest is also ${sharedWith.join(', ')}, and ${endpoint.name} can only ` +
              'delete a manifest with all its tags (give it a Quay API token to delete single tags)',
          };
        }
        await limiter.run([endpoint.host], () =>
          endpoint.registry.manifests.delete(destination.path, ref.digest),
        );
        return ref;
      } catch (error) {
        return { ...ref, error: errorMessage(error) };
      }
    }),
  );
}
