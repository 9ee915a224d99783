/**
 * Every repository of the source, through the Quay API when there is a token (superuser organization list,
 * else the token user's organizations; `GET /api/v1/repository?namespace=` through every `next_page`,
 * quay-api.md §4.5, §7.2), else the registry's `_catalog` (followed by `Link`). Organization and repository
 * patterns are matched against logical paths (see roles.ts).
 */

import type { MirrorReposConfig } from '../../config/sections/mirror-repos.js';
import { QuayApiError } from '../../quay/errors.js';
import type { Logger } from '../../report/logger.js';
import type { Endpoint } from '../sides/endpoint.js';
import { logicalPathOf, type MirrorSide } from '../sides/roles.js';
import { globToRegExp, selectedBy } from './glob.js';

type Discovery = NonNullable<MirrorReposConfig['discovery']>;
type Patterns = NonNullable<Discovery['organizations']>;

const EVERYTHING: Patterns = { include: ['*'], exclude: [] };

/** Logical paths of the source's repositories that the patterns select, sorted. */
export async function discoverRepositories(
  endpoint: Endpoint,
  side: MirrorSide,
  discovery: Discovery,
  log: Logger,
): Promise<string[]> {
  const organizations = discovery.organizations ?? EVERYTHING;
  const repositories = discovery.repositories ?? EVERYTHING;
  if (endpoint.kind === 'quay' && !endpoint.api) {
    // Quay refuses the registry:catalog scope (dregsy#57); its API lists organizations and repositories.
    throw new Error(
      `discovery on ${endpoint.name} needs its API: give quay.${endpoint.name}.token (a superuser's sees every organization)`,
    );
  }
  const paths = endpoint.api
    ? await quayRepositories(endpoint, side.mapping === undefined ? organizations : EVERYTHING, log)
    : await endpoint.registry.tags.catalog();
  const selected = new Set<string>();
  for (const path of paths) {
    const logical = logicalPathOf(side, path);
    if (logical === undefined || !logical.includes('/')) continue;
    if (repositorySelected(logical, organizations, repositories)) selected.add(logical);
  }
  log.info(
    `discovery: ${selected.size} of ${paths.length} repositories on ${endpoint.name} selected by the patterns`,
  );
  return [...selected].sort();
}

/**
 * Organization patterns match the first path component; repository patterns match the rest (`web`, or
 * `team/web` for a nested name), or the whole `org/repo` when the pattern itself has a slash in it.
 */
export function repositorySelected(
  logicalPath: string,
  organizations: Patterns,
  repositories: Patterns,
): boolean {
  const slash = logicalPath.indexOf('/');
  const name = logicalPath.slice(slash + 1);
  if (!selectedBy(logicalPath.slice(0, slash), organizations.include, organizations.exclude)) return false;
  const hit = (pattern: string) => globToRegExp(pattern).test(pattern.includes('/') ? logicalPath : name);
  const included = repositories.include.length === 0 || repositories.include.some(hit);
  return included && !repositories.exclude.some(hit);
}

async function quayRepositories(endpoint: Endpoint, organizations: Patterns, log: Logger): Promise<string[]> {
  const api = endpoint.api;
  if (!api) return [];
  let names: string[];
  try {
    names = await api.listAllOrganizations();
  } catch (error) {
    if (!(error instanceof QuayApiError) || (error.status !== 403 && error.status !== 401)) throw error;
    const user = await api.currentUser();
    names = (user.organizations ?? []).map((o) => o.name);
    log.info(
      `discovery: the token of ${endpoint.name} is not a superuser's; using the ${names.length} organization(s) of ${user.username}`,
    );
  }
  const wanted = names.filter((name) => selectedBy(name, organizations.include, organizations.exclude));
  const lists = await Promise.all(wanted.map((org) => api.listRepositories(org)));
  return lists.flat().map((repo) => `${repo.namespace}/${repo.name}`);
}
