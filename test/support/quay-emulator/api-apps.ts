/**
 * Org OAuth applications and the v3.18 application-token API (quay-api.md §1.6): the supported way to mint a
 * long-lived API token. Tokens act as the calling user; you cannot mint scopes you do not hold.
 */
import { notFound, requireOrgAdmin, requireUser } from './api-auth.js';
import { readJsonBody, str, validateSchema } from './api-body.js';
import type { RequestContext } from './context.js';
import { apiJson, shapeD } from './errors.js';
import { isoSeconds, type JsonValue, randomUpperAlnum } from './formats.js';
import type { HttpResponse } from './http-io.js';
import type { RouteDef } from './router.js';
import { parseScopes } from './scopes.js';
import type { OAuthAppRecord, OAuthTokenRecord } from './state.js';

type Params = Record<string, string>;

/** `DEFAULT_TOKEN_EXPIRATION_SECONDS`: 10 years (§1.6). */
const DEFAULT_TOKEN_EXPIRATION_S = 10 * 365 * 24 * 3600;

function appView(app: OAuthAppRecord): JsonValue {
  return {
    name: app.name,
    description: app.description,
    application_uri: app.applicationUri,
    client_id: app.clientId,
    client_secret: app.clientSecret,
    redirect_uri: app.redirectUri,
    avatar_email: app.avatarEmail,
  };
}

async function createApp(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const org = requireOrgAdmin(ctx, p.org ?? '');
  const body = validateSchema(ctx, await readJsonBody(ctx), {
    name: { type: 'string', required: true },
    redirect_uri: { type: 'string' },
    application_uri: { type: 'string' },
    description: { type: 'string' },
    avatar_email: { type: 'string' },
  });
  const app: OAuthAppRecord = {
    clientId: randomUpperAlnum(20),
    clientSecret: randomUpperAlnum(40),
    namespace: org.name,
    name: str(body, 'name') ?? '',
    description: str(body, 'description') ?? '',
    applicationUri: str(body, 'application_uri') ?? '',
    redirectUri: str(body, 'redirect_uri') ?? '',
    avatarEmail: str(body, 'avatar_email') ?? '',
  };
  ctx.rt.state.apps.set(app.clientId, app);
  return apiJson(200, appView(app));
}

async function listApps(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const org = requireOrgAdmin(ctx, p.org ?? '');
  const apps = [...ctx.rt.state.apps.values()].filter((a) => a.namespace === org.name).map(appView);
  return apiJson(200, { applications: apps });
}

function findApp(ctx: RequestContext, p: Params): OAuthAppRecord | undefined {
  const org = requireOrgAdmin(ctx, p.org ?? '');
  const app = ctx.rt.state.apps.get(p.client ?? '');
  return app?.namespace === org.name ? app : undefined;
}

function tokenView(record: OAuthTokenRecord, withToken: boolean): Record<string, JsonValue> {
  const view: Record<string, JsonValue> = {
    uuid: record.uuid,
    name: record.name,
    scope: record.scope,
    expires_at: record.expiresAtMs === null ? null : isoSeconds(record.expiresAtMs),
    created: isoSeconds(record.createdMs),
    created_by: record.createdBy,
    last_accessed: record.lastAccessedMs === null ? null : isoSeconds(record.lastAccessedMs),
  };
  if (withToken) view.token = record.token;
  return view;
}

/** `POST .../applications/{client_id}/tokens`: errors are 400 `{"message"}` (§1.6). */
async function createAppToken(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { rt } = ctx;
  const app = findApp(ctx, p);
  if (!app) return notFound(ctx);
  const user = requireUser(ctx);
  const body = await readJsonBody(ctx);
  const obj = validateSchema(ctx, body, {
    name: { type: 'string', required: true, minLength: 1, maxLength: 255 },
    scope: { type: 'string', required: true },
    expiration: { type: 'integer', nullable: true, minimum: 1 },
  });
  const scopeText = str(obj, 'scope') ?? '';
  const requested = parseScopes(scopeText, rt.options.features.superUsers);
  if (requested.size === 0) return shapeD(400, `Invalid scope: ${scopeText}`);
  const held = ctx.caller.kind === 'user' ? ctx.caller.scopes : null;
  const missing = held === null ? [] : [...requested].filter((s) => !held.has(s));
  if (missing.length > 0) return shapeD(400, `Cannot grant scopes you do not hold: ${missing.join(' ')}`);
  const record = rt.state.createToken(user.username, [...requested].join(' '), {
    name: str(obj, 'name') ?? '',
    appClientId: app.clientId,
    createdBy: user.username,
    expiresInS: typeof obj.expiration === 'number' ? obj.expiration : DEFAULT_TOKEN_EXPIRATION_S,
  });
  return apiJson(200, tokenView(record, true));
}

async function listAppTokens(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const app = findApp(ctx, p);
  if (!app) return notFound(ctx);
  const records = [...ctx.rt.state.tokens.values()].filter((t) => t.appClientId === app.clientId);
  const page = ctx.rt.pageTokens.page(records, ctx.url.searchParams.get('next_page'), 50);
  const body: Record<string, JsonValue> = { tokens: page.items.map((t) => tokenView(t, false)) };
  if (page.nextPage) body.next_page = page.nextPage;
  return apiJson(200, body);
}

async function deleteAppToken(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const app = findApp(ctx, p);
  if (!app) return notFound(ctx);
  for (const [key, record] of ctx.rt.state.tokens) {
    if (record.appClientId === app.clientId && record.uuid === p.uuid) {
      ctx.rt.state.tokens.delete(key);
      return { status: 204 };
    }
  }
  return shapeD(404, 'Token not found');
}

export function appRoutes(): RouteDef<RequestContext>[] {
  const apps = '/api/v1/organization/{org}/applications';
  return [
    { method: 'POST', pattern: apps, kind: 'api', handler: createApp },
    { method: 'GET', pattern: apps, kind: 'api', handler: listApps },
    { method: 'POST', pattern: `${apps}/{client}/tokens`, kind: 'api', handler: createAppToken },
    { method: 'GET', pattern: `${apps}/{client}/tokens`, kind: 'api', handler: listAppTokens },
    { method: 'DELETE', pattern: `${apps}/{client}/tokens/{uuid}`, kind: 'api', handler: deleteAppToken },
  ];
}
