import { describeCondition, findCondition } from './conditions.js';
import { countAt, numberAt, textAt, valueAt } from './object-fields.js';
import type { KubeObject, ReadinessRule, Verdict } from './types.js';
import { deletionVerdict, failed, progressing, ready } from './verdicts.js';

/**
 * Until the controller has observed the current spec, every counter describes the previous one: the
 * "Deployment with an old observedGeneration" trap (apply-readiness.md §5 goal 10). An absent
 * observedGeneration counts as 0, as in kubectl rollout status.
 */
function specNotObserved(object: KubeObject, what: string): Verdict | undefined {
  const generation = numberAt(object, 'metadata', 'generation') ?? 0;
  const observed = countAt(object, 'status', 'observedGeneration');
  if (observed === 0 || observed < generation) {
    return progressing(
      `waiting for the ${what} controller to observe generation ${generation} (observed ${observed})`,
    );
  }
  return undefined;
}

/** `spec.replicas` defaults to 1 when the API server has not filled it in. */
function desiredReplicas(object: KubeObject): number {
  return numberAt(object, 'spec', 'replicas') ?? 1;
}

/**
 * Deployment, as `kubectl rollout status` decides ([KUBECTL-wait] rollout_status.go), plus readyReplicas
 * and Available=True from kstatus ([KS-core] deploymentConditions; apply-readiness.md §2.1).
 */
export const deploymentRule: ReadinessRule = {
  describe: 'rolled out: generation observed, all replicas updated, ready and available',
  evaluate(object: KubeObject): Verdict {
    const deleting = deletionVerdict(object);
    if (deleting) return deleting;
    // A paused Deployment never rolls out; Helm (pausedAsReady) and Argo (Suspended) do not block on it.
    if (valueAt(object, 'spec', 'paused') === true)
      return ready('paused (spec.paused): rollout not waited for');
    const notObserved = specNotObserved(object, 'deployment');
    if (notObserved) return notObserved;
    const progressingCondition = findCondition(object, 'Progressing');
    if (progressingCondition?.reason === 'ProgressDeadlineExceeded') {
      // The deadline (spec.progressDeadlineSeconds) already was the grace period; kubectl fails here too.
      return failed(describeCondition(progressingCondition), {
        terminal: true,
        since: progressingCondition.lastTransitionTime,
      });
    }
    const replicas = desiredReplicas(object);
    const updated = countAt(object, 'status', 'updatedReplicas');
    const total = countAt(object, 'status', 'replicas');
    const available = countAt(object, 'status', 'availableReplicas');
    const readyReplicas = countAt(object, 'status', 'readyReplicas');
    if (updated < replicas) return progressing(`${updated} of ${replicas} new replicas updated`);
    if (total > updated) return progressing(`${total - updated} old replicas pending termination`);
    if (available < updated) return progressing(`${available} of ${updated} updated replicas available`);
    if (readyReplicas < replicas) return progressing(`${readyReplicas} of ${replicas} replicas ready`);
    const availableCondition = findCondition(object, 'Available');
    if (availableCondition && availableCondition.status !== 'True') {
      return progressing(describeCondition(availableCondition));
    }
    return ready(`${updated}/${replicas} replicas updated and available`);
  },
};

/** StatefulSet, as `kubectl rollout status` decides, including partitioned rolling updates. */
export const statefulSetRule: ReadinessRule = {
  describe: 'rolled out: generation observed, all replicas ready, one revision',
  evaluate(object: KubeObject): Verdict {
    const deleting = deletionVerdict(object);
    if (deleting) return deleting;
    const notObserved = specNotObserved(object, 'statefulset');
    if (notObserved) return notObserved;
    const replicas = desiredReplicas(object);
    const readyReplicas = countAt(object, 'status', 'readyReplicas');
    if (readyReplicas < replicas) return progressing(`${readyReplicas} of ${replicas} pods ready`);
    // kubectl cannot follow an OnDelete rollout (pods change only when deleted); ready pods is all we know.
    if (textAt(object, 'spec', 'updateStrategy', 'type') === 'OnDelete') {
      return ready(`${readyReplicas}/${replicas} pods ready (OnDelete: revisions not compared)`);
    }
    const partition = countAt(object, 'spec', 'updateStrategy', 'rollingUpdate', 'partition');
    const updated = countAt(object, 'status', 'updatedReplicas');
    if (partition > 0) {
      const expected = Math.max(replicas - partition, 0);
      if (updated < expected)
        return progressing(`partitioned roll out: ${updated} of ${expected} pods updated`);
      return ready(`partitioned roll out complete: ${updated} new pods updated`);
    }
    const updateRevision = textAt(object, 'status', 'updateRevision');
    const currentRevision = textAt(object, 'status', 'currentRevision');
    if (updateRevision !== currentRevision) {
      return progressing(
        `rolling update: ${updated} of ${replicas} pods at revision ${updateRevision ?? '?'}`,
      );
    }
    return ready(`${readyReplicas}/${replicas} pods ready at revision ${currentRevision ?? '?'}`);
  },
};

/** DaemonSet, as `kubectl rollout status` decides. */
export const daemonSetRule: ReadinessRule = {
  describe: 'rolled out: generation observed, pods on every scheduled node updated and available',
  evaluate(object: KubeObject): Verdict {
    const deleting = deletionVerdict(object);
    if (deleting) return deleting;
    const notObserved = specNotObserved(object, 'daemonset');
    if (notObserved) return notObserved;
    const desired = countAt(object, 'status', 'desiredNumberScheduled');
    const updated = countAt(object, 'status', 'updatedNumberScheduled');
    const available = countAt(object, 'status', 'numberAvailable');
    const onDelete = textAt(object, 'spec', 'updateStrategy', 'type') === 'OnDelete';
    if (!onDelete && updated < desired) return progressing(`${updated} of ${desired} pods updated`);
    if (available < desired) return progressing(`${available} of ${desired} pods available`);
    return ready(`${available}/${desired} pods available`);
  },
};
