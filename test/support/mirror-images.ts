/** Test images for plain registries whose layers are given, so several images can share one. */
import { MediaTypes, sha256Digest } from '../../src/registry/index.js';
import { blob, deterministicBytes, type TestBlob, type TestImage } from './registry-images.js';

/** A layer of deterministic bytes. */
export function layer(seed: string, size = 2048): TestBlob {
  return blob(deterministicBytes(seed, size), MediaTypes.ociLayerGzip);
}

/** An OCI image of these layers (config first in `blobs`, as `image()` makes them). */
export function imageOf(label: string, layers: readonly TestBlob[]): TestImage {
  const platform = { architecture: 'amd64', os: 'linux' };
  const config = blob(
    JSON.stringify({
      ...platform,
      label,
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      history: layers.map((_, i) => ({ created_by: `layer ${i}` })),
    }),
    MediaTypes.ociConfig,
  );
  const descriptor = (b: TestBlob) => ({ mediaType: b.mediaType, digest: b.digest, size: b.size });
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: descriptor(config),
      layers: layers.map(descriptor),
    }),
  );
  return {
    mediaType: MediaTypes.ociManifest,
    digest: sha256Digest(bytes),
    bytes,
    blobs: [config, ...layers],
    platform,
  };
}
