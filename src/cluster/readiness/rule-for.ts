import { customResourceDefinitionRule } from './custom-resource-definition.js';
import {
  annotationClauses,
  brokenRule,
  type CustomReadinessRule,
  clauseRule,
  clausesOfRule,
  READY_WHEN_ANNOTATION,
  rulesMatching,
  withFailureClauses,
} from './custom-rules.js';
import { EXISTENCE_KINDS, existenceRule } from './existence.js';
import { genericRule } from './generic.js';
import { jobRule } from './job.js';
import { machineSetRule } from './machine-set.js';
import { namespaceRule } from './namespace.js';
import { noobaaRule, objectBucketClaimRule } from './noobaa.js';
import { groupOf, kindOf } from './object-fields.js';
import { catalogSourceRule } from './olm-catalog-source.js';
import { clusterServiceVersionRule } from './olm-cluster-service-version.js';
import { installPlanRule } from './olm-install-plan.js';
import { operatorGroupRule } from './olm-operator-group.js';
import { subscriptionRule } from './olm-subscription.js';
import { persistentVolumeClaimRule } from './persistent-volume-claim.js';
import { podRule } from './pod.js';
import { quayRegistryRule } from './quay-registry.js';
import { daemonSetRule, deploymentRule, statefulSetRule } from './rollout.js';
import { serviceRule } from './service.js';
import { storageClusterRule } from './storage-cluster.js';
import type { KubeObject, ReadinessContext, ReadinessRule, Verdict } from './types.js';

/** Keyed "group/Kind" (the version does not matter; '' is the core group). */
const BUILT_IN_RULES: ReadonlyMap<string, ReadinessRule> = new Map<string, ReadinessRule>([
  ['/Namespace', namespaceRule],
  ['project.openshift.io/Project', namespaceRule],
  ['apiextensions.k8s.io/CustomResourceDefinition', customResourceDefinitionRule],
  ['apps/Deployment', deploymentRule],
  ['apps/StatefulSet', statefulSetRule],
  ['apps/DaemonSet', daemonSetRule],
  ['batch/Job', jobRule],
  ['/Pod', podRule],
  ['/PersistentVolumeClaim', persistentVolumeClaimRule],
  ['/Service', serviceRule],
  ['operators.coreos.com/Subscription', subscriptionRule],
  ['operators.coreos.com/ClusterServiceVersion', clusterServiceVersionRule],
  ['operators.coreos.com/InstallPlan', installPlanRule],
  ['operators.coreos.com/OperatorGroup', operatorGroupRule],
  ['operators.coreos.com/CatalogSource', catalogSourceRule],
  ['ocs.openshift.io/StorageCluster', storageClusterRule],
  ['noobaa.io/NooBaa', noobaaRule],
  ['noobaa.io/BackingStore', noobaaRule],
  ['objectbucket.io/ObjectBucketClaim', objectBucketClaimRule],
  ['quay.redhat.com/QuayRegistry', quayRegistryRule],
  ['machine.openshift.io/MachineSet', machineSetRule],
  ...EXISTENCE_KINDS.map((key): [string, ReadinessRule] => [key, existenceRule]),
]);

export function builtInRuleFor(object: KubeObject): ReadinessRule | undefined {
  return BUILT_IN_RULES.get(`${groupOf(object)}/${kindOf(object)}`);
}

/**
 * The rule that decides when `object` is ready, most specific first: the object's
 * `quay-tasks.io/ready-when` annotation, then the config's rules for its kind (all of them must hold),
 * then the built-in rule for its kind, then the kstatus-like generic rule. A `quay-tasks.io/failed-when`
 * annotation adds failure checks to whichever rule is chosen. A rule that cannot be built (bad syntax)
 * comes back as one that fails with the reason, so the plan can show it before anything is applied.
 */
export function ruleFor(object: KubeObject, customRules: readonly CustomReadinessRule[] = []): ReadinessRule {
  const annotations = annotationClauses(object);
  if (annotations && 'problem' in annotations) return brokenRule(annotations.problem);
  if (annotations && annotations.readyWhen.length > 0) {
    return clauseRule(annotations.readyWhen, annotations.failedWhen, `annotation ${READY_WHEN_ANNOTATION}`);
  }
  let rule: ReadinessRule;
  const configured = rulesMatching(object, customRules);
  if (configured.length > 0) {
    try {
      const clauses = configured.flatMap(clausesOfRule);
      if (clauses.length === 0)
        return brokenRule(`config rule for ${kindOf(object)}: set condition or jsonPath`);
      rule = clauseRule(clauses, [], `config rule for ${kindOf(object)}`);
    } catch (error) {
      return brokenRule(
        `config rule for ${kindOf(object)}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  } else {
    rule = builtInRuleFor(object) ?? genericRule;
  }
  return annotations && annotations.failedWhen.length > 0
    ? withFailureClauses(rule, annotations.failedWhen)
    : rule;
}

export interface EvaluateOptions extends ReadinessContext {
  customRules?: readonly CustomReadinessRule[];
}

/** `ruleFor(object, customRules).evaluate(object, context)` in one call. */
export function evaluateReadiness(object: KubeObject, options: EvaluateOptions = {}): Verdict {
  return ruleFor(object, options.customRules ?? []).evaluate(object, options);
}
