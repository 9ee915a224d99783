/**
 * Content-addressed blob storage, in memory or on disk. Uploads are streamed and hashed as they arrive; on disk
 * a blob is never held in memory whole (chunks go straight to a file, reads are file streams).
 * Only sha256 digests are supported, like Quay.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { uuid } from './formats.js';

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

export type CommitResult = { ok: true; digest: string; size: number } | { ok: false; actualDigest: string };

export interface BlobWriter {
  readonly size: number;
  /** Streams a request body (or any byte source) into the upload, hashing as it goes. */
  append(source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer>): Promise<void>;
  /** Checks the sha256 against `expectedDigest` and stores the blob; on mismatch nothing is stored. */
  commit(expectedDigest: string): Promise<CommitResult>;
  abort(): Promise<void>;
}

export interface BlobStore {
  readonly kind: 'memory' | 'disk';
  has(digest: string): boolean;
  size(digest: string): number | undefined;
  digests(): string[];
  createWriter(): Promise<BlobWriter>;
  /** Reads a stored blob, or a byte range of it. */
  open(digest: string, range?: ByteRange): Readable;
  /** Stores a small buffer directly (seeding). */
  put(data: Buffer): Promise<string>;
  close(): Promise<void>;
}

function toBuffer(chunk: Buffer | Uint8Array | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
}

function digestOf(hash: Hash): string {
  return `sha256:${hash.copy().digest('hex')}`;
}

class MemoryBlobStore implements BlobStore {
  readonly kind = 'memory';
  readonly #blobs = new Map<string, Buffer>();

  has(digest: string): boolean {
    return this.#blobs.has(digest);
  }

  size(digest: string): number | undefined {
    return this.#blobs.get(digest)?.length;
  }

  digests(): string[] {
    return [...this.#blobs.keys()];
  }

  async createWriter(): Promise<BlobWriter> {
    const chunks: Buffer[] = [];
    const hash = createHash('sha256');
    let size = 0;
    const blobs = this.#blobs;
    return {
      get size() {
        return size;
      },
      async append(source) {
        for await (const raw of source) {
          const chunk = toBuffer(raw);
          hash.update(chunk);
          chunks.push(chunk);
          size += chunk.length;
        }
      },
      async commit(expected) {
        const digest = digestOf(hash);
        if (digest !== expected) return { ok: false, actualDigest: digest };
        if (!blobs.has(digest)) blobs.set(digest, Buffer.concat(chunks));
        return { ok: true, digest, size };
      },
      async abort() {
        chunks.length = 0;
      },
    };
  }

  open(digest: string, range?: ByteRange): Readable {
    const buf = this.#blobs.get(digest) ?? Buffer.alloc(0);
    return Readable.from([range ? buf.subarray(range.start, range.end + 1) : buf]);
  }

  async put(data: Buffer): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    this.#blobs.set(digest, data);
    return digest;
  }

  async close(): Promise<void> {
    this.#blobs.clear();
  }
}

class DiskBlobStore implements BlobStore {
  readonly kind = 'disk';
  /** digest → size; the bytes live in files. */
  readonly #index = new Map<string, number>();
  readonly #blobDir: string;
  readonly #uploadDir: string;

  constructor(root: string) {
    this.#blobDir = join(root, 'blobs', 'sha256');
    this.#uploadDir = join(root, 'uploads');
  }

  /** Creates the directories and indexes blobs left by an earlier run. */
  async init(): Promise<void> {
    await mkdir(this.#blobDir, { recursive: true });
    await mkdir(this.#uploadDir, { recursive: true });
    for (const name of await readdir(this.#blobDir)) {
      if (!/^[a-f0-9]{64}$/.test(name)) continue;
      this.#index.set(`sha256:${name}`, (await stat(join(this.#blobDir, name))).size);
    }
  }

  #path(digest: string): string {
    return join(this.#blobDir, digest.slice('sha256:'.length));
  }

  has(digest: string): boolean {
    return this.#index.has(digest);
  }

  size(digest: string): number | undefined {
    return this.#index.get(digest);
  }

  digests(): string[] {
    return [...this.#index.keys()];
  }

  async createWriter(): Promise<BlobWriter> {
    const tmp = join(this.#uploadDir, uuid());
    const handle: FileHandle = await open(tmp, 'w');
    const hash = createHash('sha256');
    let size = 0;
    let closed = false;
    const closeHandle = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      await handle.close();
    };
    return {
      get size() {
        return size;
      },
      append: async (source) => {
        for await (const raw of source) {
          const chunk = toBuffer(raw);
          hash.update(chunk);
          await handle.write(chunk);
          size += chunk.length;
        }
      },
      commit: async (expected) => {
        const digest = digestOf(hash);
        await closeHandle();
        if (digest !== expected) {
          await rm(tmp, { force: true });
          return { ok: false, actualDigest: digest };
        }
        if (this.#index.has(digest)) await rm(tmp, { force: true });
        else await rename(tmp, this.#path(digest));
        this.#index.set(digest, size);
        return { ok: true, digest, size };
      },
      abort: async () => {
        await closeHandle();
        await rm(tmp, { force: true });
      },
    };
  }

  open(digest: string, range?: ByteRange): Readable {
    return createReadStream(this.#path(digest), range ? { start: range.start, end: range.end } : {});
  }

  async put(data: Buffer): Promise<string> {
    const writer = await this.createWriter();
    await writer.append([data]);
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    await writer.commit(digest);
    return digest;
  }

  async close(): Promise<void> {
    await rm(this.#uploadDir, { recursive: true, force: true });
  }
}

export async function createBlobStore(blobDir: string | undefined): Promise<BlobStore> {
  if (!blobDir) return new MemoryBlobStore();
  const store = new DiskBlobStore(blobDir);
  await store.init();
  return store;
}
