import type { Readable } from 'node:stream';
import type { AuthStrategy } from './auth.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/**
 * A request body. A string or bytes can be sent any number of times. A Readable is streamed once and is then
 * gone, so such a request is never retried or re-sent after a 307/308; pass a function returning a fresh
 * Readable (e.g. `() => createReadStream(file)`) to make a streamed body replayable.
 */
export type RequestBody = string | Uint8Array | Readable | (() => Readable);

export type QueryValue = string | number | boolean | undefined | readonly (string | number | boolean)[];
/** Query parameters; an array repeats the key (`scope=a&scope=b`), undefined leaves it out. */
export type QueryParams = Record<string, QueryValue>;

export interface HttpRequest {
  /** Default GET. */
  method?: HttpMethod;
  /**
   * Path below the base URL (`/api/v1/user/`; a trailing slash is kept, Quay routes depend on it), or an
   * absolute URL such as a registry's upload `Location`. Encode path segments yourself.
   */
  path: string;
  query?: QueryParams;
  /** Extra headers; undefined values are left out. Names are case-insensitive. */
  headers?: Record<string, string | undefined>;
  body?: RequestBody;
  /** Serialised as the body with `content-type: application/json` (unless a content type is given). */
  json?: unknown;
  /** Sent as Content-Length for a streamed body (a registry blob's descriptor size). */
  contentLength?: number;
  /**
   * Marks a POST/PUT/PATCH as safe to send twice, so transient failures are retried. GET/HEAD/OPTIONS/DELETE
   * are idempotent without it; `false` makes them as careful as a POST. `maxAttempts: 1` turns retries off.
   */
  idempotent?: boolean;
  /** Statuses >= 400 that are returned as a response instead of thrown as HttpError (e.g. [404] for a HEAD probe). */
  allowStatus?: readonly number[];
  /** Overrides the client's redirect mode for this request. */
  redirect?: 'follow' | 'manual';
  /** Overrides the client's auth strategy; null sends no credentials. */
  auth?: AuthStrategy | null;
  /** Overrides the client's retry budget for this request (1 = no retries). */
  maxAttempts?: number;
  /** Overrides the client's headers timeout for this request. */
  headersTimeoutMs?: number;
  /** Overrides the client's body idle timeout for this request (0 disables it). */
  bodyIdleTimeoutMs?: number;
  signal?: AbortSignal;
}

/** A body ready to be sent, possibly more than once. */
export interface PreparedBody {
  readonly replayable: boolean;
  /** The body for one send. For a one-shot stream this returns the stream itself. */
  open(): string | Uint8Array | Readable;
}

export function prepareBody(request: HttpRequest): PreparedBody | undefined {
  if (request.json !== undefined && request.body !== undefined) {
    throw new TypeError('HttpRequest: give either body or json, not both');
  }
  if (request.json !== undefined) {
    const text = JSON.stringify(request.json);
    return { replayable: true, open: () => text };
  }
  const body = request.body;
  if (body === undefined) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return { replayable: true, open: () => body };
  if (typeof body === 'function') return { replayable: true, open: body };
  return { replayable: false, open: () => body };
}

/** Lower-cased header names, without undefined values, plus what the body implies. */
export function requestHeaders(request: HttpRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  if (request.json !== undefined && headers['content-type'] === undefined) {
    headers['content-type'] = 'application/json';
  }
  if (request.contentLength !== undefined) {
    if (!Number.isSafeInteger(request.contentLength) || request.contentLength < 0) {
      throw new TypeError(
        `HttpRequest: contentLength must be a non-negative integer, got ${request.contentLength}`,
      );
    }
    headers['content-length'] = String(request.contentLength);
  }
  return headers;
}

/** The request URL: an absolute `path` as is, otherwise `path` appended to the base URL's path. */
export function resolveUrl(base: URL, path: string, query?: QueryParams): URL {
  let url: URL;
  if (/^https?:\/\//i.test(path)) {
    url = new URL(path);
  } else {
    const prefix = base.pathname.replace(/\/+$/, '');
    const suffix = path.startsWith('/') ? path : `/${path}`;
    url = new URL(`${prefix}${suffix}`, base.origin);
  }
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) url.searchParams.append(key, String(item));
  }
  return url;
}
