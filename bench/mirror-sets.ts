/**
 * The data sets of `npm run bench:mirror`, pushed to the source registry:
 * - big: `big/app-<r>` × tags v0..v4; two shared base layers, one layer per repository, one per tag;
 *   the first `multiArch` repositories are OCI indexes of amd64 + arm64 (own tag layer per architecture).
 * - small: `small/app-<r>` × many tags of tiny images sharing one base layer per set.
 * - one layer: `mem/one:v1`, a single image with one layer of the given size.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { mapPool } from '../src/concurrency/work-pool.js';
import { MediaTypes, type RegistryClient, sha256Digest } from '../src/registry/index.js';
import {
  BlobPusher,
  type BlobRef,
  type BuiltManifest,
  describeLayer,
  imageIndex,
  imageManifest,
  type LayerRef,
  type LayerSpec,
} from './mirror-data.js';

const MiB = 1 << 20;
const PUSH_CONCURRENCY = 6;

export interface DataSet {
  repositories: string[];
  /** `repo:tag` → manifest digest at the source. */
  tags: Map<string, string>;
  /** Every distinct blob: digest → a repository holding it and its size. */
  blobs: Map<string, { repository: string; size: number }>;
  uniqueBytes: number;
  images: number;
}

export interface BigSetOptions {
  repositories: number;
  tags: number;
  multiArch: number;
  /** Size multiplier: 1 = 2×48 MiB base + 20 MiB per repository + 4 MiB per tag and architecture. */
  scale: number;
}

interface Image {
  repository: string;
  tag: string;
  /** One entry per architecture. */
  variants: { architecture: string; layers: LayerSpec[] }[];
}

async function pushImages(client: RegistryClient, images: readonly Image[]): Promise<DataSet> {
  const specs = new Map<string, LayerSpec>();
  for (const image of images) for (const v of image.variants) for (const l of v.layers) specs.set(l.label, l);
  const refs = new Map<string, LayerRef>();
  await mapPool([...specs.values()], 2, async (spec) => {
    refs.set(spec.label, await describeLayer(spec));
  });
  const pusher = new BlobPusher(client);
  const tags = new Map<string, string>();
  await mapPool(images, PUSH_CONCURRENCY, async (image) => {
    const children: { manifest: BuiltManifest; architecture: string }[] = [];
    for (const variant of image.variants) {
      const layers = variant.layers.map((l) => refs.get(l.label) as LayerRef);
      for (const [i, spec] of variant.layers.entries()) {
        await pusher.layer(image.repository, spec, layers[i] as LayerRef);
      }
      const built = imageManifest(`${image.repository}:${image.tag}`, layers, variant.architecture);
      await pusher.bytes(image.repository, built.configRef, built.config);
      children.push({ manifest: built.manifest, architecture: variant.architecture });
    }
    let top: BuiltManifest;
    if (children.length === 1) {
      top = (children[0] as { manifest: BuiltManifest }).manifest;
    } else {
      for (const child of children) {
        await client.manifests.put(image.repository, child.manifest.digest, child.manifest);
      }
      top = imageIndex(children);
    }
    await client.manifests.put(image.repository, image.tag, top);
    tags.set(`${image.repository}:${image.tag}`, top.digest);
  });
  let uniqueBytes = 0;
  for (const { size } of pusher.unique.values()) uniqueBytes += size;
  return {
    repositories: [...new Set(images.map((i) => i.repository))],
    tags,
    blobs: pusher.unique,
    uniqueBytes,
    images: images.length,
  };
}

export async function pushBigSet(client: RegistryClient, options: BigSetOptions): Promise<DataSet> {
  const mib = (n: number) => Math.max(1024, Math.round(n * MiB * options.scale));
  const base = [0, 1].map((i) => ({ label: `big-base-${i}`, size: mib(48) }));
  const images: Image[] = [];
  for (let r = 0; r < options.repositories; r++) {
    const repository = `big/app-${r}`;
    const repoLayer = { label: `${repository}-repo`, size: mib(20) };
    const architectures = r < options.multiArch ? ['amd64', 'arm64'] : ['amd64'];
    for (let t = 0; t < options.tags; t++) {
      images.push({
        repository,
        tag: `v${t}`,
        variants: architectures.map((architecture) => ({
          architecture,
          layers: [...base, repoLayer, { label: `${repository}-v${t}-${architecture}`, size: mib(4) }],
        })),
      });
    }
  }
  return pushImages(client, images);
}

export async function pushOneLayer(client: RegistryClient, size: number): Promise<DataSet> {
  return pushImages(client, [
    {
      repository: 'mem/one',
      tag: 'v1',
      variants: [{ architecture: 'amd64', layers: [{ label: 'mem-one-layer', size }] }],
    },
  ]);
}

/**
 * Many small images: per image a 1 KiB random layer on a shared 64 KiB base and a config. These are
 * small, so they are made in memory; layers are real gzip (level 0), so skopeo keeps them as they are.
 */
export async function pushSmallSet(
  client: RegistryClient,
  options: { repositories: number; tags: number },
): Promise<DataSet> {
  const pusher = new BlobPusher(client);
  const blob = (bytes: Buffer, mediaType: string): BlobRef & { bytes: Buffer } => ({
    bytes,
    mediaType,
    digest: sha256Digest(bytes),
    size: bytes.length,
  });
  const gzLayer = (size: number) => {
    const tar = randomBytes(size);
    return { ...blob(gzipSync(tar, { level: 0 }), MediaTypes.ociLayerGzip), diffId: sha256Digest(tar) };
  };
  const base = gzLayer(64 * 1024);
  const work: { repository: string; tag: string }[] = [];
  for (let r = 0; r < options.repositories; r++) {
    for (let t = 0; t < options.tags; t++) {
      work.push({ repository: `small/app-${String(r).padStart(2, '0')}`, tag: `t${t}` });
    }
  }
  const tags = new Map<string, string>();
  // Base layer first, once per repository, so the image pushes below find it (or mount it).
  const repositories = [...new Set(work.map((w) => w.repository))];
  await mapPool(repositories, PUSH_CONCURRENCY, (repository) => pusher.bytes(repository, base, base.bytes));
  await mapPool(work, PUSH_CONCURRENCY * 2, async ({ repository, tag }) => {
    const own = gzLayer(1024);
    const config = blob(
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          rootfs: { type: 'layers', diff_ids: [base.diffId, own.diffId] },
        }),
      ),
      MediaTypes.ociConfig,
    );
    await pusher.bytes(repository, own, own.bytes);
    await pusher.bytes(repository, config, config.bytes);
    const descriptor = (b: BlobRef) => ({ mediaType: b.mediaType, digest: b.digest, size: b.size });
    const bytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        config: descriptor(config),
        layers: [descriptor(base), descriptor(own)],
      }),
    );
    const pushed = await client.manifests.put(repository, tag, { bytes, mediaType: MediaTypes.ociManifest });
    tags.set(`${repository}:${tag}`, pushed.digest);
  });
  let uniqueBytes = 0;
  for (const { size } of pusher.unique.values()) uniqueBytes += size;
  return { repositories, tags, blobs: pusher.unique, uniqueBytes, images: work.length };
}
