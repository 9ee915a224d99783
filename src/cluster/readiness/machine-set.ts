import { NOTHING_READ } from './lookup.js';
import {
  countAt,
  isRecord,
  nameOf,
  namespaceOf,
  numberAt,
  shortMessage,
  textAt,
  valueAt,
} from './object-fields.js';
import type { KubeObject, ListQuery, ReadinessContext, ReadinessRule, Verdict } from './types.js';
import { deletionVerdict, failed, needs, progressing, ready } from './verdicts.js';

const MACHINE_API = 'machine.openshift.io/v1beta1';
const MACHINESET_LABEL = 'machine.openshift.io/cluster-api-machineset';

/** The MachineSet's Machines: by its `spec.selector.matchLabels`, else the label MAPI puts on them. */
export function machinesOf(machineSet: KubeObject): ListQuery {
  const matchLabels = valueAt(machineSet, 'spec', 'selector', 'matchLabels');
  const pairs = isRecord(matchLabels)
    ? Object.entries(matchLabels).filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    : [];
  const labelSelector =
    pairs.length > 0
      ? pairs.map(([key, value]) => `${key}=${value}`).join(',')
      : `${MACHINESET_LABEL}=${nameOf(machineSet)}`;
  const namespace = namespaceOf(machineSet);
  return namespace === undefined
    ? { apiVersion: MACHINE_API, kind: 'Machine', labelSelector }
    : { apiVersion: MACHINE_API, kind: 'Machine', namespace, labelSelector };
}

/**
 * MachineSet (machine.openshift.io/v1beta1): generation observed and readyReplicas == availableReplicas
 * == spec.replicas (status counters are omitempty: absent = 0). No tool ships a rule; kstatus calls it
 * Current as soon as observedGeneration catches up (apply-readiness.md §2.1 MachineSet). While not
 * ready it reads its Machines: a Machine in phase Failed never recovers and must be deleted.
 */
export const machineSetRule: ReadinessRule = {
  describe: 'readyReplicas == availableReplicas == spec.replicas; no Machine Failed',
  evaluate(object: KubeObject, context: ReadinessContext): Verdict {
    const deleting = deletionVerdict(object);
    if (deleting) return deleting;
    const errorReason = textAt(object, 'status', 'errorReason');
    if (errorReason) {
      const message = shortMessage(textAt(object, 'status', 'errorMessage'));
      return failed(`${errorReason}${message ? `: ${message}` : ''}`, { terminal: true });
    }
    const generation = numberAt(object, 'metadata', 'generation') ?? 0;
    const observed = countAt(object, 'status', 'observedGeneration');
    if (observed < generation)
      return progressing(`waiting for the machine controller to observe generation ${generation}`);
    const replicas = numberAt(object, 'spec', 'replicas') ?? 1;
    const readyReplicas = countAt(object, 'status', 'readyReplicas');
    const available = countAt(object, 'status', 'availableReplicas');
    const current = countAt(object, 'status', 'replicas');
    if (readyReplicas === replicas && available === replicas && current === replicas) {
      return ready(`${readyReplicas}/${replicas} machines ready and available`);
    }
    const lookup = context.lookup ?? NOTHING_READ;
    const query = machinesOf(object);
    const machines = lookup.list(query);
    if (machines === undefined)
      return needs(`${readyReplicas}/${replicas} machines ready, reading Machines`, [{ list: query }]);
    const broken = machines.find((machine) => textAt(machine, 'status', 'phase') === 'Failed');
    if (broken) {
      const why = [
        textAt(broken, 'status', 'errorReason'),
        shortMessage(textAt(broken, 'status', 'errorMessage')),
      ]
        .filter((part) => part)
        .join(': ');
      return failed(`Machine ${nameOf(broken)} Failed${why ? ` (${why})` : ''}`, { terminal: true });
    }
    const phases = new Map<string, number>();
    for (const machine of machines) {
      const phase = textAt(machine, 'status', 'phase') ?? 'no phase';
      phases.set(phase, (phases.get(phase) ?? 0) + 1);
    }
    const summary = [...phases].map(([phase, count]) => `${count} ${phase}`).join(', ');
    return progressing(
      `${readyReplicas}/${replicas} machines ready, ${available} available${summary ? ` (Machines: ${summary})` : ''}`,
    );
  },
};
