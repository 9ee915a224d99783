/**
 * The OCI distribution API of one registry host (distribution-spec v1.1), on src/http: manifests, blobs
 * (resumable verified downloads, monolithic uploads, cross-repository mounts), tags and referrers.
 * Operations, not policy: what to copy, in which order and whether to skip is the copy engine's business.
 */
import { Readable } from 'node:stream';
import * as z from 'zod';
import type { RegistryCredential } from '../credentials/index.js';
import {
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  HttpError,
  type HttpRequest,
  type HttpResponse,
} from '../http/index.js';
import { errorCodeOf, isRetryableErrorCode } from '../http/retry.js';
import { Redactor } from '../secrets/redactor.js';
import { RegistryAuth } from './auth.js';
import { type BlobStream, openResumableBlob } from './blob-reader.js';
import { repositoryScope } from './challenge.js';
import { nextLink } from './pagination.js';
import { sha256Digest, verifyDigest } from './types/digest.js';
import {
  DigestMismatchError,
  RegistryError,
  RegistryProtocolError,
  registryErrorsOf,
} from './types/errors.js';
import { type Descriptor, type Manifest, parseManifest } from './types/manifest.js';
import { MANIFEST_ACCEPT, MediaTypes, mediaTypeOf } from './types/media-types.js';
import {
  assertDigest,
  assertRepository,
  assertTagOrDigest,
  isDigest,
  normalizeRegistry,
  registryProblem,
} from './types/reference.js';

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
  /** Basic credentials (user or robot and password/token); see findRegistryCredentials (src/credentials) for auth files. */
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

/** How an index (or a HEAD) describes a manifest. */
export interface ManifestDescriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface PushedManifest {
  digest: string;
  /** `Location` of the stored manifest, when the registry sent one. */
  location: string | undefined;
  /** `OCI-Subject` header: the registry processed `subject` for its referrers API (spec "Pushing Manifests with Subject"). */
  subject: string | undefined;
}

export interface BlobInfo {
  digest: string;
  size: number | undefined;
}

/** An open upload (`Location` of a 202), to finish with `completeUpload` or drop with `cancelUpload`. */
export interface UploadSession {
  readonly repository: string;
  readonly location: URL;
}

export type MountResult = { mounted: true; digest: string } | { mounted: false; session: UploadSession };

export interface PushedBlob {
  digest: string;
  /** True when a cross-repository mount made the upload unnecessary. */
  mounted: boolean;
}

/** A blob upload body: bytes, a stream (sent once, never retried), or a function returning a fresh stream. */
export type BlobBody = Uint8Array | Readable | (() => Readable);

export type ReferrersResult =
  | { supported: false }
  | {
      supported: true;
      manifests: Descriptor[];
      /** Whether the registry applied the artifactType filter itself (it was applied here otherwise). */
      filteredByRegistry: boolean;
    };

export interface PingResult {
  /** 200 on `/v2/`, with credentials if any were given. */
  ok: boolean;
  status: number;
  /** `Docker-Distribution-API-Version`, e.g. `registry/2.0`. */
  apiVersion: string | undefined;
  /** What the registry asked for: `unknown` when it never sent a challenge. */
  authScheme: 'unknown' | 'basic' | 'bearer';
}

const DEFAULT_MAX_BLOB_RESUMES = 5;
/** Guards against a registry whose `Link` never ends. */
const MAX_PAGES = 10_000;

const tagListSchema = z.looseObject({ name: z.string().optional(), tags: z.array(z.string()).nullish() });
const catalogSchema = z.looseObject({ repositories: z.array(z.string()).nullish() });

/** How many manifests read while checking tags are kept for the copy that follows (a few KiB each). */
const READ_AHEAD_MANIFESTS = 256;

/** Docker Hub's API is not served at the name used in references (distribution/reference `DefaultDomain`). */
const API_HOSTS: Readonly<Record<string, string>> = { 'docker.io': 'registry-1.docker.io' };

export class RegistryClient {
  /** `host[:port]`. */
  readonly registry: string;
  /** Base URL of the API, e.g. `https://quay.example.com`. */
  readonly url: string;
  readonly redactor: Redactor;
  readonly #http: HttpClient;
  readonly #auth: RegistryAuth;
  readonly #maxBlobResumes: number;
  readonly #log: (message: string) => void;
  #headClosesConnection = false;
  /**
   * Manifests a descriptor was read for with a GET (`repository@digest` → manifest), kept for one later
   * `getManifest` by digest: a mirror checks a tag, then copies what it points to. Bounded; oldest go first.
   */
  readonly #readAhead = new Map<string, Manifest>();

