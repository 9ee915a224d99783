/**
 * Blobs of one host, write side. Follows OCI distribution-spec "Pushing blobs" in its monolithic form: `POST`
 * opens a session, one `PUT <location>&digest=` carries the whole body (chunked `PATCH` is not used: on Quay
 * it is an order of magnitude slower, mirror-anchors.md §2.4); and "Mounting a blob from another repository"
 * (`POST ?mount=&from=`, which Quay needs `from` for, §2.3), falling back to a session when refused.
 */
import { Readable } from 'node:stream';
import type { HttpResponse } from '../../http/index.js';
import { repositoryScope } from '../challenge.js';
import { RegistryError, RegistryProtocolError } from '../types/errors.js';
import { assertDigest, assertRepository } from '../types/reference.js';
import type { RegistryTransport } from './transport.js';

/** An open upload (`Location` of a 202), to finish with `uploads.complete` or drop with `uploads.cancel`. */
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

export class Uploads {
  readonly #transport: RegistryTransport;

  constructor(transport: RegistryTransport) {
    this.#transport = transport;
  }

  /** `POST …/blobs/uploads/`: opens an upload session. */
  async start(repository: string): Promise<UploadSession> {
    assertRepository(repository);
    const response = await this.#transport.send(`start blob upload to ${repository}`, {
      method: 'POST',
      path: uploadsPath(repository),
      // An unused session is harmless, so a POST that failed in transit may be sent again.
      idempotent: true,
      auth: this.#transport.push(repository),
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
  async mount(repository: string, digest: string, fromRepository: string): Promise<MountResult> {
    assertRepository(repository);
    assertRepository(fromRepository);
    assertDigest(digest);
    let response: HttpResponse;
    try {
      response = await this.#transport.send(
        `mount blob ${digest} from ${fromRepository} into ${repository}`,
        {
          method: 'POST',
          path: uploadsPath(repository),
          query: { mount: digest, from: fromRepository },
          idempotent: true,
          auth: this.#transport.withScopes([
            repositoryScope(repository, ['pull', 'push']),
            repositoryScope(fromRepository, ['pull']),
          ]),
        },
      );
    } catch (error) {
      if (error instanceof RegistryError && (error.status === 401 || error.status === 403)) {
        this.#transport.log(
          `mount of ${digest} from ${fromRepository} refused (${error.status}); uploading instead`,
        );
        return { mounted: false, session: await this.start(repository) };
      }
      throw error;
    }
    await response.dump();
    if (response.status === 201) {
      this.#transport.checkDigestHeader(response, digest, `mounted blob ${repository}@${digest}`);
      return { mounted: true, digest };
    }
    return { mounted: false, session: this.#session(repository, response, 'mount blob') };
  }

  /**
   * Finishes an upload with one `PUT <location>&digest=<digest>` carrying the whole body and its
   * Content-Length (monolithic: an order of magnitude faster than chunked on Quay, mirror-anchors.md §2.4).
   * A stream body is sent once; if it errors (e.g. a DigestMismatchError from blobs.open), that error is
   * thrown.
   */
  async complete(session: UploadSession, digest: string, size: number, body: BlobBody): Promise<void> {
    assertDigest(digest);
    observeErrors(body);
    const response = await this.#transport.send(`upload blob ${digest} to ${session.repository}`, {
      method: 'PUT',
      path: session.location.href,
      query: { digest },
      headers: { 'content-type': 'application/octet-stream' },
      contentLength: size,
      body,
      auth: this.#transport.push(session.repository),
    });
    await response.dump();
    this.#transport.checkDigestHeader(response, digest, `uploaded blob ${session.repository}@${digest}`);
  }

  /** `DELETE <location>`: drops an unfinished session (e.g. a mount that fell back but will not be used). */
  async cancel(session: UploadSession): Promise<void> {
    const response = await this.#transport.send(`cancel blob upload to ${session.repository}`, {
      method: 'DELETE',
      path: session.location.href,
      auth: this.#transport.push(session.repository),
      allowStatus: [404],
      maxAttempts: 1,
    });
    await response.dump();
  }

  /**
   * Pushes a blob: a mount from `mountFrom` when given (same registry), otherwise (or when the mount falls
   * back) one POST and one streamed PUT. The caller checks existence first (blobs.head) if it wants to skip.
   */
  async upload(
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
        const mount = await this.mount(repository, digest, options.mountFrom);
        if (mount.mounted) {
          if (body instanceof Readable) body.destroy();
          return { digest, mounted: true };
        }
        session = mount.session;
      } else {
        session = await this.start(repository);
      }
    } catch (error) {
      if (body instanceof Readable) body.destroy();
      throw error;
    }
    try {
      await this.complete(session, digest, size, body);
    } catch (error) {
      if (body instanceof Readable) body.destroy();
      await this.cancel(session).catch(() => undefined);
      throw error;
    }
    return { digest, mounted: false };
  }

  #session(repository: string, response: HttpResponse, operation: string): UploadSession {
    const location = response.header('location');
    if (location === undefined) {
      throw new RegistryProtocolError(
        `${this.#transport.registry}: ${operation} in ${repository} answered ${response.status} without a Location`,
      );
    }
    return { repository, location: new URL(location, response.url) };
  }
}

function uploadsPath(repository: string): string {
  return `/v2/${repository}/blobs/uploads/`;
}

/**
 * A body stream may fail (a DigestMismatchError from blobs.open) before the PUT reads it, e.g. while the POST
 * is in flight; without a listener that would crash the process. The failure is not lost: the upload
 * rejects with it (src/http rethrows `body.errored`).
 */
function observeErrors(body: BlobBody): void {
  if (body instanceof Readable && body.listenerCount('error') === 0) body.on('error', () => undefined);
}
