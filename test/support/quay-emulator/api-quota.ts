/**
 * Organization quotas and quota limits (`endpoints/api/namespacequota.py`, `data/model/namespacequota.py`).
 * Routes exist only with FEATURE_SUPER_USERS, FEATURE_QUOTA_MANAGEMENT and FEATURE_EDIT_QUOTA (`@show_if`).
 * Reads need org membership (or a superuser with FEATURE_SUPERUSERS_FULL_ACCESS); every write needs
 * `allow_if_superuser_with_full_access` (a superuser whose token has `super:user`, with the feature on), after
 * the body passed its schema where the schema is checked first (`@validate_json_request` above the check).
 */
import { invalidRequest, notFound, unauthorized } from './api-auth.js';
import { readJsonBody, validateJson } from './api-body.js';
import type { RequestContext } from './context.js';
import { apiJson, fail, shapeD } from './errors.js';
import type { HttpResponse } from './http-io.js';
import type { Schema } from './jsonschema.js';
import { bitmathParse, limitView, quotaView } from './quota.js';
import type { RouteDef } from './router.js';
import type { OrgRecord, QuotaLimitRecord, QuotaRecord, QuotaType } from './state.js';

type Params = Record<string, string>;

const LIMIT_PATTERN =
  '^(\\d+\\s?(B|KiB|MiB|GiB|TiB|PiB|EiB|ZiB|YiB|Ki|Mi|Gi|Ti|Pi|Ei|Zi|Yi|KB|MB|GB|TB|PB|EB|ZB|YB|K|M|G|T|P|E|Z|Y)?)$';

/** `OrganizationQuotaList.schemas["NewOrgQuota"]`, verbatim. */
const NEW_ORG_QUOTA: Schema = {
  type: 'object',
  description: 'Description of a new organization quota',
  oneOf: [
    {
      required: ['limit_bytes'],
      properties: {
        limit_bytes: { type: 'integer', description: 'Number of bytes the organization is allowed' },
      },
    },
    {
      required: ['limit'],
      properties: {
        limit: {
          type: 'string',
          description: 'Human readable storage capacity of the organization',
          pattern: LIMIT_PATTERN,
        },
      },
    },
  ],
};

/** `OrganizationQuota.schemas["UpdateOrgQuota"]`, verbatim. */
const UPDATE_ORG_QUOTA: Schema = {
  type: 'object',
  description: 'Description of a new organization quota',
  oneOf: [
    {
      properties: {
        limit_bytes: { type: 'integer', description: 'Number of bytes the organization is allowed' },
      },
      required: ['limit_bytes'],
      additionalProperties: false,
    },
    {
      properties: {
        limit: {
          type: 'string',
          description: 'Human readable storage capacity of the organization',
          pattern: LIMIT_PATTERN,
        },
      },
      required: ['limit'],
      additionalProperties: false,
    },
    { properties: { limit_bytes: { not: {} }, limit: { not: {} } }, additionalProperties: false },
  ],
};

const LIMIT_PROPERTIES = {
  type: { type: 'string', description: 'Type of quota limit: "Warning" or "Reject"' },
  threshold_percent: { type: 'integer', description: 'Quota threshold, in percent of quota' },
};

/** `OrganizationQuotaLimitList.schemas["NewOrgQuotaLimit"]`. */
const NEW_ORG_QUOTA_LIMIT: Schema = {
  type: 'object',
  description: 'Description of a new organization quota limit',
  required: ['type', 'threshold_percent'],
  properties: LIMIT_PROPERTIES,
};

/** `OrganizationQuotaLimit.schemas["UpdateOrgQuotaLimit"]`. */
const UPDATE_ORG_QUOTA_LIMIT: Schema = {
  type: 'object',
  description: 'Description of changing organization quota limit',
  properties: LIMIT_PROPERTIES,
};

/** PostgreSQL's bigint: a larger `limit_bytes` is a DataError → UnsupportedQuotaSize. */
const MAX_BIGINT = 2 ** 63 - 1;

const THRESHOLD_MESSAGE = 'Quota limit threshold must be between 1 and 100';
const TYPE_MESSAGE = 'Quota type must be one of [Warning, Reject]';
const LIMIT_FORMAT_MESSAGE = 'Invalid limit format, use a number followed by a unit (e.g. 1GiB)';

/** `OrganizationMemberPermission(org).can()` or a superuser with full access. */
function canRead(ctx: RequestContext, orgName: string): boolean {
  return ctx.rt.perms.isOrgMember(ctx.caller, orgName) || ctx.rt.perms.isSuperUserWithFullAccess(ctx.caller);
}

function requireWriter(ctx: RequestContext): void {
  if (!ctx.rt.perms.isSuperUserWithFullAccess(ctx.caller)) fail(unauthorized(ctx));
}

/** An id from the path as the database compares it (digits match the integer, anything else nothing). */
function pathId(value: string | undefined): number | undefined {
  return value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined;
}

