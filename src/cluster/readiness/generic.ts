import { describeCondition, findCondition } from './conditions.js';
import { generationNotObserved, groupOf, hasStatus, kindOf, textAt } from './object-fields.js';
import type { KubeObject, ReadinessRule, Verdict } from './types.js';
import { deletionVerdict, failed, progressing, ready } from './verdicts.js';

/**
 * API groups served by the Kubernetes API server itself. Their kinds without a status (Endpoints, a
 * PodDisruptionBudget right after creation…) have nothing to wait for; a custom resource without a
 * status is only waiting for its controller.
 */
const BUILT_IN_GROUPS = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'rbac.authorization.k8s.io',
  'networking.k8s.io',
  'storage.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'node.k8s.io',
  'discovery.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'certificates.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'events.k8s.io',
  'resource.k8s.io',
]);

// Phase words controllers commonly use; kstatus ignores `status.phase`, which is why it calls NooBaa or a
// failed ObjectBucketClaim Current (apply-readiness.md §2.3).
const READY_PHASES = new Set([
  'Active',
  'Available',
  'Bound',
  'Complete',
  'Completed',
  'Healthy',
  'Ready',
  'Running',
  'Succeeded',
]);
const FAILED_PHASES = new Set(['Error', 'Failed', 'Rejected']);

/**
 * Any kind without a rule of its own, kstatus-like ([KS-status] Compute): deletion → observedGeneration
 * → Reconciling/Stalled → Ready → Available, plus Failed/Degraded conditions and common phase words.
 * Where kstatus ends in "Current" this differs on purpose: a custom resource whose controller has not
 * written any status yet is NOT ready (the helm#32066 race; apply-readiness.md §2.3, §5 goal 5).
 */
export const genericRule: ReadinessRule = {
  describe:
    'Ready/Available conditions and observedGeneration (kstatus-like); a custom resource needs a status',
  evaluate(object: KubeObject): Verdict {
    const deleting = deletionVerdict(object);
    if (deleting) return deleting;
    if (!hasStatus(object)) {
      if (BUILT_IN_GROUPS.has(groupOf(object))) return ready(`${kindOf(object)} has no status to wait for`);
      return progressing('no status yet: waiting for its controller', { awaitingFirstStatus: true });
    }
    if (generationNotObserved(object))
      return progressing('waiting for its controller to observe the new generation');
    const reconciling = findCondition(object, 'Reconciling');
    if (reconciling?.status === 'True') return progressing(describeCondition(reconciling));
    for (const type of ['Stalled', 'Failed', 'Degraded']) {
      const condition = findCondition(object, type);
      if (condition?.status === 'True') {
        return failed(describeCondition(condition), { terminal: false, since: condition.lastTransitionTime });
      }
    }
    for (const type of ['Ready', 'Available']) {
      const condition = findCondition(object, type);
      if (condition?.status === 'True') return ready(describeCondition(condition));
      if (condition) return progressing(describeCondition(condition));
    }
    const phase = textAt(object, 'status', 'phase');
    if (phase !== undefined) {
      if (READY_PHASES.has(phase)) return ready(`phase ${phase}`);
      if (FAILED_PHASES.has(phase)) return failed(`phase ${phase}`, { terminal: false });
      return progressing(`phase ${phase}`);
    }
    return ready('status reported, no readiness conditions');
  },
};
