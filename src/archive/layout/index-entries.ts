/**
 * `index.json` of a layout as entries keyed by (repository, tag or digest), and back. Many repositories
 * share one layout; each entry names its repository in `dev.quay-tasks.repository` and, when tagged,
 * `org.opencontainers.image.ref.name` is `<repository>:<tag>` (image-spec "Pre-Defined Annotation Keys":
 * the name of a reference, whose characters may include `/` and `:`), which is what `skopeo inspect
 * oci:DIR:<repository>:<tag>` looks up. `dev.quay-tasks.source` keeps the name clusters pull the original by.
 * A layout written by another tool (a ref.name that is a bare tag) is read as one repository named after
 * its folder.
 */
import { basename } from 'node:path';
import * as z from 'zod';
import { DescriptorSchema, isDigest, MediaTypes } from '../../registry/index.js';

export const ANNOTATIONS = {
  refName: 'org.opencontainers.image.ref.name',
  repository: 'dev.quay-tasks.repository',
  source: 'dev.quay-tasks.source',
} as const;

/** One root of the layout: a tag of a repository, or a manifest kept by digest (a referrer, an untagged root). */
export interface LayoutEntry {
  repository: string;
  /** The tag; undefined for an entry kept by digest. */
  tag: string | undefined;
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  /** `host[:port]/path` of the repository this came from, when known. */
  source?: string;
}

const indexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  manifests: z.array(DescriptorSchema),
});

/** The entries of `index.json` bytes; `problem` says why they are not an index. */
export function parseIndex(
  bytes: Uint8Array,
  layoutDir: string,
): { entries: LayoutEntry[] } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    return { problem: `index.json is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const parsed = indexSchema.safeParse(json);
  if (!parsed.success)
    return { problem: 'index.json is not an OCI image index (schemaVersion 2, manifests)' };
  const fallbackRepository = basename(layoutDir);
  const entries = parsed.data.manifests.map((descriptor): LayoutEntry => {
    const annotations = descriptor.annotations ?? {};
    const refName = annotations[ANNOTATIONS.refName];
    let repository = annotations[ANNOTATIONS.repository];
    let tag: string | undefined;
    if (refName !== undefined) {
      const colon = refName.lastIndexOf(':');
      const named = colon > 0 && !refName.slice(colon + 1).includes('/');
      tag = named ? refName.slice(colon + 1) : refName;
      repository ??= named ? refName.slice(0, colon) : fallbackRepository;
    }
    const entry: LayoutEntry = {
      repository: repository ?? fallbackRepository,
      tag: tag !== undefined && !isDigest(tag) ? tag : undefined,
      mediaType: descriptor.mediaType,
      digest: descriptor.digest,
      size: descriptor.size,
    };
    if (descriptor.artifactType !== undefined) entry.artifactType = descriptor.artifactType;
    const source = annotations[ANNOTATIONS.source];
    if (source !== undefined) entry.source = source;
    return entry;
  });
  return { entries };
}

/** `index.json` for these entries: sorted by repository, then tag (digest entries last), so the same set gives the same bytes. */
export function serializeIndex(entries: Iterable<LayoutEntry>): string {
  const sorted = sortedEntries(entries);
  const manifests = sorted.map((entry) => {
    const annotations: Record<string, string> = { [ANNOTATIONS.repository]: entry.repository };
    if (entry.tag !== undefined) annotations[ANNOTATIONS.refName] = `${entry.repository}:${entry.tag}`;
    if (entry.source !== undefined) annotations[ANNOTATIONS.source] = entry.source;
    return {
      mediaType: entry.mediaType,
      digest: entry.digest,
      size: entry.size,
      ...(entry.artifactType !== undefined ? { artifactType: entry.artifactType } : {}),
      annotations,
    };
  });
  return `${JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests }, null, 1)}\n`;
}

/** The order of index.json: what is walked in it (volumes, receipts) comes out the same from the same entries. */
export function sortedEntries(entries: Iterable<LayoutEntry>): LayoutEntry[] {
  return [...entries].sort(compareEntries);
}

function compareEntries(a: LayoutEntry, b: LayoutEntry): number {
  if (a.repository !== b.repository) return a.repository < b.repository ? -1 : 1;
  if ((a.tag === undefined) !== (b.tag === undefined)) return a.tag === undefined ? 1 : -1;
  const x = a.tag ?? a.digest;
  const y = b.tag ?? b.digest;
  return x < y ? -1 : x > y ? 1 : 0;
}
