import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateReadiness, type Verdict } from '../../../../src/cluster/readiness/index.js';
import {
  cephRbd,
  clusterRoleBinding,
  configMap,
  crdEstablished,
  crdFresh,
  crdInstalling,
  crdNameConflict,
  gp3Csi,
  namespaceActive,
  namespaceNoPhase,
  namespaceTerminating,
  pvcBound,
  pvcLost,
  pvcPendingConsumerScheduled,
  pvcPendingDefaultClass,
  pvcPendingImmediate,
  pvcPendingWaitForFirstConsumer,
  secret,
  service,
  serviceAccount,
  storageClass,
} from '../../../fixtures/readiness/core.js';
import { FakeCluster } from '../../../fixtures/readiness/fake-cluster.js';

function brief(verdict: Verdict): [string, string] {
  return [verdict.state, verdict.reason];
}

test('Namespace: Active ready, no phase progressing, Terminating fails terminally naming the finalizers', () => {
  assert.deepEqual(brief(evaluateReadiness(namespaceActive)), ['ready', 'Active']);
  assert.deepEqual(brief(evaluateReadiness(namespaceNoPhase)), ['progressing', 'waiting for phase Active']);
  const terminating = evaluateReadiness(namespaceTerminating);
  assert.deepEqual(
    [terminating.state, terminating.terminal, terminating.since],
    ['failed', true, '2026-08-20T11:00:00Z'],
  );
  assert.match(
    terminating.reason,
    /^Terminating \(NamespaceFinalizersRemaining=True SomeFinalizersRemain: .*storagecluster/,
  );
  assert.doesNotMatch(terminating.reason, /DiscoveryFailure/, 'conditions that are False are not trouble');
});

test('Project (OpenShift) follows the Namespace rule', () => {
  const project = { ...namespaceActive, apiVersion: 'project.openshift.io/v1', kind: 'Project', status: {} };
  assert.equal(evaluateReadiness(project).state, 'progressing');
  assert.equal(evaluateReadiness({ ...project, status: { phase: 'Active' } }).state, 'ready');
});

test('CustomResourceDefinition: Established + NamesAccepted ready; Installing and fresh progressing', () => {
  assert.deepEqual(brief(evaluateReadiness(crdEstablished)), ['ready', 'Established, names accepted']);
  assert.deepEqual(brief(evaluateReadiness(crdInstalling)), [
    'progressing',
    'Established=False Installing: the initial names have been accepted',
  ]);
  assert.deepEqual(brief(evaluateReadiness(crdFresh)), ['progressing', 'waiting for Established']);
});

test('CustomResourceDefinition: NamesAccepted=False fails terminally (unlike Helm, which calls it ready)', () => {
  const verdict = evaluateReadiness(crdNameConflict);
  assert.deepEqual([verdict.state, verdict.terminal], ['failed', true]);
  assert.equal(
    verdict.reason,
    'NamesAccepted=False MultipleNamesConflict: "storageclusters" is already in use',
  );
});

test('PVC: Bound ready; Lost fails terminally', () => {
  assert.deepEqual(brief(new FakeCluster([]).poll(pvcBound)), ['ready', 'Bound']);
  const lost = new FakeCluster([]).poll(pvcLost);
  assert.deepEqual([lost.state, lost.terminal], ['failed', true]);
});

test('PVC: Pending on a WaitForFirstConsumer StorageClass does not block the wave (the trap)', () => {
  const fake = new FakeCluster([gp3Csi, cephRbd]);
  assert.deepEqual(brief(fake.poll(pvcPendingWaitForFirstConsumer)), [
    'ready',
    'Pending until a pod uses it (StorageClass gp3-csi is WaitForFirstConsumer)',
  ]);
  assert.deepEqual(fake.reads, [
    { get: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name: 'gp3-csi' } },
  ]);
});

test('PVC: Pending on an Immediate StorageClass keeps waiting for Bound', () => {
  assert.deepEqual(brief(new FakeCluster([gp3Csi, cephRbd]).poll(pvcPendingImmediate)), [
    'progressing',
    'Pending: StorageClass ocs-storagecluster-ceph-rbd is provisioning a volume',
  ]);
});

test('PVC: without a class name the default StorageClass decides', () => {
  assert.equal(new FakeCluster([cephRbd, gp3Csi]).poll(pvcPendingDefaultClass).state, 'ready');
  const immediateDefault = storageClass('thin-csi', 'Immediate', true);
  assert.equal(new FakeCluster([immediateDefault]).poll(pvcPendingDefaultClass).state, 'progressing');
  assert.deepEqual(brief(new FakeCluster([cephRbd]).poll(pvcPendingDefaultClass)), [
    'progressing',
    'Pending: StorageClass (default) does not exist',
  ]);
});

test('PVC: a WaitForFirstConsumer claim whose consumer is scheduled waits for its volume', () => {
  assert.deepEqual(brief(new FakeCluster([gp3Csi]).poll(pvcPendingConsumerScheduled)), [
    'progressing',
    'Pending, provisioning for node ip-10-0-1-23.ec2.internal',
  ]);
});

test('PVC: a missing StorageClass keeps it progressing', () => {
  assert.deepEqual(brief(new FakeCluster([]).poll(pvcPendingWaitForFirstConsumer)), [
    'progressing',
    'Pending: StorageClass gp3-csi does not exist',
  ]);
});

test('Service: ClusterIP ready on existence; LoadBalancer waits for an address', () => {
  assert.deepEqual(brief(evaluateReadiness(service('ClusterIP'))), ['ready', 'ClusterIP Service exists']);
  assert.deepEqual(brief(evaluateReadiness(service('LoadBalancer', { loadBalancer: {} }))), [
    'progressing',
    'waiting for a load balancer address',
  ]);
  const withAddress = service('LoadBalancer', {
    loadBalancer: { ingress: [{ hostname: 'a1b2.elb.amazonaws.com' }] },
  });
  assert.deepEqual(brief(evaluateReadiness(withAddress)), [
    'ready',
    'load balancer at a1b2.elb.amazonaws.com',
  ]);
});

test('ConfigMap, Secret, ServiceAccount, RBAC: ready on existence, failing while being deleted', () => {
  for (const object of [configMap, secret, serviceAccount, clusterRoleBinding]) {
    assert.deepEqual(brief(evaluateReadiness(object)), ['ready', 'exists'], String(object.kind));
  }
  const deleting = {
    ...secret,
    metadata: { ...(secret.metadata as object), deletionTimestamp: '2026-08-20T12:00:00Z' },
  };
  assert.equal(evaluateReadiness(deleting).state, 'failed');
});
