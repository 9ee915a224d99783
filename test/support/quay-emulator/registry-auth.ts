/**
 * The registry token flow (quay-api.md §11.1, §11.2): `GET /v2/auth` trades Basic credentials (users, robots
 * `ns+name`, `$oauthtoken`) or nothing (anonymous) for a JWT whose `access` lists the granted actions; actions
 * the caller may not have are dropped silently, and a push scope on a missing repository creates it when the
 * caller may create repositories in the namespace. Other `/v2` calls accept only that bearer JWT.
 */
import { publicBase, type RequestContext, type Runtime } from './context.js';
import { fail, flaskJson, registryError, shapeB } from './errors.js';
import type { HttpResponse } from './http-io.js';
import { isValidRepoName, parseRobotName } from './names.js';
import { ANONYMOUS, type Principal, principalName } from './permissions.js';
import type { RegistryAccess, RegistryClaims, RegistryTokenContext } from './registry-jwt.js';
import { parseScopes, REPO_ORDER, roleAtLeast } from './scopes.js';
import type { RepoRole } from './state.js';

const LIBRARY_NAMESPACE = 'library';
const ACTION_ROLE: Record<string, RepoRole> = { pull: 'read', push: 'write', '*': 'admin' };

/** `WWW-Authenticate: Bearer realm="<scheme>://<host>/v2/auth",service="<SERVER_HOSTNAME>"[,scope=...]`. */
export function challenge(rt: Runtime, scope?: string): string {
  const base = `Bearer realm="${publicBase(rt)}/v2/auth",service="${rt.serverHostname}"`;
  return scope ? `${base},scope="${scope}"` : base;
}

/** `ns/name`, with the implicit `library` namespace for single-component names. */
export function normalizeRepoName(name: string): string {
  return name.includes('/') ? name : `${LIBRARY_NAMESPACE}/${name}`;
}

/**
 * Validates the bearer JWT of a `/v2` request. No Authorization header → null (anonymous). Anything else that is
 * not a valid token for this SERVER_HOSTNAME (Basic included) → 401 `{"error": ...}` with the challenge (§11.1).
 */
export function authenticateRegistry(ctx: RequestContext, scope?: string): RegistryClaims | null {
  const header = ctx.req.headers.authorization;
  if (!header) return null;
  const m = /^Bearer\s+(.+)$/i.exec(header);
  const result = m?.[1]
    ? ctx.rt.jwt.verify(m[1].trim(), ctx.rt.serverHostname)
    : { ok: false as const, reason: 'Invalid bearer token: missing bearer token' };
  if (!result.ok) {
    if (ctx.log.auth.kind === 'bearer') ctx.log.auth.bearerType = 'invalid';
    fail(
      shapeB(401, result.reason, {
        'www-authenticate': challenge(ctx.rt, scope),
        'docker-distribution-api-version': 'registry/2.0',
      }),
    );
  }
  ctx.log.auth.bearerType = 'jwt';
  ctx.log.auth.subject = result.claims.sub;
  return result.claims;
}

/** Whether the token grants at least `level` on `repoName` (`pull` → read, `push` → write, `*` → admin). */
export function tokenAllows(claims: RegistryClaims | null, repoName: string, level: RepoRole): boolean {
  if (!claims) return false;
  return claims.access.some(
    (a) =>
      a.type === 'repository' &&
      a.name === repoName &&
      a.actions.some((action) => roleAtLeast(REPO_ORDER, ACTION_ROLE[action] ?? null, level)),
  );
}

function unauthorizedAuth(message: string): HttpResponse {
  return registryError(401, 'UNAUTHORIZED', message);
}

/** Resolves Basic credentials at `/v2/auth` (`auth/credentials.py`). */
function principalFromBasic(ctx: RequestContext): {
  principal: Principal;
  kind: RegistryTokenContext['kind'];
} {
  const { rt } = ctx;
  const header = ctx.req.headers.authorization ?? '';
  const m = /^Basic\s+(.+)$/i.exec(header);
  if (!m?.[1]) return { principal: ANONYMOUS, kind: 'anonymous' };
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const username = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  if (username === '$oauthtoken') {
    const record = rt.state.tokens.get(password);
    const user = record ? rt.state.users.get(record.username) : undefined;
    if (!record || !user || (record.expiresAtMs !== null && record.expiresAtMs <= rt.clock.nowMs())) {
      fail(unauthorizedAuth('Invalid oauth access token'));
    }
    record.lastAccessedMs = rt.clock.nowMs();
    return {
      principal: { kind: 'user', user, scopes: parseScopes(record.scope, rt.options.features.superUsers) },
      kind: 'oauth',
    };
  }
  if (username.startsWith('$')) fail(unauthorizedAuth('Invalid Username or Password'));
  if (parseRobotName(username)) {
    const robot = rt.state.robots.get(username);
    if (!robot || robot.token !== password) fail(unauthorizedAuth('Invalid Username or Password'));
    robot.lastAccessedMs = rt.clock.nowMs();
    return { principal: { kind: 'robot', robot }, kind: 'robot' };
  }
  const user = rt.state.users.get(username);
  if (!user || (password !== user.password && password !== user.encryptedPassword)) {
    fail(unauthorizedAuth('Invalid Username or Password'));
  }
  return { principal: { kind: 'user', user, scopes: null }, kind: 'user' };
}

