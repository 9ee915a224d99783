import { STATUS_CODES } from 'node:http';
import type { Redactor } from '../secrets/redactor.js';

/** How much of an error response body is kept on the error (after redaction). */
export const ERROR_BODY_SNIPPET_CHARS = 4096;
/** How much of a non-JSON error body is quoted in the message itself. */
const MESSAGE_SNIPPET_CHARS = 300;

export function statusTextOf(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown Status';
}

export interface HttpErrorDetails {
  status: number;
  method: string;
  /** Display form of the URL: path (+ masked query) for the client's own origin, else the full URL. */
  path: string;
  /** Raw response body text as far as it was read; redacted and capped here. */
  bodyText: string;
  retryAfterMs: number | undefined;
  attempts: number;
  /** Replaces the server's message, for failures the client decides on (e.g. a redirect it cannot follow). */
  reason?: string;
  redactor: Redactor;
}

/** A response with a status the caller did not accept (by default every status >= 400). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly statusText: string;
  readonly method: string;
  readonly path: string;
  /** First ERROR_BODY_SNIPPET_CHARS characters of the body, redacted. */
  readonly body: string;
  /** The parsed body when it was JSON (strings redacted), else undefined. */
  readonly json: unknown;
  /** The message the server gave, pulled from Quay's and the OCI registry's error shapes. */
  readonly serverMessage: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly attempts: number;

  constructor(details: HttpErrorDetails) {
    const { redactor } = details;
    const json = parseJson(details.bodyText);
    const redactedJson = json === undefined ? undefined : redactor.redactDeep(json);
    const serverMessage = redactedJson === undefined ? undefined : serverMessageOf(redactedJson);
    const statusText = statusTextOf(details.status);
    const said = details.reason ?? serverMessage ?? textSnippet(redactor.redact(details.bodyText));
    const tries = details.attempts > 1 ? ` (after ${details.attempts} attempts)` : '';
    const head = `${details.method} ${details.path} → ${details.status} ${statusText}`;
    super(redactor.redact(`${head}${said ? `: ${said}` : ''}${tries}`));
    this.status = details.status;
    this.statusText = statusText;
    this.method = details.method;
    this.path = redactor.redact(details.path);
    this.body = redactor.redact(details.bodyText).slice(0, ERROR_BODY_SNIPPET_CHARS);
    this.json = redactedJson;
    this.serverMessage = serverMessage;
    this.retryAfterMs = details.retryAfterMs;
    this.attempts = details.attempts;
  }
}

export interface HttpConnectionErrorDetails {
  method: string;
  /** Display form of the URL (see HttpErrorDetails.path). */
  path: string;
  /** `host:port` that was being contacted. */
  host: string;
  code: string | undefined;
  attempts: number;
  /** Configured timeouts, so a timeout message can say which limit fired. */
  timeouts: { connectMs: number; headersMs: number; bodyIdleMs: number };
  cause: unknown;
  redactor: Redactor;
}

/** No usable response: connection refused/reset, DNS failure, TLS failure or a timeout. */
export class HttpConnectionError extends Error {
  override readonly name = 'HttpConnectionError';
  /** Node/undici error code (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT, UNABLE_TO_VERIFY_LEAF_SIGNATURE, ...). */
  readonly code: string;
  readonly host: string;
  readonly method: string;
  readonly path: string;
  readonly attempts: number;

  constructor(details: HttpConnectionErrorDetails) {
    const code = details.code ?? 'UNKNOWN';
    const tries = details.attempts > 1 ? ` after ${details.attempts} attempts` : '';
    const what = describeConnectionFailure(code, details.host, details.timeouts, details.cause);
    const message = `${details.method} ${details.path} failed${tries}: ${what}`;
    super(details.redactor.redact(message), { cause: details.cause });
    this.code = code;
    this.host = details.host;
    this.method = details.method;
    this.path = details.redactor.redact(details.path);
    this.attempts = details.attempts;
  }
}

export type HttpBodyErrorReason = 'too-large' | 'invalid-json';

/** A successful response whose body could not be used as asked (too big for the cap, or not JSON). */
export class HttpBodyError extends Error {
  override readonly name = 'HttpBodyError';
  readonly reason: HttpBodyErrorReason;
  readonly status: number;
  readonly method: string;
  readonly path: string;

