import { conditionsOf, describeCondition } from './conditions.js';
import { textAt } from './object-fields.js';
import type { KubeObject, ReadinessRule, Verdict } from './types.js';
import { failed, progressing, ready } from './verdicts.js';

/** Conditions that explain a stuck delete ([K8S-core], apply-readiness.md §2.1 Namespace). */
const DELETE_TROUBLE = new Set([
  'NamespaceDeletionContentFailure',
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
]);

/** Namespace, and OpenShift's Project view of it: `status.phase` Active (apply-readiness.md §2.1). */
export const namespaceRule: ReadinessRule = {
  describe: 'status.phase Active',
  evaluate(object: KubeObject): Verdict {
    const phase = textAt(object, 'status', 'phase');
    const deleted = textAt(object, 'metadata', 'deletionTimestamp');
    if (phase === 'Terminating' || deleted !== undefined) {
      const trouble = conditionsOf(object)
        .filter((condition) => DELETE_TROUBLE.has(condition.type) && condition.status === 'True')
        .map(describeCondition);
      // Nothing applied into a namespace that is being deleted can become ready: stop now.
      return failed(`Terminating${trouble.length > 0 ? ` (${trouble.join('; ')})` : ''}`, {
        terminal: true,
        since: deleted,
      });
    }
    if (phase === 'Active') return ready('Active');
    return progressing(phase ? `phase ${phase}` : 'waiting for phase Active');
  },
};
