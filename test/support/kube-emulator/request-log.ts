/** What the emulator received, for assertions. Tokens are never recorded: only whether one was sent and valid. */

export interface RequestLogEntry {
  method: string;
  path: string;
  /** Query parameters (none of kubectl's carry secrets). */
  query: Record<string, string>;
  /** Kubernetes verb for resource requests: get, list, watch, create, update, patch, delete, deletecollection. */
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  contentType?: string;
  userAgent?: string;
  auth: 'none' | 'bearer' | 'other';
  /** False when a bearer token was sent but is not the emulator's. */
  tokenValid?: boolean;
  /** HTTP status sent (for watches: 200 once the stream opened). */
  status: number;
}

export interface RequestFilter {
  method?: string;
  path?: string | RegExp;
  verb?: string;
  resource?: string;
  namespace?: string;
  name?: string;
}

export function matchesFilter(entry: RequestLogEntry, filter: RequestFilter): boolean {
  const { method, path, verb, resource, namespace, name } = filter;
  if (method && entry.method !== method.toUpperCase()) return false;
  if (path !== undefined && !(path instanceof RegExp ? path.test(entry.path) : entry.path === path))
    return false;
  if (verb && entry.verb !== verb) return false;
  if (resource && entry.resource !== resource) return false;
  if (namespace && entry.namespace !== namespace) return false;
  if (name && entry.name !== name) return false;
  return true;
}
