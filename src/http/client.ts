/**
 * HttpClient, what its users hold: it checks the options once (client-options.ts), owns the connection
 * pools (origin-pools.ts), and hands each request to the send loop (send.ts).
 */
import type { Redactor } from '../secrets/redactor.js';
import { type HttpClientOptions, type HttpTimeouts, resolveClientOptions } from './client-options.js';
import { OriginPools } from './origin-pools.js';
import type { HttpRequest } from './request.js';
import type { HttpResponse, ReadOptions } from './response.js';
import type { RetryPolicy } from './retry.js';
import { RequestSender } from './send.js';

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
  readonly #pools: OriginPools;
  readonly #sender: RequestSender;

  constructor(options: HttpClientOptions) {
    const settings = resolveClientOptions(options);
    this.baseUrl = settings.baseUrl;
    this.redactor = settings.redactor;
    this.timeouts = settings.timeouts;
    this.retryPolicy = settings.retryPolicy;
    this.#pools = new OriginPools({
      origin: settings.origin,
      connections: settings.connections,
      timeouts: settings.timeouts,
      caBundlePath: options.caBundlePath,
      insecureSkipTlsVerify: options.insecureSkipTlsVerify,
    });
    this.#sender = new RequestSender(settings, this.#pools);
  }

  /**
   * Sends a request and returns once the response headers are in; the body is left unread for the caller to
   * stream or read. Retries transient failures (see retry.ts), follows redirects, answers one auth challenge.
   * Throws HttpError for a status >= 400 not listed in `allowStatus`, HttpConnectionError when no response came.
   */
  request(request: HttpRequest): Promise<HttpResponse> {
    return this.#sender.send(request, async (response) => response);
  }

  /** GET-style convenience: the body parsed as JSON (unknown: validate it). Body read failures are retried too. */
  json(request: HttpRequest, read?: ReadOptions): Promise<unknown> {
    const headers = { accept: 'application/json', ...request.headers };
    return this.#sender.send({ ...request, headers }, (response) => response.json(read));
  }

  text(request: HttpRequest, read?: ReadOptions): Promise<string> {
    return this.#sender.send(request, (response) => response.text(read));
  }

  /** Lets in-flight requests finish, then closes every connection. */
  close(): Promise<void> {
    return this.#pools.close();
  }

  /** Aborts in-flight requests and closes every connection at once. */
  destroy(): Promise<void> {
    return this.#pools.destroy();
  }
}
