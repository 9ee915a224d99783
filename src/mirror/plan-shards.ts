/** The shard plan: the first task of the quay-mirror Pipeline (tekton/task-mirror-plan.yaml). */

import { openArchives } from './archives/open.js';
import { mirrorLimits } from './limits.js';
import type { MirrorRun } from './mirror-run.js';
import { selectRepositories } from './plan/collect.js';
import type { MirrorRestriction } from './plan/selection.js';
import { chooseShardCount, shardSizes, shardSpecs } from './shard/shard.js';
import { closeEndpoints, openEndpoint } from './sides/endpoint.js';
import { resolveRoles } from './sides/roles.js';
import { keepsPushTrigger, pushTriggerStep } from './trigger/push-trigger.js';

/**
 * `--plan-shards=N`: copies nothing. Resolves the selection as a run would (discovery included: reads
 * only), narrowed by --repository, and splits it into at most N shards, none empty (see
 * chooseShardCount). Results: `shards`, the JSON array of `I/N` values a matrix fans out over, and
 * `repositories`, how many were selected.
 */
export async function runShardPlan(
  context: MirrorRun,
  maxShards: number,
  restriction: MirrorRestriction,
): Promise<void> {
  const section = context.config['mirror-repos'];
  const { log, report } = context;
  const side = resolveRoles(section).source;
  const instance = context.config.quay[side.instance];
  if (!instance) throw new Error(`mirror-repos: no quay instance named ${side.instance}`);
  // Opening contacts nothing; only discovery reads (the instance's API or catalog).
  const endpoint = openEndpoint(side.instance, instance, {
    redactor: context.redactor,
    log,
    env: context.env,
    connectionsPerOrigin: mirrorLimits(section.concurrency).connectionsPerOrigin,
  });
  try {
    const opened = await openArchives(
      { source: { side, endpoint }, targets: [], endpoints: [endpoint] },
      { dryRun: true, log, report, listOnly: true },
    );
    if (!opened) return;
    const { selections, notSelected } = await selectRepositories(
      { section, source: { side, endpoint }, log },
      { repositories: restriction.repositories },
    );
    for (const path of notSelected) {
      log.warn(`plan: --repository ${path}: not selected by the config, skipped`);
      report.add({ ref: path, action: 'skipped', detail: 'not selected by the config' });
    }
    const paths = selections.map((selection) => selection.logicalPath);
    const count = chooseShardCount(paths, maxShards);
    const sizes = shardSizes(paths, count);
    log.info(`plan: ${paths.length} repositories in ${count} shard(s) (at most ${maxShards})`);
    shardSpecs(count).forEach((spec, i) => {
      const size = sizes[i] ?? 0;
      log.info(`plan: shard ${spec}: ${size} ${size === 1 ? 'repository' : 'repositories'}`);
      report.add({ ref: `shard ${spec}`, action: 'planned', detail: `${size} repositories` });
    });
    context.setResult('shards', JSON.stringify(shardSpecs(count)));
    context.setResult('repositories', String(paths.length));
    const trigger = section.pushTrigger;
    if (keepsPushTrigger(trigger, restriction))
      await pushTriggerStep(
        context,
        { side, endpoint },
        trigger,
        paths,
        mirrorLimits(section.concurrency).perHost,
      );
  } finally {
    await closeEndpoints([endpoint]);
  }
}
