/**
 * The OpenShift / OLM / ODF / Quay kinds of the install flow (apply-readiness.md §2.1), as CRDs a test can
 * preinstall (`startKubeEmulator({ crds: OPENSHIFT_CRDS })`). On a real cluster some are aggregated APIs, not
 * CRDs; to kubectl the difference does not show.
 */
import type { CrdDefinition } from './crd.js';
import { MIRROR_SET_CRDS } from './mirror-set-crds.js';

export const OPENSHIFT_CRDS: readonly CrdDefinition[] = [
  { group: 'operators.coreos.com', versions: ['v1'], kind: 'OperatorGroup', shortNames: ['og'] },
  {
    group: 'operators.coreos.com',
    versions: ['v1alpha1'],
    kind: 'Subscription',
    shortNames: ['sub', 'subs'],
  },
  {
    group: 'operators.coreos.com',
    versions: ['v1alpha1'],
    kind: 'ClusterServiceVersion',
    shortNames: ['csv', 'csvs'],
  },
  { group: 'operators.coreos.com', versions: ['v1alpha1'], kind: 'InstallPlan', shortNames: ['ip'] },
  { group: 'operators.coreos.com', versions: ['v1alpha1'], kind: 'CatalogSource', shortNames: ['catsrc'] },
  { group: 'ocs.openshift.io', versions: ['v1'], kind: 'StorageCluster' },
  { group: 'noobaa.io', versions: ['v1alpha1'], kind: 'NooBaa', shortNames: ['nb'] },
  { group: 'noobaa.io', versions: ['v1alpha1'], kind: 'BackingStore' },
  { group: 'objectbucket.io', versions: ['v1alpha1'], kind: 'ObjectBucketClaim', shortNames: ['obc'] },
  { group: 'quay.redhat.com', versions: ['v1'], kind: 'QuayRegistry' },
  { group: 'machine.openshift.io', versions: ['v1beta1'], kind: 'MachineSet' },
  { group: 'machine.openshift.io', versions: ['v1beta1'], kind: 'Machine' },
  { group: 'config.openshift.io', versions: ['v1'], kind: 'Infrastructure', scope: 'Cluster' },
  { group: 'config.openshift.io', versions: ['v1'], kind: 'ClusterVersion', scope: 'Cluster' },
  ...MIRROR_SET_CRDS,
];
