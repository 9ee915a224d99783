import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as later } from 'node:timers/promises';
import { type KubeEmulator, startKubeEmulator } from '../support/kube-emulator/index.js';
import { fixture } from '../support/paths.js';
import { actions, reportOf } from '../support/quay-fixture.js';
import { runCli } from '../support/run-cli.js';
import {
  CONTROLLER_STEP_MS,
  meta,
  refOf,
  scriptControllers,
  startCluster,
} from '../support/scripted-operators.js';
import { tempDir, writeFile } from '../support/temp.js';
import { waitUntil } from '../support/wait-until.js';

/**
 * apply-ordered drives the real kubectl against the Kubernetes emulator, whose scripted controllers play
 * OLM, ODF, the machine API and the Quay operator: the original ODF + Quay install folder completes in
 * order; a failing CSV and a timeout each stop with the documented message; a re-run changes nothing.
 */
function config(kube: KubeEmulator, dir: string, timeouts = '{failureGrace: 1s}'): string {
  return writeFile(
    dir,
    `apply-${Math.random().toString(36).slice(2)}.yaml`,
    `cluster: {cli: kubectl, server: ${kube.url}, token: {env: KUBE_TOKEN}, caBundle: ${kube.caPath}}\napply-ordered:\n  timeouts: ${timeouts}\n`,
  );
}
const envOf = (kube: KubeEmulator) => ({
  KUBE_TOKEN: kube.token,
  HOME: kube.env.HOME ?? '',
  KUBECACHEDIR: kube.env.KUBECACHEDIR ?? '',
});
const ODF_QUAY = fixture('original', 'samples', 'odf_quay_manifests');

describe('apply-ordered: the original ODF + Quay install', () => {
  let kube: KubeEmulator;
  let log: string[];
  const dir = tempDir();
  before(async () => {
    kube = await startCluster();
    log = scriptControllers(kube, {});
  });
  after(() => kube.close());

  test('completes wave by wave, waiting for real readiness', async () => {
    const result = await runCli(
      'apply-ordered',
      ['--config', config(kube, dir), ODF_QUAY, '--output', 'json'],
      { env: envOf(kube) },
    );
    assert.equal(result.exitCode, 0, result.stderr);
    const report = reportOf(result);
    assert.equal(report.items.length, 11);
    assert.ok(
      report.items.every((i) => i.action === 'created'),
      JSON.stringify(report.items),
    );
    // Waves in string order of the prefix: every ODF object before any Quay object.
    const order = report.items.map((i) => i.ref);
    assert.ok(
      order.indexOf('ConfigMap/openshift-storage/rook-ceph-operator-config') <
        order.indexOf('Namespace/quay'),
    );
    assert.match(
      report.items.find((i) => i.ref === 'Subscription/openshift-storage/odf-operator')?.detail ?? '',
      /^ready: /,
    );
    // <INFRAID> came from infrastructure/cluster.
    const ms = kube.get({
      apiVersion: 'machine.openshift.io/v1beta1',
      kind: 'MachineSet',
      namespace: 'openshift-machine-api',
      name: 'odf-workers-0',
    });
    assert.equal(
      (ms?.spec as { selector: { matchLabels: Record<string, string> } } | undefined)?.selector.matchLabels[
        'machine.openshift.io/cluster-api-cluster'
      ],
      'mycluster-x7k2p',
    );
    // The StorageCluster was applied only after the ODF CSV succeeded and its CRD was served.
    assert.ok(log.indexOf('csv odf-operator.v4.16.0 Succeeded') < log.indexOf('storagecluster ready'));
    assert.match(
      result.stderr,
      /wave 0003: applied 2 · waiting Subscription\/openshift-storage\/odf-operator \(.*\)/,
    );
    assert.ok(
      kube.get({
        apiVersion: 'quay.redhat.com/v1',
        kind: 'QuayRegistry',
        namespace: 'quay',
        name: 'central',
      }),
    );
  });

  test('a re-run on the finished cluster changes nothing and returns quickly', async () => {
    const started = Date.now();
    kube.requests.length = 0;
    const result = await runCli(
      'apply-ordered',
      ['--config', config(kube, dir), ODF_QUAY, '--output', 'json'],
      { env: envOf(kube) },
    );
    assert.equal(result.exitCode, 0, result.stderr);
    const report = reportOf(result);
    assert.equal(report.changed, 0, JSON.stringify(report.items));
    assert.ok(report.items.every((i) => i.action === 'unchanged'));
    assert.ok(Date.now() - started < 30_000);
    // One server-side dry-run diff for the whole folder (a dry-run patch per object, in one kubectl),
    // then no apply at all, and no watch: every object is ready at its first check.
    const writes = kube.requests.filter((r) => r.method === 'PATCH' && r.query.dryRun === undefined);
    assert.deepEqual(
      writes.map((r) => r.path),
      [],
    );
    const dryRunPatches = kube.requests.filter((r) => r.method === 'PATCH' && r.query.dryRun === 'All');
    assert.equal(dryRunPatches.length, report.items.length);
    const watches = kube.requests.filter((r) => r.verb === 'watch');
    assert.deepEqual(
      watches.map((r) => r.path),
      [],
    );
  });

  test('--dry-run: server-side dry run, nothing written', async () => {
    const versionBefore = kube.resourceVersion;
    const result = await runCli(
      'apply-ordered',
      ['--config', config(kube, dir), ODF_QUAY, '--dry-run', '--output', 'json'],
      { env: envOf(kube) },
    );
    assert.equal(result.exitCode, 0, result.stderr);
    assert.ok(reportOf(result).items.every((i) => i.action === 'planned'));
    assert.equal(kube.resourceVersion, versionBefore);
  });
});

