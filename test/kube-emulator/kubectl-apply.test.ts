/** The real kubectl's server-side apply against the emulator: built-in kinds, CRDs and CRs, dry runs, conflicts. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { crdManifest, type KubeObject } from '../support/kube-emulator/index.js';
import { at, deploymentDoc, deploymentRef, harness, namespaceDoc, SSA } from './_kube.js';

const secretRef = { apiVersion: 'v1', kind: 'Secret', namespace: 'demo', name: 'creds' };
const widget = (size: number) =>
  JSON.stringify({
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w1', namespace: 'demo' },
    spec: { size },
  });

test('/usr/bin/kubectl (the gcloud dispatcher) asks /version, then runs kubectl 1.32 for the emulator', async (t) => {
  const h = await harness(t);
  const result = await h.kubectl(['get', 'namespaces', '-o', 'name']);
  assert.equal(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, /^namespace\/default$/m);
  const version = h.kube.requestsTo({ path: '/version' });
  assert.equal(version.length, 1);
  assert.match(version[0]?.userAgent ?? '', /^kubectl-dispatcher\//);
  const listing = h.kube.requestsTo({ verb: 'list', resource: 'namespaces' });
  assert.equal(listing.length, 1);
  assert.match(listing[0]?.userAgent ?? '', /^kubectl(\.1\.32)?\/v1\.32\./);
});

test('the reported server minor version picks the kubectl the dispatcher runs (1.31 here)', async (t) => {
  const h = await harness(t, { serverVersion: { minor: '31', gitVersion: 'v1.31.0' } });
  const result = await h.kubectl(['get', 'namespace', 'default', '-o', 'name']);
  assert.equal(result.exitCode, 0, result.stderr);
  assert.match(h.kube.requestsTo({ verb: 'get' })[0]?.userAgent ?? '', /^kubectl(\.1\.31)?\/v1\.31\./);
});

test('legacy discovery (APIResourceList documents) also serves kubectl apply', async (t) => {
  const h = await harness(t, { discovery: 'legacy' });
  const r = await h.kubectl(SSA, namespaceDoc('demo'));
  assert.equal(r.exitCode, 0, r.stderr);
  assert.ok(h.kube.requestCount({ path: '/api/v1' }) > 0, 'kubectl read the legacy group-version document');
});

test('apply --server-side from stdin creates a Namespace, a Secret and a Deployment', async (t) => {
  const h = await harness(t);
  const docs = [
    namespaceDoc('demo'),
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'demo' },
      stringData: { user: 'alice' },
    }),
    deploymentDoc('demo', 'web', 2),
  ];
  for (const doc of docs) {
    const r = await h.kubectl(SSA, doc);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /serverside-applied$/m);
  }
  const patches = h.kube.requestsTo({ method: 'PATCH' });
  assert.deepEqual(
    patches.map((e) => [e.path, e.status, e.query.fieldManager, e.contentType]),
    [
      ['/api/v1/namespaces/demo', 201, 'quay-tasks', 'application/apply-patch+yaml'],
      ['/api/v1/namespaces/demo/secrets/creds', 201, 'quay-tasks', 'application/apply-patch+yaml'],
      ['/apis/apps/v1/namespaces/demo/deployments/web', 201, 'quay-tasks', 'application/apply-patch+yaml'],
    ],
  );
  const ns = h.kube.get({ apiVersion: 'v1', kind: 'Namespace', name: 'demo' });
  assert.deepEqual(ns?.status, { phase: 'Active' });
  const secret = h.kube.get(secretRef);
  assert.deepEqual(secret?.data, { user: Buffer.from('alice').toString('base64') });
  assert.equal(secret?.stringData, undefined);
  const deployment = h.kube.get(deploymentRef('demo', 'web'));
  assert.equal(at(deployment, 'spec', 'replicas'), 2);
  assert.equal(deployment?.metadata.generation, 1);
  assert.match(deployment?.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
  assert.deepEqual(
    deployment?.metadata.managedFields?.map((m) => [m.manager, m.operation, m.apiVersion]),
    [['quay-tasks', 'Apply', 'apps/v1']],
  );
});

test('apply keeps Secret keys another manager owns, and removes keys this manager stopped sending', async (t) => {
  const h = await harness(t, { namespaces: ['demo'] });
  const secret = (data: Record<string, string>) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'demo' },
      stringData: data,
    });
  assert.equal((await h.kubectl(SSA, secret({ a: '1', b: '2' }))).exitCode, 0);
  const other = await h.kubectl(
    ['apply', '--server-side', '--field-manager=operator', '-f', '-'],
    secret({ c: '3' }),
  );
  assert.equal(other.exitCode, 0, other.stderr);
  const again = await h.kubectl(SSA, secret({ a: '1' }));
  assert.equal(again.exitCode, 0, again.stderr);
  const data = h.kube.get(secretRef)?.data as Record<string, string>;
  assert.deepEqual(Object.keys(data).sort(), ['a', 'c']);
  assert.equal(Buffer.from(data.c ?? '', 'base64').toString(), '3');
});

test('a field another manager owns with a different value is a conflict unless --force-conflicts', async (t) => {
  const h = await harness(t, { namespaces: ['demo'] });
  const cm = (value: string) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'demo' },
      data: { mode: value },
    });
  assert.equal(
    (await h.kubectl(['apply', '--server-side', '--field-manager=operator', '-f', '-'], cm('fast'))).exitCode,
    0,
  );
  const same = await h.kubectl(SSA, cm('fast'));
  assert.equal(same.exitCode, 0, 'the same value is shared ownership, not a conflict');
  const clash = await h.kubectl(SSA, cm('slow'));
  assert.equal(clash.exitCode, 1);
  assert.match(clash.stderr, /Apply failed with 1 conflict: conflict with "operator" using v1: \.data\.mode/);
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'demo', name: 'cfg' };
  assert.deepEqual(h.kube.get(ref)?.data, { mode: 'fast' });
  const forced = await h.kubectl([...SSA, '--force-conflicts'], cm('slow'));
  assert.equal(forced.exitCode, 0, forced.stderr);
  const stored = h.kube.get(ref);
  assert.deepEqual(stored?.data, { mode: 'slow' });
  assert.deepEqual(
    stored?.metadata.managedFields?.map((m) => [m.manager, m.fieldsV1]),
    [['quay-tasks', { 'f:data': { 'f:mode': {} } }]],
  );
});

test('apply --server-side --dry-run=server answers like a write but stores nothing', async (t) => {
  const h = await harness(t, { namespaces: ['demo'] });
  assert.equal((await h.kubectl(SSA, deploymentDoc('demo', 'web', 1))).exitCode, 0);
  const before = h.kube.resourceVersion;
  const dry = await h.kubectl([...SSA, '--dry-run=server'], deploymentDoc('demo', 'web', 5));
  assert.equal(dry.exitCode, 0, dry.stderr);
  assert.equal(dry.stdout.trim(), 'deployment.apps/web serverside-applied (server dry run)');
  const created = await h.kubectl(
    [...SSA, '--dry-run=server', '-o', 'json'],
    deploymentDoc('demo', 'other', 3),
  );
  assert.equal(created.exitCode, 0, created.stderr);
  assert.equal((JSON.parse(created.stdout) as KubeObject).metadata.name, 'other');
  assert.equal(h.kube.resourceVersion, before);
  assert.equal(at(h.kube.get(deploymentRef('demo', 'web')), 'spec', 'replicas'), 1);
  assert.equal(h.kube.get(deploymentRef('demo', 'other')), undefined);
  assert.equal(h.kube.requestsTo({ method: 'PATCH', name: 'other' })[0]?.query.dryRun, 'All');
});

test('a custom resource: 404 / "no matches for kind" until its CRD is Established, then applied', async (t) => {
  const h = await harness(t, { namespaces: ['demo'], autoEstablishCrds: false });
  const crd = await h.kubectl(SSA, JSON.stringify(crdManifest({ group: 'example.com', kind: 'Widget' })));
  assert.equal(crd.exitCode, 0, crd.stderr);
  assert.match(
    crd.stdout,
    /customresourcedefinition.apiextensions.k8s.io\/widgets.example.com serverside-applied/,
  );

  const early = await h.kubectl(SSA, widget(1));
  assert.equal(early.exitCode, 1);
  assert.match(early.stderr, /no matches for kind "Widget" in version "example.com\/v1"/);
  const raw = await h.kubectl(['get', '--raw', '/apis/example.com/v1/namespaces/demo/widgets/w1']);
  assert.equal(raw.exitCode, 1);
  assert.match(
    raw.stderr,
    /Error from server \(NotFound\): the server could not find the requested resource/,
  );
  const list = await h.kubectl(['get', 'widgets', '-n', 'demo']);
  assert.match(list.stderr, /the server doesn't have a resource type "widgets"/);

  const established = h.kube.establishCrd('widgets.example.com');
  assert.deepEqual(
    (established.status as { conditions: { type: string; status: string }[] }).conditions.map((c) => [
      c.type,
      c.status,
    ]),
    [
      ['NamesAccepted', 'True'],
      ['Established', 'True'],
    ],
  );
  const applied = await h.kubectl(SSA, widget(1));
  assert.equal(applied.exitCode, 0, applied.stderr);
  assert.equal(applied.stdout.trim(), 'widget.example.com/w1 serverside-applied');
  const cr = h.kube.get({ apiVersion: 'example.com/v1', kind: 'Widget', namespace: 'demo', name: 'w1' });
  assert.deepEqual(cr?.spec, { size: 1 });
  assert.equal(cr?.metadata.generation, 1);
});

test('with auto-establish, kubectl wait --for=condition=Established on a new CRD succeeds and its CR applies', async (t) => {
  const h = await harness(t, { namespaces: ['demo'] });
  assert.equal(
    (await h.kubectl(SSA, JSON.stringify(crdManifest({ group: 'example.com', kind: 'Widget' })))).exitCode,
    0,
  );
  const wait = await h.kubectl([
    'wait',
    '--for=condition=Established',
    'crd/widgets.example.com',
    '--timeout=10s',
  ]);
  assert.equal(wait.exitCode, 0, wait.stderr);
  assert.match(wait.stdout, /condition met/);
  const applied = await h.kubectl(SSA, widget(2));
  assert.equal(applied.exitCode, 0, applied.stderr);
});
