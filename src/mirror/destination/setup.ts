/**
 * Before the first push: missing organizations are created through the API (Quay never creates a
 * namespace on push, and a push into a missing one is refused, quay-api.md §11.2), then missing
 * repositories (private). Only Quay targets with an API token; elsewhere the push creates the repository,
 * or the registry needs none. A repository is prepared as soon as its plan is made (the copy of the
 * repositories planned first need not wait for the rest); each organization is looked at and created once.
 */

import { mapPool } from '../../concurrency/work-pool.js';
import { emailRequiredHint } from '../../quay/organization-email.js';
import { errorMessage } from '../../report/item-failure.js';
import type { Logger } from '../../report/logger.js';
import type { Report } from '../../report/report.js';
import { namespaceExists, splitQuayPath } from '../plan/inventory.js';
import type { DestinationPlan, MirrorPlan, RepositoryPlan } from '../plan/plan.js';
import type { Endpoint } from '../sides/endpoint.js';
import type { MirrorTarget } from '../sides/open-sides.js';

export interface SetupContext {
  targets: readonly MirrorTarget[];
  createOrganizations: boolean;
  report: Report;
  log: Logger;
  /** Records a failed item (and stops the run unless it keeps going). */
  fail(ref: string, error: unknown): void;
}

export class DestinationPreparer {
  readonly #context: SetupContext;
  /** `target/organization` → undefined once it exists, else why its repositories cannot be copied to. */
  readonly #organizations = new Map<string, Promise<string | undefined>>();
  /** `target/organization` the plan already found missing: no second look. */
  readonly #knownMissing = new Set<string>();
  /** `target/organization` → why it cannot be mirrored into (a proxy cache), once looked at. */
  readonly #proxyCaches = new Map<string, Promise<string | undefined>>();

  /** `known`: organizations whose existence the plan has already read. */
  constructor(context: SetupContext, known: MirrorPlan['organizations'] = []) {
    this.#context = context;
    for (const { target, organization, exists } of known) {
      const ref = `${target}/${organization}`;
      if (exists) this.#organizations.set(ref, Promise.resolve(undefined));
      else this.#knownMissing.add(ref);
    }
  }

