import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateReadiness } from '../../../../src/cluster/readiness/index.js';
import {
  quayRegistryAvailable,
  quayRegistryComponentsNotReady,
  quayRegistryCredentialPending,
  quayRegistryMigrating,
  quayRegistryMigrationsFailed,
  quayRegistryNoEndpoint,
  quayRegistryNoStatus,
  quayRegistryOldGeneration,
  quayRegistryRolloutBlockedConfig,
  quayRegistryRolloutBlockedObjectStorage,
} from '../../../fixtures/readiness/quay.js';

test('QuayRegistry: Available + ComponentsCreated + endpoint + version is ready', () => {
  const verdict = evaluateReadiness(quayRegistryAvailable);
  assert.deepEqual(
    [verdict.state, verdict.reason],
    ['ready', 'Available at https://central-quay-quay-enterprise.apps.ocp.example.com (version 3.12.3)'],
  );
});

test('QuayRegistry: a fresh registry with no status is NOT ready', () => {
  const verdict = evaluateReadiness(quayRegistryNoStatus);
  assert.deepEqual([verdict.state, verdict.awaitingFirstStatus], ['progressing', true]);
});

test('QuayRegistry: components not ready are named', () => {
  const verdict = evaluateReadiness(quayRegistryComponentsNotReady);
  assert.deepEqual(
    [verdict.state, verdict.reason],
    [
      'progressing',
      'Available=False ComponentNotReady: Some components are not ready; not ready: Quay, ObjectStorage',
    ],
  );
});

test('QuayRegistry: migrations in progress, missing endpoint and an unobserved generation are progressing', () => {
  assert.equal(
    evaluateReadiness(quayRegistryMigrating).reason,
    'ComponentsCreated=False MigrationsInProgress: Running database migrations',
  );
  assert.equal(
    evaluateReadiness(quayRegistryNoEndpoint).reason,
    'Available, waiting for status.registryEndpoint',
  );
  assert.equal(
    evaluateReadiness(quayRegistryOldGeneration).reason,
    'waiting for quay-operator to observe generation 2',
  );
});

test('QuayRegistry: RolloutBlocked fails — ConfigInvalid terminally, a missing ODF/MCG dependency with grace', () => {
  const config = evaluateReadiness(quayRegistryRolloutBlockedConfig);
  assert.deepEqual([config.state, config.terminal], ['failed', true]);
  assert.match(config.reason, /^RolloutBlocked=True ConfigInvalid: required component `objectstorage`/);
  const storage = evaluateReadiness(quayRegistryRolloutBlockedObjectStorage);
  assert.deepEqual(
    [storage.state, storage.terminal, storage.since],
    ['failed', false, '2026-08-20T11:00:30Z'],
  );
  assert.match(
    storage.reason,
    /ObjectStorageComponentDependencyError: error validating component objectstorage/,
  );
});

test('QuayRegistry: RolloutBlocked while cloud credentials are provisioned only waits', () => {
  assert.equal(evaluateReadiness(quayRegistryCredentialPending).state, 'progressing');
});

test('QuayRegistry: MigrationsFailed fails with grace', () => {
  const verdict = evaluateReadiness(quayRegistryMigrationsFailed);
  assert.deepEqual(
    [verdict.state, verdict.terminal, verdict.since],
    ['failed', false, '2026-08-20T11:20:00Z'],
  );
});
