/** Maps a request path to what it addresses. Pure: which resources exist is the catalog's business. */

export interface ResourcePath {
  group: string;
  version: string;
  /** Set for `/namespaces/<ns>/<resource>...` paths. */
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
}

export type Route =
  | { kind: 'version' }
  | { kind: 'health' }
  | { kind: 'core-root' }
  | { kind: 'groups-root' }
  | { kind: 'group'; group: string }
  | { kind: 'group-version'; group: string; version: string }
  | { kind: 'openapi-index' }
  | { kind: 'openapi-document'; path: string }
  | { kind: 'openapi-v2' }
  | { kind: 'resource'; path: ResourcePath }
  | { kind: 'unknown' };

function resourceRoute(group: string, version: string, rest: string[]): Route {
  if (rest.length === 0) return { kind: 'group-version', group, version };
  // `/api/v1/namespaces/<ns>/status` is the Namespace's own subresource, not a resource called `status`.
  const namespaceSub = group === '' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSub) {
    const [, namespace, resource = '', name, subresource, ...extra] = rest;
    if (extra.length > 0) return { kind: 'unknown' };
    return { kind: 'resource', path: { group, version, namespace, resource, name, subresource } };
  }
  const [resource = '', name, subresource, ...extra] = rest;
  if (extra.length > 0) return { kind: 'unknown' };
  return { kind: 'resource', path: { group, version, resource, name, subresource } };
}

export function route(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [head, a, b, ...rest] = parts;
  if (pathname === '/version' || pathname === '/version/') return { kind: 'version' };
  if (head === 'healthz' || head === 'livez' || head === 'readyz') return { kind: 'health' };
  if (head === 'openapi') {
    if (a === 'v2' && b === undefined) return { kind: 'openapi-v2' };
    if (a === 'v3' && b === undefined) return { kind: 'openapi-index' };
    if (a === 'v3') return { kind: 'openapi-document', path: parts.slice(2).join('/') };
    return { kind: 'unknown' };
  }
  if (head === 'api') {
    if (a === undefined) return { kind: 'core-root' };
    return resourceRoute('', a, b === undefined ? rest : [b, ...rest]);
  }
  if (head === 'apis') {
    if (a === undefined) return { kind: 'groups-root' };
    if (b === undefined) return { kind: 'group', group: a };
    return resourceRoute(a, b, rest);
  }
  return { kind: 'unknown' };
}
