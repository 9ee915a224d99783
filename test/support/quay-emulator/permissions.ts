/**
 * Who may do what: the roles a principal really has, capped by its token's scopes (quay-api.md §1.2).
 * Mirrors the grants `QuayDeferredPermissionUser` provides:
 *  - a user owns its own namespace: org role `admin`, repo role `admin` on every repo in it;
 *  - an org team with role `admin` gives repo `admin` on every repo of the org;
 *  - direct and team repository permissions (§6.1);
 *  - superuser: `super:user` scope and listed in SUPER_USERS, with FEATURE_SUPER_USERS.
 */
import type { QuayFeatures } from './options.js';
import {
  capRepoRole,
  capTeamRole,
  capUserRole,
  maxRole,
  REPO_ORDER,
  type ScopeSet,
  TEAM_ORDER,
  type UserRole,
} from './scopes.js';
import type { EmulatorState, RepoRecord, RepoRole, RobotRecord, TeamRole, UserRecord } from './state.js';

export type Principal =
  | { kind: 'anonymous' }
  /** `scopes: null` = password login (registry Basic auth): uncapped, like a session login. */
  | { kind: 'user'; user: UserRecord; scopes: ScopeSet | null }
  | { kind: 'robot'; robot: RobotRecord };

export const ANONYMOUS: Principal = { kind: 'anonymous' };

export function principalName(p: Principal): string | null {
  if (p.kind === 'user') return p.user.username;
  if (p.kind === 'robot') return p.robot.name;
  return null;
}

function scopesOf(p: Principal): ScopeSet | null {
  return p.kind === 'user' ? p.scopes : null;
}

export class Permissions {
  constructor(
    private readonly state: EmulatorState,
    private readonly features: QuayFeatures,
  ) {}

  /** The org role the principal has through team membership, before scope capping. */
  actualOrgRole(p: Principal, orgName: string): TeamRole | null {
    const name = principalName(p);
    const org = this.state.orgs.get(orgName);
    if (!name || !org) return null;
    return maxRole(
      TEAM_ORDER,
      this.state.teamsOf(org, name).map((t) => t.role),
    );
  }

  /** Org role after scope capping; a user is `admin` of its own namespace. */
  orgRole(p: Principal, namespace: string): TeamRole | null {
    if (p.kind === 'user' && p.user.username === namespace) return capTeamRole(p.scopes, 'admin');
    return capTeamRole(scopesOf(p), this.actualOrgRole(p, namespace));
  }

  isOrgAdmin(p: Principal, namespace: string): boolean {
    return this.orgRole(p, namespace) === 'admin';
  }

  isOrgMember(p: Principal, namespace: string): boolean {
    return this.orgRole(p, namespace) !== null;
  }

  /** `CreateRepositoryPermission`: org role admin or creator (own namespace included) (§7.1, §11.2). */
  canCreateRepo(p: Principal, namespace: string): boolean {
    const role = this.orgRole(p, namespace);
    return role === 'admin' || role === 'creator';
  }

  /** Repository role; namespace-wide grants apply even when the repository does not exist (§1.4). */
  repoRole(p: Principal, namespace: string, repo: RepoRecord | undefined): RepoRole | null {
    const name = principalName(p);
    if (!name) return null;
    const scopes = scopesOf(p);
    const roles: (RepoRole | null)[] = [];
    if (p.kind === 'user' && p.user.username === namespace) roles.push(capRepoRole(scopes, 'admin'));
    if (this.actualOrgRole(p, namespace) === 'admin') roles.push(capRepoRole(scopes, 'admin'));
    if (repo) {
      roles.push(capRepoRole(scopes, repo.userPermissions.get(name) ?? null));
      const org = this.state.orgs.get(namespace);
      if (org) {
        for (const team of this.state.teamsOf(org, name)) {
          roles.push(capRepoRole(scopes, repo.teamPermissions.get(team.name) ?? null));
        }
      }
    }
    return maxRole(REPO_ORDER, roles);
  }

  canReadRepo(p: Principal, namespace: string, repo: RepoRecord | undefined): boolean {
    return this.repoRole(p, namespace, repo) !== null || repo?.isPublic === true;
  }

  /** The caller's role on its own account: `read` with user:read, `admin` with user:admin (§1.2). */
  userRole(p: Principal): UserRole | null {
    if (p.kind !== 'user') return null;
    return capUserRole(p.scopes, 'admin');
  }

  /** `allow_if_superuser_with_full_access`: a superuser while FEATURE_SUPERUSERS_FULL_ACCESS is on. */
  isSuperUserWithFullAccess(p: Principal): boolean {
    return this.features.superusersFullAccess && this.isSuperUser(p);
  }

  isSuperUser(p: Principal): boolean {
    if (!this.features.superUsers || p.kind !== 'user') return false;
    if (p.scopes !== null && !p.scopes.has('super:user')) return false;
    return this.state.superUsers.includes(p.user.username);
  }
}
