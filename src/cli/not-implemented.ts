import type { SectionName } from '../config/document.js';
import type { TaskContext } from './task.js';

/**
 * The foundation release validates configuration and plans, but does not act yet. A run without
 * --dry-run says so and fails (exit 1) rather than pretend success; nothing is changed either way.
 */
export function reportPlanOnly<S extends SectionName>(
  context: TaskContext<S>,
  refs: readonly string[],
  detail: string,
): void {
  for (const ref of refs) context.report.add({ ref, action: 'planned', detail });
  for (const ref of refs) context.log.info(`plan: ${ref} — ${detail}`);
  if (!context.dryRun) {
    context.report.fail(
      `${context.report.task}: this version validates the configuration and plans only; the operation itself is not implemented yet. Nothing was changed (use --dry-run to see the plan).`,
    );
  }
}