interface ScopeRequest {
  namespace: string;
  name: string;
  actions: string[];
}

function parseScope(rt: Runtime, scope: string): ScopeRequest {
  const m = /^repository:(.+):([^:]*)$/.exec(scope);
  if (!m?.[1])
    fail(registryError(400, 'INVALID_REQUEST', `Unable to decode repository and actions: ${scope}`));
  let full = m[1];
  // The scope may carry the hostname prefix (§11.1).
  if (full.startsWith(`${rt.serverHostname}/`)) full = full.slice(rt.serverHostname.length + 1);
  full = normalizeRepoName(full);
  const i = full.indexOf('/');
  const namespace = full.slice(0, i);
  const name = full.slice(i + 1);
  if (!isValidRepoName(name, rt.options.features.extendedRepositoryNames) || namespace === '') {
    fail(registryError(400, 'NAME_INVALID', `Invalid repository name: ${full}`));
  }
  const actions = (m[2] ?? '').split(',').filter((a) => a in ACTION_ROLE);
  return { namespace, name, actions };
}

/** Grants what the principal may do; a push on a missing repo creates it if allowed (§11.2). */
function grant(rt: Runtime, principal: Principal, req: ScopeRequest): string[] {
  const { state, perms, options } = rt;
  let repo = state.getRepo(req.namespace, req.name);
  const granted: string[] = [];
  // auth/permissions.py QuayDeferredPermissionUser.can: a superuser (password login, or a token with
  // `super:user`) with FEATURE_SUPERUSERS_FULL_ACCESS passes every repository permission check.
  const fullAccess = perms.isSuperUserWithFullAccess(principal);
  if (req.actions.includes('push')) {
    if (
      !repo &&
      !state.namespaceTaken(req.namespace) &&
      options.createNamespaceOnPush &&
      principal.kind === 'user'
    ) {
      state.createOrg(req.namespace, principal.user.username, null);
    }
    const namespaceExists = state.orgs.has(req.namespace) || state.users.has(req.namespace);
    if (!repo && namespaceExists && perms.canCreateRepo(principal, req.namespace)) {
      repo = state.createRepo(req.namespace, req.name, {
        isPublic: !options.createPrivateRepoOnPush,
        // v2auth.py get_or_create_repository passes no description: the column stays NULL.
        description: null,
        creator: principalName(principal),
      });
    }
    // v2auth.py: a push is granted only on a NORMAL repository (MIRROR: only to its mirror robot, which the
    // emulator has no configuration for; READ_ONLY: never), and silently left out otherwise.
    if (
      repo &&
      repo.state === 'NORMAL' &&
      (roleAtLeast(REPO_ORDER, perms.repoRole(principal, req.namespace, repo), 'write') || fullAccess)
    ) {
      granted.push('push');
    }
  }
  if (req.actions.includes('pull')) {
    const role = perms.repoRole(principal, req.namespace, repo);
    const publicOk =
      repo?.isPublic === true && (principal.kind !== 'anonymous' || options.features.anonymousAccess);
    if (role !== null || publicOk || (fullAccess && repo !== undefined)) granted.push('pull');
  }
  if (
    req.actions.includes('*') &&
    (perms.repoRole(principal, req.namespace, repo) === 'admin' || fullAccess) &&
    repo?.state === 'NORMAL'
  )
    granted.push('*');
  return granted;
}

/** `GET /v2/auth?service=&scope=` → 200 `{"token": "<JWT>"}` and nothing else (§11.1). */
export async function tokenEndpoint(ctx: RequestContext): Promise<HttpResponse> {
  const { rt } = ctx;
  const q = ctx.url.searchParams;
  const scopes = q.getAll('scope').flatMap((s) => s.split(' ').filter(Boolean));
  const { principal, kind } = principalFromBasic(ctx);
  ctx.caller = principal;
  if (principal.kind === 'anonymous') {
    if (scopes.length === 0) return unauthorizedAuth('Missing credentials and scope');
    if (!rt.options.features.anonymousAccess) return unauthorizedAuth('Anonymous access is not allowed');
  }
  const access: RegistryAccess[] = [];
  for (const scope of scopes) {
    const req = parseScope(rt, scope);
    access.push({
      type: 'repository',
      name: `${req.namespace}/${req.name}`,
      actions: grant(rt, principal, req),
    });
  }
  const subject = principalName(principal) ?? '(anonymous)';
  const token = rt.jwt.issue(q.get('service') ?? '', subject, access, {
    kind,
    user: principalName(principal),
  });
  return flaskJson(200, { token });
}
