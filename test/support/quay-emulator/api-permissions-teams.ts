/**
 * Repository permissions for users, robots and teams (quay-api.md §6.1), and org teams with their members and
 * invites (§6.2). Every operation here needs repo admin (`repo:admin`) or org admin (`org:admin`).
 */
import { invalidRequest, notFound, requireOrgAdmin, requireUserAdmin, unauthorized } from './api-auth.js';
import { readJsonBody, validateSchema } from './api-body.js';
import { requireExistingRepo, requireRepo } from './api-repo-access.js';
import type { RequestContext } from './context.js';
import { apiJson, fail, flaskInternalError, shapeD } from './errors.js';
import { avatar, type JsonValue, randomUpperAlnum } from './formats.js';
import type { HttpResponse } from './http-io.js';
import { NAMESPACE_REGEX_TEXT, parseRobotName } from './names.js';

/** `data/model/team.py::VALID_TEAMNAME_REGEX`. */
const TEAM_NAME_REGEX = new RegExp(NAMESPACE_REGEX_TEXT);

import type { RouteDef } from './router.js';
import { type OrgRecord, REPO_ROLES, type RepoRole, TEAM_ROLES, type TeamRecord } from './state.js';

type Params = Record<string, string>;

function userPermissionView(ctx: RequestContext, namespace: string, name: string, role: RepoRole): JsonValue {
  const { state } = ctx.rt;
  const isRobot = state.robots.has(name);
  const view: Record<string, JsonValue> = {
    role,
    name,
    is_robot: isRobot,
    avatar: avatar(name, isRobot ? 'robot' : 'user', state.users.get(name)?.email),
  };
  const org = state.orgs.get(namespace);
  // `is_org_member` only in org namespaces; robots always count as members (§6.1).
  if (org) view.is_org_member = isRobot || state.teamsOf(org, name).length > 0;
  return view;
}

function teamPermissionView(team: string, role: RepoRole): JsonValue {
  return { role, name: team, avatar: avatar(team, 'team') };
}

const ROLE_BODY = { role: { type: 'string', required: true, enum: REPO_ROLES } } as const;

/** `PUT .../permissions/user/{username}`: upsert; DataModelException texts as 400 shape A (§6.1). */
async function setUserPermission(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { state } = ctx.rt;
  const ref = adminOfRepo(ctx, p);
  const body = validateSchema(ctx, await readJsonBody(ctx), ROLE_BODY);
  const role = body.role as RepoRole;
  const username = p.username ?? '';
  if (username === ref.namespace) return invalidRequest(ctx, 'Namespace owner must always be admin.');
  if (!state.users.has(username) && !state.robots.has(username)) {
    return invalidRequest(ctx, `Invalid username: ${username}`);
  }
  const robotParts = parseRobotName(username);
  if (state.robots.has(username) && robotParts?.[0] !== ref.namespace) {
    return invalidRequest(ctx, `Cannot add robot ${username} under namespace ${ref.namespace}`);
  }
  // Quay: __set_entity_repo_permission (data/model/permission.py) calls _basequery.get_existing_repository,
  // whose Repository.DoesNotExist nothing catches: a 500 page, not a 400 (checked against real Quay).
  if (!ref.repo) return flaskInternalError();
  ref.repo.userPermissions.set(username, role);
  return apiJson(200, userPermissionView(ctx, ref.namespace, username, role));
}

/**
 * Reads and deletes query permission rows joined to the repository by name, so a repository that does not
 * exist is no 404: it has no rows (`data/model/permission.py`).
 */
function adminOfRepo(ctx: RequestContext, p: Params) {
  return requireRepo(ctx, p.repo ?? '', 'admin', { allowMissing: true, allowSuperuser: true });
}

async function getUserPermission(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const ref = adminOfRepo(ctx, p);
  const username = p.username ?? '';
  const role = ref.repo?.userPermissions.get(username);
  // Shape D: the DataModelException reaches the app-level handler (§6.1).
  if (!role) return shapeD(400, 'User does not have permission for repo.');
  return apiJson(200, userPermissionView(ctx, ref.namespace, username, role));
}

async function deleteUserPermission(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const ref = adminOfRepo(ctx, p);
  // data/model/permission.py delete_user_permission checks the owner first.
  if (p.username === ref.namespace) return invalidRequest(ctx, 'Namespace owner must always be admin.');
  if (!ref.repo?.userPermissions.delete(p.username ?? '')) {
    return invalidRequest(ctx, 'User does not have permission for repo.');
  }
  return { status: 204 };
}

