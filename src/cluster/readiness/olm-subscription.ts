import { type Condition, conditionsOf, describeCondition, findCondition } from './conditions.js';
import { NOTHING_READ } from './lookup.js';
import { nameOf, namespaceOf, refTo, textAt } from './object-fields.js';
import { clusterServiceVersionVerdict, OLM_API } from './olm-cluster-service-version.js';
import {
  approvalFor,
  approveCommand,
  awaitsApproval,
  installPlanCsvNames,
  installPlanFailure,
} from './olm-install-plan.js';
import type {
  KubeObject,
  ListQuery,
  Need,
  ObjectRef,
  ReadinessContext,
  ReadinessRule,
  Verdict,
} from './types.js';
import { deletionVerdict, failed, needs, progressing, ready } from './verdicts.js';

/**
 * Subscription conditions are "abnormal-true": they appear when something is wrong and there is no
 * positive "Installed" condition (OLM#2730). Which of them OLM retries decides `terminal`
 * (apply-readiness.md §2.1 Subscription; Argo's health.lua [ARGO-sub] counts the same ones as Degraded).
 */
const FAILURE_CONDITIONS: ReadonlyMap<string, { terminal: boolean }> = new Map([
  // The plan failed and OLM will not retry it.
  ['InstallPlanFailed', { terminal: true }],
  // Re-resolved whenever a catalog changes: a wrong channel or package stays wrong, though.
  ['ResolutionFailed', { terminal: false }],
  // Usually a catalog pod still starting after the cluster (or the CatalogSource) came up.
  ['CatalogSourcesUnhealthy', { terminal: false }],
  ['BundleUnpackFailed', { terminal: false }],
  ['InstallPlanMissing', { terminal: false }],
]);

/** Argo ignores this reason: the plan was garbage-collected after it completed ([ARGO-sub]). */
const HARMLESS_REASONS = new Set(['ReferencedInstallPlanNotFound']);

function failureCondition(subscription: KubeObject): Condition | undefined {
  return conditionsOf(subscription).find(
    (condition) =>
      condition.status === 'True' &&
      FAILURE_CONDITIONS.has(condition.type) &&
      !HARMLESS_REASONS.has(condition.reason ?? ''),
  );
}

function installPlanRef(subscription: KubeObject): ObjectRef | undefined {
  const name = textAt(subscription, 'status', 'installPlanRef', 'name');
  if (name === undefined) return undefined;
  const namespace =
    textAt(subscription, 'status', 'installPlanRef', 'namespace') ?? namespaceOf(subscription);
  return refTo(OLM_API, 'InstallPlan', name, namespace);
}

export function namespaceCsvs(namespace: string | undefined): ListQuery {
  return namespace === undefined
    ? { apiVersion: OLM_API, kind: 'ClusterServiceVersion' }
    : { apiVersion: OLM_API, kind: 'ClusterServiceVersion', namespace };
}

/** "BundleUnpacking=True UnpackingInProgress" and the like: what OLM is doing before a CSV exists. */
function pendingDetail(subscription: KubeObject): string {
  const pending = ['BundleUnpacking', 'InstallPlanPending']
    .map((type) => findCondition(subscription, type))
    .filter((condition): condition is Condition => condition?.status === 'True')
    .map(describeCondition);
  return pending.length > 0 ? ` (${pending.join('; ')})` : '';
}

/**
 * Subscription: `installedCSV` set, that CSV Succeeded, and every other CSV of the namespace Succeeded
 * (the ODF operator installs ocs, mcg, csi-addons, rook … as dependents; apply-readiness.md §4.2).
 * OLM sets `state: AtLatestKnown` + `installedCSV` as soon as the CSV object exists, not when it has
 * succeeded ([OLM-catalog] ensureSubscriptionCSVState), so the state alone proves nothing.
 *
 * Reads: the installed CSV, the namespace's CSVs, and the InstallPlan in `status.installPlanRef`.
 */
