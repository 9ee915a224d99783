/**
 * Builds the plan: the explicit list and discovery give the repositories, narrowed by the run's restriction
 * (--repository, --shard); for each, the source's tags are filtered (and narrowed by --tags) and resolved
 * to digests, cosign tags of the chosen digests are added, and every destination is diffed against them.
 * Reads only: nothing is created here (a dry run stops after this). The shard plan (--plan-shards,
 * ../plan-shards.ts) uses the selection alone.
 */

import type { HostLimiter } from '../../concurrency/host-limiter.js';
import { mapPool } from '../../concurrency/work-pool.js';
import type { MirrorReposConfig } from '../../config/sections/mirror-repos.js';
import { errorMessage } from '../../report/item-failure.js';
import type { Logger } from '../../report/logger.js';
import type { MirrorLimits } from '../limits.js';
import type { Endpoint } from '../sides/endpoint.js';
import type { MirrorTarget } from '../sides/open-sides.js';
import { type MirrorSide, pathOn } from '../sides/roles.js';
import { discoverRepositories } from './discovery.js';
import { selectedBy } from './glob.js';
import {
  namespaceExists,
  readDestination,
  readSourceTags,
  resolveDigests,
  splitQuayPath,
} from './inventory.js';
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
  type MirrorRestriction,
  mergeSelections,
  type RepositorySelection,
  restrictSelections,
  restrictTags,
} from './selection.js';

export interface PlanContext {
  section: MirrorReposConfig;
  source: { side: MirrorSide; endpoint: Endpoint };
  targets: readonly MirrorTarget[];
  limits: MirrorLimits;
  limiter: HostLimiter;
  log: Logger;
  dryRun: boolean;
  /** What this run is narrowed to (--repository, --tags, --shard); none by default. */
  restriction?: MirrorRestriction;
}

type Discovery = NonNullable<MirrorReposConfig['discovery']>;

export async function collectPlan(context: PlanContext): Promise<MirrorPlan> {
  const repositories = await planRepositories(context);
  return { repositories, organizations: await planOrganizations(context, repositories) };
}

/**
 * The plan of every selected repository; `onPlanned` gets each as soon as it is made, so its copy can
 * start while the rest are still being read.
 */
export async function planRepositories(
  context: PlanContext,
  onPlanned?: (repository: RepositoryPlan) => void,
): Promise<RepositoryPlan[]> {
  const { source, log } = context;
  const restriction = context.restriction ?? {};
  const { selections, notSelected } = await selectRepositories(context, restriction);
  for (const path of notSelected)
    log.warn(`mirror: --repository ${path}: not selected by the config, skipped`);
  if (restriction.shard !== undefined || restriction.repositories !== undefined)
    log.info(`mirror: ${selections.length} repositories in this run`);
  restriction.onSelected?.(selections.map((selection) => selection.logicalPath));
  if (!source.endpoint.api && selections.some((s) => s.filters.some((f) => f?.latest !== undefined))) {
    log.warn(
      `tags.latest: ${source.endpoint.name} has no Quay tag API (no token, or a plain registry), so tags ` +
        'have no times; the first N in tag-list order are kept',
    );
  }
  return mapPool(selections, context.limits.poolWidth, async (selection) => {
    const planned = await planRepository(context, selection, restriction);
    onPlanned?.(planned);
    return planned;
  });
}

/**
 * The repositories the config selects (explicit list, then discovery), narrowed by the restriction.
 * `notSelected`: requested (--repository) source paths the config does not select.
 */
export async function selectRepositories(
  context: Pick<PlanContext, 'section' | 'source' | 'log'>,
  restriction: MirrorRestriction,
): Promise<{ selections: RepositorySelection[]; notSelected: string[] }> {
  const { section, source, log } = context;
  const discovery = section.discovery?.enabled
    ? narrowDiscovery(section.discovery, restriction.repositories, source.side)
    : undefined;
  if (section.discovery?.enabled && discovery === undefined)
    log.info('discovery: skipped, the config selects no organization of the requested repositories');
  const discovered = discovery
    ? discoveredSelections(
        await discoverRepositories(source.endpoint, source.side, discovery, log),
        section.tags,
      )
    : [];
  const merged = mergeSelections([...explicitSelections(section.repositories, section.tags), ...discovered]);
  const { kept, notSelected } = restrictSelections(merged, restriction, (path) => pathOn(source.side, path));
  return { selections: kept, notSelected };
}

/**
 * With --repository, discovery need only list the organizations of the requested repositories (those the
 * configured organization patterns select; undefined: none, so nothing to discover). On a mapped source
 * (failover) requested paths are not logical paths, so discovery stays as configured.
 */
function narrowDiscovery(
  discovery: Discovery,
  requested: readonly string[] | undefined,
  side: MirrorSide,
): Discovery | undefined {
  if (requested === undefined || side.mapping !== undefined) return discovery;
  const configured = discovery.organizations ?? { include: ['*'], exclude: [] };
  const organizations = [...new Set(requested.map((path) => path.slice(0, path.indexOf('/'))))].filter(
    (organization) => selectedBy(organization, configured.include, configured.exclude),
  );
  // An empty include list would select every organization: no organization means no discovery.
  if (organizations.length === 0) return undefined;
  return { ...discovery, organizations: { include: organizations, exclude: [] } };
}

async function planRepository(
  context: PlanContext,
  selection: RepositorySelection,
  restriction: MirrorRestriction,
): Promise<RepositoryPlan> {
  const { section, source, limiter, log } = context;
  const sourcePath = pathOn(source.side, selection.logicalPath);
  const plan: RepositoryPlan = {
    logicalPath: selection.logicalPath,
    sourcePath,
    wanted: [],
    missing: [],
    destinations: [],
  };
  // A tag-restricted run touches those tags only: no prune.
  const prunable = section.prune && selection.filters.length > 0 && restriction.tags === undefined;
  let sourceNames: ReadonlySet<string> = new Set();
  try {
    const all = await readSourceTags(source.endpoint, sourcePath, limiter);
    if (prunable) sourceNames = new Set(all.map((tag) => tag.name));
    const { chosen, missing, digests, skipped } = restrictTags(
      { ...chooseTags(selection, all, section.signatures), digests: selection.digests },
      restriction.tags,
    );
    if (skipped.length > 0) {
      const line = `mirror: ${sourcePath}: --tags ${skipped.join(', ')}: not selected by the config or not on the source, skipped`;
      // A webhook's run (one repository, its pushed tags) says why nothing was copied; a wide run stays quiet.
      if (restriction.repositories !== undefined) log.warn(line);
      else log.debug(line);
    }
    let resolved = await resolveDigests(source.endpoint, sourcePath, chosen, limiter);
    if (section.signatures) {
      // A Set: many tags share few digests.
      const signed = new Set(digests);
      for (const tag of resolved) if (tag.digest) signed.add(tag.digest);
      const names = new Set(resolved.map((t) => t.name));
      const signatures = signatureTagsFor(signed, all, names);
      resolved = [...resolved, ...(await resolveDigests(source.endpoint, sourcePath, signatures, limiter))];
    }
    plan.wanted = wantedRefs(resolved, digests);
    plan.missing = missing;
  } catch (error) {
    plan.error = errorMessage(error);
    return plan;
  }
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
    [...wanted.values()].map(async ({ target, organization }) => ({
      target: target.side.instance,
      organization,
      exists: await namespaceExists(target.endpoint, organization),
    })),
  );
}