/** `GET .../permissions/user/`: a map keyed by name, not a list (§6.1); `{}` for a missing repository. */
async function listUserPermissions(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const ref = adminOfRepo(ctx, p);
  const permissions: Record<string, JsonValue> = {};
  for (const [name, role] of ref.repo?.userPermissions ?? []) {
    permissions[name] = userPermissionView(ctx, ref.namespace, name, role);
  }
  return apiJson(200, { permissions });
}

/** `GET .../permissions/user/{username}/transitive`: direct and via teams; 404 when none (§6.1). */
async function transitivePermission(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { state } = ctx.rt;
  const ref = requireExistingRepo(ctx, p.repo ?? '', 'admin');
  const username = p.username ?? '';
  if (!state.users.has(username) && !state.robots.has(username)) return notFound(ctx);
  const roles: RepoRole[] = [];
  const direct = ref.repo.userPermissions.get(username);
  if (direct) roles.push(direct);
  const org = state.orgs.get(ref.namespace);
  if (org) {
    for (const team of state.teamsOf(org, username)) {
      const role = ref.repo.teamPermissions.get(team.name);
      if (role) roles.push(role);
    }
  }
  if (roles.length === 0) return notFound(ctx);
  return apiJson(200, { permissions: roles.map((role) => ({ role })) });
}

async function listTeamPermissions(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const ref = adminOfRepo(ctx, p);
  const permissions: Record<string, JsonValue> = {};
  for (const [team, role] of ref.repo?.teamPermissions ?? [])
    permissions[team] = teamPermissionView(team, role);
  return apiJson(200, { permissions });
}

async function getTeamPermission(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const ref = adminOfRepo(ctx, p);
  const role = ref.repo?.teamPermissions.get(p.team ?? '');
  if (!role) return shapeD(400, 'Team does not have permission for repo.');
  return apiJson(200, teamPermissionView(p.team ?? '', role));
}

async function setTeamPermission(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const ref = adminOfRepo(ctx, p);
  const body = validateSchema(ctx, await readJsonBody(ctx), ROLE_BODY);
  const team = p.team ?? '';
  if (!ctx.rt.state.orgs.get(ref.namespace)?.teams.has(team)) {
    return invalidRequest(ctx, `No team ${team} in organization ${ref.namespace}`);
  }
  // Quay: __set_entity_repo_permission (data/model/permission.py) calls _basequery.get_existing_repository,
  // whose Repository.DoesNotExist nothing catches: a 500 page, not a 400 (checked against real Quay).
  if (!ref.repo) return flaskInternalError();
  ref.repo.teamPermissions.set(team, body.role as RepoRole);
  return apiJson(200, teamPermissionView(team, body.role as RepoRole));
}

async function deleteTeamPermission(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const ref = adminOfRepo(ctx, p);
  if (!ref.repo?.teamPermissions.delete(p.team ?? '')) {
    return invalidRequest(ctx, 'Team does not have permission for repo.');
  }
  return { status: 204 };
}

function teamView(team: TeamRecord, newTeam?: boolean): Record<string, JsonValue> {
  const view: Record<string, JsonValue> = {
    name: team.name,
    description: team.description,
    can_view: true,
    role: team.role,
    avatar: avatar(team.name, 'team'),
  };
  if (newTeam !== undefined) view.new_team = newTeam;
  return view;
}

/** `AdministerOrganizationPermission(org).can() or allow_if_superuser_with_full_access()`, then the org. */
function requireTeamAdmin(ctx: RequestContext, orgName: string): OrgRecord {
  if (ctx.rt.perms.isSuperUserWithFullAccess(ctx.caller)) {
    const org = ctx.rt.state.orgs.get(orgName);
    if (!org) fail(notFound(ctx));
    return org;
  }
  return requireOrgAdmin(ctx, orgName);
}

/** The caller's admin teams in the org (`__get_user_admin_teams`). */
function callerAdminTeams(ctx: RequestContext, org: OrgRecord): TeamRecord[] {
  const me = ctx.caller.kind === 'user' ? ctx.caller.user.username : '';
  return ctx.rt.state.teamsOf(org, me).filter((t) => t.role === 'admin');
}

/**
 * `PUT /api/v1/organization/{org}/team/{team}`: create or update (§6.2). The body is validated before the
 * permission check (`@validate_json_request` wraps the view). A new team's name must pass
 * `data/model/team.py::validate_team_name` (400 `{"message"}`, InvalidTeamException); demoting the caller's
 * only admin team is refused by `set_team_org_permission`.
 */
