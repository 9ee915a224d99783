import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateReadiness, type Verdict } from '../../../../src/cluster/readiness/index.js';
import {
  availableCustomResource,
  degradedCustomResource,
  emptyStatusCustomResource,
  errorPhaseCustomResource,
  freshCustomResource,
  installingPhaseCustomResource,
  notReadyCustomResource,
  plainStatusCustomResource,
  readyCustomResource,
  readyPhaseCustomResource,
  reconcilingCustomResource,
  staleReadyCustomResource,
  stalledCustomResource,
} from '../../../fixtures/readiness/custom.js';

function brief(verdict: Verdict): [string, string] {
  return [verdict.state, verdict.reason];
}

test('generic: a fresh custom resource without status, or with an empty one, is NOT ready (the trap)', () => {
  for (const object of [freshCustomResource, emptyStatusCustomResource]) {
    const verdict = evaluateReadiness(object);
    assert.deepEqual(brief(verdict), ['progressing', 'no status yet: waiting for its controller']);
    assert.equal(verdict.awaitingFirstStatus, true);
  }
});

test('generic: a built-in kind without status has nothing to wait for', () => {
  const endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'x', namespace: 'y' },
    subsets: [],
  };
  assert.deepEqual(brief(evaluateReadiness(endpoints)), ['ready', 'Endpoints has no status to wait for']);
  const pdb = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'x', namespace: 'y' },
  };
  assert.equal(evaluateReadiness(pdb).state, 'ready');
});

test('generic: Ready=True ready; Ready=False progressing; from an older generation progressing', () => {
  assert.deepEqual(brief(evaluateReadiness(readyCustomResource)), ['ready', 'Ready=True Reconciled']);
  assert.deepEqual(brief(evaluateReadiness(notReadyCustomResource)), [
    'progressing',
    'Ready=False WaitingForDependencies: database not ready',
  ]);
  assert.deepEqual(brief(evaluateReadiness(staleReadyCustomResource)), [
    'progressing',
    'waiting for its controller to observe the new generation',
  ]);
});

test('generic: Reconciling=True wins over Ready=True; Stalled=True fails with grace', () => {
  assert.deepEqual(brief(evaluateReadiness(reconcilingCustomResource)), [
    'progressing',
    'Reconciling=True Progressing: creating 3 gears',
  ]);
  const stalled = evaluateReadiness(stalledCustomResource);
  assert.deepEqual(
    [stalled.state, stalled.terminal, stalled.since],
    ['failed', false, '2026-08-20T12:01:00Z'],
  );
});

test('generic: Available=True ready; Degraded=True fails even when Available', () => {
  assert.equal(evaluateReadiness(availableCustomResource).state, 'ready');
  assert.deepEqual(brief(evaluateReadiness(degradedCustomResource)), [
    'failed',
    'Degraded=True SyncError: sync failed',
  ]);
});

test('generic: status.phase words — Ready ready, Installing progressing, Error failed', () => {
  assert.deepEqual(brief(evaluateReadiness(readyPhaseCustomResource)), ['ready', 'phase Ready']);
  assert.deepEqual(brief(evaluateReadiness(installingPhaseCustomResource)), [
    'progressing',
    'phase Installing',
  ]);
  const error = evaluateReadiness(errorPhaseCustomResource);
  assert.deepEqual([error.state, error.terminal], ['failed', false]);
});

test('generic: a status without conditions or phase is current, as in kstatus', () => {
  assert.deepEqual(brief(evaluateReadiness(plainStatusCustomResource)), [
    'ready',
    'status reported, no readiness conditions',
  ]);
});
