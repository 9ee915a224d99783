import { nameOf, recordsAt, shortMessage, textAt } from './object-fields.js';
import type { KubeObject, ReadinessRule, Verdict } from './types.js';
import { deletionVerdict, failed, progressing, ready } from './verdicts.js';

export const OLM_API = 'operators.coreos.com/v1alpha1';

function unmetRequirements(csv: KubeObject): string[] {
  return recordsAt(csv, 'status', 'requirementStatus')
    .filter((requirement) => textAt(requirement, 'status') !== 'Present')
    .map((requirement) =>
      `${textAt(requirement, 'kind') ?? '?'} ${textAt(requirement, 'name') ?? '?'} ${textAt(requirement, 'status') ?? ''}`.trim(),
    );
}

/**
 * ClusterServiceVersion by `status.phase`; also used by the Subscription rule for the CSVs it reads.
 * `Failed` is retried by OLM for most reasons (Failed → Pending once the cause is fixed), so it gets a
 * grace period from `status.lastTransitionTime`; the `…NoRetry` reasons are terminal ([OLM-csvctl],
 * apply-readiness.md §2.1 ClusterServiceVersion).
 */
export function clusterServiceVersionVerdict(csv: KubeObject): Verdict {
  const phase = textAt(csv, 'status', 'phase');
  const reason = textAt(csv, 'status', 'reason');
  const detail = [reason, shortMessage(textAt(csv, 'status', 'message'))].filter((part) => part).join(': ');
  const label = `CSV ${nameOf(csv)} ${phase ?? 'has no phase yet'}`;
  if (phase === 'Succeeded') return ready(label);
  if (phase === 'Failed') {
    return failed(`${label}${detail ? ` (${detail})` : ''}`, {
      terminal: reason?.endsWith('NoRetry') ?? false,
      since: textAt(csv, 'status', 'lastTransitionTime'),
    });
  }
  const unmet = phase === 'Pending' ? unmetRequirements(csv) : [];
  if (unmet.length > 0) {
    const shown = unmet.slice(0, 3).join(', ') + (unmet.length > 3 ? `, +${unmet.length - 3} more` : '');
    return progressing(`${label} (${reason ?? 'RequirementsNotMet'}: ${shown})`);
  }
  return progressing(`${label}${detail ? ` (${detail})` : ''}`);
}

export const clusterServiceVersionRule: ReadinessRule = {
  describe: 'status.phase Succeeded',
  evaluate(object: KubeObject): Verdict {
    return deletionVerdict(object) ?? clusterServiceVersionVerdict(object);
  },
};
