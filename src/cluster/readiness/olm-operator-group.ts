import { conditionsOf, describeCondition } from './conditions.js';
import { arrayAt } from './object-fields.js';
import type { KubeObject, ReadinessRule, Verdict } from './types.js';
import { deletionVerdict, failed, progressing, ready } from './verdicts.js';

/** Both are set True by OLM's operatorgroup controller when something is wrong ([OLM-og], [OLM-ogctl]). */
const TROUBLE = new Set(['MultipleOperatorGroup', 'OperatorGroupServiceAccount']);

/**
 * OperatorGroup: OLM has resolved its target namespaces into `status.namespaces` (`[""]` = all
 * namespaces). Not "ready on existence": a second OperatorGroup in the namespace makes every CSV fail
 * with TooManyOperatorGroups, and this is where that shows first (apply-readiness.md §2.1).
 */
export const operatorGroupRule: ReadinessRule = {
  describe: 'status.namespaces resolved, no MultipleOperatorGroup',
  evaluate(object: KubeObject): Verdict {
    const deleting = deletionVerdict(object);
    if (deleting) return deleting;
    const trouble = conditionsOf(object).find(
      (condition) => TROUBLE.has(condition.type) && condition.status === 'True',
    );
    // Not terminal: the other OperatorGroup (or the missing ServiceAccount) may be fixed in the same wave.
    if (trouble)
      return failed(describeCondition(trouble), { terminal: false, since: trouble.lastTransitionTime });
    const namespaces = arrayAt(object, 'status', 'namespaces').filter(
      (n): n is string => typeof n === 'string',
    );
    if (namespaces.length === 0) return progressing('waiting for OLM to resolve its target namespaces');
    if (namespaces.includes('')) return ready('targets all namespaces');
    return ready(`targets ${namespaces.join(', ')}`);
  },
};
