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
  let superuser = true;
  try {
    names = await api.listAllOrganizations();
  } catch (error) {
    superuser = false;
    if (!(error instanceof QuayApiError) || (error.status !== 403 && error.status !== 401)) throw error;
    const user = await api.currentUser();
    names = (user.organizations ?? []).map((o) => o.name);
    log.info(
      `discovery: the token of ${endpoint.name} is not a superuser's; using the ${names.length} organization(s) of ${user.username}`,
    );
  }
  const wanted = names.filter((name) => selectedBy(name, organizations.include, organizations.exclude));
  if (superuser) await warnWithoutFullAccess(api, endpoint.name, wanted, log);
  const lists = await Promise.all(wanted.map((org) => api.listRepositories(org)));
  return lists.flat().map((repo) => `${repo.namespace}/${repo.name}`);
}

/**
 * A superuser lists every organization, but Quay shows it the private repositories of an organization it
 * is not a member of only with FEATURE_SUPERUSERS_FULL_ACCESS (endpoints/api/repository_models_pre_oci.py
 * get_repo_list). The organization view tells (api/organization.py org_view: `is_member` is true for such a
 * superuser only with full access): one look at one such organization, and a warning naming them.
 */
async function warnWithoutFullAccess(
  api: NonNullable<Endpoint['api']>,
  name: string,
  organizations: readonly string[],
  log: Logger,
): Promise<void> {
  const user = await api.currentUser();
  const mine = new Set((user.organizations ?? []).map((o) => o.name));
  const others = organizations.filter((org) => !mine.has(org));
  const probe = others[0];
  if (probe === undefined) return;
  const view = await api.getOrganization(probe);
  if (view === undefined || view.is_member === true) return;
  const shown = others.slice(0, 5).join(', ') + (others.length > 5 ? `, … (${others.length})` : '');
  log.warn(
    `discovery: ${user.username} on ${name} is a superuser but not a member of ${shown}; without ` +
      'FEATURE_SUPERUSERS_FULL_ACCESS: true in the Quay config, only their public repositories are listed ' +
      '(add the user to those organizations, or turn the feature on)',
  );
}