async function putTeam(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const body = validateSchema(ctx, await readJsonBody(ctx), {
    role: { type: 'string', required: true, enum: TEAM_ROLES },
    description: { type: 'string' },
  });
  const org = requireTeamAdmin(ctx, p.org ?? '');
  const name = p.team ?? '';
  const existing = org.teams.get(name);
  if (!existing) {
    if (!TEAM_NAME_REGEX.test(name)) {
      return shapeD(
        400,
        `Invalid team name ${name}: Namespace must match expression ${NAMESPACE_REGEX_TEXT}`,
      );
    }
    if (name.length < 2 || name.length > 255) {
      return shapeD(400, `Invalid team name ${name}: Team must be between 2 and 255 characters in length`);
    }
  } else if (existing.role === 'admin' && body.role !== 'admin') {
    const adminTeams = callerAdminTeams(ctx, org).map((t) => t.name);
    if (adminTeams.includes(name) && adminTeams.length <= 1) {
      return shapeD(
        400,
        `Cannot remove admin from team '${name}' because calling user would no longer have admin on org '${org.name}'`,
      );
    }
  }
  const team: TeamRecord = existing ?? {
    name,
    description: '',
    role: 'member',
    members: new Set(),
    invites: [],
  };
  team.role = body.role as TeamRecord['role'];
  if (typeof body.description === 'string') team.description = body.description;
  org.teams.set(name, team);
  return apiJson(200, teamView(team, !existing));
}

/**
 * `DELETE .../team/{team}` (`data/model/team.py::remove_team`): 204; its repository permissions and the
 * prototypes delegating to it go with it. Nothing protects `owners` as such: an admin team can go unless it is
 * the caller's only admin team (400 `{"message"}`); a caller in no admin team at all (a superuser) makes
 * `admin_teams[0]` an IndexError, a 500 page.
 */
async function deleteTeam(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const org = requireTeamAdmin(ctx, p.org ?? '');
  const name = p.team ?? '';
  const team = org.teams.get(name);
  if (!team) return shapeD(400, `Team '${name}' is not a team in org '${org.name}'`);
  if (team.role === 'admin') {
    const adminTeams = callerAdminTeams(ctx, org);
    if (adminTeams.length === 0) return flaskInternalError();
    if (adminTeams.length <= 1 && adminTeams[0]?.name === name) {
      const me = ctx.caller.kind === 'user' ? ctx.caller.user.username : '';
      return shapeD(
        400,
        `Deleting team '${name}' would remove admin ability for user '${me}' in organization '${org.name}'`,
      );
    }
  }
  ctx.rt.state.deleteTeam(org, name);
  return { status: 204 };
}

function findTeam(ctx: RequestContext, org: OrgRecord, name: string): TeamRecord {
  const team = org.teams.get(name);
  if (!team) fail(notFound(ctx));
  return team;
}

function memberView(ctx: RequestContext, name: string, invited: boolean): JsonValue {
  const isRobot = ctx.rt.state.robots.has(name);
  return {
    name,
    kind: 'user',
    is_robot: isRobot,
    avatar: avatar(name, isRobot ? 'robot' : 'user', ctx.rt.state.users.get(name)?.email),
    invited,
  };
}

/**
 * `PUT .../team/{team}/members/{member}` (§6.2): robots of the org and users already in the org are added;
 * other users are only invited while FEATURE_MAILING and FEATURE_REQUIRE_TEAM_INVITE are on.
 */
async function addMember(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { rt } = ctx;
  const org = requireOrgAdmin(ctx, p.org ?? '');
  const team = findTeam(ctx, org, p.team ?? '');
  const member = p.member ?? '';
  const robot = rt.state.robots.get(member);
  if (parseRobotName(member)) {
    if (!robot) return invalidRequest(ctx, 'Unknown user');
    if (robot.namespace !== org.name) {
      return invalidRequest(
        ctx,
        'Cannot add the specified robot to this team, as it is not a member of the organization',
      );
    }
  } else if (!rt.state.users.has(member)) {
    return invalidRequest(ctx, 'Unknown user');
  }
  // Not documented in quay-api.md: Quay's add_user_to_team raises UserAlreadyInTeam (a DataModelException).
  if (team.members.has(member)) {
    // data/model/team.py add_user_to_team: UserAlreadyInTeam("User %s is already a member of team %s").
    return shapeD(400, `User ${member} is already a member of team ${team.name}`);
  }
  const inOrg = rt.state.teamsOf(org, member).length > 0;
  const mustInvite = !robot && !inOrg && rt.options.features.mailing && rt.options.features.requireTeamInvite;
  if (mustInvite) {
    if (!team.invites.some((i) => i.username === member)) {
      const inviter = ctx.caller.kind === 'user' ? ctx.caller.user.username : '';
      team.invites.push({ code: randomUpperAlnum(32), username: member, inviter });
    }
    return apiJson(200, memberView(ctx, member, true));
  }
  team.members.add(member);
  return apiJson(200, memberView(ctx, member, false));
}