  /** Creates what the repository's destinations lack; returns those that cannot be copied to, with why. */
  async prepare(repository: RepositoryPlan): Promise<Map<DestinationPlan, string>> {
    const blocked = new Map<DestinationPlan, string>();
    await Promise.all(
      repository.destinations.map(async (destination) => {
        if (destination.copy.length === 0) return;
        const endpoint = this.#endpointOf(destination.target);
        if (!endpoint?.api) return;
        const { namespace } = splitQuayPath(destination.path);
        const why =
          destination.repositoryExists === false
            ? ((await this.#organization(endpoint, destination.target, namespace)) ??
              (await this.#proxyCache(endpoint, destination.target, namespace)) ??
              (await this.#repository(endpoint, destination)))
            : ((await this.#proxyCache(endpoint, destination.target, namespace)) ??
              (await this.#repositoryState(endpoint, destination)));
        if (why !== undefined) blocked.set(destination, why);
      }),
    );
    return blocked;
  }

  #endpointOf(name: string): Endpoint | undefined {
    return this.#context.targets.find((t) => t.side.instance === name)?.endpoint;
  }

  #organization(endpoint: Endpoint, target: string, organization: string): Promise<string | undefined> {
    const ref = `${target}/${organization}`;
    let outcome = this.#organizations.get(ref);
    if (!outcome) {
      outcome = this.#ensureOrganization(endpoint, ref, organization);
      this.#organizations.set(ref, outcome);
    }
    return outcome;
  }

  async #ensureOrganization(endpoint: Endpoint, ref: string, organization: string) {
    const { report, log } = this.#context;
    const api = endpoint.api;
    if (!api) return undefined;
    try {
      if (!this.#knownMissing.has(ref) && (await namespaceExists(endpoint, organization))) return undefined;
    } catch (error) {
      const why = `looking up organization ${organization} failed: ${errorMessage(error)}`;
      this.#context.fail(ref, why);
      return why;
    }
    if (!this.#context.createOrganizations) {
      const why = `organization ${organization} does not exist at ${endpoint.name} (createOrganizations is off)`;
      this.#context.fail(ref, why);
      return why;
    }
    try {
      await api.createOrganization(organization).catch((error: unknown) => {
        throw (
          emailRequiredHint(
            error,
            `create ${organization} first with its email (quay-init.organizations: [{name: ${organization}, ` +
              'email: …}]); mirror-repos creates organizations without one',
          ) ?? error
        );
      });
      report.add({ ref, action: 'created', detail: 'organization' });
      log.info(`${ref}: organization created`);
      return undefined;
    } catch (error) {
      // Parallel runs (the shards of the quay-mirror Pipeline) race to create the same organization;
      // Quay's "already exists" also covers a user of that name, so only an organization now found counts.
      if (
        errorMessage(error).includes('already exists') &&
        (await api.getOrganization(organization).catch(() => undefined)) !== undefined
      ) {
        log.info(`${ref}: organization created meanwhile by another run`);
        return undefined;
      }
      this.#context.fail(ref, error);
      return `creating organization ${organization} failed: ${errorMessage(error)}`;
    }
  }

  /**
   * A proxy-cache organization takes pushes (CONTRACT.md row 26), but a pull of a tag name through it fetches
   * the upstream's image and moves the tag, and its tags expire: a mirror there would not stay a mirror.
   * Looked at once per organization with something to copy; unknown (no member, feature off) counts as not one.
   */
  #proxyCache(endpoint: Endpoint, target: string, organization: string): Promise<string | undefined> {
    const ref = `${target}/${organization}`;
    let outcome = this.#proxyCaches.get(ref);
    if (!outcome) {
      outcome = (async () => {
        const config = await endpoint.api?.getProxyCache(organization).catch(() => undefined);
        if (!config) return undefined;
        const why =
          `organization ${organization} at ${endpoint.name} is a proxy cache of ${config.upstreamRegistry}: ` +
          'a pull through it replaces a tag with the upstream image and its tags expire; mirror into an ' +
          'organization that is not a proxy cache';
        this.#context.fail(ref, why);
        return why;
      })();
      this.#proxyCaches.set(ref, outcome);
    }
    return outcome;
  }

  /** A repository in state READ_ONLY or MIRROR gets no push token (CONTRACT.md row 24): say so before copying. */
  async #repositoryState(endpoint: Endpoint, destination: DestinationPlan): Promise<string | undefined> {
    const { namespace, repository } = splitQuayPath(destination.path);
    const info = await endpoint.api?.repositories.get(namespace, repository).catch(() => undefined);
    if (!info || info.state === 'NORMAL') return undefined;
    const who = info.state === 'MIRROR' ? ' (only its Quay repository-mirror robot may push)' : '';
    return (
      `repository ${destination.path} at ${endpoint.name} is in state ${info.state}: Quay takes no pushes into it${who}; ` +
      `set it back with PUT /api/v1/repository/${destination.path}/changestate {"state": "NORMAL"}, or mirror elsewhere`
    );
  }

  async #repository(endpoint: Endpoint, destination: DestinationPlan): Promise<string | undefined> {
    const api = endpoint.api;
    if (!api) return undefined;
    const { namespace, repository } = splitQuayPath(destination.path);
    try {
      await api.createRepository(namespace, repository, 'private');
      this.#context.report.add({
        ref: `${destination.target}/${destination.path}`,
        action: 'created',
        detail: 'repository (private)',
      });
      return undefined;
    } catch (error) {
      // Another run (or a push) may have made it in the meantime: that is what we wanted.
      if (errorMessage(error).includes('already exists')) return undefined;
      return `creating repository ${destination.path} failed: ${errorMessage(error)}`;
    }
  }
}

/** The whole plan at once (its organizations read while planning): creates what is missing, returns the destinations that cannot be copied to. */
export async function prepareDestinations(
  plan: MirrorPlan,
  context: SetupContext & { poolWidth: number },
): Promise<Map<DestinationPlan, string>> {
  const preparer = new DestinationPreparer(context, plan.organizations);
  const blocked = new Map<DestinationPlan, string>();
  await mapPool(plan.repositories, context.poolWidth, async (repository) => {
    for (const [destination, why] of await preparer.prepare(repository)) blocked.set(destination, why);
  });
  return blocked;
}