describe('apply-ordered: failures stop with the documented message', () => {
  test('a failing CSV: exit 1 naming the Subscription and the CSV, later waves not applied', async () => {
    const kube = await startCluster();
    try {
      scriptControllers(kube, { failCsv: 'quay-operator.v4.16.0' });
      const result = await runCli(
        'apply-ordered',
        [
          '--config',
          config(kube, tempDir()),
          fixture('original', 'samples', 'quay_only_manifests'),
          '--output',
          'json',
        ],
        {
          env: envOf(kube),
        },
      );
      assert.equal(result.exitCode, 1);
      const report = reportOf(result);
      assert.match(
        report.error ?? '',
        /wave 002: Subscription\/openshift-operators\/quay-operator failed \(.*quay-operator\.v4\.16\.0.*Failed.*\); later waves were not applied/,
      );
      assert.equal(actions(report)['Subscription/openshift-operators/quay-operator'], 'failed');
      assert.equal(actions(report)['QuayRegistry/quay/central'], undefined, 'wave 003 was not applied');
    } finally {
      await kube.close();
    }
  });

  test('a timeout: exit 1 naming every stuck object with its last state', async () => {
    const kube = await startCluster();
    try {
      scriptControllers(kube, { quayNeverReady: true });
      const cfg = config(kube, tempDir(), '{failureGrace: 1s, kinds: {QuayRegistry: 2s}}');
      const result = await runCli(
        'apply-ordered',
        ['--config', cfg, fixture('original', 'samples', 'quay_only_manifests'), '--output', 'json'],
        { env: envOf(kube) },
      );
      assert.equal(result.exitCode, 1);
      const report = reportOf(result);
      assert.match(
        report.error ?? '',
        /wave 003: QuayRegistry\/quay\/central timed out \(components not created yet\); later waves were not applied/,
      );
      assert.match(result.stderr, /QuayRegistry\/quay\/central not ready in time/);
    } finally {
      await kube.close();
    }
  });
});

