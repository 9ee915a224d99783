import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Pack, pack } from 'tar-stream';
import { createDigestVerifier, DigestMismatchError, sha256Digest } from '../../registry/index.js';
import { ArchiveError } from '../errors.js';
import { sha256OfFile } from './file-digest.js';
import {
  MIN_VOLUME_SIZE,
  manifestsOfPlan,
  type PlanFile,
  type PlannedPiece,
  planVolumes,
  volumeBytesOf,
} from './plan-volumes.js';
import { readFirstEntry } from './tar-read.js';
import {
  blobDigestOf,
  serializeVolumeManifest,
  VOLUME_MANIFEST_NAME,
  type VolumeEntry,
  type VolumeManifest,
  volumeFileName,
  volumeNumberOf,
} from './volume-manifest.js';

export interface PackOptions {
  /** The OCI image-layout folder to carry. */
  layoutDir: string;
  /** Where `archive-0001.tar`, … are written. */
  volumesDir: string;
  /** Each volume file's size limit, tar headers, padding and end-of-archive blocks included. */
  maxVolumeSize: number;
  /** `sha256:<hex>` of the blobs to carry, in this order (those the far side holds are left out). */
  blobs: readonly string[];
  /** Top-level files of the layout for volume 1; `index.json` among them. oci-layout goes in every volume. */
  files: readonly string[];
}

export interface PackResult {
  /** The set's volume file names, in order. */
  volumes: string[];
  /** Their total size. */
  bytes: number;
  /** The folder already held this very set: nothing was written or removed. */
  unchanged: boolean;
  /** Part entries of the set (files split across volumes). */
  parts: number;
}

const OCI_LAYOUT = 'oci-layout';
const INDEX = 'index.json';
const TOP_LEVEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** ustar's 100-byte name field, less `.part-0001-of-0003`: no pax headers needed. */
const MAX_FILE_NAME = 100 - '.part-0000-of-0000'.length;
const SHA256 = /^sha256:([0-9a-f]{64})$/;
/** Fixed header fields: the same layout packs into the same bytes. */
const HEADER = {
  mode: 0o644,
  mtime: new Date(0),
  uid: 0,
  gid: 0,
  uname: '',
  gname: '',
  type: 'file',
} as const;

/**
 * Packs a layout folder into tar volumes of at most `maxVolumeSize` bytes (src/archive/README.md, "Volumes").
 * Plans first (each volume's manifest is its first entry), streams every file into its volume, writes each
 * volume to `.partial` and renames it, then removes volume files of an earlier set. A folder that already
 * holds the same set (same manifests, same sizes) is left as it is.
 */
export async function packVolumes(options: PackOptions): Promise<PackResult> {
  const { layoutDir, volumesDir, maxVolumeSize } = options;
  if (!Number.isSafeInteger(maxVolumeSize) || maxVolumeSize < MIN_VOLUME_SIZE) {
    throw new Error(
      `maxVolumeSize ${maxVolumeSize} is below the minimum of ${MIN_VOLUME_SIZE} bytes (1 MiB)`,
    );
  }
  const sources = sourcesOf(options);
  const sizes = new Map<string, number>();
  for (const [name, path] of sources) {
    const info = await stat(path).catch((error: unknown) => {
      const what = blobDigestOf(name) ? `blob ${blobDigestOf(name)}` : name;
      throw new ArchiveError(layoutDir, `${what} is not in the layout (${path})`, { cause: error });
    });
    sizes.set(name, info.size);
  }
  const planFile = (name: string): PlanFile => ({ name, size: sizes.get(name) ?? 0 });
  const items = [...sources.keys()].filter((name) => name !== OCI_LAYOUT);
  const plan = planVolumes({ maxVolumeSize, everyVolume: planFile(OCI_LAYOUT), items: items.map(planFile) });

  const digests = new Map<string, string>();
  const pieceKey = (piece: PlannedPiece) => `${piece.of}@${piece.offset}+${piece.size}`;
  for (const piece of plan.flatMap((volume) => volume.pieces)) {
    const key = pieceKey(piece);
    if (digests.has(key)) continue;
    const path = sources.get(piece.of) ?? '';
    const named = blobDigestOf(piece.of);
    digests.set(
      key,
      piece.part || !named ? await sha256OfFile(path, { offset: piece.offset, size: piece.size }) : named,
    );
  }
  const set = await sha256OfFile(sources.get(INDEX) ?? '');
  const manifests = manifestsOfPlan(plan, set, (piece) => digests.get(pieceKey(piece)) ?? '');

  await mkdir(volumesDir, { recursive: true });
  const existing = (await readdir(volumesDir)).filter((name) => volumeNumberOf(name) !== undefined);
  for (const name of await readdir(volumesDir)) {
    if (/^archive-\d{4}\.tar\.partial$/.test(name)) await rm(join(volumesDir, name), { force: true });
  }
  const names = manifests.map((manifest) => volumeFileName(manifest.volume));
  let written = 0;
  for (const manifest of manifests) {
    const path = join(volumesDir, volumeFileName(manifest.volume));
    if (await holdsVolume(path, manifest)) continue;
    await writeVolume(path, manifest, sources, layoutDir);
    written += 1;
  }
  const stale = existing.filter((name) => !names.includes(name));
  for (const name of stale) await rm(join(volumesDir, name), { force: true });
  return {
    volumes: names,
    bytes: manifests.reduce((sum, manifest) => sum + volumeBytesOf(manifest), 0),
    unchanged: written === 0 && stale.length === 0,
    parts: manifests.reduce(
      (sum, manifest) => sum + manifest.entries.filter((entry) => entry.part).length,
      0,
    ),
  };
}

