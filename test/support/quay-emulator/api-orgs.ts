/** Organizations (quay-api.md §4): create, get, update, delete, the superuser listing, and org members. */
import {
  invalidRequest,
  notFound,
  requireOrgAdmin,
  requireSuperUser,
  requireUserAdmin,
  unauthorized,
} from './api-auth.js';
import { readJsonBody, str, validateSchema } from './api-body.js';
import type { RequestContext } from './context.js';
import { apiJson, fail, shapeC } from './errors.js';
import { avatar, type JsonValue } from './formats.js';
import type { HttpResponse } from './http-io.js';
import { isValidEmail, NAMESPACE_REGEX_TEXT, namespaceProblem } from './names.js';
import { orgQuotaView, quotaReport } from './quota.js';
import type { RouteDef } from './router.js';
import type { OrgRecord } from './state.js';

/**
 * The org view of `GET /api/v1/organization/{org}` (`api/organization.py::org_view`): fields depend on the
 * caller (§4.2). A superuser with FEATURE_SUPERUSERS_FULL_ACCESS sees it as an admin. With
 * FEATURE_QUOTA_MANAGEMENT and FEATURE_EDIT_QUOTA, admins and members also get `quotas` and `quota_report`.
 */
export function orgView(ctx: RequestContext, org: OrgRecord): Record<string, JsonValue> {
  const { perms, state, options } = ctx.rt;
  const asSuperuser = perms.isSuperUserWithFullAccess(ctx.caller);
  const isAdmin = perms.isOrgAdmin(ctx.caller, org.name) || asSuperuser;
  const isMember = perms.isOrgMember(ctx.caller, org.name) || asSuperuser;
  const view: Record<string, JsonValue> = {
    name: org.name,
    email: isAdmin && isValidEmail(org.email) ? org.email : '',
    avatar: avatar(org.name, 'org', org.email),
    is_admin: isAdmin,
    is_member: isMember,
  };
  if (isMember) {
    const me = ctx.caller.kind === 'user' ? ctx.caller.user.username : '';
    const teams: Record<string, JsonValue> = {};
    for (const team of org.teams.values()) {
      const repoCount = [...state.repos.values()].filter(
        (r) => r.namespace === org.name && r.teamPermissions.has(team.name),
      ).length;
      teams[team.name] = {
        name: team.name,
        description: team.description,
        role: team.role,
        avatar: avatar(team.name, 'team'),
        can_view: isAdmin || team.members.has(me),
        repo_count: repoCount,
        member_count: team.members.size,
        is_synced: false,
      };
    }
    view.teams = teams;
    view.ordered_teams = [...org.teams.keys()];
  }
  if (isAdmin) {
    view.invoice_email = org.invoiceEmail;
    view.invoice_email_address = org.invoiceEmailAddress;
    view.tag_expiration_s = org.tagExpirationS;
    view.is_free_account = true;
  }
  if ((isAdmin || isMember) && options.features.quotaManagement && options.features.editQuota) {
    view.quotas = org.quota ? [orgQuotaView(org.quota)] : [];
    view.quota_report = quotaReport(
      state,
      org,
      options.defaultSystemRejectQuotaBytes,
      (d) => ctx.rt.blobs.size(d) ?? 0,
    );
  }
  return view;
}

/** `POST /api/v1/organization/` (§4.1). */
async function createOrg(ctx: RequestContext): Promise<HttpResponse> {
  const { rt } = ctx;
  const user = requireUserAdmin(ctx);
  const body = validateSchema(ctx, await readJsonBody(ctx), {
    name: { type: 'string', required: true },
    email: { type: 'string' },
    contact_email: { type: 'string' },
    recaptcha_response: { type: 'string' },
  });
  if (rt.options.features.superusersOrgCreationOnly && !rt.perms.isSuperUser(ctx.caller))
    fail(unauthorized(ctx));
  const name = str(body, 'name') ?? '';
  if (rt.state.orgs.has(name) || rt.state.users.has(name)) {
    return invalidRequest(ctx, 'A user or organization with this name already exists');
  }
  const email = str(body, 'contact_email') ?? str(body, 'email');
  if (rt.options.orgCreateNeedsEmail && rt.options.features.mailing && !str(body, 'email'))
    return invalidRequest(ctx, 'Email address is required');
  if (email !== undefined && !isValidEmail(email)) return invalidRequest(ctx, 'Invalid email address');
  const problem = namespaceProblem(name);
  if (problem?.startsWith('Namespace must match')) {
    return invalidRequest(
      ctx,
      `Invalid namespace ${name}: Namespace must match expression ${NAMESPACE_REGEX_TEXT}`,
    );
  }
  if (problem) return invalidRequest(ctx, problem);
  // A deleted org keeps its name reserved until the namespace GC purges it (§4.1).
  if (rt.state.deletedNamespaces.has(name)) return invalidRequest(ctx, 'Username is not available');
  rt.state.createOrg(name, user.username, email ?? null);
  return apiJson(201, 'Created');
}

