import { createHash, type Hash } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiveError } from '../errors.js';
import { markedSet, removeMarkers, writeMarker } from './extracted-marker.js';
import { readSmallEntry, type TarEntry, tarEntries } from './tar-read.js';
import {
  blobDigestOf,
  serializeVolumeManifest,
  VOLUME_MANIFEST_NAME,
  type VolumeEntry,
  wholeNameOf,
} from './volume-manifest.js';
import { type CheckedVolume, checkVolumeSet, listVolumes } from './volume-set.js';

export interface ExtractOptions {
  /** The folder of `archive-0001.tar`, … */
  volumesDir: string;
  /** The OCI image-layout folder to assemble. */
  layoutDir: string;
  /** Names the archive in errors; default volumesDir. */
  archive?: string;
}

export interface ExtractResult {
  /** sha256 of the set's index.json. */
  set: string;
  volumes: number;
  /** Files and blobs written into the layout. */
  written: number;
  /** Blobs already in the layout, not written again. */
  present: number;
  /** Bytes written into the layout. */
  bytes: number;
  /** The layout already held this very set (its marker matches the volume files): nothing was read. */
  skipped: boolean;
}

const INDEX = 'index.json';
/** A file being written: renamed to its name once its size and sha256 are checked. */
const TEMP_SUFFIX = '.extracting';

/**
 * Extracts a set of tar volumes into a layout folder (src/archive/README.md, "Volumes"). The set is checked
 * from the volumes' manifests first; then every volume is streamed and every entry checked (size, sha256, and
 * a blob's name) before it is renamed into place. index.json comes last, once every volume is verified: a failed
 * extraction leaves verified blobs (a retry skips them), never a usable layout: an index.json (and marker) of an
 * earlier extraction is removed before anything is written.
 */
export async function extractVolumes(options: ExtractOptions): Promise<ExtractResult> {
  const { volumesDir, layoutDir } = options;
  const archive = options.archive ?? volumesDir;
  const listed = await listVolumes(volumesDir, archive);
  const marked = await markedSet(layoutDir, listed);
  if (marked && (await sizeOf(join(layoutDir, INDEX))) !== undefined) {
    return { set: marked, volumes: listed.length, written: 0, present: 0, bytes: 0, skipped: true };
  }
  const { set, volumes } = await checkVolumeSet(listed, archive);

  await mkdir(join(layoutDir, 'blobs', 'sha256'), { recursive: true });
  await removeMarkers(layoutDir);
  await rm(join(layoutDir, INDEX), { force: true });
  await removeTemporaryFiles(layoutDir);
  const writer = new LayoutWriter(layoutDir, archive);
  try {
    for (const volume of volumes) await extractVolume(volume, writer, archive);
    await writer.finish(set);
  } finally {
    await writer.close();
  }
  await writeMarker(layoutDir, set, listed);
  return {
    set,
    volumes: volumes.length,
    written: writer.written,
    present: writer.present,
    bytes: writer.bytes,
    skipped: false,
  };
}

/** What an earlier, interrupted extraction left half-written. */
async function removeTemporaryFiles(layoutDir: string): Promise<void> {
  for (const dir of [layoutDir, join(layoutDir, 'blobs', 'sha256')]) {
    for (const name of await readdir(dir)) {
      if (name.endsWith(TEMP_SUFFIX)) await rm(join(dir, name), { force: true });
    }
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? info.size : undefined;
}

/** An error of the volume's bytes themselves (tar-stream's, or the file's), not of what they were written to. */
class VolumeReadError extends Error {}

/** The entry being read, and how far. */
interface Reading {
  name: string;
  size: number;
  read: number;
}

async function* counted(body: AsyncIterable<Buffer>, reading: Reading): AsyncGenerator<Buffer> {
  const iterator = body[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Buffer>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw new VolumeReadError((error as Error).message, { cause: error });
    }
    if (next.done) return;
    reading.read += next.value.length;
    yield next.value;
  }
}

