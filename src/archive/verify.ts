/**
 * Before an import sends anything: every manifest and blob the archive's entries need is in the layout
 * with its descriptor's size and sha256, or was left out because the far side holds it (the archive's
 * `farSideBlobs`). One ArchiveError lists what is missing or bad, so nothing of a damaged archive is
 * tagged anywhere. Files are hashed two at a time (the machine's disks and cores, not the network, set
 * the pace).
 */

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { mapPool } from '../concurrency/work-pool.js';
import { ArchiveError } from './errors.js';
import type { LayoutEntry } from './layout/index-entries.js';
import type { LayoutDir } from './layout/layout-dir.js';
import { type Needed, reachableFrom } from './layout/reachable.js';

export interface VerifiedArchive {
  manifests: number;
  blobs: number;
  bytes: number;
  /** Blobs and manifests left out because the far side holds them. */
  atFarSide: number;
  /** Every file hashed and found right. */
  digests: Set<string>;
}

const HASHING_AT_ONCE = 2;
const LISTED_PROBLEMS = 5;

export async function verifyArchive(
  layout: LayoutDir,
  entries: readonly LayoutEntry[],
  farSide: ReadonlySet<string>,
  archive: string,
): Promise<VerifiedArchive> {
  const reachable = await reachableFrom(layout, entries);
  const problems: string[] = [];
  let atFarSide = 0;
  for (const [digest, needed] of reachable.absent) {
    if (farSide.has(digest)) atFarSide += 1;
    else problems.push(`manifest ${digest} (${needed.of}) is missing`);
  }
  const files: [string, Needed][] = [];
  for (const [digest, needed] of [...reachable.manifests, ...reachable.blobs]) {
    if ((await layout.blobSize(digest)) !== undefined) files.push([digest, needed]);
    else if (farSide.has(digest)) atFarSide += 1;
    else problems.push(`blob ${digest} (${needed.of}) is missing`);
  }
  let bytes = 0;
  const checked = await mapPool(files, HASHING_AT_ONCE, async ([digest, needed]) => {
    const { size, hash } = await hashFile(layout.blobPath(digest));
    bytes += size;
    if (size !== needed.size)
      return `blob ${digest} (${needed.of}) is ${size} bytes, its descriptor says ${needed.size}`;
    if (hash !== digest) return `blob ${digest} (${needed.of}) does not match its digest (read ${hash})`;
    return undefined;
  });
  for (const problem of checked) if (problem !== undefined) problems.push(problem);
  if (problems.length > 0) {
    const more =
      problems.length > LISTED_PROBLEMS ? `\n  … and ${problems.length - LISTED_PROBLEMS} more` : '';
    throw new ArchiveError(
      archive,
      `refused, nothing was imported: ${problems.length} problem(s)\n  ${problems.slice(0, LISTED_PROBLEMS).join('\n  ')}${more}`,
    );
  }
  return {
    manifests: reachable.manifests.size,
    blobs: reachable.blobs.size,
    bytes,
    atFarSide,
    digests: new Set(files.map(([digest]) => digest)),
  };
}

async function hashFile(path: string): Promise<{ size: number; hash: string }> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(createReadStream(path), async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      size += chunk.length;
      hash.update(chunk);
    }
  });
  return { size, hash: `sha256:${hash.digest('hex')}` };
}
