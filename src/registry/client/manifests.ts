/**
 * Manifests of one host: `HEAD` for a descriptor, `GET` with every current media type accepted (bytes kept
 * exactly, verified against the digest), `PUT` under a tag or digest, `DELETE` by digest. Follows OCI
 * distribution-spec "Pulling manifests", "Checking if content exists in the registry", "Pushing Manifests"
 * (and "Pushing Manifests with Subject") and "Deleting Manifests". A manifest read by GET while checking a
 * tag is kept for the copy that follows (read-ahead), and a host that closes after a HEAD is checked by GET.
 */

import type { HttpRequest } from '../../http/index.js';
import { sha256Digest, verifyDigest } from '../types/digest.js';
import { DigestMismatchError, RegistryError, RegistryProtocolError } from '../types/errors.js';
import { type Manifest, parseManifest } from '../types/manifest.js';
import { MANIFEST_ACCEPT, mediaTypeOf } from '../types/media-types.js';
import { assertDigest, assertRepository, assertTagOrDigest, isDigest } from '../types/reference.js';
import type { RegistryReadOptions, RegistryTransport } from './transport.js';

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

/** How many manifests read while checking tags are kept for the copy that follows (a few KiB each). */
const READ_AHEAD_MANIFESTS = 256;

export class Manifests {
  readonly #transport: RegistryTransport;
  /**
   * Manifests a descriptor was read for with a GET (`repository@digest` → manifest), kept for one later
   * `get` by digest: a mirror checks a tag, then copies what it points to. Bounded; oldest go first.
   */
  readonly #readAhead = new Map<string, Manifest>();

  constructor(transport: RegistryTransport) {
    this.#transport = transport;
  }

  /** `HEAD` a manifest by tag or digest: its descriptor, or undefined when the registry has none (404). */
  async head(
    repository: string,
    reference: string,
    options: RegistryReadOptions = {},
  ): Promise<ManifestDescriptor | undefined> {
    assertRepository(repository);
    assertTagOrDigest(reference);
    const transport = this.#transport;
    if (transport.headClosesConnection) return this.#describeByGet(repository, reference, options);
    const response = await transport.send(`check manifest ${refText(repository, reference)}`, {
      method: 'HEAD',
      path: manifestPath(repository, reference),
      headers: { accept: MANIFEST_ACCEPT },
      auth: transport.read(repository, options),
      allowStatus: [404],
    });
    await response.dump();
    transport.noteHeadConnection(response);
    if (response.status === 404) return undefined;
    const digest = response.header('docker-content-digest');
    const mediaType = mediaTypeOf(response.header('content-type'));
    const size = response.contentLength;
    if (digest === undefined || !isDigest(digest) || mediaType === undefined || size === undefined) {
      // Some registries leave these out of a HEAD; the bytes tell all.
      const manifest = await this.get(repository, reference, options);
      this.#keepReadAhead(repository, manifest);
      return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size };
    }
    if (isDigest(reference) && digest !== reference) {
      throw new RegistryProtocolError(
        `${transport.registry}: HEAD of manifest ${refText(repository, reference)} answered digest ${digest}`,
      );
    }
    return { mediaType, digest, size };
  }

  /** A manifest's descriptor read with a GET, for a registry that closes after a HEAD (noteHeadConnection). */
  async #describeByGet(
    repository: string,
    reference: string,
    options: RegistryReadOptions,
  ): Promise<ManifestDescriptor | undefined> {
    try {
      const manifest = await this.get(repository, reference, options);
      this.#keepReadAhead(repository, manifest);
      return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size };
    } catch (error) {
      if (error instanceof RegistryError && error.status === 404) return undefined;
      throw error;
    }
  }

  #keepReadAhead(repository: string, manifest: Manifest): void {
    const key = `${repository}@${manifest.digest}`;
    // The same digest is the same bytes: many tags of one manifest keep the first copy read, and the
    // others die young instead of each replacing the last (a no-op of 100k tags promoted them all).
    if (this.#readAhead.has(key)) return;
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
  async get(repository: string, reference: string, options: RegistryReadOptions = {}): Promise<Manifest> {
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
      auth: this.#transport.read(repository, options),
    };
    const { response, body: bytes } = await this.#transport.sendAndRead(`get ${what}`, request);
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
  async put(
    repository: string,
    reference: string,
    manifest: { bytes: Uint8Array; mediaType: string },
  ): Promise<PushedManifest> {
    assertRepository(repository);
    assertTagOrDigest(reference);
    const digest = sha256Digest(manifest.bytes);
    if (isDigest(reference)) verifyDigest(manifest.bytes, reference, `manifest pushed as ${reference}`);
    const response = await this.#transport.send(`put manifest ${refText(repository, reference)}`, {
      method: 'PUT',
      path: manifestPath(repository, reference),
      headers: { 'content-type': manifest.mediaType },
      body: manifest.bytes,
      // The same bytes under the same name: sending twice changes nothing.
      idempotent: true,
      auth: this.#transport.push(repository),
    });
    await response.dump();
    this.#transport.checkDigestHeader(response, digest, `manifest ${refText(repository, reference)}`);
    return {
      digest,
      location: response.header('location'),
      subject: response.header('oci-subject'),
    };
  }

  /** `DELETE` a manifest by digest (registries remove every tag pointing at it; tags cannot be deleted alone). */
  async delete(repository: string, digest: string): Promise<void> {
    assertRepository(repository);
    assertDigest(digest);
    const response = await this.#transport.send(`delete manifest ${repository}@${digest}`, {
      method: 'DELETE',
      path: manifestPath(repository, digest),
      auth: this.#transport.scoped(repository, ['delete', 'pull', 'push']),
    });
    await response.dump();
  }
}

function manifestPath(repository: string, reference: string): string {
  return `/v2/${repository}/manifests/${reference}`;
}

function refText(repository: string, reference: string): string {
  return isDigest(reference) ? `${repository}@${reference}` : `${repository}:${reference}`;
}