async function removeMember(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const org = requireOrgAdmin(ctx, p.org ?? '');
  const team = findTeam(ctx, org, p.team ?? '');
  const member = p.member ?? '';
  if (!ctx.rt.state.users.has(member) && !ctx.rt.state.robots.has(member))
    return invalidRequest(ctx, 'Unknown user');
  team.invites = team.invites.filter((i) => i.username !== member);
  team.members.delete(member);
  return { status: 204 };
}

/** `GET .../team/{team}/members?includePending=`: org admins and members of the team. */
async function listMembers(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { perms, state } = ctx.rt;
  const orgName = p.org ?? '';
  const isAdmin = perms.isOrgAdmin(ctx.caller, orgName);
  const org = state.orgs.get(orgName);
  const team = org?.teams.get(p.team ?? '');
  const me = ctx.caller.kind === 'user' ? ctx.caller.user.username : null;
  const canView =
    isAdmin || (me !== null && perms.isOrgMember(ctx.caller, orgName) && !!team?.members.has(me));
  if (!canView) return unauthorized(ctx);
  if (!team) return notFound(ctx);
  const members: JsonValue[] = [...team.members].sort().map((m) => memberView(ctx, m, false));
  if (ctx.url.searchParams.get('includePending') === 'true' && isAdmin) {
    for (const invite of team.invites) {
      members.push({
        kind: 'invite',
        name: invite.username,
        avatar: avatar(invite.username, 'user', state.users.get(invite.username)?.email),
        invited: true,
      });
    }
  }
  return apiJson(200, { name: team.name, members, can_edit: isAdmin });
}

/** `PUT /api/v1/teaminvite/{code}`: the invited user accepts (§6.2). */
async function acceptInvite(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const user = requireUserAdmin(ctx);
  for (const org of ctx.rt.state.orgs.values()) {
    for (const team of org.teams.values()) {
      const invite = team.invites.find((i) => i.code === p.code && i.username === user.username);
      if (!invite) continue;
      team.invites = team.invites.filter((i) => i !== invite);
      team.members.add(user.username);
      return apiJson(200, { org: org.name, team: team.name });
    }
  }
  return notFound(ctx);
}

export function permissionTeamRoutes(): RouteDef<RequestContext>[] {
  const repo = '/api/v1/repository/{repo+}/permissions';
  const team = '/api/v1/organization/{org}/team/{team}';
  return [
    { method: 'GET', pattern: `${repo}/user/`, kind: 'api', handler: listUserPermissions },
    {
      method: 'GET',
      pattern: `${repo}/user/{username}/transitive`,
      kind: 'api',
      handler: transitivePermission,
    },
    { method: 'GET', pattern: `${repo}/user/{username}`, kind: 'api', handler: getUserPermission },
    { method: 'PUT', pattern: `${repo}/user/{username}`, kind: 'api', handler: setUserPermission },
    { method: 'DELETE', pattern: `${repo}/user/{username}`, kind: 'api', handler: deleteUserPermission },
    { method: 'GET', pattern: `${repo}/team/`, kind: 'api', handler: listTeamPermissions },
    { method: 'GET', pattern: `${repo}/team/{team}`, kind: 'api', handler: getTeamPermission },
    { method: 'PUT', pattern: `${repo}/team/{team}`, kind: 'api', handler: setTeamPermission },
    { method: 'DELETE', pattern: `${repo}/team/{team}`, kind: 'api', handler: deleteTeamPermission },
    { method: 'GET', pattern: `${team}/members`, kind: 'api', handler: listMembers },
    { method: 'PUT', pattern: `${team}/members/{member}`, kind: 'api', handler: addMember },
    { method: 'DELETE', pattern: `${team}/members/{member}`, kind: 'api', handler: removeMember },
    { method: 'PUT', pattern: team, kind: 'api', handler: putTeam },
    { method: 'DELETE', pattern: team, kind: 'api', handler: deleteTeam },
    { method: 'PUT', pattern: '/api/v1/teaminvite/{code}', kind: 'api', handler: acceptInvite },
  ];
}
