import { shortMessage, textAt } from './object-fields.js';
import type { KubeObject, ReadinessRule, Verdict } from './types.js';
import { deletionVerdict, failed, progressing, ready } from './verdicts.js';

interface PhaseTable {
  ready: string;
  /** Phase → terminal? */
  failed: ReadonlyMap<string, boolean>;
}

function phaseVerdict(object: KubeObject, table: PhaseTable): Verdict {
  const phase = textAt(object, 'status', 'phase');
  if (phase === table.ready) return ready(phase);
  const terminal = phase === undefined ? undefined : table.failed.get(phase);
  const message = shortMessage(textAt(object, 'status', 'message') ?? textAt(object, 'status', 'reason'));
  if (terminal !== undefined) return failed(`${phase}${message ? `: ${message}` : ''}`, { terminal });
  return progressing(
    phase ? `phase ${phase}${message ? ` (${message})` : ''}` : `waiting for phase ${table.ready}`,
  );
}

// Rejected = the spec was refused; NooBaa does not retry until it changes ([QUAY-storage-sh] waits for Ready).
const NOOBAA_PHASES: PhaseTable = { ready: 'Ready', failed: new Map([['Rejected', true]]) };
// An ObjectBucketClaim's Failed is retried by the provisioner ([ARGO-obc] reports it Degraded).
const BUCKET_CLAIM_PHASES: PhaseTable = { ready: 'Bound', failed: new Map([['Failed', false]]) };

/** Verdict for a NooBaa or BackingStore, also used by the StorageCluster rule for the ones it reads. */
export function noobaaVerdict(object: KubeObject): Verdict {
  return phaseVerdict(object, NOOBAA_PHASES);
}

/** NooBaa (MCG) and its BackingStores: `status.phase` Ready (apply-readiness.md §2.1 NooBaa). */
export const noobaaRule: ReadinessRule = {
  describe: 'status.phase Ready',
  evaluate(object: KubeObject): Verdict {
    return deletionVerdict(object) ?? noobaaVerdict(object);
  },
};

/** ObjectBucketClaim: `status.phase` Bound; no status yet means the provisioner has not seen it. */
export const objectBucketClaimRule: ReadinessRule = {
  describe: 'status.phase Bound',
  evaluate(object: KubeObject): Verdict {
    return deletionVerdict(object) ?? phaseVerdict(object, BUCKET_CLAIM_PHASES);
  },
};
