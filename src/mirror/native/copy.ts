/**
 * Copies a manifest tree from the source to several destinations at once: an index's child manifests
 * first (by digest; registries may refuse an index with dangling children, quay-api.md §11.4), an image's
 * config and layers before the image, then the manifest under each wanted name. Manifests are pushed with
 * the exact bytes read, so every digest is kept. A destination that already has a manifest (HEAD by
 * digest) gets only the names. With `signatures`, OCI referrers of the copied manifest follow it when the
 * source has the referrers API. A source with a `beforeNaming` check (an archive hashing itself) is waited
 * for before the first manifest PUT: its blobs may already flow, but nothing is named before it passed.
 */

import type { HostLimiter } from '../../concurrency/host-limiter.js';
import { blobsOf, childManifests, type Manifest, RegistryError } from '../../registry/index.js';
import { errorMessage } from '../../report/item-failure.js';
import type { Logger } from '../../report/logger.js';
import type { BlobLocation, BlobTransfers } from './blob-transfer.js';

/** One destination repository of a copy, and what happened to it. */
export interface CopyDestination extends BlobLocation {
  /** The first error; the rest of the copy skips this destination. */
  failure: Error | undefined;
  /**
   * Names whose own manifest PUT failed while the tree is there (e.g. Quay's 409 for an immutable tag): only
   * that name fails, the other names of the digest go on.
   */
  refFailures?: Map<string, Error>;
  /** Blob bytes uploaded to it for this copy. */
  bytes: number;
}

export class ManifestCopier {
  readonly #blobs: BlobTransfers;
  readonly #limiter: HostLimiter;
  readonly #signatures: boolean;
  readonly #log: Logger;
  /** Manifests by digest (content-addressed, so one read serves every repository and destination). */
  readonly #manifests = new Map<string, Promise<Manifest>>();
  /** `host|repository|digest` of manifests known to be at a destination. */
  readonly #present = new Set<string>();
  /** Source hosts without the referrers API (asked once). */
  readonly #noReferrers = new Set<string>();

  constructor(deps: { blobs: BlobTransfers; limiter: HostLimiter; signatures: boolean; log: Logger }) {
    this.#blobs = deps.blobs;
    this.#limiter = deps.limiter;
    this.#signatures = deps.signatures;
    this.#log = deps.log;
  }

