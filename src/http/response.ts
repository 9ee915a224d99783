import type { Readable } from 'node:stream';
import type { Redactor } from '../secrets/redactor.js';
import { HttpBodyError, statusTextOf } from './errors.js';

/** Response headers as undici delivers them: lower-case names, repeated headers as arrays. */
export type HttpHeaders = Record<string, string | string[] | undefined>;

export interface ReadOptions {
  /** Refuse (and discard) a body larger than this. Default: the client's `maxBodyBytes`. */
  maxBytes?: number;
}

export interface HttpResponseInit {
  status: number;
  headers: HttpHeaders;
  body: Readable;
  method: string;
  url: URL;
  /** Display form of `url`, used in error messages. */
  displayPath: string;
  attempts: number;
  maxBodyBytes: number;
  redactor: Redactor;
}

/**
 * A response whose body has not been read yet. Read it exactly once: stream `body` (a blob download),
 * or call `json()`, `text()` or `bytes()` (capped), or `dump()` to discard it and free the connection.
 */
export class HttpResponse {
  readonly status: number;
  readonly headers: HttpHeaders;
  /** The body as a stream. Nothing has been buffered; back-pressure reaches the server. */
  readonly body: Readable;
  readonly method: string;
  /** The URL that answered, after redirects. */
  readonly url: URL;
  /** Sends it took, counting retries (not redirects). */
  readonly attempts: number;
  readonly #displayPath: string;
  readonly #maxBodyBytes: number;
  readonly #redactor: Redactor;

  constructor(init: HttpResponseInit) {
    this.status = init.status;
    this.headers = init.headers;
    this.body = init.body;
    this.method = init.method;
    this.url = init.url;
    this.attempts = init.attempts;
    this.#displayPath = init.displayPath;
    this.#maxBodyBytes = init.maxBodyBytes;
    this.#redactor = init.redactor;
  }

  get statusText(): string {
    return statusTextOf(this.status);
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** First value of a header (names are case-insensitive). */
  header(name: string): string | undefined {
    const value = this.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }

  /** `Content-Length` as a number, when the server sent a valid one. */
  get contentLength(): number | undefined {
    const value = this.header('content-length');
    if (value === undefined || !/^\d+$/.test(value)) return undefined;
    return Number(value);
  }

  async bytes(options: ReadOptions = {}): Promise<Buffer> {
    const limit = options.maxBytes ?? this.#maxBodyBytes;
    const declared = this.contentLength;
    if (declared !== undefined && declared > limit) {
      discard(this.body);
      throw this.#tooLarge(limit, `${declared} bytes announced`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of this.body) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      total += buffer.length;
      if (total > limit) break; // leaving the loop destroys the stream
      chunks.push(buffer);
    }
    if (total > limit) throw this.#tooLarge(limit, 'more received');
    // Not Buffer.concat: a small body would be a slice of Node's shared 8 KiB pool, and a body kept a while
    // (a manifest read ahead for its copy) keeps its whole slab alive until the next full collection.
    const body = Buffer.allocUnsafeSlow(total);
    let offset = 0;
    for (const chunk of chunks) offset += chunk.copy(body, offset);
    return body;
  }

  async text(options: ReadOptions = {}): Promise<string> {
    return (await this.bytes(options)).toString('utf8');
  }

  /** The parsed body. Unknown on purpose: validate it (zod) where its shape is known. */
  async json(options: ReadOptions = {}): Promise<unknown> {
    const text = await this.text(options);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      const type = this.header('content-type') ?? 'no content type';
      const why = error instanceof Error ? error.message : String(error);
      throw new HttpBodyError(
        {
          reason: 'invalid-json',
          status: this.status,
          method: this.method,
          path: this.#displayPath,
          detail: `expected a JSON body, got ${text.length} characters of ${type} (${why})`,
        },
        this.#redactor,
      );
    }
  }

  /** Discards the body. A small rest is drained so the connection can be reused; a large one is cut off. */
  async dump(): Promise<void> {
    const body = this.body as Readable & { dump?: (options?: { limit?: number }) => Promise<void> };
    if (typeof body.dump === 'function') {
      await body.dump({ limit: 128 * 1024 }).catch(() => undefined);
      return;
    }
    discard(body);
  }

  #tooLarge(limit: number, seen: string): HttpBodyError {
    return new HttpBodyError(
      {
        reason: 'too-large',
        status: this.status,
        method: this.method,
        path: this.#displayPath,
        detail: `response body exceeds the ${limit}-byte limit (${seen}); stream it instead`,
      },
      this.#redactor,
    );
  }
}

/** Destroys a body nobody will read. undici reports its own destroy as an 'error'; nobody is listening for it. */
function discard(body: Readable): void {
  body.once('error', () => undefined);
  body.destroy();
}
