/**
 * `engine: podman`: the original tool's pull/tag/push path, for users who must keep it. The run is the
 * native one up to the plan (src/mirror/run.ts); the whole plan is then read the podman way (plan.ts:
 * unchanged by image ID, since podman push changes manifest digests) and carried out with podman (copy.ts,
 * sequential) in a private sandbox (sandbox.ts) removed however the run ends. Costs, logged once per run: one
 * platform of a multi-arch image (this host's), new manifest digests, no cosign signatures, and slower
 * than native, which stays the default. podman is `podman` from PATH.
 */

import type { EngineTotals, ExecuteContext, MirrorEngine } from '../engine.js';
import type { MirrorRun } from '../mirror-run.js';
import type { Endpoint } from '../sides/endpoint.js';
import { PodmanAccess, tlsModeOf } from './access.js';
import { copyWithPodman } from './copy.js';
import { ImageIds, platformText } from './image-id.js';
import { podmanPlan, recordNotCopied } from './plan.js';
import { failureText, PodmanSandbox, runPodmanBare } from './sandbox.js';

const PODMAN = 'podman';

/** `run`: the parts of the run podman needs besides the plan (environment, instances, secrets, dry run). */
export function podmanEngine(
  context: ExecuteContext,
  run: Pick<MirrorRun, 'config' | 'dryRun' | 'env' | 'redactor'>,
  endpoints: readonly Endpoint[],
): MirrorEngine {
  const { log, report, source, targets } = context;
  const images = new ImageIds(context.limiter);
  const judge = (plan: Parameters<typeof podmanPlan>[0]) =>
    podmanPlan(plan, { source, targets, images, log, poolWidth: context.limits.poolWidth });
  let sandbox: PodmanSandbox | undefined;
  return {
    label: ' (engine podman)',
    async ready() {
      log.info(
        `engine podman: pull/tag/push copies one platform of a multi-arch image (${platformText(images.platform)}, ` +
          "this host's) and recompresses layers, so destination manifest digests differ from the source's " +
          '(tags are judged unchanged by image ID); engine: native, the default, copies every platform ' +
          'byte-exact and faster',
      );
      const found = await findPodman(run.env);
      if (found.ok) {
        log.info(`engine podman: ${found.version}`);
        return true;
      }
      if (!run.dryRun) {
        report.fail(found.message);
        return false;
      }
      log.warn(`${found.message} (the dry run goes on: it needs no podman)`);
      return true;
    },
    async dryRun(plan, reportPlan) {
      const judged = await judge(plan);
      const unchanged = reportPlan(judged.plan);
      recordNotCopied(judged.notCopied, { report, log });
      return unchanged;
    },
    async execute(planning): Promise<EngineTotals> {
      const judged = await judge(await planning.all());
      const insecureHosts = endpoints.flatMap((endpoint) => {
        const instance = run.config.quay[endpoint.name];
        return instance && instance.type !== 'oci-layout' && tlsModeOf(instance).kind === 'insecure'
          ? [endpoint.host]
          : [];
      });
      sandbox = new PodmanSandbox({ binary: PODMAN, env: run.env, insecureHosts });
      log.debug(`engine podman: storage, configuration and logins in ${sandbox.dir} (removed at the end)`);
      const access = new PodmanAccess({
        sandbox,
        // check-config.ts refuses oci-layout instances with this engine.
        instances: Object.fromEntries(
          Object.entries(run.config.quay).flatMap(([name, i]) =>
            i.type === 'oci-layout' ? [] : [[name, i]],
          ),
        ),
        log,
        redactor: run.redactor,
        env: run.env,
      });
      const totals = await copyWithPodman(judged.plan, judged.notCopied, {
        ...context,
        redactor: run.redactor,
        sandbox,
        access,
        images,
      });
      const perTag =
        totals.pushes > 0 ? `, ${(totals.podmanSeconds / totals.pushes).toFixed(1)} s per tag` : '';
      return {
        ...totals,
        detail: `podman: ${totals.pulls} pulled, ${totals.pushes} pushed in ${totals.podmanSeconds.toFixed(1)} s${perTag}`,
      };
    },
    async close() {
      const dir = sandbox?.dir;
      await sandbox?.remove().catch((error: unknown) => {
        log.warn(`engine podman: removing ${dir} failed: ${(error as Error).message}`);
      });
    },
  };
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
