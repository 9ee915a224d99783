/**
 * The cluster-resources step of a mirror run (`clusterResources` / --cluster-resources): after the plan (a
 * dry run) or the copies, the mapping the run used becomes an ImageDigestMirrorSet and an
 * ImageTagMirrorSet, written to the folder and, with `apply: true`, applied to the cluster. Scoped to the
 * repositories this run selected and planned. A --repository or --tags run sees part of the selection
 * only, so it leaves them alone (its objects would drop rules); a --shard run names its own
 * (`<name>-shard-I-of-N`). Result `cluster-resources`: the files written, comma-separated.
 */
import { lazyCluster } from '../../cluster/lazy-cluster.js';
import type { ClusterResourcesConfig, MirrorReposConfig } from '../../config/sections/mirror-repos.js';
import type { MirrorRun } from '../mirror-run.js';
import type { RepositoryPlan } from '../plan/plan.js';
import type { MirrorRestriction } from '../plan/selection.js';
import { shardName } from '../shard/shard.js';
import type { Endpoint } from '../sides/endpoint.js';
import type { MirrorTarget } from '../sides/open-sides.js';
import { applyManifests } from './apply-objects.js';
import { mirrorMappings } from './mappings.js';
import { MirrorSetError, type MirrorSetManifest, mirrorSets } from './mirror-sets.js';
import { writeManifestFiles } from './write-files.js';

export const CLUSTER_RESOURCES_RESULT = 'cluster-resources';

/** The object form of the key, with the schema's defaults (a plain string is the folder). */
export function clusterResourcesOf(
  value: MirrorReposConfig['clusterResources'],
): ClusterResourcesConfig | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return value;
  return {
    dir: value,
    name: 'quay-tasks-mirror',
    kinds: ['ImageDigestMirrorSet', 'ImageTagMirrorSet'],
    labels: {},
    apply: false,
  };
}

export interface ClusterResourcesInput {
  repositories: readonly RepositoryPlan[];
  source: Pick<Endpoint, 'pullName'>;
  targets: readonly MirrorTarget[];
  restriction: MirrorRestriction;
}

export async function clusterResourcesStep(context: MirrorRun, input: ClusterResourcesInput): Promise<void> {
  const options = clusterResourcesOf(context.config['mirror-repos'].clusterResources);
  if (!options) return;
  const { report, log, dryRun } = context;
  // --tags too: a repository none of whose named tags is there plans nothing, and would lose its rule.
  const { repositories, tags } = input.restriction;
  const narrowedBy = repositories !== undefined ? '--repository' : tags !== undefined ? '--tags' : undefined;
  if (narrowedBy !== undefined) {
    const detail = `not written: ${narrowedBy} narrows this run to part of the selection (a full run writes them)`;
    report.add({ ref: 'cluster-resources', action: 'skipped', detail });
    log.info(`cluster resources: ${detail}`);
    return;
  }
  const shard = input.restriction.shard;
  const name = shard ? `${options.name}-${shardName(shard)}` : options.name;
  let manifests: MirrorSetManifest[];
  try {
    manifests = mirrorSets(mirrorMappings(input.repositories, input.source, input.targets), {
      ...options,
      name,
    });
  } catch (error) {
    if (!(error instanceof MirrorSetError)) throw error;
    report.add({ ref: 'cluster-resources', action: 'failed', error: error.message });
    log.error(error.message);
    return;
  }
  const rules = rulesIn(manifests[0]);
  const files = writeManifestFiles(options.dir, manifests, dryRun);
  for (const file of files) {
    const detail =
      file.action === 'planned'
        ? `would ${file.would} (${rules} rules)`
        : file.action === 'failed'
          ? undefined
          : `${rules} rules`;
    report.add({
      ref: file.path,
      action: file.action,
      ...(detail ? { detail } : {}),
      ...(file.error ? { error: file.error } : {}),
    });
    if (file.error) log.error(file.error);
    else log.info(`cluster resources: ${file.path}: ${file.action}${detail ? ` (${detail})` : ''}`);
  }
  if (dryRun || files.some((f) => f.action === 'failed')) {
    if (options.apply && dryRun) {
      for (const m of manifests)
        report.add({ ref: `${m.kind}/${name}`, action: 'planned', detail: 'would apply' });
    }
    return;
  }
  context.setResult(CLUSTER_RESOURCES_RESULT, files.map((f) => f.path).join(','));
  if (!options.apply) return;
  const cluster = lazyCluster(context.config.cluster, context);
  try {
    for (const outcome of await applyManifests(cluster.get, manifests)) {
      report.add({
        ref: outcome.ref,
        action: outcome.action,
        ...(outcome.error ? { error: outcome.error } : {}),
      });
      if (outcome.error) log.error(`${outcome.ref}: ${outcome.error}`);
      else log.info(`cluster resources: ${outcome.ref}: ${outcome.action}`);
    }
  } finally {
    await cluster.close();
  }
}

function rulesIn(manifest: MirrorSetManifest | undefined): number {
  const spec = (manifest?.object.spec ?? {}) as Record<string, unknown[]>;
  return Object.values(spec)[0]?.length ?? 0;
}

/**
 * Sets one key of `clusterResources` in a config document (the flag --cluster-resources), turning the
 * plain-string form into the object form first so its other settings stay.
 */
export function setClusterResourcesKey(
  document: Record<string, unknown>,
  key: 'dir' | 'apply',
  value: string | boolean,
): void {
  const existing = document['mirror-repos'];
  const section =
    existing && typeof existing === 'object' && !Array.isArray(existing)
      ? (existing as Record<string, unknown>)
      : {};
  document['mirror-repos'] = section;
  const current = section.clusterResources;
  const object =
    typeof current === 'string'
      ? { dir: current }
      : current && typeof current === 'object' && !Array.isArray(current)
        ? (current as Record<string, unknown>)
        : {};
  section.clusterResources = { ...object, [key]: value };
}
