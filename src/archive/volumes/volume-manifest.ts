import * as z from 'zod';

/** The first entry of every volume: which set it belongs to, its number, and what else it holds. */
export const VOLUME_MANIFEST_NAME = 'quay-tasks-volume.json';
export const VOLUME_FORMAT = 'quay-tasks-volume/v1';

const SHA256 = /^sha256:[0-9a-f]{64}$/;
/**
 * A whole entry's name: a blob, or a top-level file of the layout. No `/` in a file name and no leading dot,
 * so a volume cannot write outside the layout folder (or over its hidden markers and temporary files).
 */
const WHOLE_NAME = /^(blobs\/sha256\/[0-9a-f]{64}|[A-Za-z0-9][A-Za-z0-9._-]*)$/;
const PART_SUFFIX = /\.part-(\d{4})-of-(\d{4})$/;

const digest = z.string().regex(SHA256, 'a sha256:<64 hex> digest');
const count = z.number().int().nonnegative();

export const VolumePartSchema = z.object({
  /** 1-based. */
  index: z.number().int().min(1).max(9999),
  count: z.number().int().min(1).max(9999),
  /** Where this part starts in the whole file. */
  offset: count,
  /** The whole file's size. */
  total: count,
  /** The whole file's name, e.g. `blobs/sha256/<hex>`. */
  of: z
    .string()
    .regex(WHOLE_NAME)
    .max(100 - '.part-0000-of-0000'.length),
});

export const VolumeEntrySchema = z.object({
  /** The name in the tar. */
  name: z.string().min(1).max(100),
  size: count,
  /** sha256 of this entry's bytes (of this part only, for a part). */
  digest,
  part: VolumePartSchema.optional(),
});

export const VolumeManifestSchema = z.object({
  format: z.literal(VOLUME_FORMAT),
  /** sha256 of the set's index.json bytes: names the set. */
  set: digest,
  volume: z.number().int().min(1).max(9999),
  volumes: z.number().int().min(1).max(9999),
  entries: z.array(VolumeEntrySchema),
});

export type VolumePart = z.infer<typeof VolumePartSchema>;
export type VolumeEntry = z.infer<typeof VolumeEntrySchema>;
export type VolumeManifest = z.infer<typeof VolumeManifestSchema>;

/** `archive-0003.tar` for volume 3. */
export function volumeFileName(volume: number): string {
  return `archive-${String(volume).padStart(4, '0')}.tar`;
}

/** The volume number of `archive-0003.tar`, or undefined for any other name. */
export function volumeNumberOf(fileName: string): number | undefined {
  const match = /^archive-(\d{4})\.tar$/.exec(fileName);
  return match ? Number(match[1]) : undefined;
}

/** `blobs/sha256/<hex>.part-0002-of-0003`: 4 digits each, so a name stays within ustar's 100 bytes. */
export function partName(whole: string, index: number, count: number): string {
  const pad = (n: number) => String(n).padStart(4, '0');
  return `${whole}.part-${pad(index)}-of-${pad(count)}`;
}

/** `sha256:<hex>` of a whole blob name `blobs/sha256/<hex>`, undefined for a top-level file. */
export function blobDigestOf(wholeName: string): string | undefined {
  const match = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(wholeName);
  return match ? `sha256:${match[1]}` : undefined;
}

/** The whole file an entry is (or is a part of). */
export function wholeNameOf(entry: VolumeEntry): string {
  return entry.part?.of ?? entry.name;
}

/**
 * The manifest's bytes. Compact JSON with a fixed key order, so that the planner can bound its length entry by
 * entry (`JSON.stringify(entry).length + 1` for the comma) and two manifests compare as strings.
 */
export function serializeVolumeManifest(manifest: VolumeManifest): string {
  return JSON.stringify({
    format: manifest.format,
    set: manifest.set,
    volume: manifest.volume,
    volumes: manifest.volumes,
    entries: manifest.entries.map(canonicalEntry),
  });
}

export function canonicalEntry(entry: VolumeEntry): VolumeEntry {
  const { name, size, digest, part } = entry;
  if (!part) return { name, size, digest };
  const { index, count, offset, total, of } = part;
  return { name, size, digest, part: { index, count, offset, total, of } };
}

/**
 * Parses a manifest's bytes, or says what is wrong with them. Beyond the schema: every name is a whole name,
 * or the part name its `part` says; a whole blob's digest is the one in its name; a part lies inside its whole.
 */
export function parseVolumeManifest(text: string): VolumeManifest | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return `${VOLUME_MANIFEST_NAME} is not JSON (${(error as Error).message})`;
  }
  const parsed = VolumeManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `${VOLUME_MANIFEST_NAME} is not a ${VOLUME_FORMAT} manifest (${issue?.path.join('.') || 'top'}: ${issue?.message})`;
  }
  const manifest = parsed.data;
  if (manifest.volume > manifest.volumes) {
    return `${VOLUME_MANIFEST_NAME} says volume ${manifest.volume} of ${manifest.volumes}`;
  }
  for (const entry of manifest.entries) {
    const problem = entryProblem(entry);
    if (problem) return `${VOLUME_MANIFEST_NAME}: ${entry.name}: ${problem}`;
  }
  return manifest;
}

function entryProblem(entry: VolumeEntry): string | undefined {
  const { part } = entry;
  if (!part) {
    if (!WHOLE_NAME.test(entry.name) || entry.name === VOLUME_MANIFEST_NAME) {
      return 'not a blob or top-level file name';
    }
    const named = blobDigestOf(entry.name);
    if (named && named !== entry.digest) return `its digest is ${entry.digest}`;
    return undefined;
  }
  if (!PART_SUFFIX.test(entry.name) || entry.name !== partName(part.of, part.index, part.count)) {
    return `not the name of part ${part.index} of ${part.count} of ${part.of}`;
  }
  if (part.index > part.count) return `part ${part.index} of ${part.count}`;
  if (part.offset + entry.size > part.total) return `part ends after its whole (${part.total} bytes)`;
  return undefined;
}
