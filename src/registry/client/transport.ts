/**
 * One registry host on src/http (OCI distribution-spec v1.1), shared by the resources beside this file:
 * the API's base URL, one HTTP client and one token cache. Sends requests (an error status becomes a
 * RegistryError naming the operation, with advice where an answer is easy to misread), reads whole bodies
 * (sent again when one breaks off), parses JSON, follows `Link` pages (spec "Listing Tags": follow the link,
 * never build `last=`) and hands each request the auth of its repository scope (distribution "Token Scope
 * Documentation"; the OCI spec leaves auth out). Learns once whether the host closes the connection after a
 * HEAD.
 */
import type { RegistryCredential } from '../../credentials/index.js';
import {
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  HttpError,
  type HttpRequest,
  type HttpResponse,
} from '../../http/index.js';
import { errorCodeOf, isRetryableErrorCode } from '../../http/retry.js';
import { Redactor } from '../../secrets/redactor.js';
import { RegistryAuth } from '../auth.js';
import { repositoryScope } from '../challenge.js';
import { nextLink } from '../pagination.js';
import {
  DigestMismatchError,
  RegistryError,
  RegistryProtocolError,
  registryErrorsOf,
} from '../types/errors.js';
import { isDigest, normalizeRegistry, registryProblem } from '../types/reference.js';

/** What the HTTP layer may be tuned with (TLS, timeouts, retries, logging, test clocks). */
export type RegistryHttpOptions = Partial<
  Pick<
    HttpClientOptions,
    | 'caBundlePath'
    | 'insecureSkipTlsVerify'
    | 'logger'
    | 'retry'
    | 'timeouts'
    | 'sleep'
    | 'random'
    | 'now'
    | 'maxConnectionsPerOrigin'
    | 'maxRedirects'
    | 'userAgent'
    | 'maxBodyBytes'
  >
>;

export interface RegistryClientOptions {
  /** `host[:port]` as written in image references: `quay.example.com`, `127.0.0.1:5000`, `docker.io`. */
  registry: string;
  /** Default `https`; `http` only for registries that serve plain HTTP (local and test registries). */
  scheme?: 'https' | 'http';
  /** Basic credentials (user or robot and password/token); src/credentials finds them in auth files. */
  credentials?: RegistryCredential;
  /** Shared with the rest of the run, so tokens and passwords never reach a log line. Default: a new one. */
  redactor?: Redactor;
  http?: RegistryHttpOptions;
  /** How often one blob download may be resumed with Range after its connection dropped. Default 5. */
  maxBlobResumes?: number;
}

export interface RegistryReadOptions {
  /**
   * The repository is a destination about to be written: ask for a pull+push token right away. On Quay a
   * pull-only token for a repository that does not exist yet grants nothing (401), while asking for push
   * creates it during `/v2/auth` (quay-api.md §11.2); it also saves a second token for the pushes.
   */
  forPush?: boolean;
}

const DEFAULT_MAX_BLOB_RESUMES = 5;
/** Guards against a registry whose `Link` never ends. */
const MAX_PAGES = 10_000;

/** Docker Hub's API is not served at the name used in references (distribution/reference `DefaultDomain`). */
const API_HOSTS: Readonly<Record<string, string>> = { 'docker.io': 'registry-1.docker.io' };

export class RegistryTransport {
  /** `host[:port]`. */
  readonly registry: string;
  /** Base URL of the API, e.g. `https://quay.example.com`. */
  readonly url: string;
  readonly redactor: Redactor;
  readonly maxBlobResumes: number;
  readonly #http: HttpClient;
  readonly #auth: RegistryAuth;
  readonly #log: (message: string) => void;
  #headClosesConnection = false;

