/** The resource verbs over HTTP: query parameters and media types in, ObjectService calls, JSON out. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessControl } from './access.js';
import { KubeError } from './errors.js';
import { parseBody, sendJson } from './http-io.js';
import { isMap, jsonPatch, mergePatch, stripStrategicDirectives } from './json.js';
import type { KubeObject, ResourceType } from './model.js';
import type { ObjectService, WriteOptions } from './objects.js';
import type { ResourcePath } from './router.js';
import { parseSelectors, selectedName } from './selectors.js';
import type { WatchHub } from './watch.js';

export interface ResourceContext {
  objects: ObjectService;
  watches: WatchHub;
  access: AccessControl;
  hooks: { applied(type: ResourceType, object: KubeObject): void };
}

export interface ResourceRequest {
  verb: string;
  type: ResourceType;
  path: ResourcePath;
  query: URLSearchParams;
  /** Media type of the body, without parameters. */
  contentType: string;
  userAgent: string;
  req: IncomingMessage;
  readBody(): Promise<Buffer>;
}

export function verbOf(method: string, path: ResourcePath, query: URLSearchParams): string | undefined {
  switch (method) {
    case 'GET':
      if (path.name) return 'get';
      return query.get('watch') === 'true' || query.get('watch') === '1' ? 'watch' : 'list';
    case 'POST':
      return path.name ? undefined : 'create';
    case 'PUT':
      return path.name ? 'update' : undefined;
    case 'PATCH':
      return path.name ? 'patch' : undefined;
    case 'DELETE':
      return path.name ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

/** 404 for paths the type cannot have: wrong scope, unknown subresource, a verb the type does not serve. */
export function checkShape(r: Pick<ResourceRequest, 'verb' | 'type' | 'path'>): void {
  const { type, path, verb } = r;
  if (path.namespace !== undefined && !type.namespaced) throw KubeError.noSuchResource();
  if (type.namespaced && path.namespace === undefined && !['list', 'watch'].includes(verb)) {
    throw KubeError.noSuchResource();
  }
  if (path.subresource !== undefined && (path.subresource !== 'status' || !type.statusSubresource)) {
    throw KubeError.noSuchResource();
  }
  if (path.subresource && !['get', 'update', 'patch'].includes(verb)) throw KubeError.methodNotAllowed();
  if (!type.verbs.includes(verb)) throw KubeError.methodNotAllowed();
}

function dryRunOf(query: URLSearchParams, body?: unknown): boolean {
  const values = [...query.getAll('dryRun')];
  if (isMap(body) && Array.isArray(body.dryRun)) values.push(...body.dryRun.map(String));
  for (const v of values) {
    if (v !== 'All') throw KubeError.badRequest(`Invalid dry run value: "${v}". Valid values are: [All]`);
  }
  return values.length > 0;
}

function checkFieldValidation(query: URLSearchParams): void {
  const value = query.get('fieldValidation');
  if (value && !['Strict', 'Warn', 'Ignore'].includes(value)) {
    throw KubeError.badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${value}`);
  }
}

/** kube-apiserver's default field manager: the User-Agent's program name (`kubectl/v1.32.5 ...` → `kubectl`). */
function managerOf(r: ResourceRequest): string {
  return r.query.get('fieldManager') || r.userAgent.split('/')[0] || 'unknown';
}

function writeOptions(r: ResourceRequest, dryRun: boolean): WriteOptions {
  return {
    manager: managerOf(r),
    version: r.path.version,
    dryRun,
    fieldValidation: r.query.get('fieldValidation') ?? undefined,
    ...(r.path.subresource === 'status' ? { subresource: 'status' as const } : {}),
  };
}

export async function handleResource(
  ctx: ResourceContext,
  r: ResourceRequest,
  res: ServerResponse,
): Promise<void> {
  const { objects } = ctx;
  const { type, path, query } = r;
  const selector = () => parseSelectors(query.get('labelSelector'), query.get('fieldSelector'));
  switch (r.verb) {
    case 'get':
      return sendJson(res, 200, objects.get(type, path.namespace, path.name ?? '', path.version));
    case 'list':
      return sendJson(res, 200, objects.list(type, path.namespace, selector(), path.version));
    case 'watch': {
      const timeout = Number(query.get('timeoutSeconds') ?? '');
      return ctx.watches.serve(res, {
        type,
        version: path.version,
        namespace: path.namespace,
        selector: selector(),
        name: selectedName(query.get('fieldSelector')),
        resourceVersion: query.get('resourceVersion') ?? undefined,
        timeoutSeconds: Number.isFinite(timeout) && timeout > 0 ? timeout : undefined,
      });
    }
    case 'create': {
      const body = parseBody(await r.readBody(), r.contentType);
      checkFieldValidation(query);
      if (type.group === 'authentication.k8s.io' || type.group === 'authorization.k8s.io') {
        return sendJson(res, 201, selfReview(ctx.access, type, body));
      }
      return sendJson(res, 201, objects.create(type, path.namespace, body, writeOptions(r, dryRunOf(query))));
    }
    case 'update': {
      const body = parseBody(await r.readBody(), r.contentType);
      checkFieldValidation(query);
      return sendJson(
        res,
        200,
        objects.update(type, path.namespace, path.name ?? '', body, writeOptions(r, dryRunOf(query))),
      );
    }
    case 'patch':
      return patch(ctx, r, res);
    case 'delete': {
      const body = parseBody(await r.readBody(), r.contentType);
      const opts = { dryRun: dryRunOf(query, body), version: path.version };
      return sendJson(res, 200, objects.delete(type, path.namespace, path.name ?? '', opts));
    }
    case 'deletecollection': {
      const body = parseBody(await r.readBody(), r.contentType);
      const opts = { dryRun: dryRunOf(query, body), version: path.version };
      return sendJson(res, 200, objects.deleteCollection(type, path.namespace, selector(), opts));
    }
    default:
      throw KubeError.methodNotAllowed();
  }
}

async function patch(ctx: ResourceContext, r: ResourceRequest, res: ServerResponse): Promise<void> {
  const { type, path, query } = r;
  const name = path.name ?? '';
  checkFieldValidation(query);
  const dryRun = dryRunOf(query);
  const raw = await r.readBody();
  switch (r.contentType) {
    case 'application/apply-patch+yaml': {
      if (!query.get('fieldManager')) {
        throw KubeError.unprocessable(
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        );
      }
      const force = query.get('force') === 'true';
      const body = parseBody(raw, r.contentType);
      const { object, created } = ctx.objects.apply(type, path.namespace, name, body, {
        ...writeOptions(r, dryRun),
        force,
      });
      if (!dryRun) ctx.hooks.applied(type, object);
      return sendJson(res, created ? 201 : 200, object);
    }
    case 'application/merge-patch+json':
    case 'application/strategic-merge-patch+json': {
      if (r.contentType.startsWith('application/strategic') && type.crd) {
        throw new KubeError(
          415,
          'UnsupportedMediaType',
          'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
        );
      }
      const body = stripStrategicDirectives(parseBody(raw, r.contentType));
      const fn = (current: unknown) => mergePatch(current, body);
      return sendJson(res, 200, ctx.objects.patch(type, path.namespace, name, fn, writeOptions(r, dryRun)));
    }
    case 'application/json-patch+json': {
      const ops = parseBody(raw, r.contentType);
      const fn = (current: unknown) => jsonPatch(current, ops);
      return sendJson(res, 200, ctx.objects.patch(type, path.namespace, name, fn, writeOptions(r, dryRun)));
    }
    default:
      throw KubeError.unsupportedMediaType(r.contentType);
  }
}

/** SelfSubjectReview (`kubectl auth whoami`) and SelfSubjectAccessReview (`kubectl auth can-i`). */
function selfReview(access: AccessControl, type: ResourceType, body: unknown): Record<string, unknown> {
  const base = { apiVersion: `${type.group}/v1`, kind: type.kind, metadata: { creationTimestamp: null } };
  if (type.kind === 'SelfSubjectReview') {
    return { ...base, status: { userInfo: { username: access.user, groups: access.groups } } };
  }
  const spec = isMap(body) && isMap(body.spec) ? body.spec : {};
  const attrs = isMap(spec.resourceAttributes) ? spec.resourceAttributes : {};
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const target = {
    verb: str(attrs.verb) ?? '',
    group: str(attrs.group) ?? '',
    resource: str(attrs.resource) ?? '',
    namespace: str(attrs.namespace),
    name: str(attrs.name),
    subresource: str(attrs.subresource),
  };
  const allowed = access.allowed(target);
  return {
    ...base,
    spec,
    status: { allowed, ...(allowed ? {} : { reason: 'denied by a kube-emulator rule' }) },
  };
}
