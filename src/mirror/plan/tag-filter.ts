import semver from 'semver';
import type { MirrorReposConfig } from '../../config/sections/mirror-repos.js';
import { selectedBy } from './glob.js';

export type TagFilter = NonNullable<MirrorReposConfig['tags']>;

export interface TagInfo {
  name: string;
  digest?: string;
  /** When the tag last moved (epoch seconds), for `latest`. */
  startTs?: number;
}

/**
 * The tags a filter keeps: globs (include/exclude), then a regular expression, then a semver range
 * (tags that are not versions drop out; a leading `v` is allowed), then the newest N by time.
 */
export function selectTags<T extends TagInfo>(tags: readonly T[], filter: TagFilter | undefined): T[] {
  if (!filter) return [...tags];
  const regex = filter.regex ? new RegExp(filter.regex) : undefined;
  let kept = tags.filter(
    (tag) => selectedBy(tag.name, filter.include, filter.exclude) && (!regex || regex.test(tag.name)),
  );
  if (filter.semver) {
    const range = filter.semver;
    kept = kept.filter((tag) => {
      const version = semver.clean(tag.name, { loose: true });
      return version !== null && semver.satisfies(version, range, { includePrerelease: false });
    });
  }
  if (filter.latest !== undefined) {
    // Newest first; tags without a time (a plain registry's) sort last and, the sort being stable, keep
    // their list order (subtracting two -Infinity would give NaN and an arbitrary order).
    const time = (tag: T) => tag.startTs ?? Number.NEGATIVE_INFINITY;
    kept = [...kept]
      .sort((a, b) => (time(a) === time(b) ? 0 : time(a) < time(b) ? 1 : -1))
      .slice(0, filter.latest);
  }
  return kept;
}

/** A config-time check: the regex compiles and the semver range parses. Returns a problem or undefined. */
export function tagFilterProblem(
  filter: TagFilter | undefined,
): { key: 'regex' | 'semver'; message: string } | undefined {
  if (!filter) return undefined;
  if (filter.regex) {
    try {
      new RegExp(filter.regex);
    } catch (error) {
      return { key: 'regex', message: `not a valid regular expression: ${(error as Error).message}` };
    }
  }
  if (filter.semver && semver.validRange(filter.semver) === null) {
    return { key: 'semver', message: `not a valid semver range: ${filter.semver}` };
  }
  return undefined;
}
