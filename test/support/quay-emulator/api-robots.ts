/** Robot accounts in org and user namespaces (quay-api.md §5). */
import { invalidRequest, notFound, requireUserAdmin, unauthorized } from './api-auth.js';
import { readJsonBody, validateSchema } from './api-body.js';
import type { RequestContext } from './context.js';
import { apiJson, fail, shapeC, shapeD } from './errors.js';
import { avatar, type JsonValue, randomUpperAlnum, rfc2822, truthyQuery } from './formats.js';
import type { HttpResponse } from './http-io.js';
import { namespaceProblem } from './names.js';
import type { RouteDef } from './router.js';
import type { RobotRecord } from './state.js';

type Params = Record<string, string>;
type Access = 'admin' | 'member';

/** Which namespace a robot route addresses, and whether the caller is its admin. */
interface RobotNamespace {
  namespace: string;
  isAdmin: boolean;
}

/** Org form: `AdministerOrganizationPermission` (`org:admin`); listing also lets members in (§5.2). */
function orgNamespace(ctx: RequestContext, params: Params, access: Access): RobotNamespace {
  const namespace = params.org ?? '';
  const { perms, state } = ctx.rt;
  const isAdmin = perms.isOrgAdmin(ctx.caller, namespace);
  if (!isAdmin && !(access === 'member' && perms.isOrgMember(ctx.caller, namespace))) fail(unauthorized(ctx));
  if (!state.orgs.has(namespace)) fail(notFound(ctx));
  return { namespace, isAdmin };
}

/** User form: the token owner's namespace, `user:admin` (§5.2). */
function userNamespace(ctx: RequestContext): RobotNamespace {
  return { namespace: requireUserAdmin(ctx).username, isAdmin: true };
}

function robotNotFound(): HttpResponse {
  // An InvalidRobotException reaches the app handler: 400 shape D, not 404 (§5.6).
  return shapeD(400, 'Could not find robot with specified username');
}

function findRobot(ctx: RequestContext, ns: RobotNamespace, short: string): RobotRecord {
  const robot = ctx.rt.state.robots.get(`${ns.namespace}+${short}`);
  if (!robot) fail(robotNotFound());
  return robot;
}

/** `Robot.to_dict` (§5.4). */
function robotView(
  robot: RobotRecord,
  opts: { token: boolean; metadata?: JsonValue | undefined },
): Record<string, JsonValue> {
  const view: Record<string, JsonValue> = {
    name: robot.name,
    created: rfc2822(robot.createdMs),
    last_accessed: robot.lastAccessedMs === null ? null : rfc2822(robot.lastAccessedMs),
    description: robot.description,
  };
  if (opts.token) view.token = robot.token;
  if (opts.metadata !== undefined) view.unstructured_metadata = opts.metadata;
  return view;
}

async function createRobot(ctx: RequestContext, ns: RobotNamespace, short: string): Promise<HttpResponse> {
  const { state } = ctx.rt;
  // The body is optional: a non-JSON content type or unparsable JSON means it is silently ignored (§0, §5.3).
  const raw = await readJsonBody(ctx, { optional: true });
  const body =
    raw === undefined || raw === null
      ? {}
      : validateSchema(ctx, raw, {
          description: { type: 'string', maxLength: 255 },
          unstructured_metadata: { type: 'object', nullable: true },
        });
  const problem = namespaceProblem(short);
  if (problem) return invalidRequest(ctx, `The name for the robot '${short}' is invalid: ${problem}`);
  const fullName = `${ns.namespace}+${short}`;
  if (state.robots.has(fullName)) return invalidRequest(ctx, `Existing robot with name: ${fullName}`);
  const sentMetadata = body.unstructured_metadata as Record<string, JsonValue> | null | undefined;
  const robot = state.createRobot(
    ns.namespace,
    short,
    typeof body.description === 'string' ? body.description : '',
    sentMetadata ?? {},
  );
  // The create response echoes the metadata as sent: null when omitted (§5.4).
  return apiJson(201, robotView(robot, { token: true, metadata: sentMetadata ?? null }));
}

async function getRobot(ctx: RequestContext, ns: RobotNamespace, short: string): Promise<HttpResponse> {
  const robot = findRobot(ctx, ns, short);
  return apiJson(200, robotView(robot, { token: true, metadata: robot.metadata }));
}

async function deleteRobot(ctx: RequestContext, ns: RobotNamespace, short: string): Promise<HttpResponse> {
  const robot = findRobot(ctx, ns, short);
  ctx.rt.state.deleteRobot(robot.name);
  return { status: 204 };
}

async function regenerateRobot(
  ctx: RequestContext,
  ns: RobotNamespace,
  short: string,
): Promise<HttpResponse> {
  const robot = findRobot(ctx, ns, short);
  robot.token = randomUpperAlnum(64);
  return apiJson(200, robotView(robot, { token: true }));
}

