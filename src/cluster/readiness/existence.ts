import type { KubeObject, ReadinessRule, Verdict } from './types.js';
import { deletionVerdict, ready } from './verdicts.js';

/**
 * Kinds without a status to wait for: done once the apply succeeded (kapp, Argo and kstatus agree,
 * apply-readiness.md §1 "Generic readiness rules"). Keyed "group/Kind"; '' is the core group.
 */
export const EXISTENCE_KINDS: readonly string[] = [
  '/ConfigMap',
  '/Secret',
  '/ServiceAccount',
  '/LimitRange',
  'rbac.authorization.k8s.io/Role',
  'rbac.authorization.k8s.io/RoleBinding',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'storage.k8s.io/StorageClass',
  'scheduling.k8s.io/PriorityClass',
  'networking.k8s.io/NetworkPolicy',
  'networking.k8s.io/IngressClass',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  // kapp: a CronJob is done at once; its Jobs come on schedule.
  'batch/CronJob',
  'security.openshift.io/SecurityContextConstraints',
];

export const existenceRule: ReadinessRule = {
  describe: 'exists',
  evaluate(object: KubeObject): Verdict {
    return deletionVerdict(object) ?? ready('exists');
  },
};
