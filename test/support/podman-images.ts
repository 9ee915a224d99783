/**
 * Tiny images that podman accepts: each layer a real gzipped tar (one small file), the config's
 * `rootfs.diff_ids` the sha256 of the uncompressed tar (podman checks it, local-infra.md §2). The images of
 * test/support/registry-images.ts have random bytes as layers, which only registry-to-registry copies accept.
 */
import { gzipSync } from 'node:zlib';
import { MediaTypes, sha256Digest } from '../../src/registry/index.js';
import { blob, type TestImage, type TestManifest } from './registry-images.js';

/** A ustar archive holding one regular file. */
export function tarOf(name: string, content: string | Buffer): Buffer {
  const data = typeof content === 'string' ? Buffer.from(content) : content;
  const header = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) =>
    header.write(text.slice(0, length), offset, length, 'ascii');
  const octal = (value: number, length: number) => `${value.toString(8).padStart(length - 1, '0')}\0`;
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(data.length, 12), 124, 12);
  put(octal(1_700_000_000, 12), 136, 12);
  header.fill(' ', 148, 156); // the checksum is computed with its own field as spaces
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}

/**
 * A single-platform OCI (or Docker schema 2) image of one real layer holding `/<label>.txt` (its label, or
 * `payload`: a bigger file for timing).
 */
export function runnableImage(
  label: string,
  options: { architecture?: string; format?: 'oci' | 'docker'; payload?: Buffer } = {},
): TestImage {
  const oci = (options.format ?? 'oci') === 'oci';
  const platform = { architecture: options.architecture ?? 'amd64', os: 'linux' };
  const tar = tarOf(
    `${label.replace(/[^\w.-]/g, '_')}.txt`,
    options.payload ?? `${label} ${platform.architecture}\n`,
  );
  const layer = blob(gzipSync(tar, { level: 1 }), oci ? MediaTypes.ociLayerGzip : MediaTypes.dockerLayerGzip);
  const config = blob(
    JSON.stringify({
      ...platform,
      created: '2024-01-01T00:00:00Z',
      config: { Labels: { 'org.example.label': label } },
      rootfs: { type: 'layers', diff_ids: [sha256Digest(tar)] },
      history: [{ created: '2024-01-01T00:00:00Z', created_by: `test ${label}` }],
    }),
    oci ? MediaTypes.ociConfig : MediaTypes.dockerConfig,
  );
  const mediaType = oci ? MediaTypes.ociManifest : MediaTypes.dockerManifest;
  const descriptor = (b: { mediaType: string; digest: string; size: number }) => ({
    mediaType: b.mediaType,
    digest: b.digest,
    size: b.size,
  });
  const bytes = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType, config: descriptor(config), layers: [descriptor(layer)] }),
  );
  return { mediaType, digest: sha256Digest(bytes), bytes, blobs: [config, layer], platform };
}

/** The config digest of an image: what podman calls the image ID, kept by a pull and a push. */
export function configDigest(img: TestImage): string {
  return img.blobs[0]?.digest ?? '';
}

export type { TestImage, TestManifest };
