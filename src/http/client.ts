import { Readable } from 'node:stream';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { type Dispatcher, Pool } from 'undici';
import { Redactor } from '../secrets/redactor.js';
import type { AuthStrategy } from './auth.js';
import { HttpBodyError, HttpConfigError, HttpConnectionError, HttpError } from './errors.js';
import { isRedirectStatus, redirectStep, withoutBodyHeaders, withoutCredentials } from './redirect.js';
import { type HttpRequest, type PreparedBody, prepareBody, requestHeaders, resolveUrl } from './request.js';
import { HttpResponse, type ReadOptions } from './response.js';
import {
  DEFAULT_RETRY_POLICY,
  errorCodeOf,
  mayRetry,
  parseRetryAfter,
  type RetryPolicy,
  retryDelayMs,
} from './retry.js';
import { displayUrl, hostPortOf } from './safe-url.js';
import { tlsConnectOptions } from './tls.js';
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
/** How much of an error response is read to build an HttpError. */
const ERROR_BODY_READ_BYTES = 64 * 1024;

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

/** Mutable state of one logical request while it moves through retries and redirects. */
interface Exchange {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: PreparedBody | undefined;
  auth: AuthStrategy | undefined;
  /** Once a redirect has left the base origin, credentials stay off for the rest of the chain. */
  leftOrigin: boolean;
  attempt: number;
  maxAttempts: number;
  idempotent: boolean | undefined;
  signal: AbortSignal | undefined;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  return new HttpClient(options);
}

/**
 * The one HTTP speaker of the project. Owns a keep-alive connection pool per origin; `close()` it when done.
 * Retries, redirects, auth and redaction happen here so the Quay and registry clients only build requests.
 */
export class HttpClient {
  readonly baseUrl: URL;
  readonly redactor: Redactor;
  readonly timeouts: Readonly<HttpTimeouts>;
  readonly retryPolicy: Readonly<RetryPolicy>;
  readonly #origin: string;
  /** One pool per origin: the configured one, and redirect targets (blob storage). */
  readonly #pools = new Map<string, Pool>();
  readonly #poolFor: (origin: string) => Pool;
  readonly #auth: AuthStrategy | undefined;
  readonly #logger: HttpLogger | undefined;
  readonly #redirect: 'follow' | 'manual';
  readonly #maxRedirects: number;
  readonly #defaultHeaders: Record<string, string>;
  readonly #maxBodyBytes: number;
  readonly #sleep: SleepFn;
  readonly #random: () => number;
  readonly #now: () => number;

