/**
 * Route table with Werkzeug's matching rules (quay-api.md §0):
 *  - a rule registered with a trailing slash answers the unslashed path with 308 to the slashed URL;
 *  - a rule registered without one answers the slashed path with 404;
 *  - repeated slashes are merged by a 308 redirect (Werkzeug `merge_slashes`);
 *  - a feature-hidden rule does not exist (404 from the router, not API JSON);
 *  - a path that matches with another method is 405.
 * Pattern syntax: `{name}` is one segment, `{name+}` is one or more segments (repository paths).
 */
import type { HttpResponse } from './http-io.js';

export type RouteKind = 'api' | 'web' | 'registry';

export interface RouteDef<C> {
  method: string;
  pattern: string;
  kind: RouteKind;
  handler: (ctx: C, params: Record<string, string>) => Promise<HttpResponse>;
  /** When it returns false the route is not registered at all (`@show_if`). */
  enabled?: () => boolean;
  /** `@anon_allowed`: exempt from FEATURE_ANONYMOUS_ACCESS=false (§1.4). */
  anonAllowed?: boolean;
}

interface CompiledRoute<C> extends RouteDef<C> {
  regex: RegExp;
  names: string[];
  slashed: boolean;
}

export type RouteMatch<C> =
  | { type: 'route'; route: RouteDef<C>; params: Record<string, string> }
  | { type: 'redirect'; location: string }
  | { type: 'method-not-allowed'; kind: RouteKind; allowed: string[] }
  | { type: 'not-found' };

function compile<C>(def: RouteDef<C>): CompiledRoute<C> {
  const names: string[] = [];
  const source = def.pattern
    .split('/')
    .map((segment) => {
      const m = /^\{(\w+)(\+?)\}$/.exec(segment);
      if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1] ?? '');
      return m[2] ? '([^/]+(?:/[^/]+)*?)' : '([^/]+)';
    })
    .join('/');
  return { ...def, regex: new RegExp(`^${source}$`), names, slashed: def.pattern.endsWith('/') };
}

function decodeSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export class Router<C> {
  readonly #routes: CompiledRoute<C>[] = [];

  add(...defs: RouteDef<C>[]): void {
    for (const def of defs) this.#routes.push(compile(def));
  }

  /** Routes are tried in the order added; the first path match (exact or by redirect) decides. */
  match(method: string, pathname: string, search: string): RouteMatch<C> {
    const lookupMethod = method === 'HEAD' ? ['HEAD', 'GET'] : [method];
    const active = this.#routes.filter((r) => r.enabled?.() ?? true);
    const allowed = new Set<string>();
    let methodMismatchKind: RouteKind | undefined;
    for (const route of active) {
      const m = route.regex.exec(pathname);
      if (m) {
        if (!lookupMethod.includes(route.method)) {
          allowed.add(route.method);
          methodMismatchKind ??= route.kind;
          continue;
        }
        // An explicit HEAD route wins over the GET fallback.
        if (method === 'HEAD' && route.method === 'GET') {
          const head = active.find((r) => r.method === 'HEAD' && r.regex.test(pathname));
          if (head) return { type: 'route', route: head, params: this.#params(head, pathname) };
        }
        return { type: 'route', route, params: this.#params(route, pathname) };
      }
      if (
        allowed.size === 0 &&
        route.slashed &&
        !pathname.endsWith('/') &&
        route.regex.test(`${pathname}/`)
      ) {
        return { type: 'redirect', location: `${pathname}/${search}` };
      }
    }
    if (allowed.size > 0) {
      return { type: 'method-not-allowed', kind: methodMismatchKind ?? 'api', allowed: [...allowed] };
    }
    if (pathname.includes('//')) {
      const merged = pathname.replace(/\/{2,}/g, '/');
      if (this.match(method, merged, search).type !== 'not-found') {
        return { type: 'redirect', location: `${merged}${search}` };
      }
    }
    return { type: 'not-found' };
  }

  #params(route: CompiledRoute<C>, pathname: string): Record<string, string> {
    const m = route.regex.exec(pathname);
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      params[name] = decodeSegment(m?.[i + 1] ?? '');
    });
    return params;
  }
}
