import { errorMessage } from '../report/item-failure.js';
import type { Logger } from '../report/logger.js';
import type { Report } from '../report/report.js';

/** One write to Quay, described in the words the plan prints. */
export interface Step {
  /** `+ alice`, `role member → creator`, `− notification "CI"`. */
  says: string;
  /** The config key this step makes true, as the user wrote it (for errors). */
  keyPath: string;
  apply: () => Promise<void>;
  /** The later steps of the object need this one (creating the team before its members). */
  needed?: boolean;
  /** Steps to run next, planned from what Quay has once this one is done (a new repository's permissions). */
  followedBy?: () => Promise<Step[]>;
  /** Shown by a dry run only: what `followedBy` of an earlier step is expected to find to do. */
  predicted?: boolean;
}

/** Everything one declared object (a team, a repository, a notification, the quota) needs, in order. */
export interface ObjectPlan {
  /** Report reference, e.g. `platform-team/team/builders`. */
  ref: string;
  keyPath: string;
  kind: 'create' | 'change' | 'delete';
  steps: Step[];
}

export interface ApplyDeps {
  report: Report;
  log: Logger;
  dryRun: boolean;
}

/**
 * Reports one object: `unchanged` with no steps, `planned` with its steps in a dry run, otherwise each
 * step applied in order. A step that fails is named with its key path and the object's other steps go on
 * (unless a later step needs it); the report then says exactly which steps were done.
 */
export async function applyObjectPlan(plan: ObjectPlan, deps: ApplyDeps): Promise<void> {
  const { report, log } = deps;
  if (plan.steps.length === 0) {
    report.add({ ref: plan.ref, action: 'unchanged' });
    log.info(`${plan.ref}: unchanged`);
    return;
  }
  const says = plan.steps.map((s) => s.says).join('; ');
  if (deps.dryRun) {
    report.add({ ref: plan.ref, action: 'planned', detail: says });
    log.info(`${plan.ref}: would ${says}`);
    return;
  }
  const done: string[] = [];
  const failures: string[] = [];
  const queue = plan.steps.filter((s) => !s.predicted);
  for (let i = 0; i < queue.length; i++) {
    const step = queue[i] as Step;
    try {
      await step.apply();
      done.push(step.says);
      if (step.followedBy) queue.splice(i + 1, 0, ...(await step.followedBy()));
    } catch (error) {
      failures.push(`${step.keyPath}: ${step.says}: ${errorMessage(error)}`);
      if (step.needed) break;
    }
  }
  if (failures.length > 0) {
    const detail = done.length > 0 ? `done: ${done.join('; ')}` : 'nothing was changed';
    report.add({ ref: plan.ref, action: 'failed', detail, error: failures.join('; ') });
    log.error(`${plan.ref}: ${failures.join('; ')} (${detail})`);
    return;
  }
  const action = plan.kind === 'create' ? 'created' : plan.kind === 'delete' ? 'deleted' : 'updated';
  report.add({ ref: plan.ref, action, detail: done.join('; ') });
  log.info(`${plan.ref}: ${action} (${done.join('; ')})`);
}

/** An object that could not even be planned (its current state unreadable, or a declared value refused). */
export function reportUnplannable(ref: string, keyPath: string, error: unknown, deps: ApplyDeps): void {
  const message = `${keyPath}: ${errorMessage(error)}`;
  deps.report.add({ ref, action: 'failed', detail: 'nothing was changed', error: message });
  deps.log.error(`${ref}: ${message}`);
}