/** `GET .../robots?permissions=&token=&limit=` (§5.5). */
async function listRobots(ctx: RequestContext, ns: RobotNamespace): Promise<HttpResponse> {
  const { state } = ctx.rt;
  const q = ctx.url.searchParams;
  const withToken = ns.isAdmin && (q.get('token') === null || truthyQuery(q.get('token')));
  const withPermissions = ns.isAdmin && truthyQuery(q.get('permissions'));
  const limitParam = q.get('limit');
  let robots = [...state.robots.values()]
    .filter((r) => r.namespace === ns.namespace)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (limitParam !== null && Number.isFinite(Number.parseInt(limitParam, 10))) {
    robots = robots.slice(0, Math.max(0, Number.parseInt(limitParam, 10)));
  }
  const org = state.orgs.get(ns.namespace);
  const entries = robots.map((robot) => {
    const view = robotView(robot, { token: withToken });
    if (withPermissions) {
      view.teams = org
        ? state.teamsOf(org, robot.name).map((t) => ({ name: t.name, avatar: avatar(t.name, 'team') }))
        : [];
      view.repositories = [...state.repos.values()]
        .filter((r) => r.namespace === ns.namespace && r.userPermissions.has(robot.name))
        .map((r) => r.name);
    }
    return view;
  });
  return apiJson(200, { robots: entries });
}

/** `GET .../robots/{short}/permissions` (§5.2). */
async function robotPermissions(
  ctx: RequestContext,
  ns: RobotNamespace,
  short: string,
): Promise<HttpResponse> {
  const robot = findRobot(ctx, ns, short);
  const permissions = [...ctx.rt.state.repos.values()]
    .filter((r) => r.namespace === ns.namespace && r.userPermissions.has(robot.name))
    .map((r) => ({
      repository: { name: r.name, is_public: r.isPublic },
      role: r.userPermissions.get(robot.name) ?? 'read',
    }));
  return apiJson(200, { permissions });
}

/** The org-form permissions endpoint needs `user:admin` and then org admin; the latter fails with abort(403). */
function orgPermissionsNamespace(ctx: RequestContext, params: Params): RobotNamespace {
  requireUserAdmin(ctx);
  const namespace = params.org ?? '';
  if (!ctx.rt.perms.isOrgAdmin(ctx.caller, namespace)) fail(shapeC(403));
  return { namespace, isAdmin: true };
}

export function robotRoutes(): RouteDef<RequestContext>[] {
  const org = '/api/v1/organization/{org}/robots';
  const user = '/api/v1/user/robots';
  const short = (p: Params): string => p.robot ?? '';
  return [
    {
      method: 'GET',
      pattern: org,
      kind: 'api',
      handler: (c, p) => listRobots(c, orgNamespace(c, p, 'member')),
    },
    { method: 'GET', pattern: user, kind: 'api', handler: (c) => listRobots(c, userNamespace(c)) },
    {
      method: 'GET',
      pattern: `${org}/{robot}/permissions`,
      kind: 'api',
      handler: (c, p) => robotPermissions(c, orgPermissionsNamespace(c, p), short(p)),
    },
    {
      method: 'GET',
      pattern: `${user}/{robot}/permissions`,
      kind: 'api',
      handler: (c, p) => robotPermissions(c, userNamespace(c), short(p)),
    },
    {
      method: 'POST',
      pattern: `${org}/{robot}/regenerate`,
      kind: 'api',
      handler: (c, p) => regenerateRobot(c, orgNamespace(c, p, 'admin'), short(p)),
    },
    {
      method: 'POST',
      pattern: `${user}/{robot}/regenerate`,
      kind: 'api',
      handler: (c, p) => regenerateRobot(c, userNamespace(c), short(p)),
    },
    {
      method: 'GET',
      pattern: `${org}/{robot}`,
      kind: 'api',
      handler: (c, p) => getRobot(c, orgNamespace(c, p, 'admin'), short(p)),
    },
    {
      method: 'PUT',
      pattern: `${org}/{robot}`,
      kind: 'api',
      handler: (c, p) => createRobot(c, orgNamespace(c, p, 'admin'), short(p)),
    },
    {
      method: 'DELETE',
      pattern: `${org}/{robot}`,
      kind: 'api',
      handler: (c, p) => deleteRobot(c, orgNamespace(c, p, 'admin'), short(p)),
    },
    {
      method: 'GET',
      pattern: `${user}/{robot}`,
      kind: 'api',
      handler: (c, p) => getRobot(c, userNamespace(c), short(p)),
    },
    {
      method: 'PUT',
      pattern: `${user}/{robot}`,
      kind: 'api',
      handler: (c, p) => createRobot(c, userNamespace(c), short(p)),
    },
    {
      method: 'DELETE',
      pattern: `${user}/{robot}`,
      kind: 'api',
      handler: (c, p) => deleteRobot(c, userNamespace(c), short(p)),
    },
  ];
}
