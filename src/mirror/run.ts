/**
 * THE mirror-repos run, for either engine: roles and endpoints from the config → the engine's own needs
 * (podman on PATH) → preflight (DNS and TCP of every registry, failing fast with the host named) → the
 * oci-layout ends opened (a source archive verified) → plan
 * (reads only) → the plan as report items (dry run) or the engine carrying it out → summary and results,
 * archives finished (index.json, volumes, receipt), the `shard-report` result (this run as one JSON value, which the quay-mirror Pipeline adds up) in every
 * outcome. The limits are built here once from `concurrency`, with the one HostLimiter both engines share.
 * Endpoints are closed however it ends.
 */

import { HostLimiter } from '../concurrency/host-limiter.js';
import { finishArchives } from './archives/finish.js';
import { openArchives } from './archives/open.js';
import { CLUSTER_RESOURCES_RESULT, clusterResourcesStep } from './cluster-resources/step.js';
import type { ExecuteContext, MirrorEngine, Planning } from './engine.js';
import { mirrorLimits } from './limits.js';
import type { MirrorRun } from './mirror-run.js';
import { nativeEngine } from './native/engine.js';
import { collectPlan, type PlanContext, planRepositories } from './plan/collect.js';
import type { RepositoryPlan } from './plan/plan.js';
import { reportPlan } from './plan/report.js';
import type { MirrorRestriction } from './plan/selection.js';
import { runShardPlan } from './plan-shards.js';
import { podmanEngine } from './podman/engine.js';
import type { MirrorRequest } from './request.js';
import { buildShardReport } from './shard/shard-report.js';
import { closeEndpoints } from './sides/endpoint.js';
import { directionLine, openRunSides, preflightPassed } from './sides/open-sides.js';
import { keepsPushTrigger, pushTriggerStep } from './trigger/push-trigger.js';

/** A mirror-repos run as its task asks for it: the shard plan (--plan-shards) or the mirror. */
export function runMirrorRequest(context: MirrorRun, request: MirrorRequest): Promise<void> {
  return request.planShards === undefined
    ? runMirror(context, request.restriction)
    : runShardPlan(context, request.planShards, request.restriction);
}

export async function runMirror(context: MirrorRun, restriction: MirrorRestriction = {}): Promise<void> {
  const set = new Map<string, string>();
  let repositories = 0;
  const counted: MirrorRestriction = {
    ...restriction,
    onSelected: (paths) => {
      repositories = paths.length;
    },
  };
  const recording: MirrorRun = {
    ...context,
    setResult: (name, value) => {
      set.set(name, value);
      context.setResult(name, value);
    },
  };
  let error: string | undefined;
  try {
    await mirror(recording, counted);
  } catch (thrown) {
    error = thrown instanceof Error ? thrown.message : String(thrown);
    throw thrown;
  } finally {
    // copied/unchanged even when the run stopped early (preflight, a thrown error): from the report.
    const countOf = (action: string) => context.report.items.filter((i) => i.action === action).length;
    const copied = Number(set.get('copied') ?? countOf('copied'));
    const unchanged = Number(set.get('unchanged') ?? countOf('unchanged'));
    if (!set.has('copied')) context.setResult('copied', String(copied));
    if (!set.has('unchanged')) context.setResult('unchanged', String(unchanged));
    if (!set.has(CLUSTER_RESOURCES_RESULT)) context.setResult(CLUSTER_RESOURCES_RESULT, '');
    context.setResult(
      'shard-report',
      buildShardReport({
        shard: restriction.shard,
        repositories,
        copied,
        unchanged,
        report: context.report,
        error,
      }),
    );
  }
}

async function mirror(context: MirrorRun, restriction: MirrorRestriction): Promise<void> {
  const section = context.config['mirror-repos'];
  const { log, report } = context;
  const limits = mirrorLimits(section.concurrency);
  const limiter = new HostLimiter(limits.perHost);
  const sides = openRunSides(context, limits);
  const { source, targets } = sides;
  const execute: ExecuteContext = { section, source: source.endpoint, targets, limits, limiter, log, report };
  const engine: MirrorEngine =
    section.engine === 'podman' ? podmanEngine(execute, context, sides.endpoints) : nativeEngine(execute);
  try {
    log.info(directionLine(sides, section.failover, engine.label));
    if (!(await engine.ready())) return;
    if (!(await preflightPassed(context, sides))) return;
    const shard = restriction.shard;
    if (!(await openArchives(sides, { dryRun: context.dryRun, log, report, shard }))) return;
    const archives = (repositories: readonly RepositoryPlan[], failed: number) =>
      finishArchives(
        { source: source.endpoint, targets, repositories, failed, whole: wholeSelection(restriction), shard },
        { dryRun: context.dryRun, log, report },
      );

    let selected: readonly string[] = [];
    const seen: MirrorRestriction = {
      ...restriction,
      onSelected: (paths) => {
        selected = paths;
        restriction.onSelected?.(paths);
      },
    };
    const trigger = section.pushTrigger;
    const keepTrigger = () =>
      keepsPushTrigger(trigger, restriction)
        ? pushTriggerStep(context, source, trigger, selected, limits.perHost)
        : Promise.resolve();
    const planContext: PlanContext = {
      section,
      source,
      targets,
      limits,
      limiter,
      log,
      dryRun: context.dryRun,
      restriction: seen,
    };
    const clusterResources = (repositories: readonly RepositoryPlan[]) =>
      clusterResourcesStep(context, { repositories, source: source.endpoint, targets, restriction });
    if (context.dryRun) {
      const plan = await collectPlan(planContext);
      const unchanged = await engine.dryRun(
        plan,
        (plan) =>
          reportPlan(plan, { report, log, sourceName: source.endpoint.name, prune: section.prune }).unchanged,
      );
      context.setResult('copied', '0');
      context.setResult('unchanged', String(unchanged));
      await archives(plan.repositories, 0);
      await clusterResources(plan.repositories);
      await keepTrigger();
      return;
    }

    // The plans the engine asked for, whichever way: the cluster resources are made from them.
    let planned: readonly RepositoryPlan[] = [];
    const planning: Planning = {
      all: async () => {
        const plan = await collectPlan(planContext);
        planned = plan.repositories;
        return plan;
      },
      each: async (onPlanned) => {
        const repositories = await planRepositories(planContext, onPlanned);
        planned = repositories;
        return repositories;
      },
    };
    const totals = await engine.execute(planning);
    log.info(
      `mirror${engine.label}: ${totals.copied} copied, ${totals.unchanged} unchanged, ${totals.failed.length} failed` +
        `${section.prune ? `, ${totals.deleted} deleted` : ''}; ${totals.detail}`,
    );
    if (totals.failed.length > 0) {
      log.error(`failed (${totals.failed.length}):\n  ${totals.failed.join('\n  ')}`);
    }
    context.setResult('copied', String(totals.copied));
    context.setResult('unchanged', String(totals.unchanged));
    await archives(planned, totals.failed.length);
    await clusterResources(planned);
    await keepTrigger();
  } finally {
    await engine.close();
    await closeEndpoints(sides.endpoints);
  }
}

/** A run that saw the config's whole selection: no --repository, --tags or --shard narrowed it. */
function wholeSelection(restriction: MirrorRestriction): boolean {
  return (
    restriction.repositories === undefined &&
    restriction.tags === undefined &&
    restriction.shard === undefined
  );
}
