import { describeCondition, findCondition } from './conditions.js';
import { recordsAt, shortMessage, textAt } from './object-fields.js';
import type { KubeObject, ReadinessRule, Verdict } from './types.js';
import { deletionVerdict, failed, progressing, ready } from './verdicts.js';

/**
 * Container waiting reasons that mean "this pod is not going to start by itself soon" (kstatus
 * CrashLoopBackOff, Argo's Err* / *BackOff; apply-readiness.md §2.1 Pod). The kubelet keeps retrying
 * all of them except the terminal ones, so those get a grace period (§5 goal 8).
 */
const FAILING_WAIT_REASONS = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'InvalidImageName',
  'ErrImageNeverPull',
]);
const TERMINAL_WAIT_REASONS = new Set(['InvalidImageName', 'ErrImageNeverPull']);

function failingContainer(object: KubeObject): Verdict | undefined {
  const statuses = [
    ...recordsAt(object, 'status', 'initContainerStatuses'),
    ...recordsAt(object, 'status', 'containerStatuses'),
  ];
  for (const status of statuses) {
    const reason = textAt(status, 'state', 'waiting', 'reason');
    if (reason === undefined || !FAILING_WAIT_REASONS.has(reason)) continue;
    const message = shortMessage(textAt(status, 'state', 'waiting', 'message'));
    const name = textAt(status, 'name') ?? '?';
    return failed(`container ${name} ${reason}${message ? `: ${message}` : ''}`, {
      terminal: TERMINAL_WAIT_REASONS.has(reason),
    });
  }
  return undefined;
}

/**
 * Pod: Running with Ready=True, or Succeeded. A pod that runs to completion (restartPolicy Never or
 * OnFailure) is ready only once Succeeded, as Argo decides ([ARGO-health] pod).
 */
export const podRule: ReadinessRule = {
  describe: 'Running and Ready=True (run-to-completion pods: Succeeded)',
  evaluate(object: KubeObject): Verdict {
    const deleting = deletionVerdict(object);
    if (deleting) return deleting;
    const phase = textAt(object, 'status', 'phase');
    if (phase === 'Succeeded') return ready('Succeeded');
    if (phase === 'Failed') {
      const why = [textAt(object, 'status', 'reason'), shortMessage(textAt(object, 'status', 'message'))]
        .filter((part) => part)
        .join(': ');
      return failed(`Failed${why ? ` (${why})` : ''}`, { terminal: true });
    }
    // The node stopped reporting (kapp: Unknown is a failure); the node may come back.
    if (phase === 'Unknown') return failed('phase Unknown (node not reporting)', { terminal: false });
    const failing = failingContainer(object);
    if (failing) return failing;
    const scheduled = findCondition(object, 'PodScheduled');
    if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
      // kstatus fails after 15 s; an autoscaler or new MachineSet may still make room, hence not terminal.
      return failed(describeCondition(scheduled), { terminal: false, since: scheduled.lastTransitionTime });
    }
    const restartPolicy = textAt(object, 'spec', 'restartPolicy') ?? 'Always';
    const readyCondition = findCondition(object, 'Ready');
    if (restartPolicy !== 'Always') {
      return progressing(
        `phase ${phase ?? 'unknown'}: restartPolicy ${restartPolicy}, waiting for Succeeded`,
      );
    }
    if (phase === 'Running' && readyCondition?.status === 'True') return ready('Running, Ready');
    if (readyCondition)
      return progressing(`phase ${phase ?? 'unknown'}, ${describeCondition(readyCondition)}`);
    return progressing(`phase ${phase ?? 'unknown'}`);
  },
};
