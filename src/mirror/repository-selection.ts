/**
 * What the config asks for, per repository: whole repositories (filtered) and explicit tags and digests.
 * Several entries naming one repository are merged, so each repository is listed and copied once.
 */
import type { MirrorReposConfig } from '../config/sections/mirror-repos.js';
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
