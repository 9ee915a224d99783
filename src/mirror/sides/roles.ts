/**
 * Who is copied from and to, and how a repository is named on each side. Repositories are identified by
 * their logical path (the name in the config and at the usual source); each side maps it with its own
 * prefix/rename. With `failover` the one destination becomes the source, so its mapping names the source
 * side and the original source (named as the logical path) is the target.
 */
import { ConfigError } from '../../config/errors.js';
import type { MirrorReposConfig } from '../../config/sections/mirror-repos.js';
import { destinationPath, type PathMapping } from './path-mapping.js';

export interface MirrorSide {
  /** Entry of the `quay` section. */
  instance: string;
  /** How logical paths are named on this side; undefined: as they are. */
  mapping: PathMapping | undefined;
}

export interface MirrorRoles {
  source: MirrorSide;
  targets: MirrorSide[];
}

type Destination = MirrorReposConfig['destinations'][number];

function sideOf(destination: Destination): MirrorSide {
  if (typeof destination === 'string') return { instance: destination, mapping: undefined };
  return {
    instance: destination.instance,
    mapping: { prefix: destination.prefix, rename: destination.rename },
  };
}

/** Throws ConfigError when failover is asked for with other than exactly one destination. */
export function resolveRoles(
  section: Pick<MirrorReposConfig, 'source' | 'destinations' | 'failover'>,
): MirrorRoles {
  const destinations = section.destinations.map(sideOf);
  const source: MirrorSide = { instance: section.source, mapping: undefined };
  if (!section.failover) return { source, targets: destinations };
  const [only, ...more] = destinations;
  if (only === undefined || more.length > 0) {
    throw new ConfigError([
      {
        path: 'mirror-repos.failover',
        message: `failover swaps the source with its one destination, but ${destinations.length} destinations are configured`,
        expected: 'exactly one entry in mirror-repos.destinations',
        example: 'destinations: [secondary]',
      },
    ]);
  }
  return { source: only, targets: [source] };
}

/** The repository path of a logical path on one side. */
export function pathOn(side: MirrorSide, logicalPath: string): string {
  return destinationPath(logicalPath, side.mapping);
}

/**
 * The logical path of a repository found on a side (discovery on a failover source): the inverse of
 * `pathOn`, or undefined when the path does not carry the side's prefix (it is not one of ours).
 */
export function logicalPathOf(side: MirrorSide, path: string): string | undefined {
  const mapping = side.mapping;
  if (!mapping) return path;
  let rest = path;
  const prefix = (mapping.prefix ?? '').replace(/\/+$/, '');
  if (prefix !== '') {
    if (!rest.startsWith(`${prefix}/`)) return undefined;
    rest = rest.slice(prefix.length + 1);
  }
  const renamed = Object.entries(mapping.rename).sort(([, a], [, b]) => b.length - a.length);
  const match = renamed.find(([, to]) => rest === to || rest.startsWith(`${to}/`));
  const logical = match ? `${match[0]}${rest.slice(match[1].length)}` : rest;
  // A name the mapping cannot produce (e.g. an unrenamed org that rename would change) is not ours.
  return pathOn(side, logical) === path ? logical : undefined;
}

/**
 * Throws ConfigError when a destination would copy onto the source itself (the same entry, or another
 * entry with the same URL, and no prefix or rename to make the paths differ), or is listed twice.
 */
export function requireDistinctEnds(
  section: Pick<MirrorReposConfig, 'source' | 'destinations'>,
  urlOf: (instance: string) => string | undefined,
): void {
  const sourceUrl = sameUrlKey(urlOf(section.source));
  const seen = new Map<string, number>();
  const issues = section.destinations.flatMap((destination, i) => {
    const side = sideOf(destination);
    const path = `mirror-repos.destinations[${i}]`;
    const earlier = seen.get(side.instance);
    seen.set(side.instance, earlier ?? i);
    if (earlier !== undefined)
      return [
        { path, message: `names Quay instance "${side.instance}" again (as destinations[${earlier}] does)` },
      ];
    const renames =
      side.mapping !== undefined &&
      (side.mapping.prefix ?? '') + Object.keys(side.mapping.rename).join() !== '';
    if (renames) return [];
    if (side.instance === section.source)
      return [
        {
          path,
          message: `is the source "${section.source}" itself: a mirror would copy every tag onto itself`,
        },
      ];
    const url = sameUrlKey(urlOf(side.instance));
    if (url !== undefined && url === sourceUrl)
      return [
        {
          path,
          message: `"${side.instance}" has the same URL as the source "${section.source}" (${urlOf(side.instance)}): a mirror would copy every tag onto itself`,
          expected: 'another Quay, or a prefix so the copies land elsewhere',
          example: `- {instance: ${side.instance}, prefix: mirror}`,
        },
      ];
    return [];
  });
  if (issues.length > 0) throw new ConfigError(issues);
}

function sameUrlKey(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    return url.toLowerCase();
  }
}
