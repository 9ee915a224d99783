/** First-user initialize (quay-api.md §2), the current user (§3) and the error-type documents (§1.3 A). */
import { notFound } from './api-auth.js';
import { readJsonBody } from './api-body.js';
import type { RequestContext } from './context.js';
import {
  API_ERROR_TYPES,
  type ApiErrorType,
  apiJson,
  flaskInternalError,
  flaskJson,
  shapeA,
  shapeD,
} from './errors.js';
import { avatar, type JsonValue, pyTruthy, randomUpperAlnum } from './formats.js';
import type { HttpResponse } from './http-io.js';
import { isValidEmail, isValidPassword, NAMESPACE_REGEX_TEXT, namespaceProblem } from './names.js';
import type { RouteDef } from './router.js';
import { INIT_TOKEN_SCOPE } from './scopes.js';

/** Token lifetime of `/api/v1/user/initialize` (§1.6): 9000 s. */
export const INIT_TOKEN_LIFETIME_S = 9000;

function pyStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `POST /api/v1/user/initialize`, web blueprint: no auth, no CSRF, no scopes (§2). */
async function initializeUser(ctx: RequestContext): Promise<HttpResponse> {
  const { rt } = ctx;
  if (rt.options.authenticationType !== 'Database') {
    return shapeD(400, 'Cannot initialize user in a non-database auth system');
  }
  if (!rt.state.userTableEmpty()) return shapeD(400, 'Cannot initialize user in a non-empty database');
  const body = await readJsonBody(ctx);
  // A missing key is a KeyError in Quay: 500 (§2).
  if (typeof body !== 'object' || body === null || !('username' in body) || !('password' in body)) {
    return flaskInternalError();
  }
  const data = body as Record<string, unknown>;
  const { username, password } = data;
  const email = data.email ?? null;
  const failed = (text: string): HttpResponse => shapeD(400, `Failed to initialize user: ${text}`);
  if (!isValidPassword(password)) {
    return failed('Invalid password, password must be at least 8 characters and contain no whitespace.');
  }
  if (rt.options.features.mailing && !isValidEmail(email))
    return failed(`Invalid email address: ${pyStr(email)}`);
  const name = typeof username === 'string' ? username : pyStr(username);
  const problem = namespaceProblem(name);
  if (problem?.startsWith('Namespace must match')) {
    return failed(`Invalid namespace ${name}: Namespace must match expression ${NAMESPACE_REGEX_TEXT}`);
  }
  if (problem) return failed(problem);
  const user = rt.state.createUser(name, password, typeof email === 'string' ? email : null);
  const response: Record<string, JsonValue> = {
    username: name,
    email: typeof email === 'string' ? email : null,
    encrypted_password: user.encryptedPassword,
  };
  if (pyTruthy(data.access_token)) {
    // Quay creates an OAuth application `automation` owned by the user, client_id = username (§2).
    rt.state.apps.set(name, {
      clientId: name,
      clientSecret: randomUpperAlnum(40),
      namespace: name,
      name: 'automation',
      description: '',
      applicationUri: '',
      redirectUri: '',
      avatarEmail: '',
    });
    const token = rt.state.createToken(name, INIT_TOKEN_SCOPE, {
      expiresInS: INIT_TOKEN_LIFETIME_S,
      name: 'automation',
      appClientId: name,
    });
    response.access_token = token.token;
  }
  return flaskJson(200, response, {
    'x-next-csrf-token': randomUpperAlnum(32),
    'set-cookie': `session=${randomUpperAlnum(16)}; HttpOnly; Path=/`,
  });
}

/** `GET /api/v1/user/` (§3). */
async function getUser(ctx: RequestContext): Promise<HttpResponse> {
  const { rt, caller } = ctx;
  const userRole = rt.perms.userRole(caller);
  if (caller.kind !== 'user' || userRole === null) {
    return shapeA(ctx.baseUrl, 'invalid_token', 'Requires authentication', { session_required: false });
  }
  const user = caller.user;
  const isAdmin = userRole === 'admin';
  const view: Record<string, JsonValue> = {
    anonymous: false,
    username: user.username,
    avatar: avatar(user.username, 'user', user.email),
  };
  if (isAdmin) {
    Object.assign(view, {
      can_create_repo: true,
      is_me: true,
      verified: true,
      email: user.email,
      logins: [],
      invoice_email: false,
      invoice_email_address: null,
      preferred_namespace: false,
      tag_expiration_s: 1209600,
      prompts: [],
      company: null,
      family_name: null,
      given_name: null,
      location: null,
      is_free_account: true,
      has_password_set: true,
    });
  }
  view.organizations = rt.state.orgsOf(user.username).map((org) => {
    const entry: Record<string, JsonValue> = {
      name: org.name,
      avatar: avatar(org.name, 'org', org.email),
      can_create_repo: rt.perms.canCreateRepo(caller, org.name),
      public: false,
    };
    if (isAdmin) {
      entry.is_org_admin = rt.perms.isOrgAdmin(caller, org.name);
      entry.preferred_namespace = false;
    }
    return entry;
  });
  if (rt.perms.isSuperUser(caller)) view.super_user = true;
  return apiJson(200, view);
}

/** `GET /api/v1/error/<type>` (§1.3 A). */
async function getErrorType(ctx: RequestContext, params: Record<string, string>): Promise<HttpResponse> {
  const type = params.type as ApiErrorType;
  const entry = Object.hasOwn(API_ERROR_TYPES, type) ? API_ERROR_TYPES[type] : undefined;
  if (!entry) return notFound(ctx);
  return apiJson(200, {
    type: `${ctx.baseUrl}/api/v1/error/${type}`,
    title: type,
    description: entry.description,
  });
}

export function userRoutes(features: { userInitialize: () => boolean }): RouteDef<RequestContext>[] {
  return [
    {
      method: 'POST',
      pattern: '/api/v1/user/initialize',
      kind: 'web',
      handler: initializeUser,
      enabled: features.userInitialize,
    },
    { method: 'GET', pattern: '/api/v1/user/', kind: 'api', handler: getUser },
    { method: 'GET', pattern: '/api/v1/error/{type}', kind: 'api', handler: getErrorType, anonAllowed: true },
  ];
}
