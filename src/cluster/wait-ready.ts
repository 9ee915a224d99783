import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterObjects } from './cluster-objects.js';
import {
  type CustomReadinessRule,
  FetchedObjects,
  type KubeObject,
  type ObjectRef,
  ruleFor,
  type Verdict,
} from './readiness/index.js';
import type { ObjectWatch } from './watch-object.js';

export type WaitOutcome =
  | { state: 'ready'; reason: string }
  | { state: 'failed'; reason: string }
  | { state: 'timeout'; reason: string };

export interface WaitOptions {
  objects: ClusterObjects;
  approveInstallPlans: boolean;
  customRules: readonly CustomReadinessRule[];
  /** Epoch ms by which the object must be ready: the earliest of its object, wave and run deadlines. */
  deadline: number;
  /** How long a failure the controller may still recover from is tolerated (apply-readiness.md §5 goal 8). */
  graceMs: number;
  /** Called with the rule's reason each time it is evaluated. */
  onProgress: (verdict: Verdict) => void;
  /** Told about every InstallPlan approved. */
  onApproved?: (installPlan: ObjectRef) => void;
  /**
   * A watch on one object. Started only when a check finds the object not ready (no watch for what is
   * ready at once), for the object and for each existing object its rule read (a Subscription's CSV and
   * InstallPlan), whose changes the object's own watch does not show.
   */
  changes?: (ref: ObjectRef, onChange: () => void) => ObjectWatch;
  now?: () => number;
  /** The poll backoff (first and longest interval) when no watch tells of a change; default 200 ms → 2 s. */
  pollMs?: { first: number; max: number };
}

const FIRST_POLL_MS = 200;
const MAX_POLL_MS = 2000;
/** A rule may need objects that need more objects (Subscription → CSV → its InstallPlan): bounded. */
const MAX_LOOKUP_ROUNDS = 4;

/**
 * Re-evaluates the object's readiness rule until it is ready, fails for good, or the deadline passes:
 * at once on every watch event, else polling with a short backoff (never a fixed sleep).
 */
export async function waitUntilReady(ref: ObjectRef, options: WaitOptions): Promise<WaitOutcome> {
  const now = options.now ?? Date.now;
  const poll = options.pollMs ?? { first: FIRST_POLL_MS, max: MAX_POLL_MS };
  let interval = poll.first;
  let failingSince: number | undefined;
  let last = 'not checked yet';
  const watches = new Map<string, ObjectWatch>();
  // A change while the loop is busy re-checking is kept for its next wait, not lost.
  let changed = false;
  let wakeUp: (() => void) | undefined;
  const onChange = () => {
    changed = true;
    wakeUp?.();
  };
  try {
    return await waitLoop();
  } finally {
    for (const watch of watches.values()) watch.stop();
  }

  async function waitLoop(): Promise<WaitOutcome> {
    for (;;) {
      const { verdict, read } = await evaluateOnce(ref, options);
      last = verdict.reason;
      options.onProgress(verdict);
      if (verdict.state === 'ready') return { state: 'ready', reason: verdict.reason };
      if (verdict.state === 'failed') {
        if (verdict.terminal) return { state: 'failed', reason: verdict.reason };
        const since = verdict.since ? Date.parse(verdict.since) : Number.NaN;
        failingSince ??= Number.isNaN(since) ? now() : Math.min(since, now());
        if (now() - failingSince >= options.graceMs)
          return {
            state: 'failed',
            reason: `${verdict.reason} (for ${Math.round((now() - failingSince) / 1000)}s)`,
          };
      } else {
        failingSince = undefined;
      }
      const left = options.deadline - now();
      if (left <= 0) return { state: 'timeout', reason: last };
      if (options.changes)
        for (const watched of [ref, ...read]) {
          const key = refKey(watched);
          if (!watches.has(key)) watches.set(key, options.changes(watched, onChange));
        }
      if (!changed) {
        const woken = new Promise<void>((resolve) => {
          wakeUp = resolve;
        });
        await Promise.race([sleep(Math.min(interval, left)), woken]);
      }
      changed = false;
      wakeUp = undefined;
      interval = Math.min(Math.round(interval * 1.5), poll.max);
    }
  }
}

function refKey(ref: ObjectRef): string {
  return `${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** The verdict, and the other objects the rule read that exist (worth watching). */
async function evaluateOnce(
  ref: ObjectRef,
  options: WaitOptions,
): Promise<{ verdict: Verdict; read: ObjectRef[] }> {
  const live = await options.objects.get(ref);
  if (!live) return { verdict: { state: 'progressing', reason: 'not found yet' }, read: [] };
  const read: ObjectRef[] = [];
  const rule = ruleFor(live, options.customRules);
  const lookup = new FetchedObjects();
  let verdict = rule.evaluate(live, { lookup, approveInstallPlans: options.approveInstallPlans });
  for (let round = 0; verdict.needs && verdict.needs.length > 0 && round < MAX_LOOKUP_ROUNDS; round++) {
    for (const need of verdict.needs) {
      if ('get' in need) {
        const found = (await options.objects.get(need.get)) as KubeObject | null;
        lookup.recordObject(need.get, found);
        if (found !== null) read.push(need.get);
      } else lookup.recordList(need.list, await options.objects.list(need.list));
    }
    verdict = rule.evaluate(live, { lookup, approveInstallPlans: options.approveInstallPlans });
  }
  if (verdict.approve) {
    await options.objects.approveInstallPlan(verdict.approve.installPlan);
    options.onApproved?.(verdict.approve.installPlan);
  }
  return { verdict, read };
}
