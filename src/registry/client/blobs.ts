/**
 * Blobs of one host, read side: `HEAD` for presence and size (or, on a host that closes after a HEAD, a
 * GET of the first byte), and a streamed `GET` verified against its digest that resumes with Range when
 * the connection drops (blob-reader.ts). Follows OCI distribution-spec "Pulling blobs" and "Checking if
 * content exists in the registry"; redirects to storage are followed without the registry's credentials.
 */
import { type BlobStream, openResumableBlob } from '../blob-reader.js';
import { assertDigest, assertRepository } from '../types/reference.js';
import type { RegistryReadOptions, RegistryTransport } from './transport.js';

export interface BlobInfo {
  digest: string;
  size: number | undefined;
}

export class Blobs {
  readonly #transport: RegistryTransport;

  constructor(transport: RegistryTransport) {
    this.#transport = transport;
  }

  /** `HEAD` a blob: its size, or undefined when this repository does not have it. */
  async head(
    repository: string,
    digest: string,
    options: RegistryReadOptions = {},
  ): Promise<BlobInfo | undefined> {
    assertRepository(repository);
    assertDigest(digest);
    const transport = this.#transport;
    if (transport.headClosesConnection) return this.#probeByGet(repository, digest, options);
    const response = await transport.send(`check blob ${repository}@${digest}`, {
      method: 'HEAD',
      path: blobPath(repository, digest),
      auth: transport.read(repository, options),
      allowStatus: [404],
    });
    await response.dump();
    transport.noteHeadConnection(response);
    if (response.status === 404) return undefined;
    return { digest, size: response.contentLength };
  }

  /**
   * Blob presence by `GET` of its first byte, for a registry that closes the connection after a HEAD (see
   * the transport's noteHeadConnection). A redirect to storage is not followed: it already says the blob
   * is there.
   */
  async #probeByGet(
    repository: string,
    digest: string,
    options: RegistryReadOptions,
  ): Promise<BlobInfo | undefined> {
    const response = await this.#transport.send(`check blob ${repository}@${digest}`, {
      path: blobPath(repository, digest),
      headers: { range: 'bytes=0-0' },
      auth: this.#transport.read(repository, options),
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
   * Opens a blob for streaming (`GET`, redirects to storage followed without the registry's credentials).
   * The body is verified against `digest` (and `size`) and resumes with Range when the connection drops.
   */
  async open(
    repository: string,
    digest: string,
    options: { size?: number; signal?: AbortSignal } = {},
  ): Promise<BlobStream> {
    assertRepository(repository);
    assertDigest(digest);
    const transport = this.#transport;
    const what = `blob ${repository}@${digest}`;
    return openResumableBlob({
      digest,
      size: options.size,
      what: `${transport.registry}: ${what}`,
      maxResumes: transport.maxBlobResumes,
      signal: options.signal,
      fetch: (offset) =>
        transport.send(offset === 0 ? `get ${what}` : `resume ${what} at byte ${offset}`, {
          path: blobPath(repository, digest),
          headers: offset === 0 ? undefined : { range: `bytes=${offset}-` },
          auth: transport.pull(repository),
          // A large body may pause; the idle timeout (not a total one) keeps slow but live transfers going.
          signal: options.signal,
        }),
      onResume: (offset, cause) =>
        transport.log(
          `${what} broke off at byte ${offset} (${cause instanceof Error ? cause.message : 'ended early'}); resuming with Range`,
        ),
    });
  }
}

function blobPath(repository: string, digest: string): string {
  return `/v2/${repository}/blobs/${digest}`;
}
