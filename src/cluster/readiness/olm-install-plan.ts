import { describeCondition, findCondition } from './conditions.js';
import { arrayAt, nameOf, namespaceOf, refTo, textAt, valueAt } from './object-fields.js';
import { OLM_API } from './olm-cluster-service-version.js';
import type { InstallPlanApproval, KubeObject, ReadinessContext, ReadinessRule, Verdict } from './types.js';
import { deletionVerdict, failed, progressing, ready } from './verdicts.js';

export function installPlanCsvNames(plan: KubeObject): string[] {
  return arrayAt(plan, 'spec', 'clusterServiceVersionNames').filter(
    (name): name is string => typeof name === 'string',
  );
}

/** Phase RequiresApproval and not approved: OLM never moves on by itself (apply-readiness.md §2.1 Subscription). */
export function awaitsApproval(plan: KubeObject): boolean {
  return textAt(plan, 'status', 'phase') === 'RequiresApproval' && valueAt(plan, 'spec', 'approved') !== true;
}

export function approvalFor(plan: KubeObject): InstallPlanApproval {
  return {
    installPlan: refTo(OLM_API, 'InstallPlan', nameOf(plan), namespaceOf(plan)),
    clusterServiceVersionNames: installPlanCsvNames(plan),
  };
}

export function approveCommand(plan: KubeObject): string {
  const namespace = namespaceOf(plan);
  return `oc patch installplan ${nameOf(plan)}${namespace ? ` -n ${namespace}` : ''} --type merge -p '{"spec":{"approved":true}}'`;
}

/** `Failed` plans are not retried: OLM needs a new plan (delete it, or the Subscription). */
export function installPlanFailure(plan: KubeObject): Verdict | undefined {
  if (textAt(plan, 'status', 'phase') !== 'Failed') return undefined;
  const installed = findCondition(plan, 'Installed');
  return failed(
    `InstallPlan ${nameOf(plan)} Failed${installed ? ` (${describeCondition(installed)})` : ''}`,
    {
      terminal: true,
      since: installed?.lastTransitionTime,
    },
  );
}

/** An InstallPlan applied as a manifest: Complete; RequiresApproval is approved only when allowed. */
export const installPlanRule: ReadinessRule = {
  describe: 'status.phase Complete',
  evaluate(object: KubeObject, context: ReadinessContext): Verdict {
    const deleting = deletionVerdict(object);
    if (deleting) return deleting;
    const phase = textAt(object, 'status', 'phase');
    if (phase === 'Complete') return ready('Complete');
    const failure = installPlanFailure(object);
    if (failure) return failure;
    if (awaitsApproval(object)) {
      const csvs = installPlanCsvNames(object).join(', ');
      if (context.approveInstallPlans) {
        return progressing(`requires approval (${csvs}): approving`, { approve: approvalFor(object) });
      }
      return failed(
        `InstallPlan ${nameOf(object)} requires approval (${csvs}): set approveInstallPlans: true, or run ${approveCommand(object)}`,
        { terminal: false },
      );
    }
    return progressing(phase ? `phase ${phase}` : 'waiting for phase Complete');
  },
};
