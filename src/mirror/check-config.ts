/**
 * The checks of a mirror-repos config that one section's schema cannot make: tag filters that parse but
 * select nothing sensible, instances that must exist in the `quay` section, source and destination that
 * are the same registry, and the roles (failover) resolving. Throws ConfigError with every key path.
 */

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigFor } from '../config/document.js';
import { ConfigError, type ConfigIssue } from '../config/errors.js';
import { requireInstances } from '../config/references.js';
import type { MirrorReposConfig } from '../config/sections/mirror-repos.js';
import type { InstanceConfig } from '../config/sections/shared.js';
import { tagFilterProblem } from './plan/tag-filter.js';
import { requireDistinctEnds, resolveRoles } from './sides/roles.js';

const SECTION = 'mirror-repos';

export function checkMirrorConfig(config: ConfigFor<'quay' | 'mirror-repos'>): void {
  const section = config[SECTION];
  const filters = [
    { path: `${SECTION}.tags`, filter: section.tags },
    ...section.repositories.map((entry, i) => ({
      path: `${SECTION}.repositories[${i}].tags`,
      filter: typeof entry === 'string' ? undefined : entry.tags,
    })),
  ];
  const issues = filters.flatMap(({ path, filter }) => {
    const problem = tagFilterProblem(filter);
    return problem ? [{ path: `${path}.${problem.key}`, message: problem.message }] : [];
  });
  if (issues.length > 0) throw new ConfigError(issues);
  requireInstances(config.quay, [
    { path: `${SECTION}.source`, name: section.source },
    ...section.destinations.map((d, i) => ({
      path: `${SECTION}.destinations[${i}]`,
      name: typeof d === 'string' ? d : d.instance,
    })),
  ]);
  requireDistinctEnds(section, (name) => locationOf(config.quay[name]));
  requireArchiveFit(config);
  const source = resolveRoles(section).source.instance;
  const instance = config.quay[source];
  if (section.pushTrigger && (instance?.type !== 'quay' || instance.token === undefined))
    throw new ConfigError([
      {
        path: `${SECTION}.pushTrigger`,
        message: `needs the source quay.${source} to be a Quay with a token (repository admin on the selected repositories): the notifications are made through its API`,
        example: `quay: {${source}: {url: https://quay.example.com, token: {env: QUAY_TOKEN}}}`,
      },
    ]);
}

/** The entries of `quay` a run works with: only their secrets are resolved and masked. */
export function mirrorInstancesInUse(section: MirrorReposConfig): string[] {
  return [section.source, ...section.destinations.map((d) => (typeof d === 'string' ? d : d.instance))];
}

/** Where an instance's content lives, to tell two ends apart: its URL, or an archive's folder. */
function locationOf(instance: InstanceConfig | undefined): string | undefined {
  if (instance === undefined) return undefined;
  return instance.type === 'oci-layout' ? pathToFileURL(resolve(instance.path)).href : instance.url;
}

/** oci-layout ends are read and written by the native engine only. */
function requireArchiveFit(config: ConfigFor<'quay' | 'mirror-repos'>): void {
  const section = config[SECTION];
  const ends = [
    { path: `${SECTION}.source`, name: section.source },
    ...section.destinations.map((d, i) => ({
      path: `${SECTION}.destinations[${i}]`,
      name: typeof d === 'string' ? d : d.instance,
    })),
  ];
  const archives = ends.filter((end) => config.quay[end.name]?.type === 'oci-layout');
  const issues: ConfigIssue[] = [];
  if (section.engine === 'podman') {
    for (const end of archives) {
      issues.push({
        path: `${SECTION}.engine`,
        message: `podman cannot read or write the oci-layout archive quay.${end.name} (${end.path}); the native engine does`,
        expected: 'engine: native',
        example: 'engine: native',
      });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
}
