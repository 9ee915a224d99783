/**
 * Sharding a mirror over several runs (the quay-mirror Pipeline's matrix): a repository belongs to shard
 * `sha256(logical path) mod N` — the same in every pod, whatever order the repositories were listed in and
 * whichever other repositories exist. Pure; each run's outcome is shard-report.ts.
 */
import { createHash } from 'node:crypto';

/** Shard `index` of `count`, 1-based. */
export interface Shard {
  index: number;
  count: number;
}

/** Tekton's default cap of a matrix (`default-max-matrix-combinations-count`). */
export const MAX_SHARDS = 256;

export const SHARD_FORMAT = /^(\d{1,3})\/(\d{1,3})$/;

/** `I/N` → the shard; throws an Error saying what is wrong (the caller names the flag). */
export function parseShard(value: string): Shard {
  const match = SHARD_FORMAT.exec(value.trim());
  if (!match) throw new Error(`"${value}" is not I/N (shard I of N, e.g. 2/4)`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS) throw new Error(`"${value}": N must be from 1 to ${MAX_SHARDS}`);
  if (index < 1 || index > count) throw new Error(`"${value}": I must be from 1 to N (${count})`);
  return { index, count };
}

/** `shard-I-of-N`: a shard in file names (its cluster resources, its temporary files in a shared archive). */
export function shardName(shard: Shard): string {
  return `shard-${shard.index}-of-${shard.count}`;
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** A stable 48-bit number for a repository: the first six bytes of the SHA-256 of its logical path. */
function hashOf(logicalPath: string): number {
  return createHash('sha256').update(logicalPath, 'utf8').digest().readUIntBE(0, 6);
}

/** The shard (1-based) a repository belongs to when there are `count` shards. */
export function shardOf(logicalPath: string, count: number): number {
  return (hashOf(logicalPath) % count) + 1;
}

export function inShard(logicalPath: string, shard: Shard): boolean {
  return shardOf(logicalPath, shard.count) === shard.index;
}

/** How many of the repositories each of `count` shards gets (index 0 is shard 1). */
export function shardSizes(logicalPaths: readonly string[], count: number): number[] {
  const sizes = new Array<number>(count).fill(0);
  for (const path of logicalPaths) {
    const i = shardOf(path, count) - 1;
    sizes[i] = (sizes[i] ?? 0) + 1;
  }
  return sizes;
}

/**
 * How many shards to run: at most `max`, at most one per repository, at least one — and the largest such
 * count that leaves no shard empty (an empty shard would be a pod that does nothing).
 */
export function chooseShardCount(logicalPaths: readonly string[], max: number): number {
  const hashes = [...new Set(logicalPaths)].map(hashOf);
  for (let count = Math.min(max, hashes.length, MAX_SHARDS); count > 1; count -= 1) {
    const seen = new Set<number>();
    for (const hash of hashes) seen.add(hash % count);
    if (seen.size === count) return count;
  }
  return 1;
}

/** `["1/3","2/3","3/3"]`: the values of the matrix param. */
export function shardSpecs(count: number): string[] {
  return Array.from({ length: count }, (_, i) => formatShard({ index: i + 1, count }));
}