export const subscriptionRule: ReadinessRule = {
  describe: 'installedCSV set, that CSV and every other CSV of the namespace Succeeded',
  evaluate(subscription: KubeObject, context: ReadinessContext): Verdict {
    const deleting = deletionVerdict(subscription);
    if (deleting) return deleting;
    const state = textAt(subscription, 'status', 'state');
    const failure = failureCondition(subscription);
    if (failure) {
      return failed(describeCondition(failure), {
        terminal: FAILURE_CONDITIONS.get(failure.type)?.terminal ?? false,
        since: failure.lastTransitionTime,
      });
    }
    if (state === 'UpgradeFailed') return failed('state UpgradeFailed', { terminal: true });

    const namespace = namespaceOf(subscription);
    const installedName = textAt(subscription, 'status', 'installedCSV');
    const currentName = textAt(subscription, 'status', 'currentCSV');
    const approvalPending = findCondition(subscription, 'InstallPlanPending')?.reason === 'RequiresApproval';
    // The plan matters while OLM installs or upgrades; a completed one may already be garbage-collected.
    const planRef = approvalPending || state === 'UpgradePending' ? installPlanRef(subscription) : undefined;
    const lookup = context.lookup ?? NOTHING_READ;

    // Ask for everything this evaluation may need at once: one round of reads per poll.
    const wanted: Need[] = [];
    const installedRef = installedName
      ? refTo(OLM_API, 'ClusterServiceVersion', installedName, namespace)
      : undefined;
    if (installedRef && lookup.get(installedRef) === undefined) wanted.push({ get: installedRef });
    if (installedRef && lookup.list(namespaceCsvs(namespace)) === undefined)
      wanted.push({ list: namespaceCsvs(namespace) });
    if (planRef && lookup.get(planRef) === undefined) wanted.push({ get: planRef });
    if (wanted.length > 0) {
      return needs(
        `state ${state ?? 'unknown'}, reading ${installedName ? `CSV ${installedName}` : 'its InstallPlan'}`,
        wanted,
      );
    }

    const plan = planRef ? lookup.get(planRef) : undefined;
    const installed = installedRef ? lookup.get(installedRef) : undefined;
    const installedVerdict = installed ? clusterServiceVersionVerdict(installed) : undefined;

    let upgradeNote = '';
    if (plan) {
      const planFailure = installPlanFailure(plan);
      if (planFailure) return planFailure;
      if (awaitsApproval(plan)) {
        const csvs = installPlanCsvNames(plan);
        const upgradeOnly = installedVerdict?.state === 'ready';
        if (context.approveInstallPlans) {
          // Approve only the plan this Subscription asked for (apply-readiness.md §5 goal 7).
          const wantedCsvs = [
            ...new Set(
              [textAt(subscription, 'spec', 'startingCSV'), currentName].filter((name) => name !== undefined),
            ),
          ];
          if (!csvs.some((csv) => wantedCsvs.includes(csv))) {
            return failed(
              `InstallPlan ${nameOf(plan)} requires approval, but its CSVs (${csvs.join(', ') || 'none'}) are not this Subscription's startingCSV/currentCSV (${wantedCsvs.join(', ') || 'none'}): approve it by hand if it is the right one`,
              { terminal: true },
            );
          }
          return progressing(
            `InstallPlan ${nameOf(plan)} requires approval (${csvs.join(', ')}): approving`,
            {
              approve: approvalFor(plan),
            },
          );
        }
        if (upgradeOnly) {
          // The installed operator works; a held upgrade is the point of Manual approval (argo-cd PR #25923).
          upgradeNote = `; upgrade to ${csvs.join(', ')} awaits approval of InstallPlan ${nameOf(plan)}`;
        } else {
          // Not terminal: a person or an installplan-approver Job (redhat-cop/gitops-catalog) may approve it.
          return failed(
            `InstallPlan ${nameOf(plan)} requires approval (${csvs.join(', ')}): set approveInstallPlans: true, or run ${approveCommand(plan)}`,
            { terminal: false, since: findCondition(subscription, 'InstallPlanPending')?.lastTransitionTime },
          );
        }
      }
    }

    if (!installedRef) {
      const planPhase = plan
        ? `, InstallPlan ${nameOf(plan)} ${textAt(plan, 'status', 'phase') ?? 'created'}`
        : '';
      return progressing(
        `state ${state ?? 'not yet known'}: waiting for OLM to install ${currentName ?? 'the operator'}${pendingDetail(subscription)}${planPhase}`,
      );
    }
    if (installed === null || installed === undefined)
      return progressing(`CSV ${installedName} not found yet`);
    // The trap: AtLatestKnown while the CSV is still Installing is not ready.
    if (installedVerdict && installedVerdict.state !== 'ready') return installedVerdict;
    if (state !== 'AtLatestKnown' && upgradeNote === '') {
      return progressing(
        `state ${state ?? 'not yet known'}: CSV ${installedName} Succeeded, ${currentName ?? 'update'} in progress`,
      );
    }

    // Copies of CSVs from other namespaces (reason Copied) belong to another install (§2.1 CSV pitfalls).
    const others = (lookup.list(namespaceCsvs(namespace)) ?? []).filter(
      (csv) => nameOf(csv) !== installedName && textAt(csv, 'status', 'reason') !== 'Copied',
    );
    const otherVerdicts = others.map(clusterServiceVersionVerdict);
    const otherFailure = otherVerdicts.find((verdict) => verdict.state === 'failed');
    if (otherFailure) return otherFailure;
    const otherPending = otherVerdicts.find((verdict) => verdict.state !== 'ready');
    if (otherPending) return progressing(`CSV ${installedName} Succeeded; ${otherPending.reason}`);
    const also =
      others.length > 0 ? ` (and ${others.length} other CSVs in ${namespace ?? 'the namespace'})` : '';
    return ready(`CSV ${installedName} Succeeded${also}${upgradeNote}`);
  },
};
