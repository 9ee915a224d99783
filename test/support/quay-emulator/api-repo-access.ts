/** Repository-scoped permission checks of the API (`require_repo_read/write/admin`, quay-api.md §1.4). */
import { notFound, unauthorized } from './api-auth.js';
import type { RequestContext } from './context.js';
import { fail } from './errors.js';
import { REPO_ORDER, roleAtLeast } from './scopes.js';
import type { RepoRecord, RepoRole } from './state.js';

export interface RepoRef {
  namespace: string;
  name: string;
}

/** `ns/name[/more]` → namespace and (possibly nested) name. */
export function splitRepoPath(path: string): RepoRef {
  const i = path.indexOf('/');
  return i < 0 ? { namespace: path, name: '' } : { namespace: path.slice(0, i), name: path.slice(i + 1) };
}

/**
 * Checks the caller's role on a repository before looking it up, as Quay does: a caller without a
 * namespace-wide role gets 401/403 for a missing repo, the org admin or namespace owner gets 404.
 * `allowMissing` returns instead of answering 404 (the handler reports the lookup failure its own way);
 * `allowSuperuser` lets a superuser with FEATURE_SUPERUSERS_FULL_ACCESS through (`allow_for_superuser=True`).
 */
export function requireRepo(
  ctx: RequestContext,
  path: string,
  level: RepoRole,
  opts: { allowMissing?: boolean; allowSuperuser?: boolean } = {},
): RepoRef & { repo: RepoRecord | undefined } {
  const ref = splitRepoPath(path);
  const repo = ctx.rt.state.getRepo(ref.namespace, ref.name);
  const role = ctx.rt.perms.repoRole(ctx.caller, ref.namespace, repo);
  const allowed =
    roleAtLeast(REPO_ORDER, role, level) ||
    (level === 'read' && repo?.isPublic === true) ||
    // `require_repo_*(allow_for_superuser=True)`.
    (opts.allowSuperuser === true && ctx.rt.perms.isSuperUserWithFullAccess(ctx.caller));
  if (!allowed) fail(unauthorized(ctx));
  if (!repo && !opts.allowMissing) fail(notFound(ctx));
  return { ...ref, repo };
}

export function requireExistingRepo(
  ctx: RequestContext,
  path: string,
  level: RepoRole,
): RepoRef & { repo: RepoRecord } {
  const found = requireRepo(ctx, path, level);
  if (!found.repo) return fail(notFound(ctx));
  return { ...found, repo: found.repo };
}
