/**
 * Before the first push: missing organizations are created through the API (Quay never creates a
 * namespace on push, and a push into a missing one is refused, quay-api.md §11.2), then missing
 * repositories (private). Only Quay targets with an API token; elsewhere the push creates the repository,
 * or the registry needs none.
 */

import { errorMessage } from '../ci/item-failure.js';
import type { Logger } from '../ci/logger.js';
import type { Report } from '../ci/report.js';
import type { MirrorTarget } from './collect-plan.js';
import { splitQuayPath } from './inventory.js';
import type { DestinationPlan, MirrorPlan } from './plan.js';
import { mapPool } from './work-pool.js';

export interface SetupContext {
  targets: readonly MirrorTarget[];
  createOrganizations: boolean;
  concurrency: number;
  report: Report;
  log: Logger;
  /** Records a failed item (and stops the run unless it keeps going). */
  fail(ref: string, error: unknown): void;
}

/** Creates what is missing; returns the destinations that cannot be copied to, with why. */
export async function prepareDestinations(
  plan: MirrorPlan,
  context: SetupContext,
): Promise<Map<DestinationPlan, string>> {
  const blocked = new Map<DestinationPlan, string>();
  const endpointOf = (name: string) => context.targets.find((t) => t.side.instance === name)?.endpoint;
  const brokenOrganizations = new Map<string, string>();
  await Promise.all(
    plan.organizations
      .filter((o) => !o.exists)
      .map(async ({ target, organization }) => {
        const ref = `${target}/${organization}`;
        const api = endpointOf(target)?.api;
        if (!api) return;
        if (!context.createOrganizations) {
          const why = `organization ${organization} does not exist at ${target} (createOrganizations is off)`;
          brokenOrganizations.set(ref, why);
          context.fail(ref, why);
          return;
        }
        try {
          await api.createOrganization(organization);
          context.report.add({ ref, action: 'created', detail: 'organization' });
          context.log.info(`${ref}: organization created`);
        } catch (error) {
          // Parallel runs (the shards of the quay-mirror Pipeline) race to create the same organization;
          // Quay's "already exists" also covers a user of that name, so only an organization now found counts.
          if (
            errorMessage(error).includes('already exists') &&
            (await api.getOrganization(organization).catch(() => undefined)) !== undefined
          ) {
            context.log.info(`${ref}: organization created meanwhile by another run`);
            return;
          }
          brokenOrganizations.set(
            ref,
            `creating organization ${organization} failed: ${errorMessage(error)}`,
          );
          context.fail(ref, error);
        }
      }),
  );
  const destinations = plan.repositories.flatMap((r) => r.destinations);
  for (const destination of destinations) {
    const why = brokenOrganizations.get(`${destination.target}/${splitQuayPath(destination.path).namespace}`);
    if (why !== undefined && destination.copy.length > 0) blocked.set(destination, why);
  }
  const toCreate = destinations.filter(
    (d) => d.repositoryExists === false && d.copy.length > 0 && !blocked.has(d) && endpointOf(d.target)?.api,
  );
  await mapPool(toCreate, context.concurrency, async (destination) => {
    const api = endpointOf(destination.target)?.api;
    if (!api) return;
    const ref = `${destination.target}/${destination.path}`;
    const { namespace, repository } = splitQuayPath(destination.path);
    try {
      await api.createRepository(namespace, repository, 'private');
      context.report.add({ ref, action: 'created', detail: 'repository (private)' });
    } catch (error) {
      // Another run (or a push) may have made it in the meantime: that is what we wanted.
      if (errorMessage(error).includes('already exists')) return;
      blocked.set(destination, `creating repository ${destination.path} failed: ${errorMessage(error)}`);
    }
  });
  return blocked;
}
