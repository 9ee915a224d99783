/**
 * What an engine is: the part of a mirror run that carries out the plan. src/mirror/run.ts does everything
 * else the same way for both (sides, preflight, planning, the dry run's report, the summary and results)
 * and hands the engine what it needs through these types; an engine never imports another engine.
 */

import type { HostLimiter } from '../concurrency/host-limiter.js';
import type { MirrorReposConfig } from '../config/sections/mirror-repos.js';
import type { Logger } from '../report/logger.js';
import type { Report } from '../report/report.js';
import type { MirrorLimits } from './limits.js';
import type { MirrorPlan, RepositoryPlan } from './plan/plan.js';
import type { Endpoint } from './sides/endpoint.js';
import type { MirrorTarget } from './sides/open-sides.js';

/** What carrying out a plan is given. */
export interface ExecuteContext {
  section: MirrorReposConfig;
  source: Endpoint;
  targets: readonly MirrorTarget[];
  limits: MirrorLimits;
  /** The run's one limiter: every request-heavy step of either engine takes its slots here. */
  limiter: HostLimiter;
  log: Logger;
  report: Report;
}

/** The plan as the engine asks for it: whole, or each repository's as soon as it is made. */
export interface Planning {
  all(): Promise<MirrorPlan>;
  each(onPlanned: (repository: RepositoryPlan) => void): Promise<RepositoryPlan[]>;
}

export interface EngineTotals {
  copied: number;
  unchanged: number;
  deleted: number;
  /** Refs of the failed items, in the order they failed. */
  failed: readonly string[];
  /** The engine's own part of the summary line (what moved, and how). */
  detail: string;
}

export interface MirrorEngine {
  /** After `mirror` in the run's lines: '' or ' (engine podman)'. */
  readonly label: string;
  /** Before preflight: what the engine itself needs; false when the run cannot go on (the report says why). */
  ready(): Promise<boolean>;
  /** The dry run: the plan as this engine would carry it out, reported by `report`; returns `unchanged`. */
  dryRun(plan: MirrorPlan, report: (plan: MirrorPlan) => number): Promise<number>;
  execute(planning: Planning): Promise<EngineTotals>;
  /** However the run ended. */
  close(): Promise<void>;
}
