/**
 * Which repository this run mirrored where, from its plan: one mapping per planned repository whose source
 * could be read and that has something to copy, with a mirror per destination that could be read, in the
 * order the destinations are configured. The source is named by the source endpoint's pull name (a registry:
 * its host; an archive: the registry it was made from), each mirror by its destination's host. A name no
 * cluster can pull by (an archive folder as a destination, an archive that did not record its origin) is
 * left out.
 */
import type { RepositoryPlan } from '../plan/plan.js';
import type { Endpoint } from '../sides/endpoint.js';
import type { MirrorTarget } from '../sides/open-sides.js';
import type { MirrorMapping } from './mirror-sets.js';

export function mirrorMappings(
  repositories: readonly RepositoryPlan[],
  sourceEndpoint: Pick<Endpoint, 'pullName'>,
  targets: readonly MirrorTarget[],
): MirrorMapping[] {
  return repositories.flatMap((repository) => {
    if (repository.error !== undefined || repository.wanted.length === 0) return [];
    const source = sourceEndpoint.pullName(repository.sourcePath);
    if (source === undefined) return [];
    const mirrors = targets.flatMap((target) => {
      const destination = repository.destinations.find((d) => d.target === target.side.instance);
      const name =
        destination && destination.error === undefined
          ? target.endpoint.pullName(destination.path)
          : undefined;
      return name === undefined ? [] : [name];
    });
    return mirrors.length > 0 ? [{ source, mirrors }] : [];
  });
}
