/**
 * A layout folder answering as a registry (RegistryApi, src/registry/registry-api.ts), so the mirror engine
 * copies to and from it as it does between hosts. Blobs are shared by every repository of the layout, so a
 * blob is "in" a repository when its file is there; tags and kept digests are index.json entries, held in
 * memory and written by `serializedIndex` when the run ends. As a destination it can also be told what a far
 * side already holds (a receipt): those blobs count as present and are not written.
 */
import { randomBytes } from 'node:crypto';
import {
  type BlobBody,
  type BlobInfo,
  type BlobStream,
  childManifests,
  type Descriptor,
  isDigest,
  type Manifest,
  type ManifestDescriptor,
  type MountResult,
  type PushedManifest,
  parseManifest,
  type ReferrersResult,
  type RegistryApi,
  sha256Digest,
  type UploadSession,
} from '../registry/index.js';
import { ArchiveError } from './errors.js';
import type { LayoutEntry } from './layout/index-entries.js';
import { isMissing, type LayoutDir, MAX_MANIFEST_BYTES } from './layout/layout-dir.js';

export interface LayoutWriteStats {
  blobsWritten: number;
  blobBytesWritten: number;
  manifestsWritten: number;
  /** Blobs an upload found already in the layout. */
  blobsPresent: number;
}

export interface LayoutRegistryOptions {
  layout: LayoutDir;
  /** The archive as configured, for messages. */
  archive: string;
  /** What the layout holds (index.json entries), by repository. */
  entries: readonly LayoutEntry[];
  /** Blobs a far side holds (a receipt): present for `blobs.head`, never written. */
  farSideBlobs?: ReadonlySet<string>;
  /**
   * Blobs the archive's own sha256 pass covers (verify.ts `hashArchive`, which `beforeNaming` waits for):
   * read without hashing them a second time. The destination checks the digest of every upload anyway
   * (distribution-spec "Pushing blobs": the PUT carries `digest`), and nothing is named before the pass.
   */
  hashedByTheArchive?: ReadonlySet<string>;
  /** RegistryApi's `beforeNaming`: the archive's sha256 pass. */
  beforeNaming?: () => Promise<void>;
  readOnly: boolean;
}

export class LayoutRegistry implements RegistryApi {
  readonly stats: LayoutWriteStats = {
    blobsWritten: 0,
    blobBytesWritten: 0,
    manifestsWritten: 0,
    blobsPresent: 0,
  };
  readonly manifests: RegistryApi['manifests'];
  readonly blobs: RegistryApi['blobs'];
  readonly uploads: RegistryApi['uploads'];
  readonly tags: RegistryApi['tags'];
  readonly referrers: RegistryApi['referrers'];
  beforeNaming?: () => Promise<void>;
  readonly #layout: LayoutDir;
  readonly #archive: string;
  readonly #readOnly: boolean;
  readonly #farSide: ReadonlySet<string>;
  readonly #verified: ReadonlySet<string>;
  /** repository → tag or digest → entry. */
  readonly #repositories = new Map<string, Map<string, LayoutEntry>>();
  /** Media types of manifests read or written (content-addressed: one per digest). */
  readonly #mediaTypes = new Map<string, string>();
  /** Manifests named as children of an index written here: kept through the index, not as roots. */
  readonly #children = new Set<string>();
  /** repository → subject digest → referrers, built on the first ask. */
  readonly #referrers = new Map<string, Promise<Map<string, Descriptor[]>>>();
  #changed = false;

