/** Repository permission checks of `/v2` calls: the bearer JWT's `access` decides (quay-api.md §11.1). */
import type { RequestContext } from './context.js';
import { fail, registryError } from './errors.js';
import type { HeaderMap } from './http-io.js';
import { authenticateRegistry, challenge, normalizeRepoName, tokenAllows } from './registry-auth.js';
import type { RegistryClaims } from './registry-jwt.js';
import type { RepoRecord, RepoRole } from './state.js';

export const V2_HEADERS: HeaderMap = { 'docker-distribution-api-version': 'registry/2.0' };

export interface RegistryRepoAccess {
  /** `ns/name` */
  full: string;
  namespace: string;
  name: string;
  repo: RepoRecord | undefined;
  claims: RegistryClaims | null;
}

const SCOPE_ACTIONS: Record<RepoRole, string> = { read: 'pull', write: 'pull,push', admin: '*' };

/**
 * Checks the token before looking the repository up: a token without the action gets 401 `UNAUTHORIZED` with a
 * challenge naming the scope; public repositories are readable without one (while anonymous access is on).
 */
export function registryRepoAccess(
  ctx: RequestContext,
  rawName: string,
  level: RepoRole,
): RegistryRepoAccess {
  const full = normalizeRepoName(rawName);
  const scope = `repository:${full}:${SCOPE_ACTIONS[level]}`;
  const claims = authenticateRegistry(ctx, scope);
  const i = full.indexOf('/');
  const namespace = full.slice(0, i);
  const name = full.slice(i + 1);
  const repo = ctx.rt.state.getRepo(namespace, name);
  const publicRead =
    level === 'read' &&
    repo?.isPublic === true &&
    (claims !== null || ctx.rt.options.features.anonymousAccess);
  if (!tokenAllows(claims, full, level) && !publicRead) {
    fail(
      registryError(
        401,
        'UNAUTHORIZED',
        'access to the requested resource is not authorized',
        {},
        { 'www-authenticate': challenge(ctx.rt, scope) },
      ),
    );
  }
  return { full, namespace, name, repo, claims };
}

export function requireRegistryRepo(
  ctx: RequestContext,
  rawName: string,
  level: RepoRole,
): RegistryRepoAccess & { repo: RepoRecord } {
  const access = registryRepoAccess(ctx, rawName, level);
  if (!access.repo) return fail(registryError(404, 'NAME_UNKNOWN', 'repository name not known to registry'));
  return { ...access, repo: access.repo };
}
