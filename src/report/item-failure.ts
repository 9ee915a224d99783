import type { Logger } from './logger.js';
import type { Report } from './report.js';

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Records one item as failed (the run goes on with the others) and says so on stderr. */
export function recordItemFailure(deps: { report: Report; log: Logger }, ref: string, error: unknown): void {
  const message = errorMessage(error);
  deps.report.add({ ref, action: 'failed', error: message });
  deps.log.error(`${ref}: ${message}`);
}
