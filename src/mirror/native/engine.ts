/**
 * `engine: native`, the default: byte-exact copies over the OCI distribution API. Each repository's copy
 * starts as soon as its plan is made, while the rest are still being read (PlanExecution).
 */

import { formatBytes } from '../../report/format-bytes.js';
import type { EngineTotals, ExecuteContext, MirrorEngine } from '../engine.js';
import { PlanExecution } from './execute.js';

export function nativeEngine(context: ExecuteContext): MirrorEngine {
  return {
    label: '',
    ready: async () => true,
    dryRun: async (plan, report) => report(plan),
    async execute(planning): Promise<EngineTotals> {
      const execution = new PlanExecution(context);
      const repositories = await planning.each((repository) => execution.add(repository));
      const totals = await execution.finish(repositories);
      const t = totals.transfers;
      return {
        ...totals,
        detail:
          `blobs: ${t.uploads} uploaded (${formatBytes(t.bytesUploaded)} from ${t.sourceReads} source reads), ` +
          `${t.mounts} mounted, ${t.present} already there`,
      };
    },
    close: async () => {},
  };
}