/** `get_quota`: the namespace's quota with that id, else 404. */
function getQuota(ctx: RequestContext, orgName: string, quotaId: string | undefined): QuotaRecord {
  const quota = ctx.rt.state.orgs.get(orgName)?.quota;
  if (!quota || quota.id !== pathId(quotaId)) fail(notFound(ctx));
  return quota;
}

/**
 * `get_namespace_quota_limit`: limit ids are global; one of another quota raises a bare InvalidNamespaceQuota,
 * a DataModelException with no text (400 `{"message": ""}`).
 */
function getLimit(ctx: RequestContext, quota: QuotaRecord, limitId: string | undefined): QuotaLimitRecord {
  const id = pathId(limitId);
  for (const org of ctx.rt.state.orgs.values()) {
    const limit = org.quota?.limits.find((l) => l.id === id);
    if (!limit) continue;
    if (org.quota !== quota) fail(shapeD(400, ''));
    return limit;
  }
  return fail(notFound(ctx));
}

/** `_quota_type`: case-insensitive; anything else raises InvalidNamespaceQuotaType. */
function quotaType(name: string): QuotaType | undefined {
  if (name.toLowerCase() === 'warning') return 'Warning';
  if (name.toLowerCase() === 'reject') return 'Reject';
  return undefined;
}

function validThreshold(percent: number): boolean {
  return percent > 0 && percent <= 100;
}

/** Python's `'%s' % v` of the bytes value: a `limit` text parses to a float (`0.0`). */
function pyNumber(value: number, isFloat: boolean): string {
  return isFloat && Number.isInteger(value) ? `${value}.0` : String(value);
}

/** The `limit`/`limit_bytes` of a body as bytes (`limit` wins), or undefined when neither is given. */
function requestedBytes(
  ctx: RequestContext,
  body: Record<string, unknown>,
): { bytes: number; isFloat: boolean } | undefined {
  if ('limit' in body) {
    const bytes = bitmathParse(String(body.limit));
    if (bytes === undefined) fail(invalidRequest(ctx, LIMIT_FORMAT_MESSAGE));
    return { bytes, isFloat: true };
  }
  if ('limit_bytes' in body) return { bytes: body.limit_bytes as number, isFloat: false };
  return undefined;
}

/** `create_namespace_quota` / `update_namespace_quota_size` size checks (DataModelExceptions → 400 shape A). */
function checkSize(ctx: RequestContext, size: { bytes: number; isFloat: boolean }): number {
  if (!(size.bytes > 0)) {
    fail(invalidRequest(ctx, `Invalid quota size limit value: '${pyNumber(size.bytes, size.isFloat)}'`));
  }
  if (size.bytes > MAX_BIGINT) fail(invalidRequest(ctx, 'Unsupported quota size limit.'));
  return Math.trunc(size.bytes);
}

function systemDefault(ctx: RequestContext): number {
  return ctx.rt.options.defaultSystemRejectQuotaBytes;
}

/** `GET .../quota`: `[]`, the quota, or the system default (`default_config: true`) when one is configured. */
async function listQuotas(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const orgName = p.org ?? '';
  if (!canRead(ctx, orgName)) return unauthorized(ctx);
  const org = ctx.rt.state.orgs.get(orgName);
  if (!org) return notFound(ctx);
  if (org.quota) return apiJson(200, [quotaView(org.quota, systemDefault(ctx))]);
  if (systemDefault(ctx) !== 0) return apiJson(200, [quotaView(null, systemDefault(ctx), true)]);
  return apiJson(200, []);
}

/** `POST .../quota` body `{limit_bytes}` or `{limit}` (3.12+): 201 "Created"; one quota per org. */
async function createQuota(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const body = validateJson(ctx, await readJsonBody(ctx), NEW_ORG_QUOTA);
  requireWriter(ctx);
  const size = requestedBytes(ctx, body) ?? { bytes: 0, isFloat: false };
  const orgName = p.org ?? '';
  const org = ctx.rt.state.orgs.get(orgName);
  if (!org) return notFound(ctx);
  if (org.quota) return invalidRequest(ctx, `Organization quota for '${orgName}' already exists`);
  org.quota = { id: ctx.rt.state.nextId(), limitBytes: checkSize(ctx, size), limits: [] };
  return apiJson(201, 'Created');
}

async function getQuotaHandler(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  if (!canRead(ctx, p.org ?? '')) return unauthorized(ctx);
  return apiJson(200, quotaView(getQuota(ctx, p.org ?? '', p.quota), systemDefault(ctx)));
}

/** `PUT .../quota/{id}`: a zero size (or `{}`) changes nothing; a negative one is a 400. */
async function updateQuota(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const body = validateJson(ctx, await readJsonBody(ctx), UPDATE_ORG_QUOTA);
  requireWriter(ctx);
  const quota = getQuota(ctx, p.org ?? '', p.quota);
  const size = requestedBytes(ctx, body);
  if (size && size.bytes !== 0) quota.limitBytes = checkSize(ctx, size);
  return apiJson(200, quotaView(quota, systemDefault(ctx)));
}

