/** The built-in kinds the emulator serves (enough for the install flow of apply-readiness.md §4.2). */
import { ALL_VERBS, type ResourceType } from './model.js';

interface Spec {
  kind: string;
  plural: string;
  namespaced?: boolean;
  shortNames?: string[];
  status?: boolean;
  all?: boolean;
  verbs?: string[];
}

function group(name: string, version: string, specs: Spec[]): ResourceType[] {
  return specs.map((s) => ({
    group: name,
    versions: [version],
    kind: s.kind,
    listKind: `${s.kind}List`,
    plural: s.plural,
    singular: s.kind.toLowerCase(),
    namespaced: s.namespaced ?? true,
    shortNames: s.shortNames ?? [],
    categories: s.all ? ['all'] : [],
    statusSubresource: s.status ?? false,
    verbs: s.verbs ?? ALL_VERBS,
  }));
}

export function builtinTypes(): ResourceType[] {
  return [
    ...group('', 'v1', [
      { kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'], status: true },
      { kind: 'Secret', plural: 'secrets' },
      { kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'] },
      { kind: 'Service', plural: 'services', shortNames: ['svc'], status: true, all: true },
      { kind: 'ServiceAccount', plural: 'serviceaccounts', shortNames: ['sa'] },
      { kind: 'Pod', plural: 'pods', shortNames: ['po'], status: true, all: true },
      { kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', shortNames: ['pvc'], status: true },
      {
        kind: 'PersistentVolume',
        plural: 'persistentvolumes',
        namespaced: false,
        shortNames: ['pv'],
        status: true,
      },
      { kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], status: true },
      { kind: 'Event', plural: 'events', shortNames: ['ev'] },
    ]),
    ...group('apps', 'v1', [
      { kind: 'Deployment', plural: 'deployments', shortNames: ['deploy'], status: true, all: true },
      { kind: 'StatefulSet', plural: 'statefulsets', shortNames: ['sts'], status: true, all: true },
      { kind: 'DaemonSet', plural: 'daemonsets', shortNames: ['ds'], status: true, all: true },
      { kind: 'ReplicaSet', plural: 'replicasets', shortNames: ['rs'], status: true, all: true },
    ]),
    ...group('batch', 'v1', [
      { kind: 'Job', plural: 'jobs', status: true, all: true },
      { kind: 'CronJob', plural: 'cronjobs', shortNames: ['cj'], status: true, all: true },
    ]),
    ...group('apiextensions.k8s.io', 'v1', [
      {
        kind: 'CustomResourceDefinition',
        plural: 'customresourcedefinitions',
        namespaced: false,
        shortNames: ['crd', 'crds'],
        status: true,
      },
    ]),
    ...group('rbac.authorization.k8s.io', 'v1', [
      { kind: 'Role', plural: 'roles' },
      { kind: 'RoleBinding', plural: 'rolebindings' },
      { kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
      { kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
    ]),
    ...group('storage.k8s.io', 'v1', [
      { kind: 'StorageClass', plural: 'storageclasses', namespaced: false, shortNames: ['sc'] },
    ]),
    ...group('networking.k8s.io', 'v1', [
      { kind: 'Ingress', plural: 'ingresses', shortNames: ['ing'], status: true },
    ]),
    // Virtual, create-only kinds answered from the token's identity (`kubectl auth whoami` / `auth can-i`).
    ...group('authentication.k8s.io', 'v1', [
      { kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false, verbs: ['create'] },
    ]),
    ...group('authorization.k8s.io', 'v1', [
      {
        kind: 'SelfSubjectAccessReview',
        plural: 'selfsubjectaccessreviews',
        namespaced: false,
        verbs: ['create'],
      },
    ]),
  ];
}
