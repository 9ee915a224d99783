/**
 * The face of src/mirror/ (the mirror-repos engine): what tasks/mirror-repos.ts uses. The rooms behind it
 * and how a run flows through them: README.md in this folder.
 */
export { checkMirrorConfig, mirrorInstancesInUse } from './check-config.js';
export type { MirrorRun } from './mirror-run.js';
export { runShardPlan } from './plan-shards.js';
export { type MirrorRequest, mirrorRequestOf } from './request.js';
export { runMirror, runMirrorRequest } from './run.js';
export { MAX_SHARDS } from './shard/shard.js';
