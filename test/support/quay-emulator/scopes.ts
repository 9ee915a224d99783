/** OAuth scopes and how they cap roles (quay-api.md §1.2, `auth/scopes.py`, `auth/permissions.py`). */
import type { RepoRole, TeamRole } from './state.js';

export type Scope =
  | 'repo:read'
  | 'repo:write'
  | 'repo:admin'
  | 'repo:create'
  | 'user:read'
  | 'user:admin'
  | 'org:admin'
  | 'super:user';

const BASE_SCOPES: readonly Scope[] = [
  'repo:read',
  'repo:write',
  'repo:admin',
  'repo:create',
  'user:read',
  'user:admin',
  'org:admin',
];

/** The scope `/api/v1/user/initialize` gives its token (§2). */
export const INIT_TOKEN_SCOPE =
  'org:admin repo:admin repo:create repo:read repo:write super:user user:admin user:read';

export type ScopeSet = ReadonlySet<Scope>;

/**
 * Parses a scope string separated by spaces or commas. `super:user` exists only with FEATURE_SUPER_USERS, and one
 * unknown scope makes the whole set empty (§1.2).
 */
export function parseScopes(scope: string, superUsersFeature: boolean): ScopeSet {
  const known = new Set<string>(superUsersFeature ? [...BASE_SCOPES, 'super:user'] : BASE_SCOPES);
  const out = new Set<Scope>();
  for (const part of scope.split(/[\s,]+/)) {
    if (part === '') continue;
    if (!known.has(part)) return new Set();
    out.add(part as Scope);
  }
  return out;
}

export const REPO_ORDER: readonly RepoRole[] = ['read', 'write', 'admin'];
export const TEAM_ORDER: readonly TeamRole[] = ['member', 'creator', 'admin'];
export type UserRole = 'read' | 'admin';
const USER_ORDER: readonly UserRole[] = ['read', 'admin'];

const MAX_REPO: Partial<Record<Scope, RepoRole>> = {
  'repo:read': 'read',
  'repo:write': 'write',
  'repo:admin': 'admin',
};
const MAX_TEAM: Partial<Record<Scope, TeamRole>> = { 'repo:create': 'creator', 'org:admin': 'admin' };
const MAX_USER: Partial<Record<Scope, UserRole>> = { 'user:read': 'read', 'user:admin': 'admin' };

/**
 * Caps `role` by the most a scope set allows (`QuayDeferredPermissionUser._role_for_scopes`).
 * `scopes === null` is a password/session login: uncapped.
 */
function cap<R extends string>(
  scopes: ScopeSet | null,
  table: Partial<Record<Scope, R>>,
  order: readonly R[],
  role: R | null,
): R | null {
  if (role === null) return null;
  if (scopes === null) return role;
  let max = -1;
  for (const s of scopes) {
    const r = table[s];
    if (r !== undefined) max = Math.max(max, order.indexOf(r));
  }
  if (max < 0) return null;
  return order[Math.min(order.indexOf(role), max)] ?? null;
}

export function capRepoRole(scopes: ScopeSet | null, role: RepoRole | null): RepoRole | null {
  return cap(scopes, MAX_REPO, REPO_ORDER, role);
}

export function capTeamRole(scopes: ScopeSet | null, role: TeamRole | null): TeamRole | null {
  return cap(scopes, MAX_TEAM, TEAM_ORDER, role);
}

export function capUserRole(scopes: ScopeSet | null, role: UserRole | null): UserRole | null {
  return cap(scopes, MAX_USER, USER_ORDER, role);
}

export function maxRole<R extends string>(order: readonly R[], roles: (R | null | undefined)[]): R | null {
  let best = -1;
  for (const r of roles) if (r) best = Math.max(best, order.indexOf(r));
  return best < 0 ? null : (order[best] ?? null);
}

export function roleAtLeast<R extends string>(order: readonly R[], role: R | null, needed: R): boolean {
  return role !== null && order.indexOf(role) >= order.indexOf(needed);
}
