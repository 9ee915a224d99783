import {
  partName,
  serializeVolumeManifest,
  VOLUME_FORMAT,
  type VolumeEntry,
  type VolumeManifest,
} from './volume-manifest.js';

/**
 * Which bytes of which file go into which volume, decided before anything is written: each volume's
 * `quay-tasks-volume.json` comes first in it and must describe what follows. Pure arithmetic over sizes.
 */

/** Below this a volume holds little more than its manifest and oci-layout; callers check their config earlier. */
export const MIN_VOLUME_SIZE = 1024 * 1024;
/** A part smaller than this is not worth its header and manifest entry: the next volume takes the whole. */
export const MIN_PART_SIZE = 64 * 1024;
/** 4 digits in `archive-0001.tar` and in `.part-0001-of-0003`. */
export const MAX_COUNT = 9999;

const BLOCK = 512;
/** Two zero blocks end a tar (POSIX ustar); tar-stream writes exactly these, no record padding. */
export const END_OF_ARCHIVE_BYTES = 2 * BLOCK;

/** A tar entry's bytes: one ustar header block and the content padded to whole blocks. */
export function tarEntryBytes(size: number): number {
  return BLOCK + Math.ceil(size / BLOCK) * BLOCK;
}

/** A volume file's exact size: its manifest entry, the other entries and the end-of-archive blocks. */
export function volumeBytes(manifestBytes: number, entrySizes: readonly number[]): number {
  return (
    tarEntryBytes(manifestBytes) +
    entrySizes.reduce((sum, size) => sum + tarEntryBytes(size), 0) +
    END_OF_ARCHIVE_BYTES
  );
}

export interface PlanFile {
  /** The whole file's name in the tar: `blobs/sha256/<hex>` or a top-level name. */
  name: string;
  size: number;
}

export interface PlanInput {
  maxVolumeSize: number;
  /** Carried whole as the first entry after the manifest of every volume (oci-layout). */
  everyVolume: PlanFile;
  /** In this order: volume 1's top-level files, then the blobs. */
  items: readonly PlanFile[];
}

export interface PlannedPiece {
  /** The name in the tar: the whole name, or the part name. */
  name: string;
  /** The whole file's name. */
  of: string;
  /** Where these bytes start in the whole file. */
  offset: number;
  size: number;
  part?: { index: number; count: number; total: number };
}

export interface PlannedVolume {
  volume: number;
  pieces: PlannedPiece[];
}

/** Stands in for digests (all 71 characters) and for numbers not known yet (at most 4 digits). */
const PLACEHOLDER_DIGEST = `sha256:${'0'.repeat(64)}`;
const PLACEHOLDER_SET = PLACEHOLDER_DIGEST;

/** The JSON length an entry adds to a manifest, comma included (oci-layout always comes before it). */
function entryJsonCost(entry: VolumeEntry): number {
  return JSON.stringify(entry).length + 1;
}

class VolumeInPlan {
  readonly pieces: PlannedPiece[] = [];
  /** An upper bound of the manifest's JSON length. */
  manifestLength: number;
  /** The tar bytes of the pieces. */
  contentBytes: number;

  constructor(
    readonly volume: number,
    everyVolume: PlanFile,
  ) {
    const empty = serializeVolumeManifest({
      format: VOLUME_FORMAT,
      set: PLACEHOLDER_SET,
      volume,
      volumes: MAX_COUNT,
      entries: [],
    });
    const first = { name: everyVolume.name, size: everyVolume.size, digest: PLACEHOLDER_DIGEST };
    // The first entry: no comma before it.
    this.manifestLength = empty.length + entryJsonCost(first) - 1;
    this.pieces.push({ name: everyVolume.name, of: everyVolume.name, offset: 0, size: everyVolume.size });
    this.contentBytes = tarEntryBytes(everyVolume.size);
  }

  /** The volume's size with one more entry of `size` bytes costing `jsonCost` in the manifest. */
  bytesWith(jsonCost: number, size: number): number {
    return (
      tarEntryBytes(this.manifestLength + jsonCost) +
      this.contentBytes +
      tarEntryBytes(size) +
      END_OF_ARCHIVE_BYTES
    );
  }

  add(piece: PlannedPiece, jsonCost: number): void {
    this.pieces.push(piece);
    this.contentBytes += tarEntryBytes(piece.size);
    this.manifestLength += jsonCost;
  }
}

