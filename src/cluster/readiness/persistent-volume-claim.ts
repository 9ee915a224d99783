import { NOTHING_READ } from './lookup.js';
import { annotationOf, textAt, valueAt } from './object-fields.js';
import type { KubeObject, ListQuery, ReadinessContext, ReadinessRule, Verdict } from './types.js';
import { deletionVerdict, failed, needs, progressing, ready } from './verdicts.js';

export const STORAGE_CLASSES: ListQuery = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' };

const DEFAULT_CLASS_ANNOTATIONS = [
  'storageclass.kubernetes.io/is-default-class',
  'storageclass.beta.kubernetes.io/is-default-class',
];

function isDefaultClass(storageClass: KubeObject): boolean {
  return DEFAULT_CLASS_ANNOTATIONS.some((key) => annotationOf(storageClass, key) === 'true');
}

/**
 * PersistentVolumeClaim: Bound. A Pending claim on a WaitForFirstConsumer StorageClass (gp3-csi on AWS,
 * thin on vSphere) stays Pending until a pod uses it, so it does not block the wave — waiting for Bound
 * would deadlock (apply-readiness.md §2.1 PVC pitfalls; argo-cd PRs #29205/#29441).
 */
export const persistentVolumeClaimRule: ReadinessRule = {
  describe: 'Bound (Pending on a WaitForFirstConsumer StorageClass does not block)',
  evaluate(object: KubeObject, context: ReadinessContext): Verdict {
    const deleting = deletionVerdict(object);
    if (deleting) return deleting;
    const phase = textAt(object, 'status', 'phase');
    if (phase === 'Bound') return ready('Bound');
    if (phase === 'Lost') return failed('Lost: its PersistentVolume is gone', { terminal: true });
    if (phase !== 'Pending') return progressing(phase ? `phase ${phase}` : 'waiting for phase Bound');
    // The scheduler picked a node for a consumer: provisioning is under way, Bound follows.
    const selectedNode = annotationOf(object, 'volume.kubernetes.io/selected-node');
    if (selectedNode) return progressing(`Pending, provisioning for node ${selectedNode}`);
    const lookup = context.lookup ?? NOTHING_READ;
    const className = valueAt(object, 'spec', 'storageClassName');
    if (className === '')
      return progressing('Pending: no StorageClass, waiting for a matching PersistentVolume');
    let storageClass: KubeObject | null | undefined;
    let classLabel: string;
    if (typeof className === 'string') {
      const ref = { apiVersion: STORAGE_CLASSES.apiVersion, kind: STORAGE_CLASSES.kind, name: className };
      storageClass = lookup.get(ref);
      if (storageClass === undefined)
        return needs(`Pending, reading StorageClass ${className}`, [{ get: ref }]);
      classLabel = className;
    } else {
      // No class named: the cluster's default class applies (DefaultStorageClass admission usually fills it in).
      const classes = lookup.list(STORAGE_CLASSES);
      if (classes === undefined)
        return needs('Pending, looking for the default StorageClass', [{ list: STORAGE_CLASSES }]);
      storageClass = classes.find(isDefaultClass) ?? null;
      classLabel = storageClass ? (textAt(storageClass, 'metadata', 'name') ?? '?') : '(default)';
    }
    if (storageClass === null) return progressing(`Pending: StorageClass ${classLabel} does not exist`);
    if (textAt(storageClass, 'volumeBindingMode') === 'WaitForFirstConsumer') {
      return ready(`Pending until a pod uses it (StorageClass ${classLabel} is WaitForFirstConsumer)`);
    }
    return progressing(`Pending: StorageClass ${classLabel} is provisioning a volume`);
  },
};
