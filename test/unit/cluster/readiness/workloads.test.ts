import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateReadiness, type Verdict } from '../../../../src/cluster/readiness/index.js';
import {
  daemonSet,
  daemonSetRolledOut,
  daemonSetUnavailable,
  daemonSetUpdating,
  deployment,
  deploymentDeadlineExceeded,
  deploymentJustCreated,
  deploymentOldObservedGeneration,
  deploymentOldPodsTerminating,
  deploymentPaused,
  deploymentRolledOut,
  deploymentRollingUpdate,
  jobComplete,
  jobFailed,
  jobRunning,
  jobSuspended,
  podCrashLoopBackOff,
  podCreateContainerConfigError,
  podErrImagePull,
  podFailed,
  podImagePullBackOff,
  podInitCrashLoop,
  podInvalidImageName,
  podPending,
  podRunningNotReady,
  podRunningReady,
  podRunToCompletionRunning,
  podSucceeded,
  podTerminating,
  podUnschedulable,
  statefulSet,
  statefulSetPartitioned,
  statefulSetPodsNotReady,
  statefulSetRevisionRolling,
  statefulSetRolledOut,
} from '../../../fixtures/readiness/workloads.js';

function brief(verdict: Verdict): [string, string] {
  return [verdict.state, verdict.reason];
}

test('Deployment: rolled out when generation observed and every replica updated, ready, available', () => {
  assert.deepEqual(brief(evaluateReadiness(deploymentRolledOut)), [
    'ready',
    '3/3 replicas updated and available',
  ]);
});

test('Deployment: an old observedGeneration is NOT ready even though the counters look complete (the trap)', () => {
  assert.deepEqual(brief(evaluateReadiness(deploymentOldObservedGeneration)), [
    'progressing',
    'waiting for the deployment controller to observe generation 3 (observed 2)',
  ]);
  assert.equal(evaluateReadiness(deploymentJustCreated).state, 'progressing');
});

test('Deployment: the kubectl rollout status steps are reported in order', () => {
  assert.deepEqual(brief(evaluateReadiness(deploymentRollingUpdate)), [
    'progressing',
    '1 of 3 new replicas updated',
  ]);
  assert.deepEqual(brief(evaluateReadiness(deploymentOldPodsTerminating)), [
    'progressing',
    '1 old replicas pending termination',
  ]);
  const notAvailable = deployment(
    2,
    {},
    { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 2 },
  );
  assert.deepEqual(brief(evaluateReadiness(notAvailable)), [
    'progressing',
    '2 of 3 updated replicas available',
  ]);
  const notReady = deployment(
    2,
    {},
    { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 3 },
  );
  assert.deepEqual(brief(evaluateReadiness(notReady)), ['progressing', '2 of 3 replicas ready']);
});

test('Deployment: Available=False keeps it progressing even with full counters', () => {
  const unavailable = deployment(
    2,
    {},
    {
      observedGeneration: 2,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' }],
    },
  );
  assert.deepEqual(brief(evaluateReadiness(unavailable)), [
    'progressing',
    'Available=False MinimumReplicasUnavailable',
  ]);
});

test('Deployment: ProgressDeadlineExceeded fails terminally (the deadline was the grace period)', () => {
  const verdict = evaluateReadiness(deploymentDeadlineExceeded);
  assert.deepEqual(
    [verdict.state, verdict.terminal, verdict.since],
    ['failed', true, '2026-08-20T10:15:00Z'],
  );
  assert.match(
    verdict.reason,
    /^Progressing=False ProgressDeadlineExceeded: ReplicaSet .* has timed out progressing\.$/,
  );
});

test('Deployment: paused is ready without waiting; replicas default to 1', () => {
  assert.equal(evaluateReadiness(deploymentPaused).state, 'ready');
  const single = {
    ...deployment(
      1,
      {},
      { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 },
    ),
  };
  const withoutReplicas = { ...single, spec: { selector: {} } };
  assert.deepEqual(brief(evaluateReadiness(withoutReplicas)), [
    'ready',
    '1/1 replicas updated and available',
  ]);
});

test('StatefulSet: ready at one revision with all pods ready', () => {
  assert.deepEqual(brief(evaluateReadiness(statefulSetRolledOut)), [
    'ready',
    '3/3 pods ready at revision central-quay-database-6b7c9d8f5',
  ]);
});

test('StatefulSet: progressing while pods are not ready, the revision rolls, or generation is unobserved', () => {
  assert.deepEqual(brief(evaluateReadiness(statefulSetPodsNotReady)), ['progressing', '1 of 3 pods ready']);
  assert.deepEqual(brief(evaluateReadiness(statefulSetRevisionRolling)), [
    'progressing',
    'rolling update: 1 of 3 pods at revision central-quay-database-7f8a9b0c1',
  ]);
  const unobserved = statefulSet({}, { ...(statefulSetRolledOut.status as object) }, 3);
  assert.equal(evaluateReadiness(unobserved).state, 'progressing');
});

