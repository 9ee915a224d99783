/**
 * `engine: podman`: the original tool's pull/tag/push path, for users who must keep it. The run is the
 * native one up to the plan (roles and endpoints, preflight, collectPlan with the run's restriction, a dry
 * run reported by reportPlan); the plan is then read the podman way (podman-plan.ts: unchanged by image ID,
 * since podman push changes manifest digests) and carried out with podman (podman-copy.ts, sequential) in a
 * private sandbox (podman-sandbox.ts) removed however the run ends. Costs, logged once per run: one
 * platform of a multi-arch image (this host's), new manifest digests, no cosign signatures, and slower
 * than native, which stays the default. podman is `podman` from PATH.
 */

import { HostLimiter } from '../../concurrency/host-limiter.js';
import type { MirrorRun } from '../mirror-run.js';
import { collectPlan } from '../plan/collect.js';
import { reportPlan } from '../plan/report.js';
import type { MirrorRestriction } from '../plan/selection.js';
import { closeEndpoints } from '../sides/endpoint.js';
import { directionLine, openRunSides, preflightPassed } from '../sides/open-sides.js';
import { PodmanAccess, tlsModeOf } from './access.js';
import { copyWithPodman } from './copy.js';
import { ImageIds, platformText } from './image-id.js';
import { podmanPlan, recordNotCopied } from './plan.js';
import { failureText, PodmanSandbox, runPodmanBare } from './sandbox.js';

const PODMAN = 'podman';

export async function runPodmanMirror(
  context: MirrorRun,
  restriction: MirrorRestriction = {},
): Promise<void> {
  const section = context.config['mirror-repos'];
  const { log, report } = context;
  const sides = openRunSides(context);
  const { source, targets, endpoints } = sides;
  let sandbox: PodmanSandbox | undefined;
  try {
    log.info(directionLine(sides, section.failover, ' (engine podman)'));
    const images = new ImageIds(new HostLimiter(section.concurrency));
    log.info(
      `engine podman: pull/tag/push copies one platform of a multi-arch image (${platformText(images.platform)}, ` +
        "this host's) and recompresses layers, so destination manifest digests differ from the source's " +
        '(tags are judged unchanged by image ID); engine: native, the default, copies every platform ' +
        'byte-exact and faster',
    );

    const found = await findPodman(context.env);
    if (!found.ok) {
      if (!context.dryRun) {
        report.fail(found.message);
        return;
      }
      log.warn(`${found.message} (the dry run goes on: it needs no podman)`);
    } else log.info(`engine podman: ${found.version}`);

    if (!(await preflightPassed(context, sides))) return;

    const limiter = new HostLimiter(section.concurrency);
    const plan = await collectPlan({
      section,
      source,
      targets,
      limiter,
      log,
      dryRun: context.dryRun,
      restriction,
    });
    const judged = await podmanPlan(plan, {
      source: source.endpoint,
      targets,
      images,
      log,
      concurrency: section.concurrency,
    });

    if (context.dryRun) {
      const { unchanged } = reportPlan(judged.plan, {
        report,
        log,
        sourceName: source.endpoint.name,
        prune: section.prune,
      });
      recordNotCopied(judged.notCopied, { report, log });
      context.setResult('copied', '0');
      context.setResult('unchanged', String(unchanged));
      return;
    }

    const insecureHosts = endpoints.flatMap((endpoint) => {
      const instance = context.config.quay[endpoint.name];
      return instance && tlsModeOf(instance).kind === 'insecure' ? [endpoint.host] : [];
    });
    sandbox = new PodmanSandbox({ binary: PODMAN, env: context.env, insecureHosts });
    log.debug(`engine podman: storage, configuration and logins in ${sandbox.dir} (removed at the end)`);
    const access = new PodmanAccess({
      sandbox,
      instances: context.config.quay,
      log,
      redactor: context.redactor,
      env: context.env,
      concurrency: section.concurrency,
    });
    const totals = await copyWithPodman(judged.plan, judged.notCopied, {
      section,
      source: source.endpoint,
      targets,
      limiter,
      log,
      report,
      redactor: context.redactor,
      sandbox,
      access,
      images,
    });
    const perTag =
      totals.pushes > 0 ? `, ${(totals.podmanSeconds / totals.pushes).toFixed(1)} s per tag` : '';
    log.info(
      `mirror (engine podman): ${totals.copied} copied, ${totals.unchanged} unchanged, ` +
        `${totals.failed.length} failed${section.prune ? `, ${totals.deleted} deleted` : ''}; ` +
        `podman: ${totals.pulls} pulled, ${totals.pushes} pushed in ${totals.podmanSeconds.toFixed(1)} s${perTag}`,
    );
    if (totals.failed.length > 0) {
      log.error(`failed (${totals.failed.length}):\n  ${totals.failed.join('\n  ')}`);
    }
    context.setResult('copied', String(totals.copied));
    context.setResult('unchanged', String(totals.unchanged));
  } finally {
    await sandbox?.remove().catch((error: unknown) => {
      log.warn(`engine podman: removing ${sandbox?.dir} failed: ${(error as Error).message}`);
    });
    await closeEndpoints(endpoints);
  }
}

/** Is podman there and does it run? The message of a failure says how to get it. */
async function findPodman(
  env: NodeJS.ProcessEnv,
): Promise<{ ok: true; version: string } | { ok: false; message: string }> {
  const result = await runPodmanBare(PODMAN, ['--version'], env);
  if (result.exitCode === 0) return { ok: true, version: result.stdout.trim() };
  const how =
    'install podman where mirror-repos runs (Debian/Ubuntu: apt-get install podman; RHEL/Fedora/UBI: ' +
    'dnf install podman), or use engine: native (the default), which needs no podman';
  if (result.spawnError?.code === 'ENOENT') {
    return { ok: false, message: `engine podman: podman was not found on PATH; ${how}` };
  }
  return { ok: false, message: `engine podman: ${failureText('--version', result)}; ${how}` };
}
