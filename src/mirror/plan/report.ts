/**
 * `--dry-run`: the plan as report items, nothing changed. Work to do is `planned` (copy, create, delete),
 * what already matches is `unchanged`, and what cannot be done (a missing source tag, an unreadable
 * repository) is `failed`, as it would be in a real run.
 */

import { recordItemFailure } from '../../report/item-failure.js';
import type { Logger } from '../../report/logger.js';
import type { Report } from '../../report/report.js';
import { destinationRef, type MirrorPlan, presenceKey } from './plan.js';

export function reportPlan(
  plan: MirrorPlan,
  context: { report: Report; log: Logger; sourceName: string; prune: boolean },
): { copies: number; unchanged: number } {
  const { report, log } = context;
  let copies = 0;
  let unchanged = 0;
  for (const organization of plan.organizations) {
    if (organization.exists) continue;
    const ref = `${organization.target}/${organization.organization}`;
    report.add({ ref, action: 'planned', detail: 'create organization' });
  }
  for (const repository of plan.repositories) {
    if (repository.error !== undefined) {
      recordItemFailure(context, `${context.sourceName}/${repository.sourcePath}`, repository.error);
      continue;
    }
    for (const tag of repository.missing) {
      recordItemFailure(
        context,
        `${context.sourceName}/${repository.sourcePath}:${tag}`,
        'the tag does not exist at the source',
      );
    }
    for (const destination of repository.destinations) {
      if (destination.error !== undefined) {
        for (const ref of repository.wanted)
          recordItemFailure(context, destinationRef(destination, ref), destination.error);
        continue;
      }
      if (destination.repositoryExists === false && destination.copy.length > 0) {
        report.add({
          ref: `${destination.target}/${destination.path}`,
          action: 'planned',
          detail: 'create repository',
        });
      }
      for (const ref of destination.copy) {
        const now = destination.present.get(presenceKey(ref));
        report.add({
          ref: destinationRef(destination, ref),
          action: 'planned',
          detail: `copy ${ref.digest} (destination: ${now ?? 'missing'})`,
        });
        copies += 1;
      }
      for (const ref of destination.unchanged) {
        report.add({ ref: destinationRef(destination, ref), action: 'unchanged', detail: ref.digest });
        unchanged += 1;
      }
      for (const ref of destination.prune) {
        report.add({
          ref: destinationRef(destination, ref),
          action: 'planned',
          detail: `delete ${ref.digest} (gone from the source)`,
        });
      }
      log.info(
        `plan: ${destination.target}/${destination.path}: ${destination.copy.length} to copy, ` +
          `${destination.unchanged.length} unchanged${context.prune ? `, ${destination.prune.length} to delete` : ''}`,
      );
    }
  }
  return { copies, unchanged };
}
