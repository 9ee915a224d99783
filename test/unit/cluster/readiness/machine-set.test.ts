import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateReadiness } from '../../../../src/cluster/readiness/index.js';
import { FakeCluster } from '../../../fixtures/readiness/fake-cluster.js';
import {
  foreignFailedMachine,
  machine,
  machineSetInvalid,
  machineSetOneReady,
  machineSetProvisioning,
  machineSetReady,
  machineSetUnobserved,
} from '../../../fixtures/readiness/machines.js';

test('MachineSet: ready when ready == available == replicas, without reading Machines', () => {
  const fake = new FakeCluster([]);
  assert.deepEqual(
    [fake.poll(machineSetReady).state, fake.poll(machineSetReady).reason],
    ['ready', '3/3 machines ready and available'],
  );
  assert.equal(fake.reads.length, 0);
});

test('MachineSet: provisioning reads its Machines by selector and summarises their phases', () => {
  const fake = new FakeCluster([
    machine('a1b2c', 'Running'),
    machine('d3e4f', 'Provisioned'),
    machine('g5h6i', 'Provisioning'),
    foreignFailedMachine,
  ]);
  const verdict = fake.poll(machineSetOneReady);
  assert.deepEqual(
    [verdict.state, verdict.reason],
    ['progressing', '1/3 machines ready, 1 available (Machines: 1 Running, 1 Provisioned, 1 Provisioning)'],
  );
  assert.deepEqual(fake.reads, [
    {
      list: {
        apiVersion: 'machine.openshift.io/v1beta1',
        kind: 'Machine',
        namespace: 'openshift-machine-api',
        labelSelector:
          'machine.openshift.io/cluster-api-cluster=ocp-7xk2p,machine.openshift.io/cluster-api-machineset=ocp-7xk2p-odf-us-east-1a',
      },
    },
  ]);
  assert.equal(new FakeCluster([]).poll(machineSetProvisioning).reason, '0/3 machines ready, 0 available');
});

test('MachineSet: an unobserved generation (scaled 3 → 4) is progressing', () => {
  assert.equal(
    evaluateReadiness(machineSetUnobserved).reason,
    'waiting for the machine controller to observe generation 2',
  );
});

test('MachineSet: errorReason and a Failed Machine fail terminally', () => {
  const invalid = evaluateReadiness(machineSetInvalid);
  assert.deepEqual([invalid.state, invalid.terminal], ['failed', true]);
  assert.match(invalid.reason, /^InvalidConfiguration: failed validating machine provider spec/);
  const brokenMachine = machine('x9y8z', 'Failed', {
    errorReason: 'InvalidConfiguration',
    errorMessage: 'error launching instance: You are not authorized to perform this operation',
  });
  const verdict = new FakeCluster([machine('a1b2c', 'Running'), brokenMachine]).poll(machineSetOneReady);
  assert.deepEqual([verdict.state, verdict.terminal], ['failed', true]);
  assert.match(
    verdict.reason,
    /^Machine ocp-7xk2p-odf-us-east-1a-x9y8z Failed \(InvalidConfiguration: error launching/,
  );
});
