import { textAt } from './object-fields.js';
import type { KubeObject, ReadinessRule, Verdict } from './types.js';
import { deletionVerdict, failed, progressing, ready } from './verdicts.js';

/**
 * CatalogSource (custom or disconnected catalogs): the registry pod answers,
 * `status.connectionState.lastObservedState == READY` ([OLM-cs], apply-readiness.md §2.1). ConfigMap
 * catalogs have no connection; they are ready once OLM has read the ConfigMap.
 */
export const catalogSourceRule: ReadinessRule = {
  describe: 'connectionState.lastObservedState READY',
  evaluate(object: KubeObject): Verdict {
    const deleting = deletionVerdict(object);
    if (deleting) return deleting;
    const sourceType = textAt(object, 'spec', 'sourceType') ?? 'grpc';
    if (sourceType === 'configmap' || sourceType === 'internal') {
      const configMap = textAt(object, 'status', 'configMapReference', 'name');
      return configMap
        ? ready(`serving ConfigMap ${configMap}`)
        : progressing('waiting for OLM to read its ConfigMap');
    }
    const state = textAt(object, 'status', 'connectionState', 'lastObservedState');
    if (state === 'READY') return ready('READY');
    // gRPC's TRANSIENT_FAILURE is retried with backoff; it persists only if the image or pod is broken.
    if (state === 'TRANSIENT_FAILURE') {
      return failed('connection TRANSIENT_FAILURE', { terminal: false });
    }
    return progressing(state ? `connection ${state}` : 'waiting for the catalog to connect');
  },
};
