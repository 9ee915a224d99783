import { arrayAt, textAt } from './object-fields.js';
import type { KubeObject, ReadinessRule, Verdict } from './types.js';
import { deletionVerdict, progressing, ready } from './verdicts.js';

/** Service: ready once it exists, except a LoadBalancer, which waits for its address ([KS-core], [ARGO-health]). */
export const serviceRule: ReadinessRule = {
  describe: 'exists (LoadBalancer: an ingress address)',
  evaluate(object: KubeObject): Verdict {
    const deleting = deletionVerdict(object);
    if (deleting) return deleting;
    const type = textAt(object, 'spec', 'type') ?? 'ClusterIP';
    if (type !== 'LoadBalancer') return ready(`${type} Service exists`);
    const ingress = arrayAt(object, 'status', 'loadBalancer', 'ingress');
    const address = ingress.map((entry) => textAt(entry, 'hostname') ?? textAt(entry, 'ip')).find((a) => a);
    if (address) return ready(`load balancer at ${address}`);
    return progressing('waiting for a load balancer address');
  },
};
