import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateReadiness } from '../../../../src/cluster/readiness/index.js';
import { FakeCluster } from '../../../fixtures/readiness/fake-cluster.js';
import {
  backingStoreCreating,
  backingStoreReady,
  noobaaConfiguring,
  noobaaReady,
  noobaaRejected,
  objectBucketClaim,
  storageClusterDegraded,
  storageClusterError,
  storageClusterIgnored,
  storageClusterNoStatus,
  storageClusterNotReady,
  storageClusterProgressing,
  storageClusterReady,
} from '../../../fixtures/readiness/odf.js';

test('StorageCluster: no status yet is NOT ready (ocs-operator may not be scaled up yet)', () => {
  const verdict = evaluateReadiness(storageClusterNoStatus);
  assert.equal(verdict.state, 'progressing');
  assert.equal(verdict.awaitingFirstStatus, true);
});

test('StorageCluster: Progressing and Not Ready phases are progressing, with the telling condition', () => {
  assert.equal(
    evaluateReadiness(storageClusterProgressing).reason,
    'phase Progressing (Progressing=True Init: Initializing StorageCluster)',
  );
  assert.equal(
    evaluateReadiness(storageClusterNotReady).reason,
    'phase Not Ready (Progressing=True Init: Initializing StorageCluster)',
  );
});

test('StorageCluster: phase Ready is ready once its NooBaa and BackingStores are Ready too', () => {
  const fake = new FakeCluster([noobaaReady, backingStoreReady]);
  const verdict = fake.poll(storageClusterReady);
  assert.deepEqual([verdict.state, verdict.reason], ['ready', 'phase Ready, Available']);
  assert.deepEqual(
    fake.reads.map((need) => ('list' in need ? need.list.kind : 'get')),
    ['NooBaa', 'BackingStore'],
  );
});

test('StorageCluster: Ready but NooBaa still Configuring, or the backing store Creating, keeps waiting', () => {
  assert.equal(
    new FakeCluster([noobaaConfiguring, backingStoreCreating]).poll(storageClusterReady).reason,
    'phase Ready; NooBaa openshift-storage/noobaa phase Configuring',
  );
  assert.equal(
    new FakeCluster([noobaaReady, backingStoreCreating]).poll(storageClusterReady).reason,
    'phase Ready; BackingStore openshift-storage/noobaa-default-backing-store phase Creating',
  );
});

test('StorageCluster: without MCG objects (none in the namespace) phase Ready is enough', () => {
  assert.equal(new FakeCluster([]).poll(storageClusterReady).state, 'ready');
});

test('StorageCluster: a rejected NooBaa fails terminally', () => {
  const verdict = new FakeCluster([noobaaRejected]).poll(storageClusterReady);
  assert.deepEqual([verdict.state, verdict.terminal], ['failed', true]);
  assert.equal(verdict.reason, 'NooBaa openshift-storage/noobaa Rejected: NooBaa core image is not allowed');
});

test('StorageCluster: Error fails with grace from ReconcileComplete; Degraded too; Ignored is terminal', () => {
  const error = evaluateReadiness(storageClusterError);
  assert.deepEqual([error.state, error.terminal, error.since], ['failed', false, '2026-08-20T10:20:00Z']);
  assert.match(
    error.reason,
    /^phase Error \(ReconcileComplete=False ReconcileFailed: Error while reconciling/,
  );
  const degraded = evaluateReadiness(storageClusterDegraded);
  assert.deepEqual(
    [degraded.state, degraded.terminal, degraded.reason],
    ['failed', false, 'Degraded=True CephClusterHealthError: HEALTH_ERR: 1 osds down'],
  );
  const ignored = evaluateReadiness(storageClusterIgnored);
  assert.deepEqual([ignored.state, ignored.terminal], ['failed', true]);
  assert.match(ignored.reason, /^Ignored: ODF supports one StorageCluster/);
});

test('NooBaa and BackingStore by phase; ObjectBucketClaim Bound, Pending, Failed, no status', () => {
  assert.equal(evaluateReadiness(noobaaReady).state, 'ready');
  assert.equal(evaluateReadiness(backingStoreCreating).state, 'progressing');
  assert.equal(evaluateReadiness(objectBucketClaim('Bound')).state, 'ready');
  assert.equal(evaluateReadiness(objectBucketClaim('Pending')).reason, 'phase Pending');
  assert.equal(evaluateReadiness(objectBucketClaim(undefined)).reason, 'waiting for phase Bound');
  const failedClaim = evaluateReadiness(objectBucketClaim('Failed'));
  assert.deepEqual([failedClaim.state, failedClaim.terminal], ['failed', false]);
});