  constructor(options: RegistryClientOptions) {
    const problem = registryProblem(options.registry);
    if (problem) throw new TypeError(`RegistryClient: ${problem}`);
    this.registry = normalizeRegistry(options.registry);
    this.url = `${options.scheme ?? 'https'}://${API_HOSTS[this.registry] ?? this.registry}`;
    this.redactor = options.redactor ?? new Redactor();
    this.#maxBlobResumes = options.maxBlobResumes ?? DEFAULT_MAX_BLOB_RESUMES;
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

  /**
   * `GET /v2/`: is this a registry, and are the credentials accepted? Wrong credentials at a token realm
   * throw RegistryAuthError; a 401 the client cannot answer gives `ok: false`.
   */
  async ping(): Promise<PingResult> {
    const response = await this.#send('ping the registry', {
      path: '/v2/',
      auth: this.#auth.scoped([]),
      allowStatus: [401],
    });
    await response.dump();
    return {
      ok: response.status === 200,
      status: response.status,
      apiVersion: response.header('docker-distribution-api-version'),
      authScheme: this.#auth.scheme,
    };
  }

  // ---- manifests ----

  /** `HEAD` a manifest by tag or digest: its descriptor, or undefined when the registry has none (404). */
  async headManifest(
    repository: string,
    reference: string,
    options: RegistryReadOptions = {},
  ): Promise<ManifestDescriptor | undefined> {
    assertRepository(repository);
    assertTagOrDigest(reference);
    if (this.#headClosesConnection) return this.#describeByGet(repository, reference, options);
    const response = await this.#send(`check manifest ${refText(repository, reference)}`, {
      method: 'HEAD',
      path: manifestPath(repository, reference),
      headers: { accept: MANIFEST_ACCEPT },
      auth: this.#read(repository, options),
      allowStatus: [404],
    });
    await response.dump();
    this.#noteHeadConnection(response);
    if (response.status === 404) return undefined;
    const digest = response.header('docker-content-digest');
    const mediaType = mediaTypeOf(response.header('content-type'));
    const size = response.contentLength;
    if (digest === undefined || !isDigest(digest) || mediaType === undefined || size === undefined) {
      // Some registries leave these out of a HEAD; the bytes tell all.
      const manifest = await this.getManifest(repository, reference, options);
      this.#keepReadAhead(repository, manifest);
      return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size };
    }
    if (isDigest(reference) && digest !== reference) {
      throw new RegistryProtocolError(
        `${this.registry}: HEAD of manifest ${refText(repository, reference)} answered digest ${digest}`,
      );
    }
    return { mediaType, digest, size };
  }

  /** A manifest's descriptor read with a GET, for a registry that closes after a HEAD (#noteHeadConnection). */
  async #describeByGet(
    repository: string,
    reference: string,
    options: RegistryReadOptions,
  ): Promise<ManifestDescriptor | undefined> {
    try {
      const manifest = await this.getManifest(repository, reference, options);
      this.#keepReadAhead(repository, manifest);
      return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size };
    } catch (error) {
      if (error instanceof RegistryError && error.status === 404) return undefined;
      throw error;
    }
  }

  #keepReadAhead(repository: string, manifest: Manifest): void {
    const key = `${repository}@${manifest.digest}`;
    this.#readAhead.delete(key);
    this.#readAhead.set(key, manifest);
    if (this.#readAhead.size > READ_AHEAD_MANIFESTS) {
      const oldest = this.#readAhead.keys().next().value;
      if (oldest !== undefined) this.#readAhead.delete(oldest);
    }
  }

  /**
   * `GET` a manifest (every current media type accepted) and parse it; the bytes are kept exactly. By digest,
   * the bytes must hash to it; a `Docker-Content-Digest` header must match them too.
   */
  async getManifest(
    repository: string,
    reference: string,
    options: RegistryReadOptions = {},
  ): Promise<Manifest> {
    assertRepository(repository);
    assertTagOrDigest(reference);
    const readAhead = this.#readAhead.get(`${repository}@${reference}`);
    if (readAhead !== undefined) {
      this.#readAhead.delete(`${repository}@${reference}`);
      return readAhead;
    }
    const what = `manifest ${refText(repository, reference)}`;
    const request: HttpRequest = {
      path: manifestPath(repository, reference),
      headers: { accept: MANIFEST_ACCEPT },
      auth: this.#read(repository, options),
    };
    const { response, body: bytes } = await this.#sendAndRead(`get ${what}`, request);
    const announced = response.header('docker-content-digest');
    if (announced !== undefined && isDigest(announced) && announced !== sha256Digest(bytes)) {
      throw new DigestMismatchError({
        what: `${what} (against its Docker-Content-Digest header)`,
        expected: announced,
        actual: sha256Digest(bytes),
        actualSize: bytes.length,
      });
    }
    return parseManifest(bytes, {
      contentType: response.header('content-type'),
      expectedDigest: isDigest(reference) ? reference : undefined,
    });
  }

  /**
   * `PUT` manifest bytes under a tag or their digest, with Content-Type = `mediaType` (spec "Pushing
   * Manifests"). Push an index's children (by digest) first: registries may refuse dangling references.
   */
  async putManifest(
    repository: string,
    reference: string,
    manifest: { bytes: Uint8Array; mediaType: string },
  ): Promise<PushedManifest> {
    assertRepository(repository);
    assertTagOrDigest(reference);
    const digest = sha256Digest(manifest.bytes);
    if (isDigest(reference)) verifyDigest(manifest.bytes, reference, `manifest pushed as ${reference}`);
    const response = await this.#send(`put manifest ${refText(repository, reference)}`, {
      method: 'PUT',
      path: manifestPath(repository, reference),
      headers: { 'content-type': manifest.mediaType },
      body: manifest.bytes,
      // The same bytes under the same name: sending twice changes nothing.
      idempotent: true,
      auth: this.#push(repository),
    });
    await response.dump();
    this.#checkDigestHeader(response, digest, `manifest ${refText(repository, reference)}`);
    return {
      digest,
      location: response.header('location'),
      subject: response.header('oci-subject'),
    };
  }

  /** `DELETE` a manifest by digest (registries remove every tag pointing at it; tags cannot be deleted alone). */
  async deleteManifest(repository: string, digest: string): Promise<void> {
    assertRepository(repository);
    assertDigest(digest);
    const response = await this.#send(`delete manifest ${repository}@${digest}`, {
      method: 'DELETE',
      path: manifestPath(repository, digest),
      auth: this.#scoped(repository, ['delete', 'pull', 'push']),
    });
    await response.dump();
  }

  // ---- blobs ----

  /** `HEAD` a blob: its size, or undefined when this repository does not have it. */
  async headBlob(
    repository: string,
    digest: string,
    options: RegistryReadOptions = {},
  ): Promise<BlobInfo | undefined> {
    assertRepository(repository);
    assertDigest(digest);
    if (this.#headClosesConnection) return this.#probeBlobByGet(repository, digest, options);
    const response = await this.#send(`check blob ${repository}@${digest}`, {
      method: 'HEAD',
      path: blobPath(repository, digest),
      auth: this.#read(repository, options),
      allowStatus: [404],
    });
    await response.dump();
    this.#noteHeadConnection(response);
    if (response.status === 404) return undefined;
    return { digest, size: response.contentLength };
  }

  /**
   * Blob presence by `GET` of its first byte, for a registry that closes the connection after a HEAD (see
   * #noteHeadConnection). A redirect to storage is not followed: it already says the blob is there.
   */
  async #probeBlobByGet(
    repository: string,
    digest: string,
    options: RegistryReadOptions,
  ): Promise<BlobInfo | undefined> {
    const response = await this.#send(`check blob ${repository}@${digest}`, {
      path: blobPath(repository, digest),
      headers: { range: 'bytes=0-0' },
      auth: this.#read(repository, options),
      redirect: 'manual',
      allowStatus: [404, 301, 302, 303, 307, 308],
    });
    await response.dump();
    if (response.status === 404) return undefined;
    const total = /\/(\d+)$/.exec(response.header('content-range') ?? '')?.[1];
    if (response.status === 206 && total !== undefined) return { digest, size: Number(total) };
    return { digest, size: response.status === 200 ? response.contentLength : undefined };
  }

  /**
   * distribution 2.8 answers a manifest HEAD, and a HEAD for a missing blob, with `Connection: close`: a new
   * TCP connection for every check costs more than a small GET on a kept one, so from the first such answer
   * on this client checks with GET (a manifest is a few KiB; a blob is probed for its first byte).
   */
  #noteHeadConnection(response: HttpResponse): void {
    if (this.#headClosesConnection || response.header('connection')?.toLowerCase() !== 'close') return;
    this.#headClosesConnection = true;
    this.#log(`${this.registry} closes the connection after a HEAD: checking manifests and blobs by GET`);
  }

  /**
   * Opens a blob for streaming (`GET`, redirects to storage followed without the registry's credentials).
   * The body is verified against `digest` (and `size`) and resumes with Range when the connection drops.
   */
  async openBlob(
    repository: string,
    digest: string,
    options: { size?: number; signal?: AbortSignal } = {},
  ): Promise<BlobStream> {
    assertRepository(repository);
    assertDigest(digest);
    const what = `blob ${repository}@${digest}`;
    return openResumableBlob({
      digest,
      size: options.size,
      what: `${this.registry}: ${what}`,
      maxResumes: this.#maxBlobResumes,
      signal: options.signal,
      fetch: (offset) =>
        this.#send(offset === 0 ? `get ${what}` : `resume ${what} at byte ${offset}`, {
          path: blobPath(repository, digest),
          headers: offset === 0 ? undefined : { range: `bytes=${offset}-` },
          auth: this.#pull(repository),
          // A large body may pause; the idle timeout (not a total one) keeps slow but live transfers going.
          signal: options.signal,
        }),
      onResume: (offset, cause) =>
        this.#log(
          `${what} broke off at byte ${offset} (${cause instanceof Error ? cause.message : 'ended early'}); resuming with Range`,
        ),
    });
  }

  /** `POST …/blobs/uploads/`: opens an upload session. */
  async startUpload(repository: string): Promise<UploadSession> {
    assertRepository(repository);
    const response = await this.#send(`start blob upload to ${repository}`, {
      method: 'POST',
      path: uploadsPath(repository),
      // An unused session is harmless, so a POST that failed in transit may be sent again.
      idempotent: true,
      auth: this.#push(repository),
    });
    await response.dump();
    return this.#session(repository, response, 'start blob upload');
  }

  /**
   * Cross-repository mount (`POST …/blobs/uploads/?mount=<digest>&from=<repository>`, spec "Mounting a blob
   * from another repository"): 201 means mounted; 202 means the registry fell back to an upload session,
   * returned for the caller to upload into. Quay needs `from` (mirror-anchors.md §2.3). When the token may
   * not read `from` (401/403), this quietly falls back to a plain session.
   */
  async mountBlob(repository: string, digest: string, fromRepository: string): Promise<MountResult> {
    assertRepository(repository);
    assertRepository(fromRepository);
    assertDigest(digest);
    let response: HttpResponse;
    try {
      response = await this.#send(`mount blob ${digest} from ${fromRepository} into ${repository}`, {
        method: 'POST',
        path: uploadsPath(repository),
        query: { mount: digest, from: fromRepository },
        idempotent: true,
        auth: this.#auth.scoped([
          repositoryScope(repository, ['pull', 'push']),
          repositoryScope(fromRepository, ['pull']),
        ]),
      });
    } catch (error) {
      if (error instanceof RegistryError && (error.status === 401 || error.status === 403)) {
        this.#log(`mount of ${digest} from ${fromRepository} refused (${error.status}); uploading instead`);
        return { mounted: false, session: await this.startUpload(repository) };
      }
      throw error;
    }
    await response.dump();
    if (response.status === 201) {
      this.#checkDigestHeader(response, digest, `mounted blob ${repository}@${digest}`);
      return { mounted: true, digest };
    }
    return { mounted: false, session: this.#session(repository, response, 'mount blob') };
  }

  /**
   * Finishes an upload with one `PUT <location>&digest=<digest>` carrying the whole body and its
   * Content-Length (monolithic: an order of magnitude faster than chunked on Quay, mirror-anchors.md §2.4).
   * A stream body is sent once; if it errors (e.g. a DigestMismatchError from openBlob), that error is thrown.
   */
  async completeUpload(session: UploadSession, digest: string, size: number, body: BlobBody): Promise<void> {
    assertDigest(digest);
    observeErrors(body);
    const response = await this.#send(`upload blob ${digest} to ${session.repository}`, {
      method: 'PUT',
      path: session.location.href,
      query: { digest },
      headers: { 'content-type': 'application/octet-stream' },
      contentLength: size,
      body,
      auth: this.#push(session.repository),
    });
    await response.dump();
    this.#checkDigestHeader(response, digest, `uploaded blob ${session.repository}@${digest}`);
  }

  /** `DELETE <location>`: drops an unfinished session (e.g. a mount that fell back but will not be used). */
  async cancelUpload(session: UploadSession): Promise<void> {
    const response = await this.#send(`cancel blob upload to ${session.repository}`, {
      method: 'DELETE',
      path: session.location.href,
      auth: this.#push(session.repository),
      allowStatus: [404],
      maxAttempts: 1,
    });
    await response.dump();
  }

  /**
   * Pushes a blob: a mount from `mountFrom` when given (same registry), otherwise (or when the mount falls
   * back) one POST and one streamed PUT. The caller checks existence first (headBlob) if it wants to skip.
   */
  async uploadBlob(
    repository: string,
    digest: string,
    size: number,
    body: BlobBody,
    options: { mountFrom?: string } = {},
  ): Promise<PushedBlob> {
    observeErrors(body);
    let session: UploadSession;
    try {
      if (options.mountFrom !== undefined) {
        const mount = await this.mountBlob(repository, digest, options.mountFrom);
        if (mount.mounted) {
          if (body instanceof Readable) body.destroy();
          return { digest, mounted: true };
        }
        session = mount.session;
      } else {
        session = await this.startUpload(repository);
      }
    } catch (error) {
      if (body instanceof Readable) body.destroy();
      throw error;
    }
    try {
      await this.completeUpload(session, digest, size, body);
    } catch (error) {
      if (body instanceof Readable) body.destroy();
      await this.cancelUpload(session).catch(() => undefined);
      throw error;
    }
    return { digest, mounted: false };
  }

  // ---- tags and referrers ----

  /** Every tag of a repository, following `Link` pagination (`n` asks for a page size; registries may cap it). */
  async listTags(
    repository: string,
    options: RegistryReadOptions & { pageSize?: number } = {},
  ): Promise<string[]> {
    assertRepository(repository);
    const tags: string[] = [];
    for await (const page of this.#pages(`list tags of ${repository}`, {
      path: `/v2/${repository}/tags/list`,
      query: { n: options.pageSize },
      headers: { accept: 'application/json' },
      auth: this.#read(repository, options),
    })) {
      const parsed = tagListSchema.safeParse(this.#json(page.body, `the tag list of ${repository}`));
      if (!parsed.success) {
        throw new RegistryProtocolError(
          `${this.registry}: the tag list of ${repository} is not {"tags": [...]}`,
        );
      }
      tags.push(...(parsed.data.tags ?? []));
    }
    return tags;
  }

  /**
   * Every repository the credentials may see (`GET /v2/_catalog`, a distribution extension, not in the OCI
   * spec), following `Link`. Quay lists only what the caller may read and needs a superuser for everything.
   */
  async catalog(options: { pageSize?: number } = {}): Promise<string[]> {
    const repositories: string[] = [];
    for await (const page of this.#pages('list repositories (catalog)', {
      path: '/v2/_catalog',
      query: { n: options.pageSize },
      headers: { accept: 'application/json' },
      auth: this.#auth.scoped(['registry:catalog:*']),
    })) {
      const parsed = catalogSchema.safeParse(this.#json(page.body, 'the catalog'));
      if (!parsed.success) {
        throw new RegistryProtocolError(`${this.registry}: the catalog is not {"repositories": [...]}`);
      }
      repositories.push(...(parsed.data.repositories ?? []));
    }
    return repositories;
  }

  /**
   * Manifests whose `subject` is `digest` (`GET /v2/<name>/referrers/<digest>`, spec "Listing Referrers").
   * A 404 means the registry has no referrers API (docker-registry 2.8): use the `sha256-<hex>` tag schema.
   */
  async referrers(
    repository: string,
    digest: string,
    options: { artifactType?: string } = {},
  ): Promise<ReferrersResult> {
    assertRepository(repository);
    assertDigest(digest);
    const manifests: Descriptor[] = [];
    let filteredByRegistry = options.artifactType === undefined;
    for await (const page of this.#pages(`list referrers of ${repository}@${digest}`, {
      path: `/v2/${repository}/referrers/${digest}`,
      query: { artifactType: options.artifactType },
      headers: { accept: MediaTypes.ociIndex },
      auth: this.#pull(repository),
      allowStatus: [404],
    })) {
      if (page.response.status === 404) return { supported: false };
      if (
        page.response
          .header('oci-filters-applied')
          ?.split(',')
          .some((f) => f.trim() === 'artifactType')
      ) {
        filteredByRegistry = true;
      }
      const index = parseManifest(page.body, { contentType: page.response.header('content-type') });
      if (index.kind !== 'index') {
        throw new RegistryProtocolError(
          `${this.registry}: the referrers answer for ${digest} is not an index`,
        );
      }
      manifests.push(...index.manifests);
    }
    const wanted = options.artifactType;
    const filtered = wanted === undefined ? manifests : manifests.filter((m) => m.artifactType === wanted);
    return { supported: true, manifests: filtered, filteredByRegistry };
  }

  // ---- internals ----

  #pull(repository: string) {
    return this.#scoped(repository, ['pull']);
  }

  #read(repository: string, options: RegistryReadOptions) {
    return options.forPush ? this.#push(repository) : this.#pull(repository);
  }

  #push(repository: string) {
    return this.#scoped(repository, ['pull', 'push']);
  }

  #scoped(repository: string, actions: ('pull' | 'push' | 'delete')[]) {
    return this.#auth.scoped([repositoryScope(repository, actions)]);
  }

  /** Sends one request; an error status becomes a RegistryError naming the operation. */
  async #send(operation: string, request: HttpRequest): Promise<HttpResponse> {
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
  async #sendAndRead(
    operation: string,
    request: HttpRequest,
  ): Promise<{ response: HttpResponse; body: Buffer }> {
    for (let attempt = 1; ; attempt += 1) {
      const response = await this.#send(operation, request);
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

  #json(body: Buffer, what: string): unknown {
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      throw new RegistryProtocolError(`${this.registry}: ${what} is not JSON`);
    }
  }

  /** Each page of a Link-paginated listing with its body read (a page cut off mid-body is sent again). */
  async *#pages(
    operation: string,
    request: HttpRequest,
  ): AsyncGenerator<{ response: HttpResponse; body: Buffer }> {
    const seen = new Set<string>();
    let next: HttpRequest | undefined = request;
    for (let page = 1; next !== undefined; page += 1) {
      if (page > MAX_PAGES) {
        throw new RegistryProtocolError(`${this.registry}: ${operation}: more than ${MAX_PAGES} pages`);
      }
      const read = await this.#sendAndRead(operation, next);
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

  #session(repository: string, response: HttpResponse, operation: string): UploadSession {
    const location = response.header('location');
    if (location === undefined) {
      throw new RegistryProtocolError(
        `${this.registry}: ${operation} in ${repository} answered ${response.status} without a Location`,
      );
    }
    return { repository, location: new URL(location, response.url) };
  }

  #checkDigestHeader(response: HttpResponse, digest: string, what: string): void {
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

function manifestPath(repository: string, reference: string): string {
  return `/v2/${repository}/manifests/${reference}`;
}

function blobPath(repository: string, digest: string): string {
  return `/v2/${repository}/blobs/${digest}`;
}

function uploadsPath(repository: string): string {
  return `/v2/${repository}/blobs/uploads/`;
}

function refText(repository: string, reference: string): string {
  return isDigest(reference) ? `${repository}@${reference}` : `${repository}:${reference}`;
}

/**
 * A body stream may fail (a DigestMismatchError from openBlob) before the PUT reads it, e.g. while the POST
 * is in flight; without a listener that would crash the process. The failure is not lost: the upload
 * rejects with it (src/http rethrows `body.errored`).
 */
function observeErrors(body: BlobBody): void {
  if (body instanceof Readable && body.listenerCount('error') === 0) body.on('error', () => undefined);
}
