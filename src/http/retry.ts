/**
 * When a request may be sent again, and how long to wait first. Pure functions: the client owns the loop,
 * the clock, the sleep and the random source, so tests can check every delay without waiting.
 */

export interface RetryPolicy {
  /** Total sends including the first one. */
  maxAttempts: number;
  /** Backoff ceiling before the first retry; doubles for each further retry. */
  baseDelayMs: number;
  /** Upper bound for any single wait, including one asked for by `Retry-After`. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
};

/**
 * Statuses that say "try again later": rate limited, or a gateway/proxy in front of the server failed; and
 * 500, which registries on object storage (and Quay, in front of its storage and database) answer for a
 * passing failure underneath. A 500 is resent only for an idempotent request: the server may have acted
 * on it, so a POST or an upload's PUT is never sent again.
 */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** Statuses whose semantics guarantee the server did not act on the request, so even a POST may be resent. */
const NOT_PROCESSED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** RFC 9110 §9.2.2 idempotent methods (PUT excluded on purpose: a registry upload PUT closes a one-shot session). */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE', 'TRACE']);

/** Transport failures worth another try: the peer went away, or a timeout fired. */
const RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Failures before the connection was established: nothing reached the server, so nothing was processed. */
const NOT_CONNECTED_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/**
 * The error code that best describes a transport failure: the error's own code, else one found in its
 * `cause` chain or (for a happy-eyeballs AggregateError) its `errors`. Node's http layer reports a dropped
 * connection only as the message "socket hang up", so that message maps to ECONNRESET.
 */
export function errorCodeOf(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const { code, message, cause, errors } = current as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof code === 'string' && code !== 'UND_ERR' && code !== '') return code;
    if (message === 'socket hang up') return 'ECONNRESET';
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return undefined;
}

export function isRetryableErrorCode(code: string | undefined): boolean {
  return code !== undefined && RETRYABLE_ERROR_CODES.has(code);
}

/** What happened on the attempt that is being considered for a retry. */
export type AttemptOutcome = { kind: 'status'; status: number } | { kind: 'error'; code: string | undefined };

export interface RetryEligibility {
  method: string;
  /** The caller's explicit marking; when absent, the method decides. */
  idempotent: boolean | undefined;
  /** False for a body that was a one-shot stream: it has been consumed and cannot be sent again. */
  replayableBody: boolean;
}

/**
 * The safety rule. A request is resent only when its body can be sent again, and either
 * - it is idempotent (GET/HEAD/OPTIONS/DELETE/TRACE, or marked `idempotent: true` by the caller), or
 * - the outcome proves the server did not process it (429/503, or the connection never opened).
 * The outcome itself must be transient (see RETRYABLE_STATUSES / RETRYABLE_ERROR_CODES).
 */
export function mayRetry(outcome: AttemptOutcome, request: RetryEligibility): boolean {
  if (!request.replayableBody) return false;
  const transient =
    outcome.kind === 'status' ? isRetryableStatus(outcome.status) : isRetryableErrorCode(outcome.code);
  if (!transient) return false;
  const idempotent = request.idempotent ?? isIdempotentMethod(request.method);
  if (idempotent) return true;
  return outcome.kind === 'status'
    ? NOT_PROCESSED_STATUSES.has(outcome.status)
    : outcome.code !== undefined && NOT_CONNECTED_ERROR_CODES.has(outcome.code);
}

/**
 * Parses `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns milliseconds from `nowMs`
 * (never negative), or undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * Wait before the retry that follows failed attempt number `attempt` (1-based).
 * A server's `Retry-After` wins (capped at maxDelayMs); otherwise exponential backoff with full jitter
 * (AWS architecture blog, "Exponential Backoff And Jitter"): uniform in [0, min(max, base * 2^(attempt-1))).
 */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}