/** Streams one volume: its manifest again (unchanged since checked), then each entry in the manifest's order. */
async function extractVolume(volume: CheckedVolume, writer: LayoutWriter, archive: string): Promise<void> {
  const { file, manifest } = volume;
  const entries = iterate(tarEntries(volume.path));
  let index = -1;
  let reading: Reading | undefined;
  try {
    for (;;) {
      const next = await entries.next();
      if (next.done) break;
      const { header, body } = next.value;
      if (index === -1) {
        const bytes = await readSmallEntry(
          counted(body, { name: header.name, size: header.size, read: 0 }),
          1 << 26,
        );
        if (
          header.name !== VOLUME_MANIFEST_NAME ||
          bytes.toString('utf8') !== serializeVolumeManifest(manifest)
        ) {
          throw new ArchiveError(
            archive,
            `${file} changed while it was extracted (its ${VOLUME_MANIFEST_NAME})`,
          );
        }
        index = 0;
        continue;
      }
      const expected = manifest.entries[index];
      if (!expected) {
        throw new ArchiveError(
          archive,
          `${file} holds ${header.name}, which its ${VOLUME_MANIFEST_NAME} does not describe`,
        );
      }
      if (header.name !== expected.name) {
        const described = manifest.entries.some((entry) => entry.name === header.name);
        throw new ArchiveError(
          archive,
          described
            ? `${file} lacks ${expected.name}, which its ${VOLUME_MANIFEST_NAME} describes (found ${header.name} in its place)`
            : `${file} holds ${header.name}, which its ${VOLUME_MANIFEST_NAME} does not describe`,
        );
      }
      if (header.type !== 'file' || header.size !== expected.size) {
        throw new ArchiveError(
          archive,
          `${file} holds ${header.name} as a ${header.type} of ${header.size} bytes; its ${VOLUME_MANIFEST_NAME} says a file of ${expected.size}`,
        );
      }
      reading = { name: header.name, size: header.size, read: 0 };
      await writer.take(file, expected, counted(body, reading));
      index += 1;
    }
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    if (!(error instanceof VolumeReadError)) throw error;
    const incomplete = 'the volume is incomplete';
    if (reading && reading.read < reading.size) {
      throw new ArchiveError(
        archive,
        `${file} ends inside ${reading.name} (read ${reading.read} of ${reading.size} bytes): ${incomplete}`,
        { cause: error },
      );
    }
    const missing = index === -1 ? VOLUME_MANIFEST_NAME : manifest.entries[index]?.name;
    throw new ArchiveError(
      archive,
      missing
        ? `${file} ends before ${missing}: ${incomplete}`
        : `${file} ends before its end-of-archive blocks: ${incomplete}`,
      { cause: error },
    );
  } finally {
    await entries.return(undefined);
  }
  const lacking = manifest.entries[index === -1 ? 0 : index];
  if (index === -1 || lacking) {
    throw new ArchiveError(
      archive,
      `${file} lacks ${lacking?.name ?? VOLUME_MANIFEST_NAME}, which its ${VOLUME_MANIFEST_NAME} describes`,
    );
  }
}

