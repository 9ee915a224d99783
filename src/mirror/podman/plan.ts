/**
 * The plan (collectPlan's, unchanged) as the podman engine must read it. A destination tag written by an
 * earlier podman run never has the source's manifest digest (podman push recompresses the layers), so the
 * digest diff would copy it again on every run: a tag the plan wants to copy that exists at the destination
 * is unchanged when both sides hold the same image ID (config digest, see image-id.ts). And what
 * pull/tag/push cannot do is taken out of the copies: a ref by digest (the pushed manifest has a new
 * digest) and cosign or referrers tags (they belong to the source digest, which does not survive the push).
 * Reads only; a dry run shows the outcome through reportPlan.
 */

import { mapPool } from '../../concurrency/work-pool.js';
import { recordItemFailure } from '../../report/item-failure.js';
import type { Logger } from '../../report/logger.js';
import type { Report } from '../../report/report.js';
import { isSignatureTag } from '../plan/cosign-tags.js';
import {
  type DestinationPlan,
  destinationRef,
  type MirrorPlan,
  presenceKey,
  type WantedRef,
} from '../plan/plan.js';
import type { Endpoint } from '../sides/endpoint.js';
import type { MirrorTarget } from '../sides/open-sides.js';
import type { ImageIds } from './image-id.js';

/** A ref the podman engine leaves out, and why. */
export interface NotCopied {
  destination: DestinationPlan;
  ref: WantedRef;
  reason: 'digest' | 'signature';
}

export interface PodmanPlan {
  plan: MirrorPlan;
  notCopied: NotCopied[];
}

export interface PodmanPlanContext {
  source: Endpoint;
  targets: readonly MirrorTarget[];
  images: Pick<ImageIds, 'of'>;
  log: Logger;
  poolWidth: number;
}

export async function podmanPlan(plan: MirrorPlan, context: PodmanPlanContext): Promise<PodmanPlan> {
  const notCopied: NotCopied[] = [];
  const endpointOf = (name: string) => context.targets.find((t) => t.side.instance === name)?.endpoint;
  const repositories = await mapPool(plan.repositories, context.poolWidth, async (repository) => {
    if (repository.error !== undefined) return repository;
    const destinations = await Promise.all(
      repository.destinations.map(async (destination): Promise<DestinationPlan> => {
        if (destination.error !== undefined || destination.copy.length === 0) return destination;
        const endpoint = endpointOf(destination.target);
        const copy: WantedRef[] = [];
        const unchanged = [...destination.unchanged];
        const left: { ref: WantedRef; reason: NotCopied['reason'] }[] = [];
        for (const ref of destination.copy) {
          if (ref.tag === undefined) left.push({ ref, reason: 'digest' });
          else if (isSignatureTag(ref.tag)) left.push({ ref, reason: 'signature' });
          else if (endpoint && (await sameImage(context, endpoint, repository.sourcePath, destination, ref)))
            unchanged.push(ref);
          else copy.push(ref);
        }
        const judged: DestinationPlan = { ...destination, copy, unchanged };
        for (const { ref, reason } of left) notCopied.push({ destination: judged, ref, reason });
        return judged;
      }),
    );
    return { ...repository, destinations };
  });
  return { plan: { ...plan, repositories }, notCopied };
}

/** Does the destination tag hold the image podman would pull from the source (same config digest)? */
async function sameImage(
  context: PodmanPlanContext,
  endpoint: Endpoint,
  sourcePath: string,
  destination: DestinationPlan,
  ref: WantedRef,
): Promise<boolean> {
  const present = destination.present.get(presenceKey(ref));
  if (present === undefined) return false;
  try {
    const [source, target] = await Promise.all([
      context.images.of(context.source, sourcePath, ref.digest),
      context.images.of(endpoint, destination.path, present),
    ]);
    return source.configDigest === target.configDigest;
  } catch (error) {
    context.log.debug(
      `podman: ${destinationRef(destination, ref)}: image IDs not compared (${(error as Error).message}); copying`,
    );
    return false;
  }
}

export const NOT_COPIED_DETAIL: Readonly<Record<NotCopied['reason'], string>> = {
  digest:
    'engine podman cannot mirror a digest: podman push writes a new manifest digest, so this one would not ' +
    'exist at the destination (engine: native keeps digests)',
  signature:
    'left out: a cosign or referrers tag (sha256-<hex>…) belongs to the source digest, which podman push ' +
    'does not keep (engine: native copies them)',
};

/** Refs by digest are failures (the config asks for what this engine cannot do); cosign tags are skipped. */
export function recordNotCopied(
  notCopied: readonly NotCopied[],
  deps: {
    report: Report;
    log: Logger;
    fail?: (ref: string, error: string, destination: DestinationPlan) => void;
  },
): void {
  const signatures = notCopied.filter((n) => n.reason === 'signature').length;
  if (signatures > 0) deps.log.warn(`podman: ${signatures} signature tag(s) ${NOT_COPIED_DETAIL.signature}`);
  for (const { destination, ref, reason } of notCopied) {
    const name = destinationRef(destination, ref);
    if (reason === 'signature')
      deps.report.add({ ref: name, action: 'skipped', detail: NOT_COPIED_DETAIL.signature });
    else if (deps.fail) deps.fail(name, NOT_COPIED_DETAIL.digest, destination);
    else recordItemFailure(deps, name, NOT_COPIED_DETAIL.digest);
  }
}