async function getOrg(ctx: RequestContext, params: Record<string, string>): Promise<HttpResponse> {
  const org = ctx.rt.state.orgs.get(params.org ?? '');
  if (!org) return notFound(ctx);
  return apiJson(200, orgView(ctx, org));
}

/** `PUT /api/v1/organization/{org}` (§4.3). */
async function updateOrg(ctx: RequestContext, params: Record<string, string>): Promise<HttpResponse> {
  const org = requireOrgAdmin(ctx, params.org ?? '');
  const body = validateSchema(ctx, await readJsonBody(ctx), {
    email: { type: 'string' },
    contact_email: { type: 'string' },
    invoice_email: { type: 'boolean' },
    invoice_email_address: { type: 'string', nullable: true },
    tag_expiration_s: { type: 'integer', minimum: 0 },
  });
  const email = str(body, 'contact_email') ?? str(body, 'email');
  if (email !== undefined) {
    if (!isValidEmail(email)) return invalidRequest(ctx, 'Invalid email address');
    org.email = email;
  }
  if (typeof body.invoice_email === 'boolean') org.invoiceEmail = body.invoice_email;
  if ('invoice_email_address' in body) org.invoiceEmailAddress = str(body, 'invoice_email_address') ?? null;
  if (typeof body.tag_expiration_s === 'number') org.tagExpirationS = body.tag_expiration_s;
  return apiJson(200, orgView(ctx, org));
}

/** `DELETE /api/v1/organization/{org}` (§4.4): 204; non-admins get 403 before the lookup, superusers 404. */
async function deleteOrg(ctx: RequestContext, params: Record<string, string>): Promise<HttpResponse> {
  const { rt } = ctx;
  const name = params.org ?? '';
  if (!rt.perms.isOrgAdmin(ctx.caller, name) && !rt.perms.isSuperUser(ctx.caller)) return unauthorized(ctx);
  if (!rt.state.orgs.has(name)) return notFound(ctx);
  rt.state.deleteOrg(name);
  return { status: 204 };
}

/** `GET /api/v1/superuser/organizations/` (§4.5). */
async function superuserOrgs(ctx: RequestContext): Promise<HttpResponse> {
  const { rt } = ctx;
  requireSuperUser(ctx);
  // verify_not_prod (§4.5).
  if (rt.serverHostname.includes('quay.io')) return shapeC(404);
  const limitParam = ctx.url.searchParams.get('limit');
  const orgs = [...rt.state.orgs.values()];
  const toEntry = (org: OrgRecord): JsonValue => ({
    name: org.name,
    email: org.email,
    avatar: avatar(org.name, 'org', org.email),
  });
  if (limitParam === null)
    return apiJson(200, { organizations: orgs.sort((a, b) => a.id - b.id).map(toEntry) });
  const limit = Number.parseInt(limitParam, 10);
  if (!Number.isFinite(limit)) return invalidRequest(ctx, `Invalid value for limit: ${limitParam}`);
  if (limit > 100) return invalidRequest(ctx, 'Page limit cannot be above 100');
  const page = rt.pageTokens.page(orgs, ctx.url.searchParams.get('next_page'), Math.max(1, limit));
  const body: Record<string, JsonValue> = { organizations: page.items.map(toEntry) };
  if (page.nextPage) body.next_page = page.nextPage;
  return apiJson(200, body);
}

/**
 * `GET /api/v1/organization/{org}/members`. Not in quay-api.md (simplified from Quay's OrganizationMemberList):
 * org admins only; every team member (users and robots) with its teams.
 */
async function orgMembers(ctx: RequestContext, params: Record<string, string>): Promise<HttpResponse> {
  const org = requireOrgAdmin(ctx, params.org ?? '');
  const { state } = ctx.rt;
  const names = new Set<string>();
  for (const team of org.teams.values()) for (const m of team.members) names.add(m);
  const members = [...names].sort().map((name) => {
    const isRobot = state.robots.has(name);
    return {
      name,
      kind: 'user',
      is_robot: isRobot,
      avatar: avatar(name, isRobot ? 'robot' : 'user', state.users.get(name)?.email),
      teams: state.teamsOf(org, name).map((t) => ({ name: t.name, avatar: avatar(t.name, 'team') })),
      repositories: [],
    };
  });
  return apiJson(200, { members });
}

export function orgRoutes(features: { superUsers: () => boolean }): RouteDef<RequestContext>[] {
  return [
    { method: 'POST', pattern: '/api/v1/organization/', kind: 'api', handler: createOrg },
    { method: 'GET', pattern: '/api/v1/organization/{org}/members', kind: 'api', handler: orgMembers },
    { method: 'GET', pattern: '/api/v1/organization/{org}', kind: 'api', handler: getOrg },
    { method: 'PUT', pattern: '/api/v1/organization/{org}', kind: 'api', handler: updateOrg },
    { method: 'DELETE', pattern: '/api/v1/organization/{org}', kind: 'api', handler: deleteOrg },
    {
      method: 'GET',
      pattern: '/api/v1/superuser/organizations/',
      kind: 'api',
      handler: superuserOrgs,
      enabled: features.superUsers,
    },
  ];
}