test('StatefulSet: a partitioned rollout is done once the pods above the partition are updated', () => {
  assert.deepEqual(brief(evaluateReadiness(statefulSetPartitioned)), [
    'ready',
    'partitioned roll out complete: 1 new pods updated',
  ]);
  const behind = statefulSet(
    { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } },
    { observedGeneration: 2, replicas: 3, readyReplicas: 3, updatedReplicas: 1 },
  );
  assert.deepEqual(brief(evaluateReadiness(behind)), [
    'progressing',
    'partitioned roll out: 1 of 2 pods updated',
  ]);
});

test('StatefulSet: OnDelete only waits for ready pods', () => {
  const onDelete = statefulSet(
    { updateStrategy: { type: 'OnDelete' } },
    { observedGeneration: 2, replicas: 3, readyReplicas: 3, currentRevision: 'a', updateRevision: 'b' },
  );
  assert.equal(evaluateReadiness(onDelete).state, 'ready');
});

test('DaemonSet: rolled out, updating, unavailable, unobserved', () => {
  assert.deepEqual(brief(evaluateReadiness(daemonSetRolledOut)), ['ready', '3/3 pods available']);
  assert.deepEqual(brief(evaluateReadiness(daemonSetUpdating)), ['progressing', '2 of 3 pods updated']);
  assert.deepEqual(brief(evaluateReadiness(daemonSetUnavailable)), ['progressing', '2 of 3 pods available']);
  assert.equal(
    evaluateReadiness(daemonSet({ ...(daemonSetRolledOut.status as object) }, 2)).state,
    'progressing',
  );
});

test('Job: Complete ready; running progressing (unlike kstatus); Failed terminal; suspended not waited', () => {
  assert.deepEqual(brief(evaluateReadiness(jobComplete)), ['ready', 'Complete=True CompletionsReached']);
  assert.deepEqual(brief(evaluateReadiness(jobRunning)), ['progressing', '0 of 1 completions, 1 active']);
  const failedJob = evaluateReadiness(jobFailed);
  assert.deepEqual([failedJob.state, failedJob.terminal], ['failed', true]);
  assert.match(failedJob.reason, /BackoffLimitExceeded: Job has reached the specified backoff limit/);
  assert.equal(evaluateReadiness(jobSuspended).state, 'ready');
});

test('Pod: Running and Ready is ready; Running not Ready and Pending progress', () => {
  assert.deepEqual(brief(evaluateReadiness(podRunningReady)), ['ready', 'Running, Ready']);
  assert.deepEqual(brief(evaluateReadiness(podRunningNotReady)), [
    'progressing',
    'phase Running, Ready=False ContainersNotReady: containers with unready status: [quay-app]',
  ]);
  assert.deepEqual(brief(evaluateReadiness(podPending)), ['progressing', 'phase Pending']);
});

test('Pod: CrashLoopBackOff, ImagePullBackOff, ErrImagePull, CreateContainerConfigError fail with grace', () => {
  const expected: [typeof podCrashLoopBackOff, string][] = [
    [
      podCrashLoopBackOff,
      'container quay-app CrashLoopBackOff: back-off 2m40s restarting failed container=quay-app',
    ],
    [
      podImagePullBackOff,
      'container quay-app ImagePullBackOff: Back-off pulling image "registry.redhat.io/quay/quay-rhel8:v3.12.3"',
    ],
    [podErrImagePull, 'container quay-app ErrImagePull: unauthorized: authentication required'],
    [
      podCreateContainerConfigError,
      'container quay-app CreateContainerConfigError: secret "central-quay-config-secret" not found',
    ],
    [podInitCrashLoop, 'container quay-config-init CrashLoopBackOff'],
  ];
  for (const [object, reason] of expected) {
    const verdict = evaluateReadiness(object);
    assert.deepEqual([verdict.state, verdict.reason, verdict.terminal], ['failed', reason, false]);
  }
  const invalid = evaluateReadiness(podInvalidImageName);
  assert.deepEqual([invalid.state, invalid.terminal], ['failed', true]);
});

test('Pod: Unschedulable fails with its time; Failed phase is terminal; Succeeded is ready', () => {
  const unschedulable = evaluateReadiness(podUnschedulable);
  assert.deepEqual(
    [unschedulable.state, unschedulable.terminal, unschedulable.since],
    ['failed', false, '2026-08-20T10:00:01Z'],
  );
  const failedPod = evaluateReadiness(podFailed);
  assert.deepEqual(brief(failedPod), ['failed', 'Failed (Evicted: The node was low on resource: memory.)']);
  assert.equal(failedPod.terminal, true);
  assert.deepEqual(brief(evaluateReadiness(podSucceeded)), ['ready', 'Succeeded']);
});

test('Pod: a run-to-completion pod is ready only once Succeeded; a deleted pod is failing', () => {
  assert.deepEqual(brief(evaluateReadiness(podRunToCompletionRunning)), [
    'progressing',
    'phase Running: restartPolicy OnFailure, waiting for Succeeded',
  ]);
  const deleting = evaluateReadiness(podTerminating);
  assert.deepEqual(
    [deleting.state, deleting.terminal, deleting.since],
    ['failed', false, '2026-08-20T11:00:00Z'],
  );
});
