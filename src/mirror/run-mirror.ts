/**
 * The mirror-repos run: roles and endpoints from the config → preflight (DNS and TCP of every registry,
 * failing fast with the host named) → plan (reads only) → the plan as report items (dry run) or its
 * execution, each repository's copy starting as soon as its plan is made → results. Endpoints are closed
 * however it ends.
 */
import type { TaskContext } from '../cli/task.js';
import { collectPlan, type MirrorTarget, planRepositories } from './collect-plan.js';
import { closeEndpoints, type Endpoint, openEndpoint } from './endpoint.js';
import { PlanExecution } from './execute.js';
import { HostLimiter } from './host-limiter.js';
import { preflight } from './preflight.js';
import { formatBytes } from './progress.js';
import { reportPlan } from './report-plan.js';
import type { MirrorRestriction } from './repository-selection.js';
import { resolveRoles } from './roles.js';

type MirrorContext = TaskContext<'quay' | 'mirror-repos'>;

export async function runMirror(context: MirrorContext, restriction: MirrorRestriction = {}): Promise<void> {
  const section = context.config['mirror-repos'];
  const { log, report } = context;
  if (section.engine === 'podman') {
    report.add({
      ref: 'engine: podman',
      action: 'failed',
      error: 'the podman engine is not implemented in this version; use engine: native (the default)',
    });
    return;
  }
  const roles = resolveRoles(section);
  const endpoints = new Map<string, Endpoint>();
  const endpointFor = (name: string) => {
    let endpoint = endpoints.get(name);
    if (!endpoint) {
      const instance = context.config.quay[name];
      if (!instance) throw new Error(`mirror-repos: no quay instance named ${name}`);
      endpoint = openEndpoint(name, instance, {
        redactor: context.redactor,
        log,
        env: context.env,
        concurrency: section.concurrency,
      });
      endpoints.set(name, endpoint);
    }
    return endpoint;
  };
  try {
    const source = { side: roles.source, endpoint: endpointFor(roles.source.instance) };
    const targets: MirrorTarget[] = roles.targets.map((side) => ({
      side,
      endpoint: endpointFor(side.instance),
    }));
    log.info(
      `mirror: ${source.endpoint.name} → ${targets.map((t) => t.endpoint.name).join(', ')}` +
        `${section.failover ? ' (failover)' : ''}`,
    );

    if (section.preflight?.enabled ?? true) {
      const checked = await preflight([...endpoints.values()], section.preflight?.timeout ?? 5);
      for (const line of checked.lines) log.debug(line);
      if (checked.failures.length > 0) {
        report.fail(`preflight failed, nothing was copied:\n  ${checked.failures.join('\n  ')}`);
        return;
      }
    }

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
    await closeEndpoints(endpoints.values());
  }
}
