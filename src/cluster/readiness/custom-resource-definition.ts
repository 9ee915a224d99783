import { conditionIs, describeCondition, findCondition } from './conditions.js';
import type { KubeObject, ReadinessRule, Verdict } from './types.js';
import { deletionVerdict, failed, progressing, ready } from './verdicts.js';

/**
 * CustomResourceDefinition: Established=True and NamesAccepted=True, as kapp requires ([KAPP-crd]).
 * Unlike Helm, NamesAccepted=False is a failure: the kind will never be served (apply-readiness.md §2.1).
 */
export const customResourceDefinitionRule: ReadinessRule = {
  describe: 'conditions Established=True and NamesAccepted=True',
  evaluate(object: KubeObject): Verdict {
    const deleting = deletionVerdict(object);
    if (deleting) return deleting;
    const names = findCondition(object, 'NamesAccepted');
    if (names?.status === 'False') {
      return failed(describeCondition(names), { terminal: true, since: names.lastTransitionTime });
    }
    const nonStructural = findCondition(object, 'NonStructuralSchema');
    if (nonStructural?.status === 'True') {
      return failed(describeCondition(nonStructural), {
        terminal: true,
        since: nonStructural.lastTransitionTime,
      });
    }
    const established = findCondition(object, 'Established');
    if (established?.status === 'True' && names?.status === 'True')
      return ready('Established, names accepted');
    // kstatus: Established=False for any reason but Installing is a failure ([KS-core] CRDConditions).
    if (established?.status === 'False' && established.reason !== 'Installing') {
      return failed(describeCondition(established), {
        terminal: false,
        since: established.lastTransitionTime,
      });
    }
    if (established) return progressing(describeCondition(established));
    if (conditionIs(object, 'NamesAccepted', 'True'))
      return progressing('names accepted, not yet Established');
    return progressing('waiting for Established');
  },
};