describe('apply-ordered: storage', () => {
  test('a PVC waits for Bound; one on a WaitForFirstConsumer class does not block', async () => {
    const kube = await startKubeEmulator({ namespaces: ['default'] });
    try {
      kube.set({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'fast' },
        provisioner: 'csi.example.com',
        volumeBindingMode: 'Immediate',
      });
      kube.set({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'local' },
        provisioner: 'csi.example.com',
        volumeBindingMode: 'WaitForFirstConsumer',
      });
      const bound: string[] = [];
      kube.onApply('PersistentVolumeClaim', async (pvc, k) => {
        const spec = pvc.spec as { storageClassName?: string };
        k.setStatus(refOf(pvc), { phase: 'Pending' });
        if (spec.storageClassName !== 'fast') return; // WaitForFirstConsumer: stays Pending until a pod uses it
        await later(CONTROLLER_STEP_MS * 2);
        k.setStatus(refOf(pvc), {
          phase: 'Bound',
          accessModes: ['ReadWriteOnce'],
          capacity: { storage: '1Gi' },
        });
        bound.push(meta(pvc).name);
      });
      const dir = tempDir();
      const manifests = join(dir, 'manifests');
      mkdirSync(manifests);
      const pvc = (name: string, storageClass: string) =>
        `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: ${name}, namespace: apps}\nspec: {storageClassName: ${storageClass}, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n`;
      writeFile(manifests, '01-namespace.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n');
      writeFile(manifests, '02-claims.yaml', `${pvc('data', 'fast')}---\n${pvc('scratch', 'local')}`);
      const result = await runCli(
        'apply-ordered',
        ['--config', config(kube, dir), manifests, '--output', 'json'],
        { env: envOf(kube) },
      );
      assert.equal(result.exitCode, 0, result.stderr);
      assert.deepEqual(bound, ['data'], 'the run waited until the claim was bound');
      const report = reportOf(result);
      assert.match(
        report.items.find((i) => i.ref === 'PersistentVolumeClaim/apps/data')?.detail ?? '',
        /^ready: Bound/,
      );
      assert.match(
        report.items.find((i) => i.ref === 'PersistentVolumeClaim/apps/scratch')?.detail ?? '',
        /WaitForFirstConsumer/,
      );
    } finally {
      await kube.close();
    }
  });
});

describe('apply-ordered: a kind that is not served yet', () => {
  test('waits for its CRD to be established, then applies', async () => {
    const kube = await startKubeEmulator({ namespaces: ['default'], autoEstablishCrds: false });
    try {
      kube.defineCrd({ group: 'example.com', kind: 'Widget' }, { established: false });
      kube.onApply(
        'Widget',
        (widget, k) => void k.setStatus(refOf(widget), { conditions: [{ type: 'Ready', status: 'True' }] }),
      );
      const dir = tempDir();
      const manifests = join(dir, 'manifests');
      mkdirSync(manifests);
      writeFile(
        manifests,
        '01-widget.yaml',
        'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: default}\nspec: {size: 1}\n',
      );
      const run = runCli('apply-ordered', ['--config', config(kube, dir), manifests, '--output', 'json'], {
        env: envOf(kube),
      });
      // Once the run found the kind unserved and waits on its CRD, the "operator" finishes installing the CRD.
      await waitUntil(
        'the run to wait on the Widget CRD',
        () =>
          kube.requestsTo({ path: '/apis/example.com/v1' }).length >= 1 &&
          kube.requestsTo({ resource: 'customresourcedefinitions', name: 'widgets.example.com' }).length >= 1,
      );
      kube.establishCrd('widgets.example.com');
      const result = await run;
      assert.equal(result.exitCode, 0, result.stderr);
      assert.match(result.stderr, /wave 01: waiting for Widget \(example\.com\/v1\) to be served/);
      assert.deepEqual(actions(reportOf(result)), { 'Widget/default/w1': 'created' });
    } finally {
      await kube.close();
    }
  });
});
