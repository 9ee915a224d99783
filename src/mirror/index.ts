/**
 * The face of src/mirror/ (the mirror-repos engine): what tasks/mirror-repos.ts uses. The rooms behind it
 * and how a run flows through them: README.md in this folder.
 */
export { checkMirrorConfig, mirrorInstancesInUse } from './check-config.js';
export { setClusterResourcesKey } from './cluster-resources/step.js';
export type { MirrorRun } from './mirror-run.js';
export { runShardPlan } from './plan-shards.js';
export { type MirrorRequest, mirrorRequestOf } from './request.js';
export { runMirror, runMirrorRequest } from './run.js';
export { MAX_SHARDS } from './shard/shard.js';

/** The results a mirror-repos run writes (Tekton results, GitHub outputs). */
export const MIRROR_RESULTS: readonly { name: string; description: string }[] = [
  { name: 'copied', description: 'number of tags copied (not with --plan-shards)' },
  { name: 'unchanged', description: 'number of tags already in place (not with --plan-shards)' },
  {
    name: 'shard-report',
    description:
      'this run as one JSON object: shard, ok, repositories, copied, unchanged, changed, failed, summary, failures (not with --plan-shards)',
  },
  {
    name: 'shards',
    description: 'JSON array of the shards to run, e.g. ["1/3","2/3","3/3"] (only with --plan-shards)',
  },
  { name: 'repositories', description: 'number of repositories selected (only with --plan-shards)' },
  {
    name: 'cluster-resources',
    description:
      'the ImageDigestMirrorSet/ImageTagMirrorSet files written, comma-separated; empty when none were: not configured, a dry run, a --repository or --tags run (not with --plan-shards)',
  },
];
