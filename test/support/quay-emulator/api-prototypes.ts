/**
 * Default permissions ("prototypes", quay-api.md §6.3): `endpoints/api/prototype.py`,
 * `data/model/permission.py`. Every call needs org admin (`org:admin`) or a superuser with
 * FEATURE_SUPERUSERS_FULL_ACCESS. Bodies are checked against the schema before the permission
 * (`@validate_json_request` wraps the view). They are applied on repository creation by state.ts.
 */
import { invalidRequest, notFound, unauthorized } from './api-auth.js';
import { readJsonBody, validateJson } from './api-body.js';
import type { RequestContext } from './context.js';
import { apiJson, fail, shapeD } from './errors.js';
import { avatar, type JsonValue, uuid } from './formats.js';
import type { HttpResponse } from './http-io.js';
import { pyRepr, type Schema } from './jsonschema.js';
import type { RouteDef } from './router.js';
import type { OrgRecord, PrototypeRecord, RepoRole } from './state.js';

type Params = Record<string, string>;

const ROLE = {
  type: 'string',
  description: 'Role that should be applied to the delegate',
  enum: ['read', 'write', 'admin'],
};

/** `PermissionPrototypeList.schemas["NewPrototype"]`, verbatim. */
const NEW_PROTOTYPE: Schema = {
  type: 'object',
  description: 'Description of a new prototype',
  required: ['role', 'delegate'],
  properties: {
    role: ROLE,
    activating_user: {
      type: 'object',
      description: 'Repository creating user to whom the rule should apply',
      required: ['name'],
      properties: { name: { type: 'string', description: 'The username for the activating_user' } },
    },
    delegate: {
      type: 'object',
      description: 'Information about the user or team to which the rule grants access',
      required: ['name', 'kind'],
      properties: {
        name: { type: 'string', description: 'The name for the delegate team or user' },
        kind: {
          type: 'string',
          description: 'Whether the delegate is a user or a team',
          enum: ['user', 'team'],
        },
      },
    },
  },
};

/** `PermissionPrototype.schemas["PrototypeUpdate"]`. */
const PROTOTYPE_UPDATE: Schema = {
  type: 'object',
  description: 'Description of a the new prototype role',
  required: ['role'],
  properties: { role: { ...ROLE, description: 'Role that should be applied to the permission' } },
};

/** `AdministerOrganizationPermission(org).can() or allow_if_superuser_with_full_access()`, then the org (404). */
function requireOrgAdminOrSuperuser(ctx: RequestContext, orgName: string): OrgRecord {
  const { perms, state } = ctx.rt;
  if (!perms.isOrgAdmin(ctx.caller, orgName) && !perms.isSuperUserWithFullAccess(ctx.caller)) {
    fail(unauthorized(ctx));
  }
  const org = state.orgs.get(orgName);
  if (!org) fail(notFound(ctx));
  return org;
}

/** `get_organization_member_set`: users (not robots) on any team of the org. */
function isOrgMember(ctx: RequestContext, org: OrgRecord, name: string): boolean {
  if (ctx.rt.state.robots.has(name)) return true;
  return ctx.rt.state.teamsOf(org, name).length > 0;
}

function userView(ctx: RequestContext, org: OrgRecord, name: string): JsonValue {
  const isRobot = ctx.rt.state.robots.has(name);
  return {
    name,
    is_robot: isRobot,
    kind: 'user',
    is_org_member: isOrgMember(ctx, org, name),
    avatar: avatar(name, isRobot ? 'robot' : 'user', ctx.rt.state.users.get(name)?.email),
  };
}

/** `prototype_view`. */
function prototypeView(ctx: RequestContext, org: OrgRecord, proto: PrototypeRecord): JsonValue {
  return {
    activating_user: proto.activatingUser === null ? null : userView(ctx, org, proto.activatingUser),
    delegate:
      proto.delegate.kind === 'user'
        ? userView(ctx, org, proto.delegate.name)
        : { name: proto.delegate.name, kind: 'team', avatar: avatar(proto.delegate.name, 'team') },
    role: proto.role,
    id: proto.uuid,
  };
}

