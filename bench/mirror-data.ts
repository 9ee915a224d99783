/**
 * Synthetic images for `npm run bench:mirror`, made without network or docker (local-infra.md §2, but
 * streamed): a layer is a one-file tar of AES-128-CTR keystream bytes (incompressible, deterministic per
 * label), gzipped at level 0 so tools see real gzip and never recompress. The bytes are generated twice:
 * once to learn the digest, size and diff_id, once as the upload body; no blob is ever held in memory.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { MediaTypes, type RegistryClient, sha256Digest } from '../src/registry/index.js';

const CHUNK = 1 << 20;
const ZEROS = Buffer.alloc(CHUNK);

export interface LayerSpec {
  label: string;
  /** Bytes of random file content inside the tar. */
  size: number;
}

export interface BlobRef {
  digest: string;
  size: number;
  mediaType: string;
}

export interface LayerRef extends BlobRef {
  diffId: string;
}

/** The keystream of AES-128-CTR keyed by the label: a fast, reproducible PRNG. */
function* randomChunks(label: string, size: number): Generator<Buffer> {
  const key = createHash('sha256').update(`bench-key:${label}`).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  let left = size;
  while (left > 0) {
    const n = Math.min(CHUNK, left);
    yield cipher.update(n === CHUNK ? ZEROS : ZEROS.subarray(0, n));
    left -= n;
  }
}

/** A ustar header for one regular file `data/<name>`. */
function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) => header.write(text, offset, length, 'ascii');
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, '0');
  put(`data/${name}`.slice(0, 99), 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(0, 12), 136, 12);
  header.fill(0x20, 148, 156);
  put('0', 156, 1);
  put('ustar', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(`${octal(sum, 7)}\0 `, 148, 8);
  return header;
}

function* tarChunks(spec: LayerSpec): Generator<Buffer> {
  yield tarHeader(spec.label.replace(/[^\w.-]/g, '_'), spec.size);
  yield* randomChunks(spec.label, spec.size);
  const pad = (512 - (spec.size % 512)) % 512;
  yield Buffer.alloc(pad + 1024);
}

/** The gzipped tar of a layer as a fresh stream (deterministic: same bytes every call). */
export function layerStream(spec: LayerSpec): Readable {
  return Readable.from(tarChunks(spec), { objectMode: false }).pipe(
    createGzip({ level: 0, chunkSize: CHUNK }),
  );
}

/** First pass: digest, size and diff_id of a layer, streaming. */
export async function describeLayer(spec: LayerSpec): Promise<LayerRef> {
  const diff = createHash('sha256');
  for (const chunk of tarChunks(spec)) diff.update(chunk);
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of layerStream(spec)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return {
    digest: `sha256:${hash.digest('hex')}`,
    size,
    mediaType: MediaTypes.ociLayerGzip,
    diffId: `sha256:${diff.digest('hex')}`,
  };
}

export interface BuiltManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  size: number;
}

export function jsonBlob(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** An OCI image manifest and its config for these layers. */
export function imageManifest(
  label: string,
  layers: readonly LayerRef[],
  architecture = 'amd64',
): { manifest: BuiltManifest; config: Buffer; configRef: BlobRef } {
  const config = jsonBlob({
    architecture,
    os: 'linux',
    config: { Labels: { 'bench.label': label } },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
  });
  const configRef = { mediaType: MediaTypes.ociConfig, digest: sha256Digest(config), size: config.length };
  const bytes = jsonBlob({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: configRef,
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  });
  return {
    manifest: { digest: sha256Digest(bytes), mediaType: MediaTypes.ociManifest, bytes, size: bytes.length },
    config,
    configRef,
  };
}

export function imageIndex(children: readonly { manifest: BuiltManifest; architecture: string }[]) {
  const bytes = jsonBlob({
    schemaVersion: 2,
    mediaType: MediaTypes.ociIndex,
    manifests: children.map((c) => ({
      mediaType: c.manifest.mediaType,
      digest: c.manifest.digest,
      size: c.manifest.size,
      platform: { architecture: c.architecture, os: 'linux' },
    })),
  });
  return { digest: sha256Digest(bytes), mediaType: MediaTypes.ociIndex, bytes, size: bytes.length };
}

/**
 * Pushes blobs once per registry (later repositories mount from the first), each generated layer streamed.
 * Concurrent pushes of the same digest wait for the first one.
 */
export class BlobPusher {
  readonly #home = new Map<string, { repository: string; done: Promise<void> }>();
  /** Unique blobs pushed: digest → first repository, size. */
  readonly unique = new Map<string, { repository: string; size: number }>();
  uploadedBytes = 0;

  constructor(readonly client: RegistryClient) {}

  async layer(repository: string, spec: LayerSpec, ref: LayerRef): Promise<void> {
    await this.#push(repository, ref, () => layerStream(spec));
  }

  async bytes(repository: string, ref: BlobRef, bytes: Buffer): Promise<void> {
    await this.#push(repository, ref, bytes);
  }

  async #push(repository: string, ref: BlobRef, body: Buffer | (() => Readable)): Promise<void> {
    const home = this.#home.get(ref.digest);
    if (home === undefined) {
      const done = this.client.uploads.upload(repository, ref.digest, ref.size, body).then(() => undefined);
      this.#home.set(ref.digest, { repository, done });
      this.unique.set(ref.digest, { repository, size: ref.size });
      this.uploadedBytes += ref.size;
      await done;
      return;
    }
    await home.done;
    if (home.repository === repository) return;
    if (await this.client.blobs.head(repository, ref.digest)) return;
    const pushed = await this.client.uploads.upload(repository, ref.digest, ref.size, body, {
      mountFrom: home.repository,
    });
    if (!pushed.mounted) this.uploadedBytes += ref.size;
  }
}
