import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  asKubeObject,
  builtInRuleFor,
  evaluateReadiness,
  FetchedObjects,
  type KubeObject,
  needKey,
  ruleFor,
} from '../../../../src/cluster/readiness/index.js';
import {
  configMap,
  crdEstablished,
  namespaceActive,
  pvcBound,
  service,
} from '../../../fixtures/readiness/core.js';
import { freshCustomResource } from '../../../fixtures/readiness/custom.js';
import { machineSetReady } from '../../../fixtures/readiness/machines.js';
import { storageClusterReady } from '../../../fixtures/readiness/odf.js';
import { csv, operatorGroupResolved, subscriptionAtLatestKnown } from '../../../fixtures/readiness/olm.js';
import { quayRegistryAvailable } from '../../../fixtures/readiness/quay.js';
import { deploymentRolledOut, jobComplete, podRunningReady } from '../../../fixtures/readiness/workloads.js';

test('ruleFor picks the built-in rule by API group and kind, and describes it for the plan', () => {
  const expected: [KubeObject, string][] = [
    [namespaceActive, 'status.phase Active'],
    [crdEstablished, 'conditions Established=True and NamesAccepted=True'],
    [deploymentRolledOut, 'rolled out: generation observed, all replicas updated, ready and available'],
    [jobComplete, 'condition Complete=True (Failed=True fails)'],
    [podRunningReady, 'Running and Ready=True (run-to-completion pods: Succeeded)'],
    [pvcBound, 'Bound (Pending on a WaitForFirstConsumer StorageClass does not block)'],
    [service('ClusterIP'), 'exists (LoadBalancer: an ingress address)'],
    [configMap, 'exists'],
    [subscriptionAtLatestKnown, 'installedCSV set, that CSV and every other CSV of the namespace Succeeded'],
    [csv('x.v1', 'Succeeded'), 'status.phase Succeeded'],
    [operatorGroupResolved, 'status.namespaces resolved, no MultipleOperatorGroup'],
    [
      storageClusterReady,
      'phase Ready, Available=True, Progressing=False, Degraded=False; its NooBaa and BackingStores Ready',
    ],
    [
      quayRegistryAvailable,
      'Available=True, ComponentsCreated=True, not RolloutBlocked, registryEndpoint set',
    ],
    [machineSetReady, 'readyReplicas == availableReplicas == spec.replicas; no Machine Failed'],
    [
      freshCustomResource,
      'Ready/Available conditions and observedGeneration (kstatus-like); a custom resource needs a status',
    ],
  ];
  for (const [object, describe] of expected)
    assert.equal(ruleFor(object).describe, describe, String(object.kind));
});

test('a kind of the same name in another API group does not get the built-in rule', () => {
  const lookalike = { apiVersion: 'example.com/v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' } };
  assert.equal(builtInRuleFor(lookalike), undefined);
  assert.equal(evaluateReadiness(lookalike).state, 'progressing', 'a custom resource without status');
});

test('FetchedObjects distinguishes "not read yet" from "read, does not exist"', () => {
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'n' };
  const query = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'n' };
  const fetched = new FetchedObjects();
  assert.equal(fetched.get(ref), undefined);
  assert.equal(fetched.list(query), undefined);
  fetched.recordObject(ref, null).recordList(query, []);
  assert.equal(fetched.get(ref), null);
  assert.deepEqual(fetched.list(query), []);
  assert.equal(fetched.has({ get: ref }), true);
  assert.equal(fetched.has({ list: { ...query, labelSelector: 'a=b' } }), false);
  assert.notEqual(needKey({ get: ref }), needKey({ get: { ...ref, namespace: 'other' } }));
});

test('asKubeObject accepts parsed JSON objects and rejects the rest', () => {
  assert.equal(asKubeObject(JSON.parse('{"apiVersion":"v1","kind":"Namespace"}')).kind, 'Namespace');
  assert.throws(() => asKubeObject([]), TypeError);
  assert.throws(() => asKubeObject({ kind: 'Namespace' }), /apiVersion and kind/);
});