/** The tar's entries, each error of reading it a VolumeReadError; stopping closes the file. */
async function* iterate(source: AsyncGenerator<TarEntry>): AsyncGenerator<TarEntry, void, undefined> {
  try {
    for (;;) {
      let next: IteratorResult<TarEntry>;
      try {
        next = await source.next();
      } catch (error) {
        throw new VolumeReadError((error as Error).message, { cause: error });
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await source.return(undefined);
  }
}

/** A file split across volumes, being joined. */
interface Joining {
  target: string;
  temp: string;
  /** undefined: the blob is already in the layout; its parts are only drained. */
  handle: FileHandle | undefined;
  whole: Hash;
}

/** Writes checked entries into the layout folder, joining parts in order. */
class LayoutWriter {
  written = 0;
  present = 0;
  bytes = 0;
  readonly #joining = new Map<string, Joining>();
  /** Top-level files written by this extraction, by name: their digest (oci-layout comes in every volume). */
  readonly #topLevel = new Map<string, string>();
  #indexTemp: string | undefined;
  #indexDigest: string | undefined;

  constructor(
    readonly layoutDir: string,
    readonly archive: string,
  ) {}

  async take(file: string, entry: VolumeEntry, body: AsyncIterable<Buffer>): Promise<void> {
    if (entry.part) return this.#takePart(file, entry, body);
    const target = join(this.layoutDir, entry.name);
    const isBlob = blobDigestOf(entry.name) !== undefined;
    if (isBlob && (await sizeOf(target)) === entry.size) {
      for await (const _ of body) {
        // Drained: the blob was checked before it was renamed into place.
      }
      this.present += 1;
      return;
    }
    const earlier = this.#topLevel.get(entry.name);
    if (earlier !== undefined) {
      const actual = await this.#copy(file, entry, body, undefined);
      if (actual !== earlier)
        throw new ArchiveError(this.archive, `${entry.name} in ${file} differs from the one before`);
      return;
    }
    const temp = `${target}${TEMP_SUFFIX}`;
    const handle = await open(temp, 'w');
    try {
      await this.#copy(file, entry, body, handle);
    } catch (error) {
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    this.written += 1;
    if (!isBlob) this.#topLevel.set(entry.name, entry.digest);
    if (entry.name === INDEX) {
      this.#indexTemp = temp;
      this.#indexDigest = entry.digest;
    } else {
      await rename(temp, target);
    }
  }

  async #takePart(file: string, entry: VolumeEntry, body: AsyncIterable<Buffer>): Promise<void> {
    const part = entry.part!;
    let joining = this.#joining.get(part.of);
    if (!joining) {
      const target = join(this.layoutDir, part.of);
      const present = blobDigestOf(part.of) !== undefined && (await sizeOf(target)) === part.total;
      const temp = `${target}${TEMP_SUFFIX}`;
      joining = {
        target,
        temp,
        handle: present ? undefined : await open(temp, 'w'),
        whole: createHash('sha256'),
      };
      this.#joining.set(part.of, joining);
      if (present) this.present += 1;
    }
    if (!joining.handle) {
      for await (const _ of body) {
        // Drained: the blob was checked before it was renamed into place.
      }
      return;
    }
    await this.#copy(file, entry, body, joining.handle, joining.whole);
    if (part.index < part.count) return;
    await joining.handle.close();
    joining.handle = undefined;
    this.#joining.delete(part.of);
    const actual = `sha256:${joining.whole.digest('hex')}`;
    const named = blobDigestOf(part.of);
    if (named && actual !== named) {
      throw new ArchiveError(
        this.archive,
        `blob ${named} in ${file} does not match its digest (read ${actual})`,
      );
    }
    this.written += 1;
    if (part.of === INDEX) {
      this.#indexTemp = joining.temp;
      this.#indexDigest = actual;
    } else {
      await rename(joining.temp, joining.target);
    }
  }

  /** Streams an entry's bytes into `handle` (if any), checking its size and sha256; returns the digest read. */
  async #copy(
    file: string,
    entry: VolumeEntry,
    body: AsyncIterable<Buffer>,
    handle: FileHandle | undefined,
    whole?: Hash,
  ): Promise<string> {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of body) {
      hash.update(chunk);
      whole?.update(chunk);
      size += chunk.length;
      if (handle) await handle.write(chunk);
    }
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== entry.digest || size !== entry.size) {
      const whole = wholeNameOf(entry);
      const named = blobDigestOf(whole);
      const what = named ? `blob ${named}` : whole;
      const part = entry.part ? ` (part ${entry.part.index} of ${entry.part.count})` : '';
      throw new ArchiveError(
        this.archive,
        `${what}${part} in ${file} does not match its digest (read ${actual})`,
      );
    }
    if (handle) this.bytes += size;
    return actual;
  }

  /** index.json into place, once every volume is verified and it is the set's own. */
  async finish(set: string): Promise<void> {
    if (!this.#indexTemp) throw new ArchiveError(this.archive, `no ${INDEX} in the volumes`);
    if (this.#indexDigest !== set) {
      throw new ArchiveError(this.archive, `${INDEX} is not the set's (${set}): read ${this.#indexDigest}`);
    }
    await rename(this.#indexTemp, join(this.layoutDir, INDEX));
    this.#indexTemp = undefined;
  }

  /** Closes what is still open; a failed extraction's temporary files go (a retry would remove them too). */
  async close(): Promise<void> {
    for (const joining of this.#joining.values()) {
      await joining.handle?.close();
      await rm(joining.temp, { force: true });
    }
    this.#joining.clear();
    if (this.#indexTemp) await rm(this.#indexTemp, { force: true });
  }
}
