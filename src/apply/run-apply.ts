/**
 * apply-ordered's engine: a manifest folder applied wave by wave (run-wave.ts), or its plan printed. The
 * variables are resolved first (variables.ts), and one server-side diff of the whole folder tells a re-run
 * on a finished cluster that nothing needs applying.
 */
import type { ClusterCli } from '../cluster/cluster-cli.js';
import { ClusterObjects } from '../cluster/cluster-objects.js';
import { checkCustomRules, ruleFor } from '../cluster/readiness/index.js';
import { ConfigError } from '../config/errors.js';
import type { ApplyOrderedConfig } from '../config/sections/apply-ordered.js';
import type { Logger } from '../report/logger.js';
import type { Report } from '../report/report.js';
import { readManifestFiles } from './manifest-files.js';
import { describeRef, refOf } from './manifest-ref.js';
import { runWave } from './run-wave.js';
import { variableUses, variableValues } from './variables.js';
import { buildWaves, type Wave } from './waves.js';

/** The entrypoint checks the variables too (--validate-config, --plan). */
export { undefinedVariables, variableUses } from './variables.js';

export interface ApplyDeps {
  /** Opens the cluster CLI; not called for --plan. */
  cluster: () => Promise<ClusterCli>;
  report: Report;
  log: Logger;
  dryRun: boolean;
  plan: boolean;
  env: NodeJS.ProcessEnv;
  now?: () => number;
}

/**
 * Applies a manifest folder wave by wave: every kind a wave uses must be served first (waiting for its
 * CRD, which an operator of an earlier wave may create), then the wave's objects are applied with
 * server-side apply and each is waited for by its readiness rule. Stops at the first wave that fails or
 * times out, naming every stuck object.
 */
export async function runApplyOrdered(
  directory: string,
  config: ApplyOrderedConfig,
  deps: ApplyDeps,
): Promise<void> {
  const now = deps.now ?? Date.now;
  const runDeadline = now() + config.timeouts.run * 1000;
  const files = readManifestFiles(directory);
  if (files.issues.length > 0) throw new ConfigError(files.issues);
  const rulesProblems = checkCustomRules(config.rules);
  if (rulesProblems.length > 0)
    throw new ConfigError(rulesProblems.map((message) => ({ path: 'apply-ordered.rules', message })));

  const used = variableUses(files.files);
  let opened: Promise<ClusterCli> | undefined;
  // The first use checks the cluster answers, so an unreachable one fails at once, naming why.
  const openCli = (): Promise<ClusterCli> => {
    opened ??= deps.cluster().then(async (c) => {
      await c.checkReachable();
      return c;
    });
    return opened;
  };
  const values = await variableValues(used, config, deps, openCli);
  const { waves, issues } = buildWaves(files.files, values);
  if (issues.length > 0) throw new ConfigError(issues);

  if (deps.plan) {
    printPlan(waves, config, deps);
    return;
  }
  const cli = await openCli();
  const objects = new ClusterObjects(cli);
  const unchanged = !deps.dryRun && (await folderUnchanged(waves, cli, config));
  if (unchanged) deps.log.info('apply-ordered: no object differs from the cluster; checking readiness only');
  for (const wave of waves) {
    const ok = await runWave(wave, { config, deps, cli, objects, runDeadline, now, unchanged });
    if (!ok) return;
  }
  deps.log.info(
    `apply-ordered: ${waves.length} waves${deps.dryRun ? ' checked (dry run)' : ' applied and ready'}`,
  );
}

/**
 * One server-side diff of the whole folder: true when applying would change nothing (a re-run on a
 * finished cluster), so no wave needs its apply. Any difference, a kind not served yet, a conflict or
 * other error: false, and the waves apply as usual.
 */
async function folderUnchanged(
  waves: readonly Wave[],
  cli: ClusterCli,
  config: ApplyOrderedConfig,
): Promise<boolean> {
  const items = waves.flatMap((wave) => wave.documents.map((doc) => doc.object));
  if (items.length === 0) return false;
  const args = ['diff', '--server-side', '--field-manager=quay-tasks', '-f', '-'];
  if (config.forceConflicts) args.push('--force-conflicts');
  const outcome = await cli.run(args, { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
  return outcome.exitCode === 0;
}

function printPlan(waves: readonly Wave[], config: ApplyOrderedConfig, deps: ApplyDeps): void {
  for (const wave of waves) {
    deps.log.info(`wave ${wave.prefix} (${wave.files.join(', ')}):`);
    for (const doc of wave.documents) {
      const label = describeRef(refOf(doc));
      const rule = ruleFor(doc.object, config.rules);
      deps.log.info(`  ${label} — waits for ${rule.describe}`);
      deps.report.add({
        ref: label,
        action: 'planned',
        detail: `wave ${wave.prefix}; waits for ${rule.describe}`,
      });
    }
  }
}
