#!/usr/bin/env node
import { booleanKeyFlag, integerValue } from '../src/cli/common-task-flags.js';
import { setInSection } from '../src/cli/flags.js';
import { isMainModule, runMain } from '../src/cli/main.js';
import type { TaskDefinition } from '../src/cli/task.js';
import {
  checkMirrorConfig,
  MAX_SHARDS,
  MIRROR_RESULTS,
  type MirrorRequest,
  mirrorInstancesInUse,
  mirrorRequestOf,
  runMirrorRequest,
  setClusterResourcesKey,
} from '../src/mirror/index.js';

const SECTION = 'mirror-repos';

export const definition: TaskDefinition<'quay' | 'cluster' | 'mirror-repos', MirrorRequest> = {
  name: 'mirror-repos',
  summary: 'mirror repositories and tags from a source Quay to one or more destinations',
  description: `
Copies images registry to registry over the OCI distribution API: an explicit list, or every
organization and repository discovered on the source. Creates missing organizations, copies only
tags whose digest differs, all platforms of multi-arch images, and can go on past broken images.
--repository and --tags narrow a run to what a webhook names (never beyond what the config selects);
--plan-shards and --shard split a large mirror over parallel runs (the quay-mirror Pipeline).`,
  sections: ['quay', 'cluster', SECTION],
  instancesInUse: (config) => mirrorInstancesInUse(config[SECTION]),
  flags: [
    {
      name: 'source',
      type: 'string',
      valueName: 'NAME',
      description: 'Entry of the quay section to copy from',
      override: (document, value) => setInSection(document, SECTION, 'source', value),
    },
    {
      name: 'destination',
      type: 'list',
      valueName: 'NAME',
      description: 'Entry of the quay section to copy to (repeatable)',
      override: (document, value) => setInSection(document, SECTION, 'destinations', value),
    },
    {
      name: 'concurrency',
      type: 'string',
      valueName: 'N',
      description: 'Parallel transfers per registry host (1–64)',
      override: (document, value) =>
        setInSection(document, SECTION, 'concurrency', integerValue('concurrency', value, 1, 64)),
    },
    booleanKeyFlag(
      SECTION,
      'keepGoing',
      'keep-going',
      'Record a failed image and go on; exit 1 at the end listing failures',
    ),
    booleanKeyFlag(
      SECTION,
      'failover',
      'failover',
      'Swap source and destination (servers, credentials and tokens)',
    ),
    booleanKeyFlag(SECTION, 'prune', 'prune', 'Delete destination tags gone from the source'),
    {
      name: 'repository',
      type: 'list',
      valueName: 'ORG/REPO',
      description:
        'Only these source repositories (repeatable or comma-separated), of those the config selects; others are skipped with a warning',
    },
    {
      name: 'tags',
      type: 'list',
      valueName: 'TAG,…',
      description:
        'Only these tags (comma-separated or repeatable), of those the config selects; no prune, no digest entries',
    },
    {
      name: 'shard',
      type: 'string',
      valueName: 'I/N',
      description: `Only the repositories in shard I of N (by a hash of their name; 1 ≤ I ≤ N ≤ ${MAX_SHARDS})`,
    },
    {
      name: 'plan-shards',
      type: 'string',
      valueName: 'N',
      description:
        'Copy nothing: count the repositories selected and write the shards result for at most N parallel runs',
    },
    {
      name: 'cluster-resources',
      type: 'string',
      valueName: 'DIR',
      description: 'Write ImageDigestMirrorSet/ImageTagMirrorSet manifests of what this run mirrored to DIR',
      override: (document, value) => setClusterResourcesKey(document, 'dir', String(value)),
    },
    booleanKeyFlag(SECTION, 'keepGoing', 'skip-broken-images', 'Same as --keep-going', true),
    booleanKeyFlag(
      SECTION,
      'discovery.enabled',
      'auto-discovery',
      'Mirror every organization and repository found on the source',
      true,
    ),
  ],
  results: MIRROR_RESULTS,
  request: mirrorRequestOf,
  validate: checkMirrorConfig,
  run: runMirrorRequest,
};

if (isMainModule(import.meta.url)) await runMain(definition);
