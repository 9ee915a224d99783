import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  evaluateReadiness,
  FetchedObjects,
  type KubeObject,
  type ListQuery,
  type ObjectRef,
  type Verdict,
} from '../../../../src/cluster/readiness/index.js';
import {
  installPlan,
  mcgCsvSucceeded,
  ocsCsvInstalling,
  ocsCsvSucceeded,
  odfCsvInstalling,
  odfCsvSucceeded,
  subscriptionAtLatestKnown,
  subscriptionManualFirstInstall,
} from '../../../fixtures/readiness/olm.js';

/**
 * The shape of the caller's wait loop, against scripted cluster states: read the object, evaluate,
 * read what the verdict needs, evaluate again; approve when asked; stop on ready or failed.
 */
interface Snapshot {
  subscription: KubeObject;
  objects: KubeObject[];
}

function read(snapshot: Snapshot, ref: ObjectRef): KubeObject | null {
  const metadataOf = (o: KubeObject) => o.metadata as { name: string; namespace?: string };
  return (
    snapshot.objects.find(
      (o) =>
        o.kind === ref.kind && metadataOf(o).name === ref.name && metadataOf(o).namespace === ref.namespace,
    ) ?? null
  );
}

function readList(snapshot: Snapshot, query: ListQuery): KubeObject[] {
  return snapshot.objects.filter(
    (o) => o.kind === query.kind && (o.metadata as { namespace?: string }).namespace === query.namespace,
  );
}

function waitFor(
  snapshots: Snapshot[],
  approveInstallPlans: boolean,
): { log: string[]; approved: string[]; last: Verdict } {
  const log: string[] = [];
  const approved: string[] = [];
  let last: Verdict | undefined;
  for (const snapshot of snapshots) {
    const lookup = new FetchedObjects();
    let verdict = evaluateReadiness(snapshot.subscription, { lookup, approveInstallPlans });
    while (verdict.needs) {
      for (const need of verdict.needs) {
        if ('get' in need) lookup.recordObject(need.get, read(snapshot, need.get));
        else lookup.recordList(need.list, readList(snapshot, need.list));
      }
      verdict = evaluateReadiness(snapshot.subscription, { lookup, approveInstallPlans });
    }
    if (verdict.approve) approved.push(verdict.approve.installPlan.name);
    log.push(`${verdict.state}: ${verdict.reason}`);
    last = verdict;
    if (verdict.state !== 'progressing') break;
  }
  assert.ok(last);
  return { log, approved, last };
}

test('ODF install: approval, then odf Installing, then a dependent Installing, then ready', () => {
  const approvedPlan = installPlan('install-7x2kq', 'Installing', ['odf-operator.v4.16.0'], {
    approved: true,
  });
  const result = waitFor(
    [
      {
        subscription: subscriptionManualFirstInstall,
        objects: [installPlan('install-7x2kq', 'RequiresApproval', ['odf-operator.v4.16.0'])],
      },
      { subscription: subscriptionAtLatestKnown, objects: [approvedPlan, odfCsvInstalling] },
      { subscription: subscriptionAtLatestKnown, objects: [approvedPlan, odfCsvSucceeded, ocsCsvInstalling] },
      {
        subscription: subscriptionAtLatestKnown,
        objects: [odfCsvSucceeded, ocsCsvSucceeded, mcgCsvSucceeded],
      },
    ],
    true,
  );
  assert.deepEqual(result.approved, ['install-7x2kq']);
  assert.equal(result.log.length, 4);
  assert.match(result.log[1] ?? '', /^progressing: CSV odf-operator\.v4\.16\.0 Installing/);
  assert.match(
    result.log[2] ?? '',
    /^progressing: CSV odf-operator\.v4\.16\.0 Succeeded; CSV ocs-operator\.v4\.16\.0 Installing/,
  );
  assert.equal(result.last.state, 'ready');
});

test('ODF install without approveInstallPlans stops at the first poll with the approval message', () => {
  const result = waitFor(
    [
      {
        subscription: subscriptionManualFirstInstall,
        objects: [installPlan('install-7x2kq', 'RequiresApproval', ['odf-operator.v4.16.0'])],
      },
      { subscription: subscriptionAtLatestKnown, objects: [odfCsvSucceeded] },
    ],
    false,
  );
  assert.deepEqual(result.approved, []);
  assert.equal(result.log.length, 1);
  assert.equal(result.last.state, 'failed');
  assert.match(result.last.reason, /requires approval .*approveInstallPlans: true/);
});
