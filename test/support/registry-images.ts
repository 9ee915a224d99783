/**
 * Test images made in memory (deterministic bytes, so digests are stable) and a minimal copy routine built
 * only from RegistryClient operations, the way a copy engine would use them: blobs, then children by
 * digest, then the index under its tag.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  blobsOf,
  childManifests,
  type Manifest,
  MediaTypes,
  type RegistryClient,
  sha256Digest,
} from '../../src/registry/index.js';

export interface TestBlob {
  mediaType: string;
  digest: string;
  size: number;
  data: Buffer;
}

export interface TestManifest {
  mediaType: string;
  digest: string;
  bytes: Buffer;
}

export interface TestImage extends TestManifest {
  blobs: TestBlob[];
  platform: { architecture: string; os: string };
}

export function blob(data: Buffer | string, mediaType: string): TestBlob {
  const buffer = typeof data === 'string' ? Buffer.from(data) : data;
  return { mediaType, digest: sha256Digest(buffer), size: buffer.length, data: buffer };
}

function descriptor(item: { mediaType: string; digest: string; size?: number; bytes?: Buffer }) {
  return { mediaType: item.mediaType, digest: item.digest, size: item.size ?? item.bytes?.length ?? 0 };
}

/** A single-platform image: one config and `layers` layers, OCI or Docker schema 2. */
export function image(
  label: string,
  options: { format?: 'oci' | 'docker'; architecture?: string; layers?: number; layerBytes?: number } = {},
): TestImage {
  const oci = (options.format ?? 'oci') === 'oci';
  const platform = { architecture: options.architecture ?? 'amd64', os: 'linux' };
  const layers = Array.from({ length: options.layers ?? 2 }, (_, i) =>
    blob(
      deterministicBytes(`${label}/${platform.architecture}/layer-${i}`, options.layerBytes ?? 1024 + i),
      oci ? MediaTypes.ociLayerGzip : MediaTypes.dockerLayerGzip,
    ),
  );
  const config = blob(
    // `history` as every builder writes it: Quay refuses a Docker schema 2 config without it (CONTRACT.md row 26).
    JSON.stringify({
      ...platform,
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      history: layers.map((_, i) => ({ created_by: `layer ${i}` })),
    }),
    oci ? MediaTypes.ociConfig : MediaTypes.dockerConfig,
  );
  const mediaType = oci ? MediaTypes.ociManifest : MediaTypes.dockerManifest;
  // Pretty-printed on purpose: a client that re-serialised manifests would change these bytes and digests.
  const bytes = Buffer.from(
    JSON.stringify(
      {
        schemaVersion: 2,
        mediaType,
        config: descriptor(config),
        layers: layers.map(descriptor),
        annotations: oci ? { 'org.example.label': label } : undefined,
      },
      null,
      3,
    ),
  );
  return { mediaType, digest: sha256Digest(bytes), bytes, blobs: [config, ...layers], platform };
}

/** An index (OCI) or manifest list (Docker) over `children`. */
export function index(children: TestImage[], options: { format?: 'oci' | 'docker' } = {}): TestManifest {
  const oci = (options.format ?? 'oci') === 'oci';
  const mediaType = oci ? MediaTypes.ociIndex : MediaTypes.dockerManifestList;
  const bytes = Buffer.from(
    `${JSON.stringify({
      schemaVersion: 2,
      mediaType,
      manifests: children.map((c) => ({ ...descriptor(c), platform: c.platform })),
    })}\n`,
  );
  return { mediaType, digest: sha256Digest(bytes), bytes };
}

/** Pushes an image's blobs and then its manifest (under `reference`, default its digest). */
export async function pushImage(
  client: RegistryClient,
  repository: string,
  img: TestImage,
  reference = img.digest,
): Promise<void> {
  for (const b of img.blobs) {
    if (await client.blobs.head(repository, b.digest, { forPush: true })) continue;
    await client.uploads.upload(repository, b.digest, b.size, b.data);
  }
  await client.manifests.put(repository, reference, img);
}

/** Pushes the children by digest, then the index under `tag`. */
export async function pushIndex(
  client: RegistryClient,
  repository: string,
  children: TestImage[],
  idx: TestManifest,
  tag: string,
): Promise<void> {
  for (const child of children) await pushImage(client, repository, child);
  await client.manifests.put(repository, tag, idx);
}

export interface CopyStats {
  blobsUploaded: number;
  blobsSkipped: number;
  blobsMounted: number;
  manifests: number;
}

/**
 * Copies `reference` (tag or digest) from one registry to another: blobs streamed GET → PUT, children before
 * their index, manifests byte-exact. Returns the top manifest.
 */
export async function copyImage(
  from: { client: RegistryClient; repository: string },
  to: { client: RegistryClient; repository: string; mountFrom?: string },
  reference: string,
  stats: CopyStats = { blobsUploaded: 0, blobsSkipped: 0, blobsMounted: 0, manifests: 0 },
): Promise<Manifest> {
  const manifest = await from.client.manifests.get(from.repository, reference);
  for (const child of childManifests(manifest)) await copyImage(from, to, child.digest, stats);
  for (const b of blobsOf(manifest)) {
    if (await to.client.blobs.head(to.repository, b.digest, { forPush: true })) {
      stats.blobsSkipped += 1;
      continue;
    }
    const source = await from.client.blobs.open(from.repository, b.digest, { size: b.size });
    const pushed = await to.client.uploads.upload(to.repository, b.digest, b.size, source.body, {
      mountFrom: to.mountFrom,
    });
    if (pushed.mounted) stats.blobsMounted += 1;
    else stats.blobsUploaded += 1;
  }
  await to.client.manifests.put(to.repository, reference, manifest);
  stats.manifests += 1;
  return manifest;
}

/** Deterministic pseudo-random bytes (AES-128-CTR keystream keyed by `seed`), never all in memory at once. */
export function deterministicStream(seed: string, size: number, chunkSize = 64 * 1024): Readable {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(chunkSize);
  let produced = 0;
  return new Readable({
    read() {
      if (produced >= size) {
        this.push(null);
        return;
      }
      const n = Math.min(chunkSize, size - produced);
      produced += n;
      this.push(cipher.update(zeros.subarray(0, n)));
    },
  });
}

export function deterministicBytes(seed: string, size: number): Buffer {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

/** sha256 digest of a stream's content, read chunk by chunk. */
export async function streamDigest(stream: Readable): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}
