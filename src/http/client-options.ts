/**
 * What an HttpClient can be told (HttpClientOptions), the defaults, and the one check of it all at
 * construction: a bad base URL, size or duration fails there with HttpConfigError, never on the first request.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { Redactor } from '../secrets/redactor.js';
import type { AuthStrategy } from './auth.js';
import { HttpConfigError } from './errors.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { defaultUserAgent } from './user-agent.js';

export interface HttpLogger {
  debug(message: string): void;
}

export interface HttpTimeouts {
  /** TCP + TLS handshake. Default 10 s. */
  connectMs: number;
  /** From sending the request to the end of the response headers. Default 60 s. */
  headersMs: number;
  /**
   * Longest pause between two chunks of the response body (not the whole transfer, so a 10 GB blob does not
   * need a larger value than a 1 KB one). Default 60 s. 0 disables it.
   */
  bodyIdleMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<HttpTimeouts> = {
  connectMs: 10_000,
  headersMs: 60_000,
  bodyIdleMs: 60_000,
};
export const DEFAULT_MAX_CONNECTIONS_PER_ORIGIN = 8;
export const DEFAULT_MAX_REDIRECTS = 5;
/** Cap for `json()`/`text()`: above the 4 MB manifests registries must accept, far below a layer blob. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export type SleepFn = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface HttpClientOptions {
  /** Scheme, host, port and an optional path prefix; request paths are appended to it. */
  baseUrl: string | URL;
  auth?: AuthStrategy;
  /** Every error message and log line passes through it. Default: a private, empty Redactor. */
  redactor?: Redactor;
  logger?: HttpLogger;
  /** PEM file of extra trusted CAs (e.g. the cluster's ingress CA), added to the default roots. */
  caBundlePath?: string;
  /** Skip certificate verification for the base URL's origin only. */
  insecureSkipTlsVerify?: boolean;
  timeouts?: Partial<HttpTimeouts>;
  /** Keep-alive pool size per origin. Default 8. */
  maxConnectionsPerOrigin?: number;
  retry?: Partial<RetryPolicy>;
  /** Default 'follow': redirects are followed, credentials are never sent to another origin. */
  redirect?: 'follow' | 'manual';
  maxRedirects?: number;
  /** Default `quay-tasks/<package version>`. */
  userAgent?: string;
  /** Headers sent with every request (request headers win). */
  headers?: Record<string, string>;
  /** Default cap for `json()`/`text()`/`bytes()`. */
  maxBodyBytes?: number;
  /** Injected for tests: how to wait between attempts. Default: a timer that honours the request's signal. */
  sleep?: SleepFn;
  /** Injected for tests: uniform random in [0, 1) for the backoff jitter. Default Math.random. */
  random?: () => number;
  /** Injected for tests: the clock used for Retry-After dates and durations. Default Date.now. */
  now?: () => number;
}

/** The options with their defaults filled in, checked: what the client and its sender run on. */
export interface ClientSettings {
  baseUrl: URL;
  origin: string;
  redactor: Redactor;
  timeouts: Readonly<HttpTimeouts>;
  retryPolicy: Readonly<RetryPolicy>;
  auth: AuthStrategy | undefined;
  logger: HttpLogger | undefined;
  redirect: 'follow' | 'manual';
  maxRedirects: number;
  /** Lower-case names; request headers win. */
  defaultHeaders: Record<string, string>;
  maxBodyBytes: number;
  connections: number;
  sleep: SleepFn;
  random: () => number;
  now: () => number;
}

export function resolveClientOptions(options: HttpClientOptions): ClientSettings {
  const baseUrl = parseBaseUrl(options.baseUrl);
  const timeouts = { ...DEFAULT_TIMEOUTS, ...definedOnly(options.timeouts ?? {}) };
  const retryPolicy = { ...DEFAULT_RETRY_POLICY, ...definedOnly(options.retry ?? {}) };
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const defaultHeaders: Record<string, string> = { 'user-agent': options.userAgent ?? defaultUserAgent() };
  for (const [name, value] of Object.entries(options.headers ?? {}))
    defaultHeaders[name.toLowerCase()] = value;

  const connections = options.maxConnectionsPerOrigin ?? DEFAULT_MAX_CONNECTIONS_PER_ORIGIN;
  assertPositiveInteger('maxConnectionsPerOrigin', connections);
  assertPositiveInteger('retry.maxAttempts', retryPolicy.maxAttempts);
  if (!Number.isSafeInteger(maxRedirects) || maxRedirects < 0) {
    throw new HttpConfigError('maxRedirects must be an integer >= 0');
  }
  const durations = {
    'timeouts.connectMs': timeouts.connectMs,
    'timeouts.headersMs': timeouts.headersMs,
    'timeouts.bodyIdleMs': timeouts.bodyIdleMs,
    'retry.baseDelayMs': retryPolicy.baseDelayMs,
    'retry.maxDelayMs': retryPolicy.maxDelayMs,
  };
  for (const [name, value] of Object.entries(durations)) {
    if (!Number.isFinite(value) || value < 0) throw new HttpConfigError(`${name} must be a number >= 0`);
  }
  return {
    baseUrl,
    origin: baseUrl.origin,
    redactor: options.redactor ?? new Redactor(),
    timeouts,
    retryPolicy,
    auth: options.auth,
    logger: options.logger,
    redirect: options.redirect ?? 'follow',
    maxRedirects,
    defaultHeaders,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    connections,
    sleep: options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal })),
    random: options.random ?? Math.random,
    now: options.now ?? Date.now,
  };
}

function parseBaseUrl(value: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new HttpConfigError(`baseUrl "${String(value)}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new HttpConfigError(`baseUrl must be http:// or https://, got ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new HttpConfigError('baseUrl must not contain credentials; pass them as the auth strategy');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new HttpConfigError('baseUrl must not contain a query or fragment');
  }
  return url;
}

/** Also checked per request (`maxAttempts`). */
export function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new HttpConfigError(`${name} must be an integer >= 1`);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
