/**
 * Sends one logical request for an HttpClient: the attempts (retry.ts decides which failures are worth
 * another), the redirects it follows (redirect.ts: credentials never leave the base origin), the one auth
 * challenge it answers, and the HttpError or HttpConnectionError it ends with. Every credential that goes out
 * is added to the redactor first, and every log line passes through it.
 */
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Redactor } from '../secrets/redactor.js';
import type { AuthStrategy } from './auth.js';
import {
  assertPositiveInteger,
  type ClientSettings,
  type HttpLogger,
  type HttpTimeouts,
  type SleepFn,
} from './client-options.js';
import { HttpBodyError, HttpConnectionError, HttpError } from './errors.js';
import type { OriginPools } from './origin-pools.js';
import { isRedirectStatus, redirectStep, withoutBodyHeaders, withoutCredentials } from './redirect.js';
import { type HttpRequest, type PreparedBody, prepareBody, requestHeaders, resolveUrl } from './request.js';
import { HttpResponse } from './response.js';
import { errorCodeOf, mayRetry, parseRetryAfter, type RetryPolicy, retryDelayMs } from './retry.js';
import { displayUrl, hostPortOf } from './safe-url.js';

/** How much of an error response is read to build an HttpError. */
const ERROR_BODY_READ_BYTES = 64 * 1024;

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

/** The client's settings, as the send loop reads them; one per HttpClient. */
export class RequestSender {
  readonly baseUrl: URL;
  readonly redactor: Redactor;
  readonly timeouts: Readonly<HttpTimeouts>;
  readonly retryPolicy: Readonly<RetryPolicy>;
  readonly #origin: string;
  readonly #pools: OriginPools;
  readonly #auth: AuthStrategy | undefined;
  readonly #logger: HttpLogger | undefined;
  readonly #redirect: 'follow' | 'manual';
  readonly #maxRedirects: number;
  readonly #defaultHeaders: Record<string, string>;
  readonly #maxBodyBytes: number;
  readonly #sleep: SleepFn;
  readonly #random: () => number;
  readonly #now: () => number;

  constructor(settings: ClientSettings, pools: OriginPools) {
    this.baseUrl = settings.baseUrl;
    this.redactor = settings.redactor;
    this.timeouts = settings.timeouts;
    this.retryPolicy = settings.retryPolicy;
    this.#origin = settings.origin;
    this.#pools = pools;
    this.#auth = settings.auth;
    this.#logger = settings.logger;
    this.#redirect = settings.redirect;
    this.#maxRedirects = settings.maxRedirects;
    this.#defaultHeaders = settings.defaultHeaders;
    this.#maxBodyBytes = settings.maxBodyBytes;
    this.#sleep = settings.sleep;
    this.#random = settings.random;
    this.#now = settings.now;
  }

  /**
   * Sends `request` until it has a response to hand to `consume` (or fails for good); `consume`'s transport
   * failures while reading the body count as failed attempts too.
   */
  async send<T>(request: HttpRequest, consume: (response: HttpResponse) => Promise<T>): Promise<T> {
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
    const raw: Dispatcher.ResponseData = await this.#pools.poolFor(exchange.url.origin).request({
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
