/**
 * The data of `npm run bench:scale`, written straight into the servers' storage (no push: 100k tags by
 * HTTP would take longer than the runs they set up):
 * - a tag set: `scale/app-<r>` × `t<i>`, every tag pointing at one of a few small OCI image manifests
 *   (one config each, one shared layer), the same bytes in every repository;
 * - for a plain registry, distribution 2.8's filesystem layout under `docker/registry/v2/`;
 * - for the Quay emulator, its in-memory model through `seed` (`seed.tags` for the bulk).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MediaTypes, sha256Digest } from '../src/registry/index.js';
import type { QuayEmulator } from '../test/support/quay-emulator/index.js';

interface Blob {
  digest: string;
  bytes: Buffer;
  mediaType: string;
}

export interface TagSet {
  repositories: string[];
  /** Tags per repository: `t0` … `t<n-1>`; tag i points at `manifests[i % manifests.length]`. */
  tagsPerRepository: number;
  manifests: Blob[];
  /** Config and layer blobs every manifest references. */
  blobs: Blob[];
  tags: number;
}

const blobOf = (bytes: Buffer, mediaType: string): Blob => ({
  digest: sha256Digest(bytes),
  bytes,
  mediaType,
});

/** `repositories × tagsPerRepository` tags over `manifestCount` manifests, under `organization`. */
export function tagSet(options: {
  organization: string;
  repositories: number;
  tagsPerRepository: number;
  manifestCount: number;
}): TagSet {
  // Real gzip (of a tiny tar-sized payload): the data is only read as bytes, never unpacked.
  const layer = blobOf(gzipSync(Buffer.alloc(1024, 7)), MediaTypes.ociLayerGzip);
  const blobs: Blob[] = [layer];
  const manifests: Blob[] = [];
  for (let m = 0; m < options.manifestCount; m++) {
    const config = blobOf(
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          config: { Labels: { variant: String(m) } },
          rootfs: { type: 'layers', diff_ids: [sha256Digest(Buffer.alloc(1024, 7))] },
        }),
      ),
      MediaTypes.ociConfig,
    );
    blobs.push(config);
    const descriptor = (b: Blob) => ({ mediaType: b.mediaType, digest: b.digest, size: b.bytes.length });
    manifests.push(
      blobOf(
        Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MediaTypes.ociManifest,
            config: descriptor(config),
            layers: [descriptor(layer)],
          }),
        ),
        MediaTypes.ociManifest,
      ),
    );
  }
  const repositories = Array.from(
    { length: options.repositories },
    (_, r) => `${options.organization}/app-${String(r).padStart(2, '0')}`,
  );
  return {
    repositories,
    tagsPerRepository: options.tagsPerRepository,
    manifests,
    blobs,
    tags: options.repositories * options.tagsPerRepository,
  };
}

export function* tagsOf(set: TagSet): Generator<[tag: string, manifest: Blob]> {
  for (let i = 0; i < set.tagsPerRepository; i++)
    yield [`t${i}`, set.manifests[i % set.manifests.length] as Blob];
}

const hexOf = (digest: string) => digest.slice('sha256:'.length);

/**
 * distribution 2.8's filesystem driver layout (registry/storage/paths.go): blob data under
 * `blobs/sha256/<2 hex>/<hex>/data`; per repository a link (the digest as text, no newline) for each blob
 * it may serve (`_layers/sha256/<hex>/link`), each manifest revision (`_manifests/revisions/sha256/<hex>/link`)
 * and each tag: `_manifests/tags/<tag>/current/link` (what the tag points at) and
 * `_manifests/tags/<tag>/index/sha256/<hex>/link` (the tag's history).
 */
export function writeRegistryStorage(root: string, set: TagSet): void {
  const v2 = join(root, 'docker', 'registry', 'v2');
  const link = (dir: string, digest: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'link'), digest);
  };
  for (const blob of [...set.blobs, ...set.manifests]) {
    const hex = hexOf(blob.digest);
    const dir = join(v2, 'blobs', 'sha256', hex.slice(0, 2), hex);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'data'), blob.bytes);
  }
  for (const repository of set.repositories) {
    const base = join(v2, 'repositories', repository);
    for (const blob of set.blobs) link(join(base, '_layers', 'sha256', hexOf(blob.digest)), blob.digest);
    for (const manifest of set.manifests) {
      link(join(base, '_manifests', 'revisions', 'sha256', hexOf(manifest.digest)), manifest.digest);
    }
    const tagsDir = join(base, '_manifests', 'tags');
    for (const [tag, manifest] of tagsOf(set)) {
      link(join(tagsDir, tag, 'current'), manifest.digest);
      link(join(tagsDir, tag, 'index', 'sha256', hexOf(manifest.digest)), manifest.digest);
    }
  }
}

/** The same set in an emulated Quay (its organization must exist): blobs, manifests, then every tag at once. */
export async function seedQuay(quay: QuayEmulator, set: TagSet): Promise<void> {
  for (const repository of set.repositories) {
    for (const blob of set.blobs) await quay.seed.blob(repository, blob.bytes);
    for (const [i, manifest] of set.manifests.entries())
      quay.seed.manifest(repository, `t${i}`, manifest.bytes, manifest.mediaType);
    quay.seed.tags(
      repository,
      (function* () {
        for (const [tag, manifest] of tagsOf(set)) yield [tag, manifest.digest] as const;
      })(),
    );
  }
}

/**
 * `organizations × perOrganization` repositories (`disc-<o>/repo-<r>`), each with one tag `v1` on one small
 * manifest: the discovery source (and, seeded the same, a destination that already holds it).
 */
export async function seedManyRepositories(
  quay: QuayEmulator,
  options: { organizations: number; perOrganization: number },
): Promise<string[]> {
  const set = tagSet({ organization: 'x', repositories: 0, tagsPerRepository: 1, manifestCount: 1 });
  const manifest = set.manifests[0] as Blob;
  const organizations: string[] = [];
  for (let o = 0; o < options.organizations; o++) {
    const organization = `disc-${String(o).padStart(2, '0')}`;
    organizations.push(organization);
    if (!quay.state.orgs.has(organization)) quay.seed.org(organization, { owner: 'admin' });
    for (let r = 0; r < options.perOrganization; r++) {
      const repository = `${organization}/repo-${String(r).padStart(4, '0')}`;
      for (const blob of set.blobs) await quay.seed.blob(repository, blob.bytes);
      quay.seed.manifest(repository, 'v1', manifest.bytes, manifest.mediaType);
    }
  }
  return organizations;
}