  constructor(
    details: { reason: HttpBodyErrorReason; status: number; method: string; path: string; detail: string },
    redactor: Redactor,
  ) {
    super(redactor.redact(`${details.method} ${details.path} → ${details.status}: ${details.detail}`));
    this.reason = details.reason;
    this.status = details.status;
    this.method = details.method;
    this.path = redactor.redact(details.path);
  }
}

/** Invalid client options (unreadable CA bundle, bad base URL). Raised at construction, never per request. */
export class HttpConfigError extends Error {
  override readonly name = 'HttpConfigError';
}

const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function isTlsVerificationCode(code: string | undefined): boolean {
  return code !== undefined && TLS_VERIFY_CODES.has(code);
}

function describeConnectionFailure(
  code: string,
  host: string,
  timeouts: HttpConnectionErrorDetails['timeouts'],
  cause: unknown,
): string {
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${host} (ECONNREFUSED); is the service running and the port right?`;
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return `connection to ${host} was closed by the other side (${code}); a proxy, load balancer or the server dropped it`;
    case 'ETIMEDOUT':
      return `connection to ${host} timed out (ETIMEDOUT); a firewall may be dropping packets`;
    case 'ENOTFOUND':
      return `host name of ${host} does not resolve (ENOTFOUND); check the URL and DNS`;
    case 'EAI_AGAIN':
      return `DNS lookup for ${host} failed temporarily (EAI_AGAIN)`;
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `could not connect to ${host} within ${timeouts.connectMs} ms (UND_ERR_CONNECT_TIMEOUT)`;
    case 'UND_ERR_HEADERS_TIMEOUT':
      return `${host} sent no response headers within ${timeouts.headersMs} ms (UND_ERR_HEADERS_TIMEOUT)`;
    case 'UND_ERR_BODY_TIMEOUT':
      return `${host} stopped sending the response body for ${timeouts.bodyIdleMs} ms (UND_ERR_BODY_TIMEOUT)`;
  }
  if (isTlsVerificationCode(code)) {
    return (
      `TLS certificate of ${host} could not be verified (${code}); ` +
      'give the CA that signed it as the CA bundle, or (test setups only) skip TLS verification'
    );
  }
  const detail = cause instanceof Error && cause.message ? `: ${cause.message}` : '';
  return `request to ${host} failed (${code})${detail}`;
}

function parseJson(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

function textSnippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MESSAGE_SNIPPET_CHARS ? `${flat.slice(0, MESSAGE_SNIPPET_CHARS)}…` : flat;
}

/** `detail.message` or `detail.reason` of a registry error entry, or a string detail. */
function reasonOf(detail: unknown): string | undefined {
  if (typeof detail === 'string') return detail.trim() || undefined;
  if (detail === null || typeof detail !== 'object') return undefined;
  const { message, reason } = detail as { message?: unknown; reason?: unknown };
  const text = typeof message === 'string' ? message : typeof reason === 'string' ? reason : undefined;
  return text?.trim() || undefined;
}

/**
 * The human message inside an error body. Shapes, in the order checked:
 * OCI/registry `{"errors":[{"code","message"}]}`; Quay ApiException `error_message`/`detail`;
 * Quay/Flask `message`; Quay `{"error": "..."}` and OAuth `error_description`.
 * (quay-api.md §1.3, OCI distribution-spec "Error Codes".)
 */
export function serverMessageOf(json: unknown): string | undefined {
  if (typeof json === 'string') return json.trim() || undefined;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const body = json as Record<string, unknown>;
  if (Array.isArray(body.errors)) {
    const parts = body.errors
      .map((entry: unknown) => {
        if (entry === null || typeof entry !== 'object') return undefined;
        const { code, message, detail } = entry as { code?: unknown; message?: unknown; detail?: unknown };
        // Quay puts the reason in `detail` (`{"message": "manifest digest mismatch"}`, `{"reason": …}`); the
        // `message` alone ("manifest invalid") does not say what to fix.
        const why = reasonOf(detail);
        const said = typeof message === 'string' ? message : undefined;
        const text = why && said && !said.includes(why) ? `${said} (${why})` : (said ?? why);
        if (typeof code === 'string') return text ? `${code}: ${text}` : code;
        return text;
      })
      .filter((part): part is string => part !== undefined && part !== '');
    if (parts.length > 0) return parts.join('; ');
  }
  for (const key of ['error_message', 'detail', 'message', 'error_description', 'error']) {
    const value = body[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}
