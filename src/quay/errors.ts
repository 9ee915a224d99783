import { HttpError } from '../http/index.js';

/**
 * A Quay API call that failed, with Quay's own message and, for the failures users meet most, what to
 * do about it. Never carries the token (the HTTP layer redacts every message).
 */
export class QuayApiError extends Error {
  override readonly name = 'QuayApiError';
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly serverMessage: string | undefined;
  /** `error_type` of Quay's RFC 7807-like body (quay-api.md §1.3 A), e.g. `invalid_token`. */
  readonly errorType: string | undefined;

  constructor(cause: HttpError, hint?: string) {
    const errorType = errorTypeOf(cause.json);
    const advice = hint ?? hintFor(cause.status, errorType, cause.serverMessage);
    super(advice ? `${cause.message} — ${advice}` : cause.message, { cause });
    this.status = cause.status;
    this.method = cause.method;
    this.path = cause.path;
    this.serverMessage = cause.serverMessage;
    this.errorType = errorType;
  }
}

function errorTypeOf(json: unknown): string | undefined {
  if (json && typeof json === 'object' && 'error_type' in json) {
    const value = (json as { error_type: unknown }).error_type;
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/** Advice for Quay's auth answers (quay-api.md §1.4), which are easy to misread. */
function hintFor(
  status: number,
  errorType: string | undefined,
  message: string | undefined,
): string | undefined {
  if (status === 401) {
    return 'the API token is missing, invalid or expired (a token from /api/v1/user/initialize lives 2.5 h; use a long-lived OAuth application token)';
  }
  if (status === 403 && message?.includes('CSRF')) {
    // Quay checks CSRF before permissions: a write without a *valid* bearer token is refused this way.
    return 'Quay did not accept the bearer token for this write: it is missing, invalid or expired';
  }
  if (status === 403 && errorType === 'insufficient_scope') {
    return "the token's user or scopes do not allow this call (org:admin, user:admin, repo:admin or super:user may be needed)";
  }
  return undefined;
}

/** Wraps HttpError as QuayApiError; anything else passes unchanged. */
export function asQuayError(error: unknown): unknown {
  return error instanceof HttpError ? new QuayApiError(error) : error;
}
