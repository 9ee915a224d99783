/**
 * Who is copied from and to, and how a repository is named on each side. Repositories are identified by
 * their logical path (the name in the config and at the usual source); each side maps it with its own
 * prefix/rename. With `failover` the one destination becomes the source, so its mapping names the source
 * side and the original source (named as the logical path) is the target.
 */
import { ConfigError } from '../config/errors.js';
import type { MirrorReposConfig } from '../config/sections/mirror-repos.js';
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
