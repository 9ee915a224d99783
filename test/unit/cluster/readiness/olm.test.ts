import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateReadiness, type KubeObject } from '../../../../src/cluster/readiness/index.js';
import { FakeCluster } from '../../../fixtures/readiness/fake-cluster.js';
import {
  catalogSource,
  copiedCsvPending,
  csv,
  csvPendingRequirements,
  installPlan,
  mcgCsvFailedNoRetry,
  mcgCsvSucceeded,
  ocsCsvInstalling,
  ocsCsvSucceeded,
  odfCsvFailed,
  odfCsvInstalling,
  odfCsvSucceeded,
  operatorGroupAllNamespaces,
  operatorGroupFresh,
  operatorGroupMultiple,
  operatorGroupResolved,
  subscriptionAtLatestKnown,
  subscriptionFirstStatus,
  subscriptionInstalling,
  subscriptionInstallPlanFailed,
  subscriptionJustCreated,
  subscriptionManualFirstInstall,
  subscriptionManualUpgradePending,
  subscriptionPlanGarbageCollected,
  subscriptionResolutionFailed,
} from '../../../fixtures/readiness/olm.js';

const firstPlan = installPlan('install-7x2kq', 'RequiresApproval', ['odf-operator.v4.16.0']);

function cluster(...objects: KubeObject[]): FakeCluster {
  return new FakeCluster(objects);
}

