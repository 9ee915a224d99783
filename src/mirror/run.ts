/**
 * The mirror-repos run: roles and endpoints from the config → preflight (DNS and TCP of every registry,
 * failing fast with the host named) → plan (reads only) → the plan as report items (dry run) or its
 * execution, each repository's copy starting as soon as its plan is made → results. Endpoints are closed
 * however it ends.
 */

import { HostLimiter } from '../concurrency/host-limiter.js';
import type { MirrorRun } from './mirror-run.js';
import { PlanExecution } from './native/execute.js';
import { formatBytes } from './outcome/progress.js';
import { collectPlan, planRepositories } from './plan/collect.js';
import { reportPlan } from './plan/report.js';
import type { MirrorRestriction } from './plan/selection.js';
import { runPodmanMirror } from './podman/engine.js';
import { closeEndpoints } from './sides/endpoint.js';
import { directionLine, openRunSides, preflightPassed } from './sides/open-sides.js';

export async function runMirror(context: MirrorRun, restriction: MirrorRestriction = {}): Promise<void> {
  const section = context.config['mirror-repos'];
  const { log, report } = context;
  if (section.engine === 'podman') {
    await runPodmanMirror(context, restriction);
    return;
  }
  const sides = openRunSides(context);
  const { source, targets } = sides;
  try {
    log.info(directionLine(sides, section.failover));
    if (!(await preflightPassed(context, sides))) return;

    const limiter = new HostLimiter(section.concurrency);
    const planContext = { section, source, targets, limiter, log, dryRun: context.dryRun, restriction };

    if (context.dryRun) {
      const plan = await collectPlan(planContext);
      const { unchanged } = reportPlan(plan, {
        report,
        log,
        sourceName: source.endpoint.name,
        prune: section.prune,
      });
      context.setResult('copied', '0');
      context.setResult('unchanged', String(unchanged));
      return;
    }

    // A repository's copy starts as soon as its plan is made, while the rest are still being read.
    const execution = new PlanExecution({
      section,
      source: source.endpoint,
      targets,
      limiter,
      log,
      report,
    });
    const repositories = await planRepositories(planContext, (repository) => execution.add(repository));
    const totals = await execution.finish(repositories);
    const t = totals.transfers;
    log.info(
      `mirror: ${totals.copied} copied, ${totals.unchanged} unchanged, ${totals.failed.length} failed` +
        `${section.prune ? `, ${totals.deleted} deleted` : ''}; blobs: ${t.uploads} uploaded ` +
        `(${formatBytes(t.bytesUploaded)} from ${t.sourceReads} source reads), ${t.mounts} mounted, ` +
        `${t.present} already there`,
    );
    if (totals.failed.length > 0) {
      log.error(`failed (${totals.failed.length}):\n  ${totals.failed.join('\n  ')}`);
    }
    context.setResult('copied', String(totals.copied));
    context.setResult('unchanged', String(totals.unchanged));
  } finally {
    await closeEndpoints(sides.endpoints);
  }
}