  constructor(options: LayoutRegistryOptions) {
    this.#layout = options.layout;
    this.#archive = options.archive;
    this.#readOnly = options.readOnly;
    this.#farSide = options.farSideBlobs ?? new Set();
    this.#verified = options.hashedByTheArchive ?? new Set();
    if (options.beforeNaming) this.beforeNaming = options.beforeNaming;
    for (const entry of options.entries) this.#set(entry);
    this.manifests = {
      head: (repository, reference) => this.#headManifest(repository, reference),
      get: (repository, reference) => this.#getManifest(repository, reference),
      put: (repository, reference, manifest) => this.#putManifest(repository, reference, manifest),
      delete: (repository, digest) => this.#deleteManifest(repository, digest),
    };
    this.blobs = {
      head: (_repository, digest) => this.#headBlob(digest),
      open: (repository, digest, options = {}) => this.#openBlob(repository, digest, options.size),
    };
    this.uploads = {
      start: async (repository) => this.#session(repository),
      mount: async (repository, digest): Promise<MountResult> =>
        (await this.#layout.blobSize(digest)) !== undefined
          ? { mounted: true, digest }
          : { mounted: false, session: this.#session(repository) },
      complete: (session, digest, size, body) => this.#writeBlob(session, digest, size, body),
      cancel: async () => undefined,
    };
    this.tags = {
      list: async (repository) =>
        [...(this.#repositories.get(repository)?.values() ?? [])].flatMap((e) =>
          e.tag === undefined ? [] : [e.tag],
        ),
      catalog: async () =>
        [...this.#repositories]
          .filter(([, refs]) => refs.size > 0)
          .map(([repository]) => repository)
          .sort(),
    };
    this.referrers = {
      list: async (repository, digest): Promise<ReferrersResult> => ({
        supported: true,
        manifests: (await this.#referrersOf(repository)).get(digest) ?? [],
        filteredByRegistry: true,
      }),
    };
  }

  /** Whether a write changed the entries since the layout was opened. */
  get changed(): boolean {
    return this.#changed;
  }

  /** Every entry, for index.json: digest entries only for manifests no tag or index of theirs reaches. */
  entries(): LayoutEntry[] {
    const out: LayoutEntry[] = [];
    for (const refs of this.#repositories.values()) {
      const tagged = new Set<string>();
      for (const entry of refs.values()) if (entry.tag !== undefined) tagged.add(entry.digest);
      for (const entry of refs.values()) {
        if (entry.tag === undefined && (tagged.has(entry.digest) || this.#children.has(entry.digest)))
          continue;
        out.push(entry);
      }
    }
    return out;
  }

  /** The original's pull name recorded for a repository (`dev.quay-tasks.source`), when any entry has one. */
  sourceOf(repository: string): string | undefined {
    for (const entry of this.#repositories.get(repository)?.values() ?? []) {
      if (entry.source !== undefined) return entry.source;
    }
    return undefined;
  }

  /** Sets the original's pull name on every entry of `repository` (the export knows it, the registry calls do not). */
  recordSource(repository: string, source: string): void {
    for (const entry of this.#repositories.get(repository)?.values() ?? []) {
      if (entry.source !== source) {
        entry.source = source;
        this.#changed = true;
      }
    }
  }

  async close(): Promise<void> {}

  #set(entry: LayoutEntry): void {
    let refs = this.#repositories.get(entry.repository);
    if (!refs) {
      refs = new Map();
      this.#repositories.set(entry.repository, refs);
    }
    refs.set(entry.tag ?? entry.digest, entry);
    this.#mediaTypes.set(entry.digest, entry.mediaType);
  }

  #entry(repository: string, reference: string): LayoutEntry | undefined {
    return this.#repositories.get(repository)?.get(reference);
  }

  async #headManifest(repository: string, reference: string): Promise<ManifestDescriptor | undefined> {
    const entry = this.#entry(repository, reference);
    if (entry) return { mediaType: entry.mediaType, digest: entry.digest, size: entry.size };
    if (!isDigest(reference)) return undefined;
    const size = await this.#layout.blobSize(reference);
    if (size === undefined) return undefined;
    const mediaType =
      this.#mediaTypes.get(reference) ?? (await this.#readManifest(repository, reference)).mediaType;
    return { mediaType, digest: reference, size };
  }

  #getManifest(repository: string, reference: string): Promise<Manifest> {
    const digest = isDigest(reference) ? reference : this.#entry(repository, reference)?.digest;
    if (digest === undefined) {
      throw new ArchiveError(this.#archive, `${repository}:${reference} is not in the archive`);
    }
    return this.#readManifest(repository, digest, reference);
  }

  async #readManifest(repository: string, digest: string, reference = digest): Promise<Manifest> {
    let bytes: Buffer;
    try {
      bytes = await this.#layout.readBlob(digest, MAX_MANIFEST_BYTES);
    } catch (error) {
      if (isMissing(error)) throw this.#missing('manifest', repository, digest, reference);
      throw new ArchiveError(this.#archive, error instanceof Error ? error.message : String(error), {
        cause: error,
      });
    }
    const manifest = parseManifest(bytes, {
      contentType: this.#mediaTypes.get(digest),
      expectedDigest: digest,
    });
    this.#mediaTypes.set(digest, manifest.mediaType);
    return manifest;
  }

  async #putManifest(
    repository: string,
    reference: string,
    manifest: { bytes: Uint8Array; mediaType: string },
  ): Promise<PushedManifest> {
    this.#writable(`put ${repository}:${reference}`);
    const digest = sha256Digest(manifest.bytes);
    const parsed = parseManifest(manifest.bytes, {
      contentType: manifest.mediaType,
      expectedDigest: isDigest(reference) ? reference : undefined,
    });
    if ((await this.#layout.writeBlob(digest, manifest.bytes.length, manifest.bytes)) === 'written') {
      this.stats.manifestsWritten += 1;
    }
    for (const child of childManifests(parsed)) this.#children.add(child.digest);
    const entry: LayoutEntry = {
      repository,
      tag: isDigest(reference) ? undefined : reference,
      mediaType: manifest.mediaType,
      digest,
      size: manifest.bytes.length,
    };
    if (parsed.artifactType !== undefined) entry.artifactType = parsed.artifactType;
    const before = this.#entry(repository, reference);
    if (before?.source !== undefined) entry.source = before.source;
    if (before?.digest !== digest || before.mediaType !== entry.mediaType) this.#changed = true;
    this.#set(entry);
    this.#referrers.delete(repository);
    return { digest, location: undefined, subject: parsed.subject?.digest };
  }

  async #deleteManifest(repository: string, digest: string): Promise<void> {
    this.#writable(`delete ${repository}@${digest}`);
    const refs = this.#repositories.get(repository);
    for (const [reference, entry] of refs ?? []) {
      if (entry.digest === digest) {
        refs?.delete(reference);
        this.#changed = true;
      }
    }
  }

  async #headBlob(digest: string): Promise<BlobInfo | undefined> {
    const size = await this.#layout.blobSize(digest);
    if (size !== undefined) return { digest, size };
    return this.#farSide.has(digest) ? { digest, size: undefined } : undefined;
  }