/** `model.user.get_user`: a user or a robot (any namespace), never an org. */
function isUserOrRobot(ctx: RequestContext, name: string): boolean {
  return ctx.rt.state.users.has(name) || ctx.rt.state.robots.has(name);
}

async function listPrototypes(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const org = requireOrgAdminOrSuperuser(ctx, p.org ?? '');
  return apiJson(200, { prototypes: org.prototypes.map((proto) => prototypeView(ctx, org, proto)) });
}

/**
 * `POST .../prototypes`: 200 (not 201) with the view. The lookups run before the checks, so an unknown
 * delegate team is `get_organization_team`'s InvalidTeamException — built with three arguments, so its text is
 * a Python tuple — answered 400 `{"message"}` before "Unknown activating user" is considered.
 */
async function createPrototype(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const body = validateJson(ctx, await readJsonBody(ctx), NEW_PROTOTYPE);
  const orgName = p.org ?? '';
  const org = requireOrgAdminOrSuperuser(ctx, orgName);
  const activating = body.activating_user as { name?: string } | undefined;
  const activatingName = activating?.name ? activating.name : null;
  const delegate = body.delegate as { kind: 'user' | 'team'; name: string };
  const delegateUser = delegate.kind === 'user' && delegate.name ? delegate.name : null;
  const delegateTeam = delegate.kind === 'team' && delegate.name ? delegate.name : null;
  if (delegateTeam !== null && !org.teams.has(delegateTeam)) {
    return shapeD(400, `('Team does not exist: %s/%s', ${pyRepr(orgName)}, ${pyRepr(delegateTeam)})`);
  }
  if (activatingName !== null && !isUserOrRobot(ctx, activatingName)) {
    return invalidRequest(ctx, 'Unknown activating user');
  }
  const userFound = delegateUser !== null && isUserOrRobot(ctx, delegateUser);
  if (!userFound && delegateTeam === null) return invalidRequest(ctx, 'Missing delegate user or team');
  const proto: PrototypeRecord = {
    id: ctx.rt.state.nextId(),
    uuid: uuid(),
    activatingUser: activatingName,
    delegate: userFound
      ? { kind: 'user', name: delegateUser as string }
      : { kind: 'team', name: delegateTeam as string },
    role: body.role as RepoRole,
  };
  org.prototypes.push(proto);
  return apiJson(200, prototypeView(ctx, org, proto));
}

function findPrototype(ctx: RequestContext, org: OrgRecord, id: string): PrototypeRecord {
  const proto = org.prototypes.find((x) => x.uuid === id);
  if (!proto) fail(notFound(ctx));
  return proto;
}

/** `PUT .../prototypes/{id}` body `{role}`: 200 with the view; an unknown id is 404. */
async function updatePrototype(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const body = validateJson(ctx, await readJsonBody(ctx), PROTOTYPE_UPDATE);
  const org = requireOrgAdminOrSuperuser(ctx, p.org ?? '');
  const proto = findPrototype(ctx, org, p.id ?? '');
  proto.role = body.role as RepoRole;
  return apiJson(200, prototypeView(ctx, org, proto));
}

async function deletePrototype(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const org = requireOrgAdminOrSuperuser(ctx, p.org ?? '');
  const proto = findPrototype(ctx, org, p.id ?? '');
  org.prototypes = org.prototypes.filter((x) => x !== proto);
  return { status: 204 };
}

export function prototypeRoutes(): RouteDef<RequestContext>[] {
  const base = '/api/v1/organization/{org}/prototypes';
  return [
    { method: 'GET', pattern: base, kind: 'api', handler: listPrototypes },
    { method: 'POST', pattern: base, kind: 'api', handler: createPrototype },
    { method: 'PUT', pattern: `${base}/{id}`, kind: 'api', handler: updatePrototype },
    { method: 'DELETE', pattern: `${base}/{id}`, kind: 'api', handler: deletePrototype },
  ];
}
