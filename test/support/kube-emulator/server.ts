/**
 * The HTTP side: one handler for every request. It logs the request, authenticates it, routes it, applies deny
 * rules and injected faults to resource requests, and turns errors into `Status` replies.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AccessControl } from './access.js';
import type { ResourceCatalog } from './catalog.js';
import {
  aggregatedDiscovery,
  aggregatedVersion,
  legacyCore,
  legacyGroup,
  legacyGroups,
  resourceList,
} from './discovery.js';
import { KubeError } from './errors.js';
import { mediaType, readBody, sendError, sendJson } from './http-io.js';
import { openApiDocument, openApiIndex } from './openapi.js';
import type { RequestLogEntry } from './request-log.js';
import { checkShape, handleResource, type ResourceContext, verbOf } from './resource-handlers.js';
import { type Route, route } from './router.js';

export interface ServerVersion {
  major: string;
  minor: string;
  gitVersion: string;
}

export interface Runtime extends ResourceContext {
  catalog: ResourceCatalog;
  access: AccessControl;
  log: RequestLogEntry[];
  internalErrors: Error[];
  serverVersion: ServerVersion;
  /** `aggregated`: answer aggregated discovery when asked (kubectl 1.32 asks); `legacy`: never. */
  discovery: 'aggregated' | 'legacy';
  /** `host:port`, for the legacy `/api` document. */
  address(): string;
}

function versionDocument(v: ServerVersion): Record<string, string> {
  return {
    major: v.major,
    minor: v.minor,
    gitVersion: v.gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

async function dispatch(
  rt: Runtime,
  r: Route,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  entry: RequestLogEntry,
) {
  const get = req.method === 'GET' || req.method === 'HEAD';
  if (r.kind !== 'resource' && !get) throw KubeError.methodNotAllowed();
  switch (r.kind) {
    case 'version':
      return sendJson(res, 200, versionDocument(rt.serverVersion));
    case 'health':
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('ok');
    case 'core-root':
    case 'groups-root': {
      const v = rt.discovery === 'aggregated' ? aggregatedVersion(req.headers.accept) : undefined;
      if (v) {
        const reply = aggregatedDiscovery(rt.catalog, r.kind === 'core-root', v);
        return sendJson(res, 200, reply.body, reply.contentType);
      }
      return sendJson(res, 200, r.kind === 'core-root' ? legacyCore(rt.address()) : legacyGroups(rt.catalog));
    }
    case 'group': {
      const doc = legacyGroup(rt.catalog, r.group);
      if (!doc) throw KubeError.noSuchResource();
      return sendJson(res, 200, doc);
    }
    case 'group-version': {
      const doc = resourceList(rt.catalog, r.group, r.version);
      if (!doc) throw KubeError.noSuchResource();
      return sendJson(res, 200, doc);
    }
    case 'openapi-index':
      return sendJson(res, 200, openApiIndex(rt.catalog));
    case 'openapi-document': {
      const doc = openApiDocument(rt.catalog, r.path);
      if (!doc) throw KubeError.noSuchResource();
      return sendJson(res, 200, doc);
    }
    case 'openapi-v2':
      // kubectl 1.32 falls back to compiled-in types when v2 is missing (local-infra.md §6.2).
      throw KubeError.noSuchResource();
    case 'resource': {
      const { path } = r;
      Object.assign(entry, {
        group: path.group,
        version: path.version,
        resource: path.resource,
        namespace: path.namespace,
        name: path.name,
        subresource: path.subresource,
      });
      const type = rt.catalog.find(path.group, path.version, path.resource);
      if (!type) throw KubeError.noSuchResource();
      const verb = verbOf(req.method ?? '', path, url.searchParams);
      if (!verb) throw KubeError.methodNotAllowed();
      entry.verb = verb;
      checkShape({ verb, type, path });
      const denial = rt.access.check(type, {
        verb,
        group: type.group,
        resource: type.plural,
        kind: type.kind,
        namespace: path.namespace,
        name: path.name,
        subresource: path.subresource,
      });
      if (denial) throw denial;
      return handleResource(
        rt,
        {
          verb,
          type,
          path,
          query: url.searchParams,
          contentType: mediaType(req.headers['content-type']),
          userAgent: req.headers['user-agent'] ?? '',
          req,
          readBody: () => readBody(req),
        },
        res,
      );
    }
    default:
      throw KubeError.noSuchResource();
  }
}

export function createRequestHandler(rt: Runtime): RequestListener {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://kube-emulator');
    const auth = rt.access.authenticate(req.headers.authorization);
    const entry: RequestLogEntry = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
      ...auth,
      status: 0,
    };
    rt.log.push(entry);
    const r = route(url.pathname);
    try {
      // /version and the health checks are public on kube-apiserver (system:public-info-viewer).
      const open = r.kind === 'version' || r.kind === 'health';
      if (!open && rt.access.requireToken && auth.tokenValid !== true) throw KubeError.unauthorized();
      await dispatch(rt, r, req, res, url, entry);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
      } else if (error instanceof KubeError) {
        if (error.details?.retryAfterSeconds !== undefined)
          res.setHeader('retry-after', String(error.details.retryAfterSeconds));
        sendError(res, error);
      } else {
        const err = error instanceof Error ? error : new Error(String(error));
        rt.internalErrors.push(err);
        sendError(res, KubeError.internal(err.message));
      }
    }
    entry.status = res.statusCode;
  };
}

export function createNodeServer(handler: RequestListener, tls?: { cert: string; key: string }): Server {
  return tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler) : createHttpServer(handler);
}
