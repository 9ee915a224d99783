import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiveError } from '../errors.js';
import { readFirstEntry } from './tar-read.js';
import {
  parseVolumeManifest,
  VOLUME_MANIFEST_NAME,
  type VolumeManifest,
  volumeFileName,
  volumeNumberOf,
  wholeNameOf,
} from './volume-manifest.js';

/** A manifest is small next to a volume; a first entry larger than this is not one. */
const MANIFEST_LIMIT = 64 * 1024 * 1024;

/** An `archive-NNNN.tar` file of a folder, as found (its size and mtime are what an extraction marker records). */
export interface ListedVolume {
  file: string;
  number: number;
  path: string;
  size: number;
  mtimeMs: number;
}

export interface CheckedVolume extends ListedVolume {
  manifest: VolumeManifest;
}

export interface VolumeSet {
  /** sha256 of the set's index.json. */
  set: string;
  /** Volume 1 first. */
  volumes: CheckedVolume[];
}

/** The folder's volume files, by number. */
export async function listVolumes(volumesDir: string, archive: string): Promise<ListedVolume[]> {
  const names = await readdir(volumesDir).catch((error: unknown) => {
    throw new ArchiveError(archive, `cannot read the volumes folder ${volumesDir}`, { cause: error });
  });
  const listed: ListedVolume[] = [];
  for (const file of names) {
    const number = volumeNumberOf(file);
    if (number === undefined) continue;
    const path = join(volumesDir, file);
    const info = await stat(path);
    if (info.isFile()) listed.push({ file, number, path, size: info.size, mtimeMs: info.mtimeMs });
  }
  return listed.sort((a, b) => a.number - b.number);
}

/**
 * Reads every volume's manifest (its first entry only) and checks they make one set: volume 1 there, every
 * volume of its count there with its own number and the same set, nothing foreign beside them, and every
 * split file's parts following each other across the volumes. One ArchiveError names every problem found.
 */
export async function checkVolumeSet(listed: readonly ListedVolume[], archive: string): Promise<VolumeSet> {
  if (listed.length === 0) throw new ArchiveError(archive, 'no archive-*.tar volume in it');
  const first = listed.find((volume) => volume.number === 1);
  if (!first) throw new ArchiveError(archive, `volume ${volumeFileName(1)} is missing`);
  const head = await readManifest(first, archive);
  if (head.volume !== 1) {
    throw new ArchiveError(archive, `${first.file} says it is volume ${head.volume} of ${head.volumes}`);
  }
  const problems: string[] = [];
  const volumes: CheckedVolume[] = [{ ...first, manifest: head }];
  for (let number = 2; number <= head.volumes; number += 1) {
    const volume = listed.find((candidate) => candidate.number === number);
    if (!volume) {
      problems.push(`volume ${volumeFileName(number)} of ${head.volumes} is missing`);
      continue;
    }
    const manifest = await readManifest(volume, archive);
    const problem = foreignness(volume, manifest, head);
    if (problem) problems.push(problem);
    else volumes.push({ ...volume, manifest });
  }
  for (const volume of listed.filter((candidate) => candidate.number > head.volumes)) {
    const manifest = await readManifest(volume, archive);
    problems.push(
      foreignness(volume, manifest, head) ??
        `${volume.file} is not part of the set (${first.file} says ${head.volumes} volumes)`,
    );
  }
  if (problems.length === 0) problems.push(...partProblems(volumes));
  if (problems.length > 0) throw new ArchiveError(archive, problems.join('; '));
  return { set: head.set, volumes };
}

function foreignness(
  volume: ListedVolume,
  manifest: VolumeManifest,
  head: VolumeManifest,
): string | undefined {
  if (manifest.set !== head.set) return `${volume.file} belongs to another archive (set ${manifest.set})`;
  if (manifest.volume !== volume.number || manifest.volumes !== head.volumes) {
    return `${volume.file} says it is volume ${manifest.volume} of ${manifest.volumes}, not ${volume.number} of ${head.volumes}`;
  }
  return undefined;
}

async function readManifest(volume: ListedVolume, archive: string): Promise<VolumeManifest> {
  let first: { name: string; bytes: Buffer };
  try {
    first = await readFirstEntry(volume.path, MANIFEST_LIMIT);
  } catch (error) {
    throw new ArchiveError(archive, `${volume.file} is not a readable tar (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (first.name !== VOLUME_MANIFEST_NAME) {
    throw new ArchiveError(archive, `${volume.file} begins with ${first.name}, not ${VOLUME_MANIFEST_NAME}`);
  }
  const manifest = parseVolumeManifest(first.bytes.toString('utf8'));
  if (typeof manifest === 'string') throw new ArchiveError(archive, `${volume.file}: ${manifest}`);
  return manifest;
}

/** Parts in order (index, offset) across the volumes, each split file complete; index.json in volume 1. */
function partProblems(volumes: readonly CheckedVolume[]): string[] {
  const problems: string[] = [];
  const open = new Map<string, { index: number; next: number; count: number; total: number }>();
  const wholes = new Map<string, string>();
  for (const { file, manifest } of volumes) {
    for (const entry of manifest.entries) {
      const { part } = entry;
      if (!part) {
        const seen = wholes.get(entry.name);
        if (seen !== undefined && seen !== entry.digest) problems.push(`${file} holds another ${entry.name}`);
        wholes.set(entry.name, entry.digest);
        continue;
      }
      const state = open.get(part.of);
      const expected = state ? state.index + 1 : 1;
      if (
        part.index !== expected ||
        part.offset !== (state?.next ?? 0) ||
        (state && (state.count !== part.count || state.total !== part.total))
      ) {
        problems.push(`${file} holds ${entry.name} out of order (part ${expected} of ${part.of} expected)`);
        continue;
      }
      open.set(part.of, {
        index: part.index,
        next: part.offset + entry.size,
        count: part.count,
        total: part.total,
      });
    }
  }
  for (const [of, state] of open) {
    if (state.index !== state.count || state.next !== state.total) {
      problems.push(`${of} stops at part ${state.index} of ${state.count}`);
    }
  }
  const inFirst = volumes[0]?.manifest.entries.some((entry) => wholeNameOf(entry) === 'index.json');
  if (!inFirst) problems.push(`${volumes[0]?.file} holds no index.json`);
  return problems;
}
