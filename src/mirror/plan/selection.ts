/**
 * What the config asks for, per repository: whole repositories (filtered) and explicit tags and digests.
 * Several entries naming one repository are merged, so each repository is listed and copied once.
 */
import type { MirrorReposConfig } from '../../config/sections/mirror-repos.js';
import { inShard, type Shard } from '../shard/shard.js';
import type { TagFilter } from './tag-filter.js';

export interface RepositorySelection {
  /** The name in the config (see roles.ts). */
  logicalPath: string;
  /**
   * One filter per whole-repository entry (`org/repo`, or discovery); a tag is wanted when any keeps it.
   * `undefined` in the list means "every tag". Empty: no whole-repository entry.
   */
  filters: (TagFilter | undefined)[];
  /** Tags named explicitly (`org/repo:tag`). */
  tags: string[];
  /** Digests named explicitly (`org/repo@sha256:…`). */
  digests: string[];
}

type RepositoryEntry = MirrorReposConfig['repositories'][number];

/** Splits `org/repo`, `org/repo:tag` or `org/repo@sha256:…` (the config schema has checked the shape). */
export function splitEntry(reference: string): { path: string; tag?: string; digest?: string } {
  const at = reference.indexOf('@');
  if (at >= 0) return { path: reference.slice(0, at), digest: reference.slice(at + 1) };
  const colon = reference.lastIndexOf(':');
  if (colon > reference.lastIndexOf('/')) {
    return { path: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  }
  return { path: reference };
}

/** The explicit list, with `filter` (the section's `tags`) for whole repositories that bring none. */
export function explicitSelections(
  entries: readonly RepositoryEntry[],
  filter: TagFilter | undefined,
): RepositorySelection[] {
  return mergeSelections(
    entries.map((entry) => {
      const reference = typeof entry === 'string' ? entry : entry.repository;
      const own = typeof entry === 'string' ? undefined : entry.tags;
      const { path, tag, digest } = splitEntry(reference);
      return {
        logicalPath: path,
        filters: tag === undefined && digest === undefined ? [own ?? filter] : [],
        tags: tag === undefined ? [] : [tag],
        digests: digest === undefined ? [] : [digest],
      };
    }),
  );
}

/** Whole repositories found by discovery, all under the section's filter. */
export function discoveredSelections(
  paths: readonly string[],
  filter: TagFilter | undefined,
): RepositorySelection[] {
  return paths.map((logicalPath) => ({ logicalPath, filters: [filter], tags: [], digests: [] }));
}

/** One selection per repository, in first-seen order. */
export function mergeSelections(selections: readonly RepositorySelection[]): RepositorySelection[] {
  const byPath = new Map<string, RepositorySelection>();
  for (const selection of selections) {
    const known = byPath.get(selection.logicalPath);
    if (!known) {
      byPath.set(selection.logicalPath, {
        ...selection,
        filters: [...selection.filters],
        tags: [...selection.tags],
        digests: [...selection.digests],
      });
      continue;
    }
    known.filters.push(...selection.filters);
    for (const tag of selection.tags) if (!known.tags.includes(tag)) known.tags.push(tag);
    for (const digest of selection.digests) if (!known.digests.includes(digest)) known.digests.push(digest);
  }
  return [...byPath.values()];
}

/**
 * What one run is narrowed to, on top of what the config selects (command-line flags; the Pipeline's plan
 * and its shards, a webhook's repository and tags). Never widens the config: a repository or tag the config
 * does not select stays out.
 */
export interface MirrorRestriction {
  /** Source repository paths (`--repository`); undefined: every repository the config selects. */
  repositories?: readonly string[];
  /** Tag names (`--tags`); undefined: the tags the config selects. */
  tags?: readonly string[];
  /** `--shard`: only the repositories whose hash lands in this shard. */
  shard?: Shard;
  /** Told the logical paths of the selection once restricted (the shard report counts them). */
  onSelected?: (logicalPaths: readonly string[]) => void;
}

/**
 * The selections a restriction keeps. `sourcePathOf` names a selection on the source (`--repository`
 * values are source paths, as a source's webhook sends them). `notSelected`: requested repositories the
 * config does not select (nothing is copied for them).
 */
export function restrictSelections(
  selections: readonly RepositorySelection[],
  restriction: Pick<MirrorRestriction, 'repositories' | 'shard'>,
  sourcePathOf: (logicalPath: string) => string,
): { kept: RepositorySelection[]; notSelected: string[] } {
  let kept = [...selections];
  let notSelected: string[] = [];
  const requested = restriction.repositories;
  if (requested !== undefined) {
    const wanted = new Set(requested);
    kept = kept.filter((selection) => wanted.has(sourcePathOf(selection.logicalPath)));
    const found = new Set(kept.map((selection) => sourcePathOf(selection.logicalPath)));
    notSelected = [...wanted].filter((path) => !found.has(path));
  }
  const shard = restriction.shard;
  if (shard !== undefined) kept = kept.filter((selection) => inShard(selection.logicalPath, shard));
  return { kept, notSelected };
}

/**
 * `--tags` on one repository: of the tags the config chose, only the named ones; explicit tags the source
 * lacks, only if named; explicit digests dropped (a tag-restricted run copies those tags and nothing
 * else — their cosign tags are added afterwards as usual). `skipped`: named tags not chosen.
 */
export function restrictTags<T extends { name: string }>(
  chosen: { chosen: T[]; missing: string[]; digests: readonly string[] },
  tags: readonly string[] | undefined,
): { chosen: T[]; missing: string[]; digests: readonly string[]; skipped: string[] } {
  if (tags === undefined) return { ...chosen, skipped: [] };
  const named = new Set(tags);
  const kept = chosen.chosen.filter((tag) => named.has(tag.name));
  const missing = chosen.missing.filter((tag) => named.has(tag));
  const have = new Set([...kept.map((tag) => tag.name), ...missing]);
  return { chosen: kept, missing, digests: [], skipped: tags.filter((tag) => !have.has(tag)) };
}
