/**
 * Builds the plan: the explicit list and discovery give the repositories; for each, the source's tags are
 * filtered and resolved to digests, cosign tags of the chosen digests are added, and every destination is
 * diffed against them. Reads only: nothing is created here (a dry run stops after this).
 */

import { errorMessage } from '../ci/item-failure.js';
import type { Logger } from '../ci/logger.js';
import type { MirrorReposConfig } from '../config/sections/mirror-repos.js';
import { discoverRepositories } from './discovery.js';
import type { Endpoint } from './endpoint.js';
import type { HostLimiter } from './host-limiter.js';
import { readDestination, readSourceTags, resolveDigests, splitQuayPath } from './inventory.js';
import {
  chooseTags,
  type DestinationPlan,
  diffRefs,
  type MirrorPlan,
  type OrganizationPlan,
  pruneCandidates,
  type RepositoryPlan,
  signatureTagsFor,
  type WantedRef,
  wantedRefs,
} from './plan.js';
import {
  discoveredSelections,
  explicitSelections,
  mergeSelections,
  type RepositorySelection,
} from './repository-selection.js';
import { type MirrorSide, pathOn } from './roles.js';
import { mapPool } from './work-pool.js';

export interface MirrorTarget {
  side: MirrorSide;
  endpoint: Endpoint;
}

export interface PlanContext {
  section: MirrorReposConfig;
  source: { side: MirrorSide; endpoint: Endpoint };
  targets: readonly MirrorTarget[];
  limiter: HostLimiter;
  log: Logger;
  dryRun: boolean;
}

export async function collectPlan(context: PlanContext): Promise<MirrorPlan> {
  const { section, source, log } = context;
  const discovered = section.discovery?.enabled
    ? discoveredSelections(
        await discoverRepositories(source.endpoint, source.side, section.discovery, log),
        section.tags,
      )
    : [];
  const selections = mergeSelections([
    ...explicitSelections(section.repositories, section.tags),
    ...discovered,
  ]);
  if (!source.endpoint.api && selections.some((s) => s.filters.some((f) => f?.latest !== undefined))) {
    log.warn(
      `tags.latest: ${source.endpoint.name} has no Quay tag API (no token, or a plain registry), so tags ` +
        'have no times; the first N in tag-list order are kept',
    );
  }
  const repositories = await mapPool(selections, section.concurrency, (selection) =>
    planRepository(context, selection),
  );
  return { repositories, organizations: await planOrganizations(context, repositories) };
}

async function planRepository(context: PlanContext, selection: RepositorySelection): Promise<RepositoryPlan> {
  const { section, source, limiter } = context;
  const sourcePath = pathOn(source.side, selection.logicalPath);
  const plan: RepositoryPlan = {
    logicalPath: selection.logicalPath,
    sourcePath,
    wanted: [],
    missing: [],
    destinations: [],
  };
  let sourceNames: Set<string>;
  try {
    const all = await readSourceTags(source.endpoint, sourcePath, limiter);
    sourceNames = new Set(all.map((tag) => tag.name));
    const { chosen, missing } = chooseTags(selection, all, section.signatures);
    let resolved = await resolveDigests(source.endpoint, sourcePath, chosen, limiter);
    if (section.signatures) {
      const digests = [...resolved.flatMap((t) => (t.digest ? [t.digest] : [])), ...selection.digests];
      const names = new Set(resolved.map((t) => t.name));
      const signatures = signatureTagsFor(digests, all, names);
      resolved = [...resolved, ...(await resolveDigests(source.endpoint, sourcePath, signatures, limiter))];
    }
    plan.wanted = wantedRefs(resolved, selection.digests);
    plan.missing = missing;
  } catch (error) {
    plan.error = errorMessage(error);
    return plan;
  }
  const prunable = section.prune && selection.filters.length > 0;
  plan.destinations = await Promise.all(
    context.targets.map((target) =>
      planDestination(context, target, selection, plan.wanted, prunable, sourceNames),
    ),
  );
  return plan;
}

async function planDestination(
  context: PlanContext,
  target: MirrorTarget,
  selection: RepositorySelection,
  wanted: WantedRef[],
  prunable: boolean,
  sourceNames: ReadonlySet<string>,
): Promise<DestinationPlan> {
  const path = pathOn(target.side, selection.logicalPath);
  const base = { target: target.side.instance, path };
  try {
    const state = await readDestination(
      target.endpoint,
      path,
      wanted,
      { allTags: prunable, forPush: !context.dryRun },
      context.limiter,
    );
    return {
      ...base,
      repositoryExists: state.exists,
      present: state.allTags ? new Map([...state.allTags, ...state.present]) : state.present,
      ...diffRefs(wanted, state.present),
      prune: state.allTags ? pruneCandidates(sourceNames, state.allTags) : [],
    };
  } catch (error) {
    return {
      ...base,
      repositoryExists: undefined,
      present: new Map(),
      copy: [],
      unchanged: [],
      prune: [],
      error: errorMessage(error),
    };
  }
}

/** Organizations of Quay targets (with a token) whose repositories are missing: do they exist? */
async function planOrganizations(
  context: PlanContext,
  repositories: readonly RepositoryPlan[],
): Promise<OrganizationPlan[]> {
  const wanted = new Map<string, { target: MirrorTarget; organization: string }>();
  for (const repository of repositories) {
    for (const destination of repository.destinations) {
      if (destination.repositoryExists !== false || destination.copy.length === 0) continue;
      const target = context.targets.find((t) => t.side.instance === destination.target);
      if (!target?.endpoint.api) continue;
      const { namespace } = splitQuayPath(destination.path);
      wanted.set(`${destination.target}/${namespace}`, { target, organization: namespace });
    }
  }
  return Promise.all(
    [...wanted.values()].map(async ({ target, organization }) => {
      const api = target.endpoint.api;
      const found = api ? await api.getOrganization(organization) : undefined;
      // A user namespace is no organization, but pushes into it work when it is the token's own.
      const exists = found !== undefined || (await isUserNamespace(target.endpoint, organization));
      return { target: target.side.instance, organization, exists };
    }),
  );
}

async function isUserNamespace(endpoint: Endpoint, namespace: string): Promise<boolean> {
  const user = await endpoint.api?.currentUser().catch(() => undefined);
  return user?.username === namespace;
}
