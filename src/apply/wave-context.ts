/**
 * What the steps of one wave share (run-wave.ts, apply-object.ts, served-kinds.ts): the run's config and
 * deadline, the cluster, and the part of the run's dependencies a wave uses.
 */
import type { ClusterCli } from '../cluster/cluster-cli.js';
import type { ClusterObjects } from '../cluster/cluster-objects.js';
import type { ApplyOrderedConfig } from '../config/sections/apply-ordered.js';
import type { Logger } from '../report/logger.js';
import type { Report } from '../report/report.js';

/** The run's dependencies as a wave uses them (run-apply.ts's ApplyDeps has them all). */
export interface WaveDeps {
  report: Report;
  log: Logger;
  dryRun: boolean;
}

export interface WaveContext {
  config: ApplyOrderedConfig;
  deps: WaveDeps;
  cli: ClusterCli;
  objects: ClusterObjects;
  runDeadline: number;
  now: () => number;
  /** The whole folder's server-side dry-run diff was empty: nothing is applied, readiness only. */
  unchanged: boolean;
}
