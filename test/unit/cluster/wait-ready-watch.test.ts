import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClusterObjects } from '../../../src/cluster/cluster-objects.js';
import type { KubeObject, ListQuery, ObjectRef } from '../../../src/cluster/readiness/index.js';
import { waitUntilReady } from '../../../src/cluster/wait-ready.js';

/**
 * A Subscription's readiness depends on its CSV, whose changes the Subscription's own watch does not
 * show. The loop must watch the CSV too and re-check at its change. The poll here is 60 s and the
 * deadline 5 s, so the Subscription can only be found ready through the CSV's watch: without it the
 * wait ends in a timeout.
 */
describe('waitUntilReady watches the objects a readiness rule reads', () => {
  const OLM = 'operators.coreos.com/v1alpha1';
  const subscriptionRef: ObjectRef = {
    apiVersion: OLM,
    kind: 'Subscription',
    name: 'quay-operator',
    namespace: 'ops',
  };
  const csvName = 'quay-operator.v3.15.0';

  function cluster(csvPhase: { value: string }) {
    const csv = (): KubeObject => ({
      apiVersion: OLM,
      kind: 'ClusterServiceVersion',
      metadata: { name: csvName, namespace: 'ops' },
      status: { phase: csvPhase.value },
    });
    const objects = {
      get: async (ref: ObjectRef) => {
        if (ref.kind === 'Subscription')
          return {
            apiVersion: OLM,
            kind: 'Subscription',
            metadata: { name: ref.name, namespace: 'ops', generation: 1 },
            spec: { name: 'quay-operator', channel: 'stable-3.15' },
            status: { state: 'AtLatestKnown', installedCSV: csvName, currentCSV: csvName },
          };
        if (ref.kind === 'ClusterServiceVersion' && ref.name === csvName) return csv();
        return null;
      },
      list: async (query: ListQuery) => (query.kind === 'ClusterServiceVersion' ? [csv()] : []),
    };
    return objects as unknown as ClusterObjects;
  }

  test('a change of the CSV (seen by its watch) makes the Subscription ready without waiting for a poll', async () => {
    const phase = { value: 'Installing' };
    const watched: string[] = [];
    const listeners = new Map<string, () => void>();
    let stopped = 0;
    const outcome = waitUntilReady(subscriptionRef, {
      objects: cluster(phase),
      approveInstallPlans: false,
      customRules: [],
      deadline: Date.now() + 5000,
      graceMs: 60_000,
      pollMs: { first: 60_000, max: 60_000 },
      onProgress: (verdict) => {
        // After the first check (CSV Installing) the CSV succeeds and its watch tells so.
        if (verdict.state === 'progressing' && phase.value === 'Installing')
          setImmediate(() => {
            phase.value = 'Succeeded';
            listeners.get('ClusterServiceVersion')?.();
          });
      },
      changes: (ref, onChange) => {
        watched.push(`${ref.kind}/${ref.name}`);
        listeners.set(ref.kind, onChange);
        return { stop: () => stopped++ };
      },
    });
    const result = await outcome;
    assert.equal(result.state, 'ready', result.reason);
    assert.deepEqual(watched, ['Subscription/quay-operator', `ClusterServiceVersion/${csvName}`]);
    assert.equal(stopped, 2, 'both watches stopped');
  });

  test('a change signalled while the loop is re-checking is not lost', async () => {
    const phase = { value: 'Pending' };
    const listeners = new Map<string, () => void>();
    let checks = 0;
    const result = await waitUntilReady(subscriptionRef, {
      objects: cluster(phase),
      approveInstallPlans: false,
      customRules: [],
      deadline: Date.now() + 5000,
      graceMs: 60_000,
      pollMs: { first: 60_000, max: 60_000 },
      onProgress: () => {
        checks++;
        // The change happens synchronously, before the loop waits again.
        if (checks === 2) {
          phase.value = 'Succeeded';
          listeners.get('ClusterServiceVersion')?.();
        }
        if (checks === 1)
          setImmediate(() => {
            phase.value = 'Installing';
            listeners.get('ClusterServiceVersion')?.();
          });
      },
      changes: (ref, onChange) => {
        listeners.set(ref.kind, onChange);
        return { stop: () => undefined };
      },
    });
    assert.equal(result.state, 'ready', result.reason);
    assert.equal(checks, 3);
  });
});