  constructor(options: RegistryClientOptions) {
    const problem = registryProblem(options.registry);
    if (problem) throw new TypeError(`RegistryClient: ${problem}`);
    this.registry = normalizeRegistry(options.registry);
    this.url = `${options.scheme ?? 'https'}://${API_HOSTS[this.registry] ?? this.registry}`;
    this.redactor = options.redactor ?? new Redactor();
    this.maxBlobResumes = options.maxBlobResumes ?? DEFAULT_MAX_BLOB_RESUMES;
    const http = options.http ?? {};
    this.#http = createHttpClient({ ...http, baseUrl: this.url, redactor: this.redactor });
    this.#auth = new RegistryAuth({
      registry: this.registry,
      registryOrigin: this.url,
      credentials: options.credentials,
      redactor: this.redactor,
      http,
      now: http.now,
    });
    const logger = http.logger;
    this.#log = (message) => logger?.debug(this.redactor.redact(`registry ${this.registry}: ${message}`));
  }

  /** Lets in-flight requests finish, then closes every connection (registry and token realms). */
  async close(): Promise<void> {
    await Promise.all([this.#http.close(), this.#auth.close()]);
  }

  /** A debug line, redacted and prefixed with the registry. */
  log(message: string): void {
    this.#log(message);
  }

  /** What the registry asked for: `unknown` when it never sent a challenge. */
  get authScheme(): 'unknown' | 'basic' | 'bearer' {
    return this.#auth.scheme;
  }

  // ---- scopes ----

  pull(repository: string) {
    return this.scoped(repository, ['pull']);
  }

  read(repository: string, options: RegistryReadOptions) {
    return options.forPush ? this.push(repository) : this.pull(repository);
  }

  push(repository: string) {
    return this.scoped(repository, ['pull', 'push']);
  }

  scoped(repository: string, actions: ('pull' | 'push' | 'delete')[]) {
    return this.#auth.scoped([repositoryScope(repository, actions)]);
  }

  /** Auth for any token scopes (`registry:catalog:*`, two repositories for a mount, none for `/v2/`). */
  withScopes(scopes: readonly string[]) {
    return this.#auth.scoped(scopes);
  }

  // ---- requests ----

  /** Sends one request; an error status becomes a RegistryError naming the operation. */
  async send(operation: string, request: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.#http.request(request);
    } catch (error) {
      if (error instanceof HttpError) {
        throw new RegistryError(this.registry, operation, error, this.#hint(error, request));
      }
      throw error;
    }
  }

  /**
   * Sends a request and reads its whole body. The http layer retries up to the response headers; a
   * connection that breaks while the body is read (a reset mid-response) is sent again here, as often as
   * the retry policy allows.
   */
  async sendAndRead(
    operation: string,
    request: HttpRequest,
  ): Promise<{ response: HttpResponse; body: Buffer }> {
    for (let attempt = 1; ; attempt += 1) {
      const response = await this.send(operation, request);
      try {
        return { response, body: await response.bytes() };
      } catch (error) {
        if (attempt >= this.#http.retryPolicy.maxAttempts || !isRetryableErrorCode(errorCodeOf(error))) {
          throw error;
        }
        this.#log(`${operation}: the body broke off (${(error as Error).message}); sending again`);
      }
    }
  }

  json(body: Buffer, what: string): unknown {
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      throw new RegistryProtocolError(`${this.registry}: ${what} is not JSON`);
    }
  }

  /** Each page of a Link-paginated listing with its body read (a page cut off mid-body is sent again). */
  async *pages(
    operation: string,
    request: HttpRequest,
  ): AsyncGenerator<{ response: HttpResponse; body: Buffer }> {
    const seen = new Set<string>();
    let next: HttpRequest | undefined = request;
    for (let page = 1; next !== undefined; page += 1) {
      if (page > MAX_PAGES) {
        throw new RegistryProtocolError(`${this.registry}: ${operation}: more than ${MAX_PAGES} pages`);
      }
      const read = await this.sendAndRead(operation, next);
      const link = nextLink(read.response.headers.link);
      next = undefined;
      if (link !== undefined) {
        const url = new URL(link, read.response.url);
        if (url.origin !== new URL(this.url).origin || seen.has(url.href)) {
          throw new RegistryProtocolError(
            `${this.registry}: ${operation}: the next-page link ${url.pathname}${url.search} ` +
              (seen.has(url.href) ? 'repeats an earlier page' : 'leaves the registry'),
          );
        }
        seen.add(url.href);
        next = { ...request, path: url.href, query: undefined };
      }
      yield read;
    }
  }

  // ---- answers ----

  /** Whether manifests and blobs are checked by GET instead of HEAD from now on (see noteHeadConnection). */
  get headClosesConnection(): boolean {
    return this.#headClosesConnection;
  }

  /**
   * distribution 2.8 answers a manifest HEAD, and a HEAD for a missing blob, with `Connection: close`: a new
   * TCP connection for every check costs more than a small GET on a kept one, so from the first such answer
   * on this client checks with GET (a manifest is a few KiB; a blob is probed for its first byte).
   */
  noteHeadConnection(response: HttpResponse): void {
    if (this.#headClosesConnection || response.header('connection')?.toLowerCase() !== 'close') return;
    this.#headClosesConnection = true;
    this.#log(`${this.registry} closes the connection after a HEAD: checking manifests and blobs by GET`);
  }

  checkDigestHeader(response: HttpResponse, digest: string, what: string): void {
    const announced = response.header('docker-content-digest');
    if (announced !== undefined && isDigest(announced) && announced !== digest) {
      throw new DigestMismatchError({
        what: `${this.registry}: ${what} (the registry's Docker-Content-Digest)`,
        expected: digest,
        actual: announced,
        actualSize: 0,
      });
    }
  }

  /** Advice for answers that are easy to misread. */
  #hint(error: HttpError, request: HttpRequest): string | undefined {
    const code = registryErrorsOf(error.json)[0]?.code;
    if (error.status === 401) {
      if (!this.#auth.hasCredentials) {
        return `no credentials were given for ${this.registry} and anonymous access was refused`;
      }
      return request.method === 'GET' || request.method === 'HEAD' || request.method === undefined
        ? 'the credentials may not read this repository'
        : 'the credentials may not push here; on Quay a push into an organization that does not exist is ' +
            'refused (create it first), and a robot needs write permission on the repository, or a team ' +
            'role of creator to create it';
    }
    if (error.status === 404 && code === 'NAME_UNKNOWN') return 'the repository does not exist';
    if (error.status === 405 && request.method === 'DELETE') {
      return 'the registry does not allow deletes (docker-registry: storage.delete.enabled: true)';
    }
    return undefined;
  }
}