/** Every whole file to carry (oci-layout first) and its path in the layout; the options checked. */
function sourcesOf(options: PackOptions): Map<string, string> {
  const { layoutDir, files, blobs } = options;
  if (!files.includes(INDEX)) throw new Error(`files must include ${INDEX}`);
  const sources = new Map<string, string>([[OCI_LAYOUT, join(layoutDir, OCI_LAYOUT)]]);
  for (const file of files) {
    if (!TOP_LEVEL_NAME.test(file) || file === VOLUME_MANIFEST_NAME || file.length > MAX_FILE_NAME) {
      throw new Error(
        `files: ${file} is not a top-level file name of a layout (at most ${MAX_FILE_NAME} characters)`,
      );
    }
    if (file === OCI_LAYOUT) continue;
    if (sources.has(file)) throw new Error(`files: ${file} is given twice`);
    sources.set(file, join(layoutDir, file));
  }
  for (const digest of blobs) {
    const hex = SHA256.exec(digest)?.[1];
    if (!hex) throw new Error(`blobs: ${digest} is not a sha256:<64 hex> digest`);
    const name = `blobs/sha256/${hex}`;
    if (sources.has(name)) throw new Error(`blobs: ${digest} is given twice`);
    sources.set(name, join(layoutDir, name));
  }
  return sources;
}

/** The volume file is there, of the planned size, and its first entry is the very manifest planned. */
async function holdsVolume(path: string, manifest: VolumeManifest): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile() || info.size !== volumeBytesOf(manifest)) return false;
  const expected = serializeVolumeManifest(manifest);
  try {
    const first = await readFirstEntry(path, Buffer.byteLength(expected));
    return first.name === VOLUME_MANIFEST_NAME && first.bytes.toString('utf8') === expected;
  } catch {
    return false;
  }
}

async function writeVolume(
  path: string,
  manifest: VolumeManifest,
  sources: ReadonlyMap<string, string>,
  layoutDir: string,
): Promise<void> {
  const partial = `${path}.partial`;
  const tar = pack();
  const written = pipeline(Readable.from(tar), createWriteStream(partial));
  // Awaited below; a write error meanwhile (a full disk) also ends the entries being added.
  written.catch(() => undefined);
  try {
    await addEntry(tar, VOLUME_MANIFEST_NAME, Buffer.from(serializeVolumeManifest(manifest)));
    for (const entry of manifest.entries) {
      await addFileEntry(tar, entry, sources.get(entry.part?.of ?? entry.name) ?? '', layoutDir);
    }
    tar.finalize();
    await written;
  } catch (error) {
    tar.destroy();
    await written.catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
  const size = (await stat(partial)).size;
  if (size !== volumeBytesOf(manifest)) {
    await rm(partial, { force: true });
    throw new Error(`${partial} is ${size} bytes, planned ${volumeBytesOf(manifest)}`);
  }
  await rename(partial, path);
}

function addEntry(tar: Pack, name: string, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    tar.entry({ ...HEADER, name, size: bytes.length }, bytes, (error) => (error ? reject(error) : resolve()));
  });
}

/**
 * Streams the entry's bytes from the layout file into the volume through a digest check: a file that changed
 * since it was hashed, or a blob whose bytes are not its digest, fails the volume instead of going into it.
 */
async function addFileEntry(tar: Pack, entry: VolumeEntry, path: string, layoutDir: string): Promise<void> {
  const whole = entry.part?.of ?? entry.name;
  const named = blobDigestOf(whole);
  const what = `${named ? `blob ${named}` : whole}${entry.part ? ` (part ${entry.part.index} of ${entry.part.count})` : ''}`;
  if (entry.size === 0) {
    if (entry.digest !== sha256Digest('')) {
      throw new ArchiveError(layoutDir, `${what} is empty, not ${entry.digest}`);
    }
    return addEntry(tar, entry.name, Buffer.alloc(0));
  }
  const offset = entry.part?.offset ?? 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const sink = tar.entry({ ...HEADER, name: entry.name, size: entry.size }, (error) =>
        error ? reject(error) : resolve(),
      );
      const file = createReadStream(path, { start: offset, end: offset + entry.size - 1 });
      const verifier = createDigestVerifier({ digest: entry.digest, size: entry.size, what });
      const fail = (error: Error) => {
        file.destroy();
        sink.destroy(error);
        reject(error);
      };
      file.on('error', fail);
      verifier.on('error', fail);
      file.pipe(verifier).pipe(sink);
    });
  } catch (error) {
    if (error instanceof DigestMismatchError) {
      throw new ArchiveError(layoutDir, `${error.message} (changed while packing?)`, {
        cause: error,
      });
    }
    throw error;
  }
}