/** Generous for one part's manifest entry (a part entry is about 250 characters). */
const PART_COST_BOUND = 512;

/**
 * Fills volumes in order. A file that fits in the room left goes in whole; one that does not is split, its
 * first part filling the volume and the rest continuing in the next volume(s); when the room left is below
 * MIN_PART_SIZE the next volume is started instead. Every manifest's length is bounded from above
 * (placeholder digests, 4-digit counts), so the volume written can only be smaller than planned.
 */
export function planVolumes(input: PlanInput): PlannedVolume[] {
  const max = input.maxVolumeSize;
  if (!Number.isSafeInteger(max) || max < MIN_VOLUME_SIZE) {
    throw new Error(`maxVolumeSize ${max} is below the minimum of ${MIN_VOLUME_SIZE} bytes (1 MiB)`);
  }
  const volumes: VolumeInPlan[] = [];
  const next = (): VolumeInPlan => {
    if (volumes.length === MAX_COUNT) throw new Error(`more than ${MAX_COUNT} volumes of ${max} bytes`);
    const volume = new VolumeInPlan(volumes.length + 1, input.everyVolume);
    if (volume.bytesWith(PART_COST_BOUND, MIN_PART_SIZE) > max) {
      throw new Error(
        `${input.everyVolume.name} (${input.everyVolume.size} bytes) leaves no room in a volume`,
      );
    }
    volumes.push(volume);
    return volume;
  };
  let current = next();

  for (const item of input.items) {
    const wholeCost = entryJsonCost({ name: item.name, size: item.size, digest: PLACEHOLDER_DIGEST });
    const partCost = (offset: number) =>
      entryJsonCost({
        name: partName(item.name, MAX_COUNT, MAX_COUNT),
        size: item.size - offset,
        digest: PLACEHOLDER_DIGEST,
        part: { index: MAX_COUNT, count: MAX_COUNT, offset, total: item.size, of: item.name },
      });
    /** The bytes a part starting at `offset` can take in the current volume. */
    const partRoom = (offset: number) =>
      Math.min(
        item.size - offset,
        Math.floor((max - current.bytesWith(partCost(offset), 0)) / BLOCK) * BLOCK,
      );
    const fitsWhole = () => current.bytesWith(wholeCost, item.size) <= max;

    if (!fitsWhole() && partRoom(0) < Math.min(item.size, MIN_PART_SIZE)) current = next();
    if (fitsWhole()) {
      current.add({ name: item.name, of: item.name, offset: 0, size: item.size }, wholeCost);
      continue;
    }
    const parts: PlannedPiece[] = [];
    for (let offset = 0; offset < item.size; ) {
      const size = partRoom(offset);
      if (size < Math.min(item.size - offset, MIN_PART_SIZE)) {
        current = next();
        continue;
      }
      if (parts.length === MAX_COUNT) throw new Error(`${item.name} needs more than ${MAX_COUNT} parts`);
      const piece: PlannedPiece = { name: item.name, of: item.name, offset, size };
      current.add(piece, partCost(offset));
      parts.push(piece);
      offset += size;
    }
    parts.forEach((piece, i) => {
      piece.part = { index: i + 1, count: parts.length, total: item.size };
      piece.name = partName(item.name, i + 1, parts.length);
    });
  }
  return volumes.map(({ volume, pieces }) => ({ volume, pieces }));
}

/** The planned volumes' manifests, once every piece's digest is known (`digestOf`). */
export function manifestsOfPlan(
  plan: readonly PlannedVolume[],
  set: string,
  digestOf: (piece: PlannedPiece) => string,
): VolumeManifest[] {
  return plan.map(({ volume, pieces }) => ({
    format: VOLUME_FORMAT,
    set,
    volume,
    volumes: plan.length,
    entries: pieces.map((piece) => {
      const entry: VolumeEntry = { name: piece.name, size: piece.size, digest: digestOf(piece) };
      if (!piece.part) return entry;
      const { index, count, total } = piece.part;
      return { ...entry, part: { index, count, offset: piece.offset, total, of: piece.of } };
    }),
  }));
}

/** A manifest's volume file size. */
export function volumeBytesOf(manifest: VolumeManifest): number {
  return volumeBytes(
    Buffer.byteLength(serializeVolumeManifest(manifest)),
    manifest.entries.map((entry) => entry.size),
  );
}
