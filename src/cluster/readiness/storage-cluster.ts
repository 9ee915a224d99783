import { conditionIs, describeCondition, findCondition } from './conditions.js';
import { NOTHING_READ } from './lookup.js';
import { noobaaVerdict } from './noobaa.js';
import { describeObject, hasStatus, namespaceOf, textAt } from './object-fields.js';
import type { KubeObject, ListQuery, Need, ReadinessContext, ReadinessRule, Verdict } from './types.js';
import { deletionVerdict, failed, needs, progressing, ready } from './verdicts.js';

const NOOBAA_API = 'noobaa.io/v1alpha1';

function noobaaQueries(namespace: string | undefined): ListQuery[] {
  return ['NooBaa', 'BackingStore'].map((kind) =>
    namespace === undefined ? { apiVersion: NOOBAA_API, kind } : { apiVersion: NOOBAA_API, kind, namespace },
  );
}

/**
 * StorageCluster (ODF): `status.phase` Ready with Available=True, Progressing=False, Degraded=False
 * (ocs-operator sets them together, [OCS-util] SetCompleteCondition; apply-readiness.md §2.1), then the
 * NooBaa and BackingStores it created in its namespace Ready too, because Quay's managed object storage
 * needs MCG next (§4.2 step 0004). Reads: the NooBaa and BackingStore lists of its namespace (a kind the
 * server does not serve reads as an empty list).
 */
export const storageClusterRule: ReadinessRule = {
  describe:
    'phase Ready, Available=True, Progressing=False, Degraded=False; its NooBaa and BackingStores Ready',
  evaluate(object: KubeObject, context: ReadinessContext): Verdict {
    const deleting = deletionVerdict(object);
    if (deleting) return deleting;
    if (!hasStatus(object)) {
      // ODF ≥ 4.19 scales ocs-operator up only once a StorageCluster exists ([ODF-pkgs] scaleUpOnInstanceOf).
      return progressing('no status yet: waiting for ocs-operator to reconcile it', {
        awaitingFirstStatus: true,
      });
    }
    const phase = textAt(object, 'status', 'phase');
    const reconcile = findCondition(object, 'ReconcileComplete');
    if (phase === 'Ignored') {
      return failed(
        `Ignored: ODF supports one StorageCluster${reconcile?.message ? ` (${reconcile.message})` : ''}`,
        {
          terminal: true,
        },
      );
    }
    if (phase === 'Error') {
      // Usually ReconcileFailed, which the operator retries.
      return failed(`phase Error${reconcile ? ` (${describeCondition(reconcile)})` : ''}`, {
        terminal: false,
        since: reconcile?.lastTransitionTime,
      });
    }
    const degraded = findCondition(object, 'Degraded');
    if (degraded?.status === 'True') {
      return failed(describeCondition(degraded), { terminal: false, since: degraded.lastTransitionTime });
    }
    const storageReady =
      phase === 'Ready' &&
      conditionIs(object, 'Available', 'True') &&
      !conditionIs(object, 'Progressing', 'True') &&
      !conditionIs(object, 'ReconcileComplete', 'False');
    if (!storageReady) {
      const shown = ['Progressing', 'Available', 'ReconcileComplete']
        .map((type) => findCondition(object, type))
        .find(
          (condition) =>
            condition && condition.status !== (condition.type === 'Progressing' ? 'False' : 'True'),
        );
      return progressing(`phase ${phase ?? 'not set'}${shown ? ` (${describeCondition(shown)})` : ''}`);
    }

    const lookup = context.lookup ?? NOTHING_READ;
    const queries = noobaaQueries(namespaceOf(object));
    const missing: Need[] = queries
      .filter((query) => lookup.list(query) === undefined)
      .map((list) => ({ list }));
    if (missing.length > 0) return needs('phase Ready, reading NooBaa and BackingStores', missing);
    for (const item of queries.flatMap((query) => lookup.list(query) ?? [])) {
      const verdict = noobaaVerdict(item);
      if (verdict.state === 'failed')
        return { ...verdict, reason: `${describeObject(item)} ${verdict.reason}` };
      if (verdict.state !== 'ready')
        return progressing(`phase Ready; ${describeObject(item)} ${verdict.reason}`);
    }
    return ready('phase Ready, Available');
  },
};