/** `DELETE .../quota/{id}`: 204, its limits with it. */
async function deleteQuota(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  requireWriter(ctx);
  getQuota(ctx, p.org ?? '', p.quota);
  const org = ctx.rt.state.orgs.get(p.org ?? '') as OrgRecord;
  org.quota = null;
  return { status: 204 };
}

async function listLimits(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  if (!canRead(ctx, p.org ?? '')) return unauthorized(ctx);
  const quota = getQuota(ctx, p.org ?? '', p.quota);
  return apiJson(200, quota.limits.map(limitView));
}

/**
 * `POST .../limit` body `{type, threshold_percent}`: 201 "Created". Quay first looks for a matching limit
 * (`get_namespace_quota_limit_list` with the type and threshold as filters — it raises for a bad type or an
 * out-of-range non-zero threshold, uncaught: 400 `{"message"}`), then creates (its errors are shape A). The
 * "Only one quota limit of type 'Reject'" branch cannot fire: several Reject limits are accepted.
 */
async function createLimit(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const body = validateJson(ctx, await readJsonBody(ctx), NEW_ORG_QUOTA_LIMIT);
  requireWriter(ctx);
  const typeName = body.type as string;
  const threshold = body.threshold_percent as number;
  const quota = getQuota(ctx, p.org ?? '', p.quota);
  if (threshold !== 0 && !validThreshold(threshold)) return shapeD(400, THRESHOLD_MESSAGE);
  let filterType: QuotaType | undefined;
  if (typeName !== '') {
    filterType = quotaType(typeName);
    if (!filterType) return shapeD(400, TYPE_MESSAGE);
  }
  const existing = quota.limits.filter(
    (l) =>
      (filterType === undefined || l.type === filterType) &&
      (threshold === 0 || l.percentOfLimit === threshold),
  );
  if (existing.length > 0) return invalidRequest(ctx, 'Quota limit already exists');
  if (!validThreshold(threshold)) return invalidRequest(ctx, THRESHOLD_MESSAGE);
  const type = quotaType(typeName);
  if (!type) return invalidRequest(ctx, TYPE_MESSAGE);
  quota.limits.push({ id: ctx.rt.state.nextId(), type, percentOfLimit: threshold });
  return apiJson(201, 'Created');
}

async function getLimitHandler(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  if (!canRead(ctx, p.org ?? '')) return unauthorized(ctx);
  const quota = getQuota(ctx, p.org ?? '', p.quota);
  return apiJson(200, limitView(getLimit(ctx, quota, p.limit)));
}

/**
 * `PUT .../limit/{id}`: the type is saved before the threshold is checked (no transaction), and the answer is
 * the whole quota's view. Bad values raise DataModelExceptions nothing catches: 400 `{"message"}`.
 */
async function updateLimit(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const body = validateJson(ctx, await readJsonBody(ctx), UPDATE_ORG_QUOTA_LIMIT);
  requireWriter(ctx);
  const quota = getQuota(ctx, p.org ?? '', p.quota);
  const limit = getLimit(ctx, quota, p.limit);
  if ('type' in body) {
    const type = quotaType(body.type as string);
    if (!type) return shapeD(400, TYPE_MESSAGE);
    limit.type = type;
  }
  if ('threshold_percent' in body) {
    const threshold = body.threshold_percent as number;
    if (!validThreshold(threshold)) return shapeD(400, THRESHOLD_MESSAGE);
    limit.percentOfLimit = threshold;
  }
  return apiJson(200, quotaView(quota, systemDefault(ctx)));
}

async function deleteLimit(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  requireWriter(ctx);
  const quota = getQuota(ctx, p.org ?? '', p.quota);
  const limit = getLimit(ctx, quota, p.limit);
  quota.limits = quota.limits.filter((l) => l !== limit);
  return { status: 204 };
}

export function quotaRoutes(enabled: () => boolean): RouteDef<RequestContext>[] {
  const base = '/api/v1/organization/{org}/quota';
  const one = `${base}/{quota}`;
  const limit = `${one}/limit/{limit}`;
  const routes: Omit<RouteDef<RequestContext>, 'kind' | 'enabled'>[] = [
    { method: 'GET', pattern: base, handler: listQuotas },
    { method: 'POST', pattern: base, handler: createQuota },
    { method: 'GET', pattern: `${one}/limit`, handler: listLimits },
    { method: 'POST', pattern: `${one}/limit`, handler: createLimit },
    { method: 'GET', pattern: limit, handler: getLimitHandler },
    { method: 'PUT', pattern: limit, handler: updateLimit },
    { method: 'DELETE', pattern: limit, handler: deleteLimit },
    { method: 'GET', pattern: one, handler: getQuotaHandler },
    { method: 'PUT', pattern: one, handler: updateQuota },
    { method: 'DELETE', pattern: one, handler: deleteQuota },
  ];
  return routes.map((r) => ({ ...r, kind: 'api', enabled }));
}
