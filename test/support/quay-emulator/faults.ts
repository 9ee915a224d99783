/**
 * Fault injection, so clients' retry and resume logic can be tested: the next N requests matching a rule get a
 * canned status (503/429 with Retry-After, ...), a dropped connection, a body cut short, a delay, or a hold
 * until an event.
 * Rules are checked before routing, in the order added; a rule is used up after `times` hits.
 */

export type FaultAction =
  /** Answer with this status instead of routing. `retryAfter` sets the Retry-After header. */
  | {
      type: 'status';
      status: number;
      retryAfter?: number | string;
      body?: string;
      headers?: Record<string, string>;
    }
  /** Destroy the socket without answering (the client sees a reset / "other side closed"). */
  | { type: 'drop' }
  /** Route normally, but destroy the socket after `afterBytes` bytes of the response body. */
  | { type: 'truncate'; afterBytes: number }
  /** Route normally after waiting `ms` (for client timeout tests). */
  | { type: 'delay'; ms: number }
  /** Route normally once `until` settles: orders this request after an event the test waits for. */
  | { type: 'hold'; until: Promise<unknown> };

export interface FaultRule {
  /** HTTP method to match; any when omitted. */
  method?: string;
  /**
   * A string matches the path exactly, or as a prefix when it ends with `*`. A RegExp is tested against
   * path plus query (`/v2/a/b/blobs/uploads/?digest=...`).
   */
  path: string | RegExp;
  /** How many matching requests to disturb; default 1. */
  times?: number;
  action: FaultAction;
}

export interface FaultHandle {
  readonly rule: FaultRule;
  /** Requests this rule has disturbed so far. */
  hits: number;
  /** Requests it will still disturb. */
  remaining: number;
}

export class FaultInjector {
  readonly #handles: FaultHandle[] = [];

  add(rule: FaultRule): FaultHandle {
    const handle: FaultHandle = { rule, hits: 0, remaining: rule.times ?? 1 };
    this.#handles.push(handle);
    return handle;
  }

  /** Shorthand: the next `times` requests to `path` answer `status` (default 503) with optional Retry-After. */
  failNext(
    path: string | RegExp,
    opts: { status?: number; times?: number; retryAfter?: number | string; method?: string } = {},
  ): FaultHandle {
    return this.add({
      path,
      method: opts.method,
      times: opts.times,
      action: { type: 'status', status: opts.status ?? 503, retryAfter: opts.retryAfter },
    });
  }

  /** Shorthand: the next `times` requests to `path` have their connection dropped. */
  dropNext(path: string | RegExp, opts: { times?: number; method?: string } = {}): FaultHandle {
    return this.add({ path, method: opts.method, times: opts.times, action: { type: 'drop' } });
  }

  /** Rules that still have hits left. */
  get pending(): FaultHandle[] {
    return this.#handles.filter((h) => h.remaining > 0);
  }

  clear(): void {
    this.#handles.length = 0;
  }

  /** Finds the first live rule for this request and uses up one hit of it. */
  take(method: string, pathname: string, search: string): FaultAction | undefined {
    for (const handle of this.#handles) {
      if (handle.remaining <= 0) continue;
      const { rule } = handle;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (!matches(rule.path, pathname, search)) continue;
      handle.remaining -= 1;
      handle.hits += 1;
      return rule.action;
    }
    return undefined;
  }
}

function matches(path: string | RegExp, pathname: string, search: string): boolean {
  if (path instanceof RegExp) return path.test(pathname + search);
  if (path.endsWith('*')) return pathname.startsWith(path.slice(0, -1));
  return pathname === path;
}
