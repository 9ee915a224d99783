import { recordsAt, shortMessage } from './object-fields.js';
import type { KubeObject } from './types.js';

/** A `status.conditions[]` entry in the metav1.Condition shape. */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/**
 * Conditions with a `type`; entries without one are skipped (a CSV's `status.conditions` is a phase
 * history without `type`/`status`, apply-readiness.md §2.1).
 */
export function conditionsOf(object: KubeObject): Condition[] {
  const found: Condition[] = [];
  for (const entry of recordsAt(object, 'status', 'conditions')) {
    if (typeof entry.type !== 'string' || entry.type === '') continue;
    const condition: Condition = {
      type: entry.type,
      status: typeof entry.status === 'string' ? entry.status : '',
    };
    if (typeof entry.reason === 'string' && entry.reason !== '') condition.reason = entry.reason;
    if (typeof entry.message === 'string' && entry.message !== '') condition.message = entry.message;
    if (typeof entry.lastTransitionTime === 'string' && entry.lastTransitionTime !== '') {
      condition.lastTransitionTime = entry.lastTransitionTime;
    }
    found.push(condition);
  }
  return found;
}

export function findCondition(object: KubeObject, type: string): Condition | undefined {
  return conditionsOf(object).find((condition) => condition.type === type);
}

export function conditionIs(object: KubeObject, type: string, status: 'True' | 'False' | 'Unknown'): boolean {
  return findCondition(object, type)?.status === status;
}

/** "Available=False ComponentNotReady: Some components are not ready" */
export function describeCondition(condition: Condition): string {
  const detail = [condition.reason, shortMessage(condition.message)].filter((part) => part).join(': ');
  return `${condition.type}=${condition.status}${detail ? ` ${detail}` : ''}`;
}