  constructor(options: HttpClientOptions) {
    this.baseUrl = parseBaseUrl(options.baseUrl);
    this.#origin = this.baseUrl.origin;
    this.redactor = options.redactor ?? new Redactor();
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...definedOnly(options.timeouts ?? {}) };
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...definedOnly(options.retry ?? {}) };
    this.#auth = options.auth;
    this.#logger = options.logger;
    this.#redirect = options.redirect ?? 'follow';
    this.#maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal }));
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
    const defaults: Record<string, string> = { 'user-agent': options.userAgent ?? defaultUserAgent() };
    for (const [name, value] of Object.entries(options.headers ?? {})) defaults[name.toLowerCase()] = value;
    this.#defaultHeaders = defaults;

    const connections = options.maxConnectionsPerOrigin ?? DEFAULT_MAX_CONNECTIONS_PER_ORIGIN;
    assertPositiveInteger('maxConnectionsPerOrigin', connections);
    assertPositiveInteger('retry.maxAttempts', this.retryPolicy.maxAttempts);
    if (!Number.isSafeInteger(this.#maxRedirects) || this.#maxRedirects < 0) {
      throw new HttpConfigError('maxRedirects must be an integer >= 0');
    }
    const durations = {
      'timeouts.connectMs': this.timeouts.connectMs,
      'timeouts.headersMs': this.timeouts.headersMs,
      'timeouts.bodyIdleMs': this.timeouts.bodyIdleMs,
      'retry.baseDelayMs': this.retryPolicy.baseDelayMs,
      'retry.maxDelayMs': this.retryPolicy.maxDelayMs,
    };
    for (const [name, value] of Object.entries(durations)) {
      if (!Number.isFinite(value) || value < 0) throw new HttpConfigError(`${name} must be a number >= 0`);
    }

    const verified = tlsConnectOptions({ caBundlePath: options.caBundlePath });
    const own = options.insecureSkipTlsVerify ? { ...verified, rejectUnauthorized: false } : verified;
    const connectTimeout = this.timeouts.connectMs;
    const origin = this.#origin;
    // Pools are kept per origin by this client, not by an undici Agent: an Agent closes an origin's whole
    // pool when its last connection disconnects, so a registry that answers `Connection: close` (distribution
    // closes after every manifest HEAD) would cost a new pool, and new connections, for the requests after it.
    const poolOptions: Pool.Options = {
      connections,
      headersTimeout: this.timeouts.headersMs,
      bodyTimeout: this.timeouts.bodyIdleMs,
    };
    this.#poolFor = (poolOrigin) => {
      let pool = this.#pools.get(poolOrigin);
      if (pool === undefined) {
        // Only the configured origin may skip verification, a redirect target never does.
        const tls = poolOrigin === origin ? own : verified;
        pool = new Pool(poolOrigin, { ...poolOptions, connect: { timeout: connectTimeout, ...tls } });
        this.#pools.set(poolOrigin, pool);
      }
      return pool;
    };
  }

  /**
   * Sends a request and returns once the response headers are in; the body is left unread for the caller to
   * stream or read. Retries transient failures (see retry.ts), follows redirects, answers one auth challenge.
   * Throws HttpError for a status >= 400 not listed in `allowStatus`, HttpConnectionError when no response came.
   */
  request(request: HttpRequest): Promise<HttpResponse> {
    return this.#send(request, async (response) => response);
  }

  /** GET-style convenience: the body parsed as JSON (unknown: validate it). Body read failures are retried too. */
  json(request: HttpRequest, read?: ReadOptions): Promise<unknown> {
    const headers = { accept: 'application/json', ...request.headers };
    return this.#send({ ...request, headers }, (response) => response.json(read));
  }

  text(request: HttpRequest, read?: ReadOptions): Promise<string> {
    return this.#send(request, (response) => response.text(read));
  }

  /** Lets in-flight requests finish, then closes every connection. */
  close(): Promise<void> {
    return Promise.all([...this.#pools.values()].map((pool) => pool.close())).then(() => undefined);
  }

  /** Aborts in-flight requests and closes every connection at once. */
  destroy(): Promise<void> {
    return Promise.all([...this.#pools.values()].map((pool) => pool.destroy())).then(() => undefined);
  }

  async #send<T>(request: HttpRequest, consume: (response: HttpResponse) => Promise<T>): Promise<T> {
    const url = resolveUrl(this.baseUrl, request.path, request.query);
    const leftOrigin = url.origin !== this.#origin;
    const headers = requestHeaders(request);
    const exchange: Exchange = {
      method: (request.method ?? 'GET').toUpperCase(),
      url,
      headers: leftOrigin ? withoutCredentials(headers) : headers,
      body: prepareBody(request),
      auth: request.auth === undefined ? this.#auth : (request.auth ?? undefined),
      leftOrigin,
      attempt: 0,
      maxAttempts: request.maxAttempts ?? this.retryPolicy.maxAttempts,
      idempotent: request.idempotent,
      signal: request.signal,
    };
    assertPositiveInteger('maxAttempts', exchange.maxAttempts);
    const follow = (request.redirect ?? this.#redirect) === 'follow';
    let redirects = 0;
    let challenged = false;

    for (;;) {
      exchange.attempt += 1;
      // Outside the try: a failing auth strategy is its own error, not a connection problem.
      const headers = await this.#headersFor(exchange);
      const started = this.#now();
      const body = exchange.body?.open();
      let response: HttpResponse;
      try {
        response = await this.#dispatch(exchange, request, headers, body);
      } catch (error) {
        if (request.signal?.aborted) throw error;
        // The caller's own stream failed (e.g. the source download of a blob copy): report that, unwrapped.
        if (body instanceof Readable && body.errored) throw body.errored;
        await this.#retryOrThrowConnection(exchange, error, started);
        continue;
      }
      const { status } = response;
      this.#log(
        `${exchange.method} ${displayUrl(exchange.url)} → ${status} ${response.statusText} ` +
          `in ${this.#now() - started} ms (attempt ${exchange.attempt}/${exchange.maxAttempts})`,
      );

      const location = response.header('location');
      if (follow && isRedirectStatus(status) && location !== undefined) {
        redirects += 1;
        await this.#followRedirect(exchange, response, location, redirects);
        exchange.attempt -= 1; // a redirect is a new hop, not a failed attempt
        continue;
      }

      if (status === 401 && exchange.auth?.onChallenge && !exchange.leftOrigin && !challenged) {
        challenged = true;
        const bodyText = await readSnippet(response.body, ERROR_BODY_READ_BYTES);
        const again = await exchange.auth.onChallenge({
          method: exchange.method,
          url: exchange.url,
          status,
          headers: response.headers,
          header: (name) => response.header(name),
        });
        if (again && (exchange.body?.replayable ?? true)) {
          this.#log(
            `${exchange.method} ${displayUrl(exchange.url)}: credentials refreshed after 401, sending again`,
          );
          exchange.attempt -= 1;
          continue;
        }
        response = this.#rebuilt(response, exchange, bodyText);
      }

      const retryAfterMs = parseRetryAfter(response.header('retry-after'), this.#now());
      if (
        exchange.attempt < exchange.maxAttempts &&
        mayRetry({ kind: 'status', status }, this.#eligibility(exchange))
      ) {
        await response.dump();
        await this.#backoff(exchange, `${status} ${response.statusText}`, retryAfterMs);
        continue;
      }

      if (status >= 400 && !(request.allowStatus ?? []).includes(status)) {
        throw await this.#httpError(response, exchange, retryAfterMs);
      }

      try {
        return await consume(response);
      } catch (error) {
        // Only transport failures while reading are worth another send; a too-large or non-JSON body is final.
        if (request.signal?.aborted || error instanceof HttpBodyError || errorCodeOf(error) === undefined) {
          throw error;
        }
        await this.#retryOrThrowConnection(exchange, error, started);
      }
    }
  }

  async #dispatch(
    exchange: Exchange,
    request: HttpRequest,
    headers: Record<string, string>,
    body: string | Uint8Array | Readable | undefined,
  ): Promise<HttpResponse> {
    const raw: Dispatcher.ResponseData = await this.#poolFor(exchange.url.origin).request({
      origin: exchange.url.origin,
      path: `${exchange.url.pathname}${exchange.url.search}`,
      method: exchange.method,
      headers,
      body: body ?? null,
      headersTimeout: request.headersTimeoutMs ?? this.timeouts.headersMs,
      bodyTimeout: request.bodyIdleTimeoutMs ?? this.timeouts.bodyIdleMs,
      signal: request.signal ?? null,
    });
    return new HttpResponse({
      status: raw.statusCode,
      headers: raw.headers,
      body: raw.body,
      method: exchange.method,
      url: exchange.url,
      displayPath: displayUrl(exchange.url, this.#origin),
      attempts: exchange.attempt,
      maxBodyBytes: this.#maxBodyBytes,
      redactor: this.redactor,
    });
  }

  async #headersFor(exchange: Exchange): Promise<Record<string, string>> {
    const headers: Record<string, string> = { ...this.#defaultHeaders, ...exchange.headers };
    if (exchange.auth && !exchange.leftOrigin) {
      const added = await exchange.auth.authorize({ method: exchange.method, url: exchange.url });
      for (const [name, value] of Object.entries(added)) headers[name.toLowerCase()] = value;
    }
    const sent = exchange.leftOrigin ? withoutCredentials(headers) : headers;
    // Whatever credential goes out is masked from then on, whichever strategy or caller produced it.
    for (const name of ['authorization', 'proxy-authorization']) {
      const value = sent[name];
      if (value === undefined) continue;
      this.redactor.add(value);
      const space = value.indexOf(' ');
      if (space > 0) this.redactor.add(value.slice(space + 1));
    }
    return sent;
  }

  async #followRedirect(
    exchange: Exchange,
    response: HttpResponse,
    location: string,
    count: number,
  ): Promise<void> {
    await response.dump();
    const fail = (reason: string) =>
      new HttpError({
        status: response.status,
        method: exchange.method,
        path: displayUrl(exchange.url, this.#origin),
        bodyText: '',
        retryAfterMs: undefined,
        attempts: exchange.attempt,
        reason,
        redactor: this.redactor,
      });
    if (count > this.#maxRedirects) throw fail(`too many redirects (more than ${this.#maxRedirects})`);
    let next: URL;
    try {
      next = new URL(location, exchange.url);
    } catch {
      throw fail(`the redirect Location "${location}" is not a URL`);
    }
    if (next.protocol !== 'https:' && next.protocol !== 'http:') {
      throw fail(`refusing to follow a redirect to a ${next.protocol} URL`);
    }
    const step = redirectStep(response.status, exchange.method);
    if (step.keepBody && exchange.body && !exchange.body.replayable) {
      throw fail(
        `cannot follow the redirect to ${displayUrl(next, this.#origin)}: ` +
          'the streamed request body cannot be sent twice (pass a function returning the stream)',
      );
    }
    this.#log(
      `${exchange.method} ${displayUrl(exchange.url)}: following ${response.status} to ${displayUrl(next)}`,
    );
    if (!step.keepBody) {
      exchange.body = undefined;
      exchange.headers = withoutBodyHeaders(exchange.headers);
    }
    if (next.origin !== this.#origin) {
      exchange.leftOrigin = true;
      exchange.headers = withoutCredentials(exchange.headers);
    }
    exchange.method = step.method;
    exchange.url = next;
  }

  async #retryOrThrowConnection(exchange: Exchange, error: unknown, started: number): Promise<void> {
    const code = errorCodeOf(error);
    // A malformed request (bad header value, bad body type) is a bug in the caller, not a connection problem.
    if (
      code === 'UND_ERR_INVALID_ARG' ||
      code?.startsWith('ERR_INVALID') ||
      code?.startsWith('ERR_HTTP_INVALID')
    ) {
      throw error;
    }
    this.#log(
      `${exchange.method} ${displayUrl(exchange.url)} ✗ ${code ?? 'error'} after ${this.#now() - started} ms ` +
        `(attempt ${exchange.attempt}/${exchange.maxAttempts})`,
    );
    if (
      exchange.attempt < exchange.maxAttempts &&
      mayRetry({ kind: 'error', code }, this.#eligibility(exchange))
    ) {
      await this.#backoff(exchange, code ?? 'connection error', undefined);
      return;
    }
    throw new HttpConnectionError({
      method: exchange.method,
      path: displayUrl(exchange.url, this.#origin),
      host: hostPortOf(exchange.url),
      code,
      attempts: exchange.attempt,
      timeouts: this.timeouts,
      cause: error,
      redactor: this.redactor,
    });
  }

  async #backoff(exchange: Exchange, why: string, retryAfterMs: number | undefined): Promise<void> {
    const delay = retryDelayMs(exchange.attempt, this.retryPolicy, this.#random, retryAfterMs);
    const hint = retryAfterMs === undefined ? '' : ', as Retry-After asked';
    this.#log(
      `${exchange.method} ${displayUrl(exchange.url)}: ${why}, retrying in ${delay} ms${hint} ` +
        `(attempt ${exchange.attempt + 1}/${exchange.maxAttempts} next)`,
    );
    await this.#sleep(delay, exchange.signal);
  }

  #eligibility(exchange: Exchange) {
    return {
      method: exchange.method,
      idempotent: exchange.idempotent,
      replayableBody: exchange.body?.replayable ?? true,
    };
  }

  async #httpError(
    response: HttpResponse,
    exchange: Exchange,
    retryAfterMs: number | undefined,
  ): Promise<HttpError> {
    const bodyText = await readSnippet(response.body, ERROR_BODY_READ_BYTES);
    return new HttpError({
      status: response.status,
      method: exchange.method,
      path: displayUrl(exchange.url, this.#origin),
      bodyText,
      retryAfterMs,
      attempts: exchange.attempt,
      redactor: this.redactor,
    });
  }

  /** The same response with a body already read into memory (after a 401 body was read for the challenge). */
  #rebuilt(response: HttpResponse, exchange: Exchange, bodyText: string): HttpResponse {
    return new HttpResponse({
      status: response.status,
      headers: response.headers,
      body: bodyStream(bodyText),
      method: exchange.method,
      url: exchange.url,
      displayPath: displayUrl(exchange.url, this.#origin),
      attempts: exchange.attempt,
      maxBodyBytes: this.#maxBodyBytes,
      redactor: this.redactor,
    });
  }

  #log(message: string): void {
    this.#logger?.debug(this.redactor.redact(`http: ${message}`));
  }
}

/** Reads at most `limit` bytes as text and discards the rest (an error page can be large; a snippet is enough). */
async function readSnippet(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      chunks.push(buffer);
      total += buffer.length;
      if (total >= limit) break; // leaving the loop destroys the stream
    }
  } catch {
    // A body that breaks off still leaves the status to report; keep what arrived.
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

function bodyStream(text: string): Readable {
  return Readable.from([Buffer.from(text)]);
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

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new HttpConfigError(`${name} must be an integer >= 1`);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
