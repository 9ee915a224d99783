/**
 * Content digests: `sha256:<hex>` of exact bytes, a pass-through stream that verifies a blob as it flows, and
 * the check of bytes against a digest (OCI image-spec "Digests"; distribution-spec "Pulling blobs": a client
 * verifies what it received). Computation only, no I/O.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { DigestMismatchError } from './errors.js';
import { assertDigest } from './reference.js';

/** `sha256:<hex>` of exactly these bytes (OCI image-spec "Digests"; a manifest's digest is over its raw bytes). */
export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export interface DigestVerifierOptions {
  /** The `sha256:<hex>` the content must hash to. */
  digest: string;
  /** The size the content must have, when known (a descriptor's `size`). */
  size?: number;
  /** Names the content in error messages, e.g. `blob sha256:… of acme/app`. Default `content`. */
  what?: string;
}

/**
 * A pass-through stream that hashes what flows through it and errors instead of ending when the sha256 (or
 * the size) is not the expected one. Nothing is buffered beyond the most recent chunk, which is held back
 * until the end is verified: a consumer (e.g. an upload with Content-Length) never receives the complete
 * content of a mismatching stream, so it cannot finish a push of wrong bytes. Content larger than `size`
 * errors as soon as the excess arrives.
 */
export class DigestVerifier extends Transform {
  readonly expected: string;
  readonly expectedSize: number | undefined;
  readonly #what: string;
  readonly #hash: Hash = createHash('sha256');
  #bytes = 0;
  #held: Buffer | undefined;

  constructor(options: DigestVerifierOptions) {
    super();
    assertDigest(options.digest);
    if (options.size !== undefined && (!Number.isSafeInteger(options.size) || options.size < 0)) {
      throw new TypeError(`DigestVerifier: size must be a non-negative integer, got ${options.size}`);
    }
    this.expected = options.digest;
    this.expectedSize = options.size;
    this.#what = options.what ?? 'content';
  }

  /** Bytes seen so far. */
  get bytes(): number {
    return this.#bytes;
  }

  override _transform(chunk: Buffer | string, encoding: BufferEncoding, callback: TransformCallback): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    this.#bytes += buffer.length;
    if (this.expectedSize !== undefined && this.#bytes > this.expectedSize) {
      callback(this.#mismatch(undefined));
      return;
    }
    this.#hash.update(buffer);
    const previous = this.#held;
    this.#held = buffer;
    if (previous !== undefined) this.push(previous);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const actual = `sha256:${this.#hash.digest('hex')}`;
    const sizeOk = this.expectedSize === undefined || this.expectedSize === this.#bytes;
    if (actual !== this.expected || !sizeOk) {
      callback(this.#mismatch(actual));
      return;
    }
    if (this.#held !== undefined) this.push(this.#held);
    this.#held = undefined;
    callback();
  }

  #mismatch(actual: string | undefined): DigestMismatchError {
    this.#held = undefined;
    return new DigestMismatchError({
      what: this.#what,
      expected: this.expected,
      actual,
      expectedSize: this.expectedSize,
      actualSize: this.#bytes,
    });
  }
}

export function createDigestVerifier(options: DigestVerifierOptions): DigestVerifier {
  return new DigestVerifier(options);
}

/** Throws DigestMismatchError unless `bytes` hash to `digest` (for manifests, which are read whole). */
export function verifyDigest(bytes: Uint8Array, digest: string, what = 'content'): void {
  const actual = sha256Digest(bytes);
  if (actual !== digest) {
    throw new DigestMismatchError({ what, expected: digest, actual, actualSize: bytes.length });
  }
}
