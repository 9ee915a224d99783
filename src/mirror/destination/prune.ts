/**
 * `prune: true`: destination tags whose name the source no longer has are deleted, after the copies and
 * only for repositories that copied without failure. On Quay with a token a tag is ended through the API
 * (the manifest stays while other tags use it). A plain registry deletes manifests, not tags (every tag of
 * the digest goes, local-infra.md §1d), so a tag sharing its manifest with a tag that stays is left alone.
 */

import type { HostLimiter } from '../../concurrency/host-limiter.js';
import { errorMessage } from '../../report/item-failure.js';
import { splitQuayPath } from '../plan/inventory.js';
import type { DestinationPlan, PruneRef, RepositoryPlan } from '../plan/plan.js';
import { destinationRef } from '../plan/plan.js';
import type { Endpoint } from '../sides/endpoint.js';

/** `error`: the delete failed; `kept`: not deleted, and why (the source has the tag after all). */
export type PruneOutcome = PruneRef & { error?: string; kept?: string };

/** What prune reports into (the run's ledger). */
export interface PruneLedger {
  failures(destination: DestinationPlan): number;
  deletedRef(destination: DestinationPlan, ref: PruneRef): void;
  keptRef(destination: DestinationPlan, ref: PruneRef, why: string): void;
  fail(ref: string, error: unknown, destination?: DestinationPlan): void;
}

/**
 * After the copies: each destination of each repository that copied without failure loses the tags the source
 * no longer has. One loop for both engines.
 */
export async function pruneRepositories(
  source: Endpoint,
  repositories: readonly RepositoryPlan[],
  endpointOf: (target: string) => Endpoint | undefined,
  limiter: HostLimiter,
  ledger: PruneLedger,
): Promise<void> {
  for (const repository of repositories) {
    for (const destination of repository.destinations) {
      const endpoint = endpointOf(destination.target);
      if (!endpoint || destination.prune.length === 0 || ledger.failures(destination) > 0) continue;
      const stillThere = await stillAtSource(source, repository.sourcePath, destination.prune, limiter);
      for (const outcome of await pruneDestination(endpoint, destination, limiter, stillThere)) {
        if (outcome.kept !== undefined) ledger.keptRef(destination, outcome, outcome.kept);
        else if (outcome.error === undefined) ledger.deletedRef(destination, outcome);
        else ledger.fail(destinationRef(destination, outcome), outcome.error, destination);
      }
    }
  }
}

/**
 * Of the tags prune would delete, those the source has after all. Only a source read through Quay's tag API
 * needs asking: its pages are offsets, and a tag deleted while they were read hides one that stays
 * (`QuayClient.listActiveTags`); the registry's tag list (CONTRACT.md row 32) pages by name (`last`)
 * and misses nothing that stays.
 */
async function stillAtSource(
  source: Endpoint,
  sourcePath: string,
  refs: readonly PruneRef[],
  limiter: HostLimiter,
): Promise<Set<string>> {
  const api = source.api;
  if (!api) return new Set();
  const { namespace, repository } = splitQuayPath(sourcePath);
  const found = await Promise.all(
    refs.map((ref) => limiter.run([source.host], () => api.findActiveTag(namespace, repository, ref.tag))),
  );
  return new Set(found.flatMap((tag) => (tag ? [tag.name] : [])));
}

async function pruneDestination(
  endpoint: Endpoint,
  destination: DestinationPlan,
  limiter: HostLimiter,
  stillAtSource: ReadonlySet<string>,
): Promise<PruneOutcome[]> {
  const api = endpoint.api;
  const gone = new Set(destination.prune.map((p) => p.tag));
  return Promise.all(
    destination.prune.map(async (ref): Promise<PruneOutcome> => {
      if (stillAtSource.has(ref.tag)) {
        return {
          ...ref,
          kept: 'not deleted: the source has this tag (its tag list changed while it was read); the next run copies it',
        };
      }
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