  async #openBlob(repository: string, digest: string, size: number | undefined): Promise<BlobStream> {
    const onDisk = await this.#layout.blobSize(digest);
    if (onDisk === undefined) throw this.#missing('blob', repository, digest, digest);
    if (size !== undefined && onDisk !== size) {
      throw new ArchiveError(
        this.#archive,
        `blob ${digest} of ${repository} is ${onDisk} bytes, its descriptor says ${size}: the archive is damaged`,
      );
    }
    const what = `blob ${digest} of ${repository} in ${this.#archive}`;
    const body = this.#verified.has(digest)
      ? this.#layout.openCheckedBlob(digest)
      : this.#layout.openBlob(digest, onDisk, what);
    const stats = { bytes: 0, resumes: 0 };
    body.on('data', (chunk: Buffer) => {
      stats.bytes += chunk.length;
    });
    body.pause();
    return { size: onDisk, body, stats };
  }

  #session(repository: string): UploadSession {
    this.#writable(`upload to ${repository}`);
    return { repository, location: new URL(`oci-layout-upload:${randomBytes(6).toString('hex')}`) };
  }

  async #writeBlob(session: UploadSession, digest: string, size: number, body: BlobBody): Promise<void> {
    this.#writable(`upload to ${session.repository}`);
    if ((await this.#layout.writeBlob(digest, size, body)) === 'written') {
      this.stats.blobsWritten += 1;
      this.stats.blobBytesWritten += size;
    } else this.stats.blobsPresent += 1;
  }

  #writable(what: string): void {
    if (this.#readOnly) throw new ArchiveError(this.#archive, `is a source here: cannot ${what}`);
  }

  #missing(kind: 'blob' | 'manifest', repository: string, digest: string, reference: string): ArchiveError {
    const of = reference === digest ? repository : `${repository}:${reference}`;
    const why = this.#farSide.has(digest)
      ? ' (left out of the archive because its receipt said the far side held it)'
      : ': the archive is incomplete';
    return new ArchiveError(this.#archive, `${kind} ${digest} of ${of} is missing${why}`);
  }

  async #referrersOf(repository: string): Promise<Map<string, Descriptor[]>> {
    let known = this.#referrers.get(repository);
    if (!known) {
      known = (async () => {
        const bySubject = new Map<string, Descriptor[]>();
        for (const entry of this.#repositories.get(repository)?.values() ?? []) {
          if (entry.tag !== undefined) continue;
          const manifest = await this.#readManifest(repository, entry.digest);
          const subject = manifest.subject?.digest;
          if (subject === undefined) continue;
          const descriptor: Descriptor = {
            mediaType: manifest.mediaType,
            digest: manifest.digest,
            size: manifest.size,
          };
          if (manifest.artifactType !== undefined) descriptor.artifactType = manifest.artifactType;
          bySubject.set(subject, [...(bySubject.get(subject) ?? []), descriptor]);
        }
        return bySubject;
      })();
      this.#referrers.set(repository, known);
    }
    return known;
  }
}
