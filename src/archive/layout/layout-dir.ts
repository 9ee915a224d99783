/**
 * One OCI image-layout folder on disk (image-spec "Image Layout"): `oci-layout`, `index.json` and
 * `blobs/sha256/<hex>`. A blob is written to a temporary file in the same folder, sha256- and size-checked
 * as it is written, then renamed into place: a file under its digest's name is always whole and right, so an
 * interrupted write (kill -9) leaves only a temporary file, removed the next time the folder is opened.
 * Top-level JSON files are replaced the same way (write, then rename).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type BlobBody, createDigestVerifier, verifyDigest } from '../../registry/index.js';

export const LAYOUT_FILE = 'oci-layout';
export const INDEX_FILE = 'index.json';
const LAYOUT_VERSION = `${JSON.stringify({ imageLayoutVersion: '1.0.0' })}\n`;
/** Registries refuse manifests above a few MiB (distribution: 4 MiB); so does a layout. */
export const MAX_MANIFEST_BYTES = 4 * 2 ** 20;
/** Temporary files start with this; nothing else in blobs/sha256 does. */
const TEMP_PREFIX = '.partial-';

export class LayoutDir {
  readonly dir: string;
  /**
   * Whose temporary files this is, when several runs write the layout at once (`shard-2-of-4`): its
   * temporary files carry it, and `create` removes only its own, never another shard's unfinished write.
   */
  readonly #writer: string | undefined;

  constructor(dir: string, options: { writer?: string } = {}) {
    this.dir = dir;
    this.#writer = options.writer;
  }

  get #tempPrefix(): string {
    return this.#writer === undefined ? TEMP_PREFIX : `${TEMP_PREFIX}${this.#writer}-`;
  }

  blobPath(digest: string): string {
    return join(this.dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
  }

  /** Is this folder a layout at all (its `oci-layout` file)? */
  async exists(): Promise<boolean> {
    return (await sizeOf(join(this.dir, LAYOUT_FILE))) !== undefined;
  }

  /** Makes the folder a layout (idempotent) and removes what an interrupted write (of this writer) left. */
  async create(): Promise<{ removedPartials: number }> {
    const blobs = join(this.dir, 'blobs', 'sha256');
    await mkdir(blobs, { recursive: true });
    if (!(await this.exists())) await this.writeFile(LAYOUT_FILE, LAYOUT_VERSION);
    const partials = (await readdir(blobs)).filter((name) => name.startsWith(this.#tempPrefix));
    await Promise.all(partials.map((name) => rm(join(blobs, name), { force: true })));
    return { removedPartials: partials.length };
  }

  /** The size of a blob's file, or undefined when the layout does not hold it. */
  blobSize(digest: string): Promise<number | undefined> {
    return sizeOf(this.blobPath(digest));
  }

  /** A small blob (a manifest) read whole and checked against its digest. */
  async readBlob(digest: string, maxBytes: number): Promise<Buffer> {
    const size = await this.blobSize(digest);
    if (size === undefined)
      throw Object.assign(new Error(`${digest} is not in the layout`), { code: 'ENOENT' });
    if (size > maxBytes)
      throw new Error(`${digest} is ${size} bytes, more than a manifest may be (${maxBytes})`);
    const bytes = await readFile(this.blobPath(digest));
    verifyDigest(bytes, digest, `${digest} in ${this.dir}`);
    return bytes;
  }

  /** A blob's bytes as a stream that errors instead of ending when they do not hash to the digest. */
  openBlob(digest: string, size: number | undefined, what: string): Readable {
    const verifier = createDigestVerifier({ digest, size, what });
    const file = createReadStream(this.blobPath(digest));
    file.on('error', (error) => verifier.destroy(error));
    return file.pipe(verifier);
  }

  /** A blob whose file was hashed earlier in this run (verify.ts), read as it is. */
  openCheckedBlob(digest: string): Readable {
    return createReadStream(this.blobPath(digest), { highWaterMark: 256 * 1024 });
  }

  /**
   * Writes a blob from `body`, verified against `digest` and `size` on the way, into place by rename.
   * `present` when the layout already held it (the body is then not read).
   */
  async writeBlob(digest: string, size: number | undefined, body: BlobBody): Promise<'written' | 'present'> {
    const target = this.blobPath(digest);
    const known = await sizeOf(target);
    if (known !== undefined && (size === undefined || known === size)) {
      if (body instanceof Readable) body.destroy();
      return 'present';
    }
    const temp = join(this.dir, 'blobs', 'sha256', `${this.#tempPrefix}${randomBytes(6).toString('hex')}`);
    const source =
      typeof body === 'function' ? body() : body instanceof Readable ? body : Readable.from([body]);
    try {
      await pipeline(
        source,
        createDigestVerifier({ digest, size, what: `blob ${digest} written to ${this.dir}` }),
        createWriteStream(temp),
      );
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return 'written';
  }

  /** A top-level file (`index.json`, …) replaced whole: written beside, then renamed. */
  writeFile(name: string, content: string | Uint8Array): Promise<void> {
    return replaceFile(join(this.dir, name), content);
  }

  /** A top-level file's bytes, or undefined when it is not there. */
  async readFile(name: string): Promise<Buffer | undefined> {
    try {
      return await readFile(join(this.dir, name));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }
}

/** A file replaced whole (written beside it, then renamed), its folder made when missing. */
export async function replaceFile(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `${TEMP_PREFIX}${basename(path)}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

export function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
