import { describeCondition, findCondition } from './conditions.js';
import { countAt, numberAt, valueAt } from './object-fields.js';
import type { KubeObject, ReadinessRule, Verdict } from './types.js';
import { deletionVerdict, failed, progressing, ready } from './verdicts.js';

/**
 * Job: Complete=True, or Failed=True (terminal: the Job controller has given up). Unlike kstatus, a
 * running Job is not ready (apply-readiness.md §2.1 Job pitfalls).
 */
export const jobRule: ReadinessRule = {
  describe: 'condition Complete=True (Failed=True fails)',
  evaluate(object: KubeObject): Verdict {
    const deleting = deletionVerdict(object);
    if (deleting) return deleting;
    const complete = findCondition(object, 'Complete');
    if (complete?.status === 'True') return ready(describeCondition(complete));
    // FailureTarget is set first, Failed once the pods are gone; either way the Job will not succeed.
    const failure = [findCondition(object, 'Failed'), findCondition(object, 'FailureTarget')].find(
      (condition) => condition?.status === 'True',
    );
    if (failure)
      return failed(describeCondition(failure), { terminal: true, since: failure.lastTransitionTime });
    // A suspended Job does not run until something resumes it (kstatus: Current/Suspended).
    if (valueAt(object, 'spec', 'suspend') === true) return ready('suspended (spec.suspend): not waited for');
    const completions = numberAt(object, 'spec', 'completions') ?? 1;
    const succeeded = countAt(object, 'status', 'succeeded');
    const active = countAt(object, 'status', 'active');
    const failures = countAt(object, 'status', 'failed');
    return progressing(
      `${succeeded} of ${completions} completions, ${active} active${failures > 0 ? `, ${failures} failed` : ''}`,
    );
  },
};