test('Subscription: AtLatestKnown while its CSV is still Installing is NOT ready (the trap)', () => {
  const verdict = cluster(odfCsvInstalling).poll(subscriptionAtLatestKnown);
  assert.equal(verdict.state, 'progressing');
  assert.match(
    verdict.reason,
    /^CSV odf-operator\.v4\.16\.0 Installing \(InstallWaiting: installing: waiting for deployment/,
  );
});

test('Subscription: ready once its CSV and every other CSV of the namespace Succeeded', () => {
  const verdict = cluster(odfCsvSucceeded, ocsCsvSucceeded, mcgCsvSucceeded).poll(subscriptionAtLatestKnown);
  assert.deepEqual(
    { state: verdict.state, reason: verdict.reason },
    { state: 'ready', reason: 'CSV odf-operator.v4.16.0 Succeeded (and 2 other CSVs in openshift-storage)' },
  );
});

test('Subscription: a dependent CSV still Installing (ocs-operator) keeps it progressing', () => {
  const verdict = cluster(odfCsvSucceeded, ocsCsvInstalling, mcgCsvSucceeded).poll(subscriptionAtLatestKnown);
  assert.equal(verdict.state, 'progressing');
  assert.match(
    verdict.reason,
    /^CSV odf-operator\.v4\.16\.0 Succeeded; CSV ocs-operator\.v4\.16\.0 Installing/,
  );
});

test('Subscription: a dependent CSV Failed with a NoRetry reason fails terminally', () => {
  const verdict = cluster(odfCsvSucceeded, ocsCsvSucceeded, mcgCsvFailedNoRetry).poll(
    subscriptionAtLatestKnown,
  );
  assert.equal(verdict.state, 'failed');
  assert.equal(verdict.terminal, true);
  assert.match(verdict.reason, /CSV mcg-operator\.v4\.16\.0 Failed \(InstallComponentFailedNoRetry/);
});

test('Subscription: copied CSVs of other installs are ignored', () => {
  const verdict = cluster(odfCsvSucceeded, copiedCsvPending).poll(subscriptionAtLatestKnown);
  assert.equal(verdict.state, 'ready');
  assert.equal(verdict.reason, 'CSV odf-operator.v4.16.0 Succeeded');
});

test('Subscription: its CSV Failed is a failure the caller may wait out (not terminal, with the time)', () => {
  const verdict = cluster(odfCsvFailed).poll(subscriptionAtLatestKnown);
  assert.equal(verdict.state, 'failed');
  assert.equal(verdict.terminal, false);
  assert.equal(verdict.since, '2026-08-20T10:13:00Z');
  assert.match(verdict.reason, /CSV odf-operator\.v4\.16\.0 Failed \(InstallCheckFailed: install timeout\)/);
});

test('Subscription: installedCSV that cannot be found yet keeps it progressing', () => {
  const verdict = cluster().poll(subscriptionAtLatestKnown);
  assert.equal(verdict.state, 'progressing');
  assert.equal(verdict.reason, 'CSV odf-operator.v4.16.0 not found yet');
});

test('Subscription: asks for its CSV and the namespace CSVs in one round, then decides', () => {
  const first = evaluateReadiness(subscriptionAtLatestKnown);
  assert.equal(first.state, 'progressing');
  assert.deepEqual(first.needs, [
    {
      get: {
        apiVersion: 'operators.coreos.com/v1alpha1',
        kind: 'ClusterServiceVersion',
        name: 'odf-operator.v4.16.0',
        namespace: 'openshift-storage',
      },
    },
    {
      list: {
        apiVersion: 'operators.coreos.com/v1alpha1',
        kind: 'ClusterServiceVersion',
        namespace: 'openshift-storage',
      },
    },
  ]);
  const fake = cluster(odfCsvSucceeded);
  assert.equal(fake.poll(subscriptionAtLatestKnown).state, 'ready');
  assert.equal(fake.reads.length, 2);
});

test('Subscription: no status, or a first status without state, is progressing and reads nothing', () => {
  for (const subscription of [subscriptionJustCreated, subscriptionFirstStatus]) {
    const fake = cluster();
    const verdict = fake.poll(subscription);
    assert.equal(verdict.state, 'progressing');
    assert.match(verdict.reason, /^state not yet known: waiting for OLM to install the operator/);
    assert.equal(fake.reads.length, 0);
  }
});

test('Subscription: InstallPlan installing on first install is progressing, naming the plan phase', () => {
  const verdict = cluster(
    installPlan('install-7x2kq', 'Installing', ['odf-operator.v4.16.0'], { approved: true }),
  ).poll(subscriptionInstalling);
  assert.equal(verdict.state, 'progressing');
  assert.match(verdict.reason, /state UpgradePending: waiting for OLM to install odf-operator\.v4\.16\.0/);
  assert.match(verdict.reason, /InstallPlan install-7x2kq Installing/);
});

test('Subscription: ResolutionFailed fails (not terminal: OLM re-resolves when catalogs change)', () => {
  const verdict = evaluateReadiness(subscriptionResolutionFailed);
  assert.equal(verdict.state, 'failed');
  assert.equal(verdict.terminal, false);
  assert.equal(verdict.since, '2026-08-20T10:00:07Z');
  assert.match(
    verdict.reason,
    /^ResolutionFailed=True ConstraintsNotSatisfiable: constraints not satisfiable/,
  );
});

test('Subscription: InstallPlanFailed fails terminally', () => {
  const verdict = evaluateReadiness(subscriptionInstallPlanFailed);
  assert.equal(verdict.state, 'failed');
  assert.equal(verdict.terminal, true);
  assert.match(verdict.reason, /^InstallPlanFailed=True InstallComponentFailed/);
});

test('Subscription: UpgradeFailed state fails terminally', () => {
  const upgradeFailed = {
    ...subscriptionAtLatestKnown,
    status: { ...(subscriptionAtLatestKnown.status as object), state: 'UpgradeFailed' },
  };
  const verdict = evaluateReadiness(upgradeFailed);
  assert.equal(verdict.state, 'failed');
  assert.equal(verdict.terminal, true);
});

test('Subscription: InstallPlanMissing for a garbage-collected plan is harmless (as in Argo)', () => {
  const verdict = cluster(odfCsvSucceeded).poll(subscriptionPlanGarbageCollected);
  assert.equal(verdict.state, 'ready');
});

test('Subscription: Manual first install without approveInstallPlans fails with the command to approve', () => {
  const verdict = cluster(firstPlan).poll(subscriptionManualFirstInstall);
  assert.equal(verdict.state, 'failed');
  assert.equal(verdict.terminal, false, 'a person or an approver Job may still approve it');
  assert.equal(verdict.since, '2026-08-20T10:00:40Z');
  assert.equal(verdict.approve, undefined);
  assert.equal(
    verdict.reason,
    `InstallPlan install-7x2kq requires approval (odf-operator.v4.16.0): set approveInstallPlans: true, or run oc patch installplan install-7x2kq -n openshift-storage --type merge -p '{"spec":{"approved":true}}'`,
  );
});

test('Subscription: Manual first install with approveInstallPlans asks the caller to approve that plan', () => {
  const verdict = cluster(firstPlan).poll(subscriptionManualFirstInstall, { approveInstallPlans: true });
  assert.equal(verdict.state, 'progressing');
  assert.deepEqual(verdict.approve, {
    installPlan: {
      apiVersion: 'operators.coreos.com/v1alpha1',
      kind: 'InstallPlan',
      name: 'install-7x2kq',
      namespace: 'openshift-storage',
    },
    clusterServiceVersionNames: ['odf-operator.v4.16.0'],
  });
});

test('Subscription: a plan for other CSVs than the Subscription asked for is never approved', () => {
  const foreign = installPlan('install-7x2kq', 'RequiresApproval', ['some-other-operator.v1.0.0']);
  const verdict = cluster(foreign).poll(subscriptionManualFirstInstall, { approveInstallPlans: true });
  assert.equal(verdict.state, 'failed');
  assert.equal(verdict.terminal, true);
  assert.equal(verdict.approve, undefined);
  assert.match(
    verdict.reason,
    /are not this Subscription's startingCSV\/currentCSV \(odf-operator\.v4\.16\.0\)/,
  );
});

test('Subscription: an approved plan that failed fails terminally', () => {
  const failedPlan = installPlan('install-7x2kq', 'Failed', ['odf-operator.v4.16.0'], {
    approved: true,
    conditions: [
      {
        type: 'Installed',
        status: 'False',
        reason: 'InstallComponentFailed',
        message: 'error validating existing CRs against new CRD schema',
        lastTransitionTime: '2026-08-20T10:05:00Z',
      },
    ],
  });
  const verdict = cluster(failedPlan).poll(subscriptionInstalling);
  assert.equal(verdict.state, 'failed');
  assert.equal(verdict.terminal, true);
  assert.match(verdict.reason, /^InstallPlan install-7x2kq Failed \(Installed=False InstallComponentFailed/);
});

test('Subscription: a held Manual upgrade of a working operator is ready without approveInstallPlans', () => {
  const upgradePlan = installPlan('install-upg42', 'RequiresApproval', ['odf-operator.v4.16.1']);
  const fake = cluster(odfCsvSucceeded, upgradePlan);
  const held = fake.poll(subscriptionManualUpgradePending);
  assert.equal(held.state, 'ready');
  assert.match(
    held.reason,
    /upgrade to odf-operator\.v4\.16\.1 awaits approval of InstallPlan install-upg42$/,
  );
  const approving = fake.poll(subscriptionManualUpgradePending, { approveInstallPlans: true });
  assert.equal(approving.state, 'progressing');
  assert.equal(approving.approve?.installPlan.name, 'install-upg42');
});

test('ClusterServiceVersion: Succeeded ready, Installing progressing, Failed not terminal, NoRetry terminal', () => {
  assert.equal(evaluateReadiness(odfCsvSucceeded).state, 'ready');
  const installing = evaluateReadiness(odfCsvInstalling);
  assert.equal(installing.state, 'progressing');
  assert.match(installing.reason, /^CSV odf-operator\.v4\.16\.0 Installing/);
  const failedCsv = evaluateReadiness(odfCsvFailed);
  assert.deepEqual(
    [failedCsv.state, failedCsv.terminal, failedCsv.since],
    ['failed', false, '2026-08-20T10:13:00Z'],
  );
  const noRetry = evaluateReadiness(mcgCsvFailedNoRetry);
  assert.deepEqual([noRetry.state, noRetry.terminal], ['failed', true]);
});

test('ClusterServiceVersion: Pending names the unmet requirements; no phase yet is progressing', () => {
  const pending = evaluateReadiness(csvPendingRequirements);
  assert.equal(pending.state, 'progressing');
  assert.equal(
    pending.reason,
    'CSV quay-operator.v3.12.3 Pending (RequirementsNotMet: ServiceAccount quay-operator NotPresent)',
  );
  const fresh = evaluateReadiness(csv('quay-operator.v3.12.3', undefined));
  assert.equal(fresh.state, 'progressing');
  assert.equal(fresh.reason, 'CSV quay-operator.v3.12.3 has no phase yet');
});

test('InstallPlan: Complete ready, Installing progressing, RequiresApproval by policy', () => {
  assert.equal(
    evaluateReadiness(installPlan('install-a', 'Complete', ['x.v1'], { approved: true })).state,
    'ready',
  );
  assert.equal(
    evaluateReadiness(installPlan('install-a', 'Installing', ['x.v1'], { approved: true })).state,
    'progressing',
  );
  const waiting = evaluateReadiness(installPlan('install-a', 'RequiresApproval', ['x.v1']));
  assert.deepEqual([waiting.state, waiting.terminal], ['failed', false]);
  const approving = evaluateReadiness(installPlan('install-a', 'RequiresApproval', ['x.v1']), {
    approveInstallPlans: true,
  });
  assert.equal(approving.state, 'progressing');
  assert.equal(approving.approve?.installPlan.name, 'install-a');
  const failedPlan = evaluateReadiness(installPlan('install-a', 'Failed', ['x.v1'], { approved: true }));
  assert.deepEqual([failedPlan.state, failedPlan.terminal], ['failed', true]);
});

test('OperatorGroup: ready once OLM resolved its namespaces, not on existence', () => {
  const fresh = evaluateReadiness(operatorGroupFresh);
  assert.equal(fresh.state, 'progressing');
  assert.deepEqual(
    [evaluateReadiness(operatorGroupResolved).reason, evaluateReadiness(operatorGroupAllNamespaces).reason],
    ['targets openshift-storage', 'targets all namespaces'],
  );
});

test('OperatorGroup: MultipleOperatorGroup fails (not terminal: the other one may be deleted)', () => {
  const verdict = evaluateReadiness(operatorGroupMultiple);
  assert.deepEqual(
    [verdict.state, verdict.terminal, verdict.since],
    ['failed', false, '2026-08-20T10:00:03Z'],
  );
  assert.match(verdict.reason, /^MultipleOperatorGroup=True MultipleOperatorGroupsFound/);
});

test('CatalogSource: READY ready, CONNECTING progressing, TRANSIENT_FAILURE failed with grace', () => {
  assert.equal(evaluateReadiness(catalogSource('READY')).state, 'ready');
  assert.equal(evaluateReadiness(catalogSource('CONNECTING')).reason, 'connection CONNECTING');
  assert.equal(evaluateReadiness(catalogSource(undefined)).state, 'progressing');
  const broken = evaluateReadiness(catalogSource('TRANSIENT_FAILURE'));
  assert.deepEqual([broken.state, broken.terminal], ['failed', false]);
  const configMapSource = catalogSource(undefined, { sourceType: 'configmap', configMap: 'my-catalog' });
  assert.equal(evaluateReadiness(configMapSource).state, 'progressing');
});
