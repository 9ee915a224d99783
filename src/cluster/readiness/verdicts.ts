import { describeObject, textAt } from './object-fields.js';
import type { KubeObject, Need, Verdict } from './types.js';

export function ready(reason: string): Verdict {
  return { state: 'ready', reason };
}

export function progressing(
  reason: string,
  extra: Pick<Verdict, 'approve' | 'awaitingFirstStatus'> = {},
): Verdict {
  return { state: 'progressing', reason, ...extra };
}

/** The rule cannot decide before these objects are read. */
export function needs(reason: string, wanted: readonly Need[]): Verdict {
  return { state: 'progressing', reason, needs: [...wanted] };
}

/**
 * `terminal: false` for states the controller retries (the caller fails only after a grace period,
 * apply-readiness.md §2.1 preamble); `since` when the object says when the state began.
 */
export function failed(reason: string, options: { terminal: boolean; since?: string | undefined }): Verdict {
  const verdict: Verdict = { state: 'failed', reason, terminal: options.terminal };
  if (options.since !== undefined) verdict.since = options.since;
  return verdict;
}

/**
 * An object with `deletionTimestamp` is going away, whatever else its status says (kstatus
 * "Terminating", [KS-status]); an apply cannot make it ready, but its finalizers may still be running,
 * so it is not terminal.
 */
export function deletionVerdict(object: KubeObject): Verdict | undefined {
  const deleted = textAt(object, 'metadata', 'deletionTimestamp');
  if (deleted === undefined) return undefined;
  return failed(`${describeObject(object)} is being deleted`, { terminal: false, since: deleted });
}
