/**
 * Copies images from one registry to another over the distribution API (/v2) with the project's own
 * registry client, as `skopeo copy` would: how the demo fills the emulated Quay east once quay-init has
 * made its organizations, the way one would fill a real Quay. An index's children go by digest before the
 * index; a blob goes up once per repository (HEAD first); repositories are copied side by side.
 */
import type { RegistryCredential } from '../src/credentials/index.js';
import { blobsOf, childManifests, RegistryClient } from '../src/registry/index.js';

export interface Registry {
  url: string;
  credentials?: RegistryCredential;
}

export interface ImageTags {
  repository: string;
  tags: string[];
}

function clientOf(registry: Registry): RegistryClient {
  const url = new URL(registry.url);
  return new RegistryClient({
    registry: url.host,
    scheme: url.protocol === 'http:' ? 'http' : 'https',
    credentials: registry.credentials,
  });
}

/** Copies every tag of every repository, in the order given within a repository. */
export async function copyImages(from: Registry, to: Registry, images: readonly ImageTags[]): Promise<void> {
  const source = clientOf(from);
  const target = clientOf(to);
  try {
    await Promise.all(
      images.map(async ({ repository, tags }) => {
        for (const tag of tags) await copyManifest(source, target, repository, tag);
      }),
    );
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}

async function copyManifest(
  source: RegistryClient,
  target: RegistryClient,
  repository: string,
  reference: string,
): Promise<void> {
  const manifest = await source.manifests.get(repository, reference);
  for (const child of childManifests(manifest)) await copyManifest(source, target, repository, child.digest);
  for (const blob of blobsOf(manifest)) {
    if (await target.blobs.head(repository, blob.digest, { forPush: true })) continue;
    const { body } = await source.blobs.open(repository, blob.digest, { size: blob.size });
    await target.uploads.upload(repository, blob.digest, blob.size, body);
  }
  await target.manifests.put(repository, reference, manifest);
}
