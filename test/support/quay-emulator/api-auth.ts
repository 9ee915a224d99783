/**
 * How `/api/v1` decides who is calling and whether to go on (quay-api.md §1.1, §1.4, §1.5):
 * bearer OAuth token → user with scopes; a JWT bearer → SSO validation, which always fails here (401);
 * anything else (Basic included) → anonymous. Then CSRF for writes without a valid bearer, then anonymous
 * protection. Session (cookie) login is not emulated.
 */
import type { RequestContext } from './context.js';
import { fail, shapeA, shapeB } from './errors.js';
import type { HttpResponse } from './http-io.js';
import { ANONYMOUS, type Principal } from './permissions.js';
import { looksLikeJwt } from './registry-jwt.js';
import { parseScopes } from './scopes.js';
import type { OrgRecord, UserRecord } from './state.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Resolves the caller of an API request and applies the CSRF and anonymous-access gates. */
export function authenticateApiRequest(ctx: RequestContext, anonAllowed: boolean): void {
  const { rt, req } = ctx;
  const header = req.headers.authorization ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(header);
  let principal: Principal = ANONYMOUS;
  if (m?.[1]) {
    const token = m[1].trim();
    if (looksLikeJwt(token)) {
      ctx.log.auth.bearerType = 'jwt';
      // An external-SSO token is validated at once and a failure aborts with 401 (§1.1); no SSO is configured.
      fail(shapeB(401, 'Invalid SSO token: no external OIDC provider is configured'));
    }
    const record = rt.state.tokens.get(token);
    const user = record ? rt.state.users.get(record.username) : undefined;
    const alive = record && (record.expiresAtMs === null || record.expiresAtMs > rt.clock.nowMs());
    if (record && user && alive) {
      record.lastAccessedMs = rt.clock.nowMs();
      principal = { kind: 'user', user, scopes: parseScopes(record.scope, rt.options.features.superUsers) };
      ctx.log.auth.bearerType = 'oauth';
      ctx.log.auth.subject = user.username;
    } else {
      // Invalid, expired or disabled-user tokens do not abort: the request goes on as anonymous (§1.1).
      ctx.log.auth.bearerType = 'invalid';
    }
  }
  ctx.caller = principal;
  if (!SAFE_METHODS.has(ctx.method) && principal.kind === 'anonymous') {
    // The CSRF check runs before any permission check, so an invalid bearer on a write is 403, not 401 (§1.4).
    fail(shapeB(403, 'CSRF token was invalid or missing.'));
  }
  if (principal.kind === 'anonymous' && !rt.options.features.anonymousAccess && !anonAllowed) {
    fail(shapeB(401, 'Anonymous access is not allowed'));
  }
}

/** `Unauthorized()`: 401 `invalid_token` with no user, 403 `insufficient_scope` with one (§1.3). */
export function unauthorized(ctx: RequestContext): HttpResponse {
  if (ctx.caller.kind === 'anonymous') return shapeA(ctx.baseUrl, 'invalid_token', 'Requires authentication');
  return shapeA(ctx.baseUrl, 'insufficient_scope', 'Unauthorized');
}

export function notFound(ctx: RequestContext): HttpResponse {
  return shapeA(ctx.baseUrl, 'not_found', 'Not Found');
}

/** 400 shape A `invalid_request` with a message (`request_error` / `InvalidRequest`). */
export function invalidRequest(ctx: RequestContext, message: string): HttpResponse {
  return shapeA(ctx.baseUrl, 'invalid_request', message);
}

/** The authenticated user, whatever its scopes; otherwise 401. */
export function requireUser(ctx: RequestContext): UserRecord {
  if (ctx.caller.kind !== 'user') fail(unauthorized(ctx));
  return ctx.caller.user;
}

/** `require_user_admin`: a user token with `user:admin` (§1.2). */
export function requireUserAdmin(ctx: RequestContext): UserRecord {
  const user = requireUser(ctx);
  if (ctx.rt.perms.userRole(ctx.caller) !== 'admin') fail(unauthorized(ctx));
  return user;
}

/** `AdministerOrganizationPermission` (needs `org:admin`); 403/401 before any lookup, 404 after. */
export function requireOrgAdmin(ctx: RequestContext, orgName: string): OrgRecord {
  if (!ctx.rt.perms.isOrgAdmin(ctx.caller, orgName)) fail(unauthorized(ctx));
  const org = ctx.rt.state.orgs.get(orgName);
  if (!org) fail(notFound(ctx));
  return org;
}

export function requireSuperUser(ctx: RequestContext): UserRecord {
  if (!ctx.rt.perms.isSuperUser(ctx.caller)) fail(unauthorized(ctx));
  return requireUser(ctx);
}
