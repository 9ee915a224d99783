import { conditionsOf, describeCondition, findCondition } from './conditions.js';
import { generationNotObserved, hasStatus, numberAt, textAt } from './object-fields.js';
import type { KubeObject, ReadinessRule, Verdict } from './types.js';
import { deletionVerdict, failed, progressing, ready } from './verdicts.js';

/** RolloutBlocked reasons only a change to the QuayRegistry or its config bundle fixes ([QUAY-types]). */
const BLOCKED_FOR_GOOD = new Set(['ConfigInvalid', 'ComponentOverrideInvalid', 'UpgradeUnsupported']);

/**
 * RolloutBlocked reasons that only mean "wait": newer operators block the rollout while the cloud
 * credentials they requested are provisioned (quay-operator `ConditionReasonCredentialRequestPending`).
 */
const BLOCKED_WHILE_WAITING = new Set(['CredentialRequestPending']);

/** ComponentsCreated=False reasons that are failures rather than steps ([QUAY-types]). */
const CREATION_FAILURES = new Set([
  'MigrationsFailed',
  'MigrationsJobMissing',
  'PostgresUpgradeFailed',
  'PostgresUpgradeJobMissing',
]);

/**
 * QuayRegistry: Available=True, ComponentsCreated=True, not RolloutBlocked, `status.registryEndpoint`
 * and `status.currentVersion` set, and — on operators that write it — observedGeneration current
 * (apply-readiness.md §2.1, §4.2 step 003). Available comes from a status reconciler that runs every
 * minute, so it trails the components by up to ~60 s.
 */
export const quayRegistryRule: ReadinessRule = {
  describe: 'Available=True, ComponentsCreated=True, not RolloutBlocked, registryEndpoint set',
  evaluate(object: KubeObject): Verdict {
    const deleting = deletionVerdict(object);
    if (deleting) return deleting;
    if (!hasStatus(object)) {
      return progressing('no status yet: waiting for quay-operator to reconcile it', {
        awaitingFirstStatus: true,
      });
    }
    const blocked = findCondition(object, 'RolloutBlocked');
    if (blocked?.status === 'True' && !BLOCKED_WHILE_WAITING.has(blocked.reason ?? '')) {
      // Dependency errors (e.g. ObjectStorageComponentDependencyError: the ObjectBucketClaim API of
      // ODF/MCG is missing) clear once the dependency shows up, so they get a grace period.
      return failed(describeCondition(blocked), {
        terminal: BLOCKED_FOR_GOOD.has(blocked.reason ?? ''),
        since: blocked.lastTransitionTime,
      });
    }
    const created = findCondition(object, 'ComponentsCreated');
    if (created?.status === 'False' && CREATION_FAILURES.has(created.reason ?? '')) {
      return failed(describeCondition(created), { terminal: false, since: created.lastTransitionTime });
    }
    const pvcFailure = conditionsOf(object).find((condition) => condition.reason === 'PVCProvisioningFailed');
    if (pvcFailure)
      return failed(describeCondition(pvcFailure), { terminal: false, since: pvcFailure.lastTransitionTime });
    if (blocked?.status === 'True') return progressing(describeCondition(blocked));
    if (generationNotObserved(object)) {
      return progressing(
        `waiting for quay-operator to observe generation ${numberAt(object, 'metadata', 'generation') ?? '?'}`,
      );
    }
    if (created?.status !== 'True')
      return progressing(created ? describeCondition(created) : 'components not created yet');
    const available = findCondition(object, 'Available');
    if (available?.status !== 'True') {
      const notReady = conditionsOf(object)
        .filter((condition) => condition.type.startsWith('Component') && condition.type.endsWith('Ready'))
        .filter((condition) => condition.status === 'False')
        .map((condition) => condition.type.slice('Component'.length, -'Ready'.length));
      const waitingOn = notReady.length > 0 ? `; not ready: ${notReady.join(', ')}` : '';
      return progressing(
        `${available ? describeCondition(available) : 'Available not reported yet'}${waitingOn}`,
      );
    }
    const endpoint = textAt(object, 'status', 'registryEndpoint');
    if (!endpoint) return progressing('Available, waiting for status.registryEndpoint');
    const version = textAt(object, 'status', 'currentVersion');
    if (!version) return progressing('Available, waiting for status.currentVersion');
    return ready(`Available at ${endpoint} (version ${version})`);
  },
};
