import type { ConfigFor } from '../config/document.js';
import type { Logger } from '../report/logger.js';
import type { Report } from '../report/report.js';
import type { Redactor } from '../secrets/redactor.js';

/**
 * What a mirror run is given: the parts of the task's context it uses, typed from the floors below the
 * engine, so that src/mirror/ does not reach up into src/cli/. A TaskContext is one (structurally).
 */
export interface MirrorRun {
  config: ConfigFor<'quay' | 'cluster' | 'mirror-repos'>;
  dryRun: boolean;
  log: Logger;
  report: Report;
  redactor: Redactor;
  env: NodeJS.ProcessEnv;
  /** A small named result for Tekton and GitHub Actions. */
  setResult(name: string, value: string): void;
}
