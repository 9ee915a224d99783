/** Proxy-cache (pull-through) configuration of an org (quay-api.md §8); behind FEATURE_PROXY_CACHE. */
import { invalidRequest, notFound, requireOrgAdmin, unauthorized } from './api-auth.js';
import { type JsonObject, readJsonBody, str, validateSchema } from './api-body.js';
import type { RequestContext } from './context.js';
import { apiJson, fail } from './errors.js';
import type { HttpResponse } from './http-io.js';
import type { RouteDef } from './router.js';
import { ssrfProblem, upstreamHost } from './ssrf.js';

type Params = Record<string, string>;

const DEFAULT_EXPIRATION_S = 86400;
const BODY_FIELDS = new Set([
  'upstream_registry',
  'upstream_registry_username',
  'upstream_registry_password',
  'expiration_s',
  'insecure',
  'org_name',
]);
/** `proxy/__init__.py::REGISTRY_URLS` (§8). */
const REGISTRY_URLS: Record<string, string> = { 'docker.io': 'registry-1.docker.io' };

async function readConfigBody(ctx: RequestContext): Promise<JsonObject> {
  return validateSchema(ctx, await readJsonBody(ctx), {
    upstream_registry: { type: 'string', required: true },
    upstream_registry_username: { type: 'string', nullable: true },
    upstream_registry_password: { type: 'string', nullable: true },
    expiration_s: { type: 'integer', nullable: true },
    insecure: { type: 'boolean', nullable: true },
  });
}

async function checkUpstream(ctx: RequestContext, upstream: string): Promise<void> {
  const { options } = ctx.rt;
  const problem = await ssrfProblem(upstream, options.ssrfAllowedHosts, options.resolveHost);
  if (problem) fail(invalidRequest(ctx, problem));
}

/** GET needs org membership; with no config: 200 with empty strings, not 404 (§8). */
async function getConfig(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const orgName = p.org ?? '';
  if (!ctx.rt.perms.isOrgMember(ctx.caller, orgName)) return unauthorized(ctx);
  const org = ctx.rt.state.orgs.get(orgName);
  if (!org) return notFound(ctx);
  const config = org.proxyCache;
  if (!config) return apiJson(200, { upstream_registry: '', expiration_s: '', insecure: '' });
  return apiJson(200, {
    upstream_registry: config.upstreamRegistry,
    expiration_s: config.expirationS,
    insecure: config.insecure,
  });
}

/** POST: one config per org, enforced only here (§8); 201 "Created". */
async function createConfig(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const org = requireOrgAdmin(ctx, p.org ?? '');
  const body = await readConfigBody(ctx);
  if (org.proxyCache) return invalidRequest(ctx, 'Proxy Cache Configuration already exists');
  const upstream = str(body, 'upstream_registry') ?? '';
  await checkUpstream(ctx, upstream);
  // Quay passes the body to its model as keyword arguments, so an unknown key fails the creation.
  if (Object.keys(body).some((k) => !BODY_FIELDS.has(k))) {
    return invalidRequest(ctx, 'Error while creating Proxy cache configuration');
  }
  org.proxyCache = {
    upstreamRegistry: upstream,
    username: str(body, 'upstream_registry_username') ?? null,
    password: str(body, 'upstream_registry_password') ?? null,
    expirationS: typeof body.expiration_s === 'number' ? body.expiration_s : DEFAULT_EXPIRATION_S,
    insecure: body.insecure === true,
  };
  return apiJson(201, 'Created');
}

/** DELETE answers 201 (sic) "Deleted"; 404 when there is none (§8). */
async function deleteConfig(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const org = requireOrgAdmin(ctx, p.org ?? '');
  if (!org.proxyCache) return notFound(ctx);
  org.proxyCache = null;
  return apiJson(201, 'Deleted');
}

type UpstreamOutcome = 'valid' | 'anonymous' | 'bad-login' | 'failed';

function parseChallenge(header: string | null): { realm: string; params: URLSearchParams } | undefined {
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  const params = new URLSearchParams();
  let realm = '';
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) {
    if (m[1] === 'realm') realm = m[2] ?? '';
    else params.set(m[1] ?? '', m[2] ?? '');
  }
  return realm ? { realm, params } : undefined;
}

/** Contacts `<upstream>/v2/` as Quay's validation does (§8). */
async function probeUpstream(
  upstream: string,
  insecure: boolean,
  username: string | undefined,
  password: string | undefined,
): Promise<UpstreamOutcome> {
  const host = upstream.split('/')[0] ?? '';
  const base = `${insecure ? 'http' : 'https'}://${REGISTRY_URLS[upstreamHost(upstream)] ?? host}`;
  try {
    const ping = await fetch(`${base}/v2/`, { signal: AbortSignal.timeout(5000) });
    await ping.arrayBuffer();
    if (ping.status === 200) return 'valid';
    if (ping.status !== 401) return 'failed';
    if (!username) return 'anonymous';
    const challenge = parseChallenge(ping.headers.get('www-authenticate'));
    if (!challenge) return 'failed';
    const url = new URL(challenge.realm);
    for (const [k, v] of challenge.params) url.searchParams.set(k, v);
    const auth = await fetch(url, {
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` },
      signal: AbortSignal.timeout(5000),
    });
    await auth.arrayBuffer();
    if (auth.ok) return 'valid';
    return auth.status === 401 || auth.status === 403 ? 'bad-login' : 'failed';
  } catch {
    return 'failed';
  }
}

/** `POST .../validateproxycache`: 202 "Valid" / "Anonymous", or 400 (§8). */
async function validateConfig(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const org = requireOrgAdmin(ctx, p.org ?? '');
  const body = await readConfigBody(ctx);
  if (org.proxyCache) return invalidRequest(ctx, 'Proxy Cache Configuration already exists');
  const upstream = str(body, 'upstream_registry') ?? '';
  await checkUpstream(ctx, upstream);
  const outcome = await probeUpstream(
    upstream,
    body.insecure === true,
    str(body, 'upstream_registry_username'),
    str(body, 'upstream_registry_password'),
  );
  switch (outcome) {
    case 'valid':
      return apiJson(202, 'Valid');
    case 'anonymous':
      return apiJson(202, 'Anonymous');
    case 'bad-login':
      return invalidRequest(
        ctx,
        'Failed login to remote registry. Please verify entered details and try again.',
      );
    case 'failed':
      return invalidRequest(ctx, 'Failed to validate Proxy cache configuration');
  }
}

export function proxyCacheRoutes(enabled: () => boolean): RouteDef<RequestContext>[] {
  const path = '/api/v1/organization/{org}/proxycache';
  return [
    { method: 'GET', pattern: path, kind: 'api', handler: getConfig, enabled },
    { method: 'POST', pattern: path, kind: 'api', handler: createConfig, enabled },
    { method: 'DELETE', pattern: path, kind: 'api', handler: deleteConfig, enabled },
    {
      method: 'POST',
      pattern: '/api/v1/organization/{org}/validateproxycache',
      kind: 'api',
      handler: validateConfig,
      enabled,
    },
  ];
}