  /**
   * Copies the tree of `digest` to every destination and names it there with its refs (tags, or the digest
   * itself). Failures are recorded on the destinations; this never throws.
   */
  async copy(
    source: BlobLocation,
    digest: string,
    destinations: readonly { destination: CopyDestination; refs: readonly string[] }[],
  ): Promise<void> {
    const refs = new Map(destinations.map((d) => [d.destination, d.refs]));
    const all = destinations.map((d) => d.destination);
    await this.#ensure(source, digest, all, (d) => refs.get(d) ?? [digest]);
    if (this.#signatures) await this.#referrers(source, digest, all);
  }

  async #ensure(
    source: BlobLocation,
    digest: string,
    destinations: readonly CopyDestination[],
    refsOf: (destination: CopyDestination) => readonly string[],
  ): Promise<void> {
    const live = destinations.filter((d) => d.failure === undefined);
    if (live.length === 0) return;
    let manifest: Manifest;
    try {
      manifest = await this.#manifest(source, digest);
    } catch (error) {
      for (const d of live) d.failure ??= asError(error);
      return;
    }
    const missing = (
      await Promise.all(live.map(async (d) => ((await this.#has(d, digest)) ? [] : [d])))
    ).flat();
    const toFill = missing.filter((d) => d.failure === undefined);
    if (toFill.length > 0) {
      if (manifest.kind === 'index') {
        await Promise.all(
          childManifests(manifest).map((child) =>
            this.#ensure(source, child.digest, toFill, () => [child.digest]),
          ),
        );
      } else {
        await Promise.all(blobsOf(manifest).map((blob) => this.#copyBlob(source, blob, toFill)));
      }
    }
    const gate = source.endpoint.registry.beforeNaming;
    if (gate) {
      try {
        await gate.call(source.endpoint.registry);
      } catch (error) {
        for (const d of live) d.failure ??= asError(error);
        return;
      }
    }
    await Promise.all(
      live.map(async (d) => {
        // The manifest needs a by-digest push only when it is missing and no tag will carry it.
        const refs = refsOf(d).filter((ref) => ref !== digest || missing.includes(d));
        let carried = !missing.includes(d);
        for (const ref of refs) {
          if (d.failure !== undefined) return;
          try {
            await this.#limiter.run([d.endpoint.host], () =>
              d.endpoint.registry.manifests.put(d.repository, ref, manifest),
            );
            carried = true;
          } catch (error) {
            // A name's own refusal (Quay's immutable tag), or any failure once a PUT has stored the manifest,
            // is that name's alone.
            if (ref !== digest && (carried || isTagRefusal(error))) {
              d.refFailures ??= new Map();
              d.refFailures.set(ref, asError(error));
            } else d.failure ??= asError(error);
          }
        }
        if (d.failure === undefined && carried) this.#present.add(presentKey(d, digest));
      }),
    );
  }

  async #copyBlob(
    source: BlobLocation,
    blob: Parameters<BlobTransfers['copy']>[1],
    destinations: readonly CopyDestination[],
  ): Promise<void> {
    const targets = destinations.filter((d) => d.failure === undefined);
    if (targets.length === 0) return;
    const outcomes = await this.#blobs.copy(source, blob, targets);
    outcomes.forEach((outcome, i) => {
      const d = targets[i];
      if (!d) return;
      if (!outcome.ok) d.failure ??= outcome.error;
      else d.bytes += outcome.bytes;
    });
  }

  /** Is the manifest at the destination? Known from this run, else a HEAD by digest (none in a created repository). */
  async #has(destination: CopyDestination, digest: string): Promise<boolean> {
    if (this.#present.has(presentKey(destination, digest))) return true;
    if (destination.created === true) return false;
    try {
      const head = await this.#limiter.run([destination.endpoint.host], () =>
        destination.endpoint.registry.manifests.head(destination.repository, digest, { forPush: true }),
      );
      if (head) this.#present.add(presentKey(destination, digest));
      return head !== undefined;
    } catch (error) {
      destination.failure ??= asError(error);
      return false;
    }
  }

  #manifest(source: BlobLocation, digest: string): Promise<Manifest> {
    let manifest = this.#manifests.get(digest);
    if (!manifest) {
      manifest = this.#limiter.run([source.endpoint.host], () =>
        source.endpoint.registry.manifests.get(source.repository, digest),
      );
      this.#manifests.set(digest, manifest);
      manifest.catch(() => this.#manifests.delete(digest));
    }
    return manifest;
  }

  /** OCI referrers of `digest` (signatures, SBOMs attached with `subject`), copied by digest after it. */
  async #referrers(source: BlobLocation, digest: string, destinations: readonly CopyDestination[]) {
    const live = destinations.filter((d) => d.failure === undefined);
    if (live.length === 0 || this.#noReferrers.has(source.endpoint.host)) return;
    let result: Awaited<ReturnType<BlobLocation['endpoint']['registry']['referrers']['list']>>;
    try {
      result = await this.#limiter.run([source.endpoint.host], () =>
        source.endpoint.registry.referrers.list(source.repository, digest),
      );
    } catch (error) {
      const failure = new Error(
        `listing the referrers of ${digest} at the source failed: ${errorMessage(error)}`,
      );
      for (const d of live) d.failure ??= failure;
      return;
    }
    if (!result.supported) {
      this.#log.debug(
        `${source.endpoint.name} has no referrers API; the cosign and referrers tag schemas carry what is attached`,
      );
      this.#noReferrers.add(source.endpoint.host);
      return;
    }
    for (const referrer of result.manifests) {
      await this.#ensure(source, referrer.digest, live, () => [referrer.digest]);
    }
  }
}

function presentKey(destination: BlobLocation, digest: string): string {
  return `${destination.endpoint.host}|${destination.repository}|${digest}`;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Quay's 409 `TAG_IMMUTABLE` (CONTRACT.md row 26): this tag may not move; the manifest itself is fine. */
function isTagRefusal(error: unknown): boolean {
  return error instanceof RegistryError && error.code === 'TAG_IMMUTABLE';
}
