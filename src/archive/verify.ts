/**
 * An archive checked before its import names anything at a destination, in two steps:
 * - `checkArchive`, before anything is sent: every manifest and blob the entries need is in the layout with
 *   its descriptor's size, or was left out because the far side holds it (`farSideBlobs`). A truncated or
 *   incomplete archive fails here, with nothing sent.
 * - `hashArchive`: the sha256 of every file, two at a time, while the copies run. The copy names nothing
 *   (no manifest, so no tag) at a destination until it has passed (LayoutRegistry's `beforeNaming`): a
 *   tampered archive leaves at most untagged blobs behind, which registries collect, and no tag.
 * Each step throws one ArchiveError listing what is missing or bad and what needed it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { mapPool } from '../concurrency/work-pool.js';
import { ArchiveError } from './errors.js';
import type { LayoutEntry } from './layout/index-entries.js';
import type { LayoutDir } from './layout/layout-dir.js';
import { type Needed, reachableFrom } from './layout/reachable.js';

export interface CheckedArchive {
  manifests: number;
  blobs: number;
  /** Bytes of the files in the layout the entries need. */
  bytes: number;
  /** Blobs and manifests left out because the far side holds them. */
  atFarSide: number;
  /** The files to hash: digest → what needs it. */
  files: ReadonlyMap<string, Needed>;
}

export interface HashedArchive {
  bytes: number;
  seconds: number;
}

const HASHING_AT_ONCE = 2;
const LISTED_PROBLEMS = 5;

export async function checkArchive(
  layout: LayoutDir,
  entries: readonly LayoutEntry[],
  farSide: ReadonlySet<string>,
  archive: string,
): Promise<CheckedArchive> {
  const reachable = await reachableFrom(layout, entries);
  const problems: string[] = [];
  let atFarSide = 0;
  for (const [digest, needed] of reachable.absent) {
    if (farSide.has(digest)) atFarSide += 1;
    else problems.push(`manifest ${digest} (${needed.of}) is missing`);
  }
  const files = new Map<string, Needed>();
  let bytes = 0;
  for (const [digest, needed] of [...reachable.manifests, ...reachable.blobs]) {
    const size = await layout.blobSize(digest);
    if (size === undefined) {
      if (farSide.has(digest)) atFarSide += 1;
      else problems.push(`blob ${digest} (${needed.of}) is missing`);
    } else if (size !== needed.size) {
      problems.push(`blob ${digest} (${needed.of}) is ${size} bytes, its descriptor says ${needed.size}`);
    } else {
      files.set(digest, needed);
      bytes += size;
    }
  }
  refuseIf(problems, archive, 'nothing was sent');
  return { manifests: reachable.manifests.size, blobs: reachable.blobs.size, bytes, atFarSide, files };
}

export async function hashArchive(
  layout: LayoutDir,
  files: ReadonlyMap<string, Needed>,
  archive: string,
): Promise<HashedArchive> {
  const started = performance.now();
  let bytes = 0;
  const checked = await mapPool([...files], HASHING_AT_ONCE, async ([digest, needed]) => {
    const { size, hash } = await hashFile(layout.blobPath(digest));
    bytes += size;
    if (size !== needed.size)
      return `blob ${digest} (${needed.of}) is ${size} bytes, its descriptor says ${needed.size}`;
    if (hash !== digest) return `blob ${digest} (${needed.of}) does not match its digest (read ${hash})`;
    return undefined;
  });
  refuseIf(
    checked.filter((p): p is string => p !== undefined),
    archive,
    'nothing was tagged',
  );
  return { bytes, seconds: (performance.now() - started) / 1000 };
}

function refuseIf(problems: readonly string[], archive: string, outcome: string): void {
  if (problems.length === 0) return;
  const more = problems.length > LISTED_PROBLEMS ? `\n  … and ${problems.length - LISTED_PROBLEMS} more` : '';
  throw new ArchiveError(
    archive,
    `refused, ${outcome}: ${problems.length} problem(s)\n  ${problems.slice(0, LISTED_PROBLEMS).join('\n  ')}${more}`,
  );
}

async function hashFile(path: string): Promise<{ size: number; hash: string }> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    createReadStream(path, { highWaterMark: 1024 * 1024 }),
    async (chunks: AsyncIterable<Buffer>) => {
      for await (const chunk of chunks) {
        size += chunk.length;
        hash.update(chunk);
      }
    },
  );
  return { size, hash: `sha256:${hash.digest('hex')}` };
}
