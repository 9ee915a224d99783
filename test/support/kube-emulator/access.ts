/**
 * Who may do what: bearer-token authentication (401), deny rules that answer like RBAC (403), and injected
 * faults (any status, e.g. 429/500/503 or a 409 Conflict) for the next N matching requests.
 */
import { KubeError } from './errors.js';
import type { ResourceType } from './model.js';

/** Matches requests; every field left out matches anything. `resource` is the plural (`secrets`) or the kind. */
export interface AccessRule {
  verb?: string | string[];
  group?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface FaultRule extends AccessRule {
  code: number;
  reason?: string;
  message?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Sent as `Retry-After` (client-go retries 429 and 5xx that carry it). */
  retryAfterSeconds?: number;
}

export interface AccessTarget {
  verb: string;
  group: string;
  /** The plural, e.g. `secrets`. */
  resource: string;
  kind?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const DEFAULT_REASONS: Record<number, string> = {
  400: 'BadRequest',
  404: 'NotFound',
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function matches(rule: AccessRule, t: AccessTarget): boolean {
  const verbs = rule.verb === undefined ? undefined : Array.isArray(rule.verb) ? rule.verb : [rule.verb];
  if (verbs && !verbs.includes(t.verb)) return false;
  if (rule.group !== undefined && rule.group !== t.group) return false;
  if (rule.resource !== undefined && rule.resource !== t.resource && rule.resource !== t.kind) return false;
  if (rule.namespace !== undefined && rule.namespace !== t.namespace) return false;
  if (rule.name !== undefined && rule.name !== t.name) return false;
  if (rule.subresource !== undefined && rule.subresource !== (t.subresource ?? '')) return false;
  return true;
}

export class AccessControl {
  readonly token: string;
  requireToken: boolean;
  readonly user: string;
  readonly groups: string[];
  readonly #denied: AccessRule[] = [];
  readonly #faults: (FaultRule & { left: number })[] = [];

  constructor(options: { token: string; requireToken: boolean; user: string; groups: string[] }) {
    this.token = options.token;
    this.requireToken = options.requireToken;
    this.user = options.user;
    this.groups = options.groups;
  }

  authenticate(header: string | undefined): { auth: 'none' | 'bearer' | 'other'; tokenValid?: boolean } {
    if (!header) return { auth: 'none' };
    const m = header.match(/^Bearer\s+(.+)$/i);
    if (!m) return { auth: 'other' };
    return { auth: 'bearer', tokenValid: m[1] === this.token };
  }

  deny(rule: AccessRule): () => void {
    this.#denied.push(rule);
    return () => {
      const i = this.#denied.indexOf(rule);
      if (i >= 0) this.#denied.splice(i, 1);
    };
  }

  failNext(rule: FaultRule): () => void {
    const entry = { ...rule, left: rule.times ?? 1 };
    this.#faults.push(entry);
    return () => {
      const i = this.#faults.indexOf(entry);
      if (i >= 0) this.#faults.splice(i, 1);
    };
  }

  allowed(t: AccessTarget): boolean {
    return !this.#denied.some((rule) => matches(rule, t));
  }

  /** The error this request must get (403 first, then an injected fault), or undefined. */
  check(type: ResourceType, t: AccessTarget): KubeError | undefined {
    if (!this.allowed(t))
      return KubeError.forbidden(type, t.verb, this.user, t.namespace, t.name, t.subresource);
    const fault = this.#faults.find((f) => f.left > 0 && matches(f, t));
    if (!fault) return undefined;
    fault.left -= 1;
    if (fault.left === 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
    const reason = fault.reason ?? DEFAULT_REASONS[fault.code] ?? 'InternalError';
    const details =
      fault.retryAfterSeconds !== undefined ? { retryAfterSeconds: fault.retryAfterSeconds } : undefined;
    return new KubeError(fault.code, reason, fault.message ?? `injected fault (${fault.code})`, details);
  }
}
