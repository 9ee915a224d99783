/** The real kubectl reading the emulator: get -o json, get -w, wait, delete; status driven by the test API. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { type KubeObject, spawnKubectl } from '../support/kube-emulator/index.js';
import { at, deploymentDoc, deploymentRef, harness, jsonDocuments, SSA } from './_kube.js';

const web = deploymentRef('demo', 'web');

async function withDeployment(t: test.TestContext) {
  const h = await harness(t, { namespaces: ['demo'] });
  const r = await h.kubectl(SSA, deploymentDoc('demo', 'web'));
  assert.equal(r.exitCode, 0, r.stderr);
  return h;
}

test('get -o json returns the stored object, status set through setStatus included', async (t) => {
  const h = await withDeployment(t);
  h.kube.setStatus(web, { observedGeneration: 1, replicas: 1, readyReplicas: 1 });
  const r = await h.kubectl(['get', 'deployment', 'web', '-n', 'demo', '-o', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const got = JSON.parse(r.stdout) as KubeObject;
  assert.equal(got.apiVersion, 'apps/v1');
  assert.deepEqual(got.status, { observedGeneration: 1, replicas: 1, readyReplicas: 1 });
  assert.equal(got.metadata.resourceVersion, h.kube.get(web)?.metadata.resourceVersion);
  const list = await h.kubectl(['get', 'deployments', '-n', 'demo', '-l', 'missing=label', '-o', 'json']);
  assert.deepEqual((JSON.parse(list.stdout) as { items: unknown[] }).items, []);
});

test('get -w -o json prints the MODIFIED object after setStatus and exits when the stream ends', async (t) => {
  const h = await withDeployment(t);
  const watching = h.kube.nextWatch({ resource: 'deployments', namespace: 'demo', name: 'web' });
  const proc = spawnKubectl(h.kube, [
    'get',
    'deployment',
    'web',
    '-n',
    'demo',
    '-w',
    '-o',
    'json',
    '--output-watch-events',
  ]);
  await watching;
  h.kube.setStatus(web, { availableReplicas: 1 });
  h.kube.closeWatches();
  const r = await proc;
  assert.equal(r.exitCode, 0, String(r.stderr));
  const events = String(r.stdout)
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; object: KubeObject });
  assert.deepEqual(
    events.map((e) => [e.type, e.object.status]),
    [
      ['ADDED', undefined],
      ['MODIFIED', { availableReplicas: 1 }],
    ],
  );
  const watch = h.kube.requestsTo({ verb: 'watch', resource: 'deployments' });
  assert.equal(watch[0]?.query.fieldSelector, 'metadata.name=web');
});

test('get -w -o json without event types: the current object, then each change', async (t) => {
  const h = await withDeployment(t);
  const watching = h.kube.nextWatch({ resource: 'Deployment', name: 'web' });
  const proc = spawnKubectl(h.kube, ['get', 'deployment', 'web', '-n', 'demo', '-w', '-o', 'json']);
  await watching;
  h.kube.setCondition(web, { type: 'Progressing', status: 'True' });
  h.kube.closeWatches();
  const r = await proc;
  const docs = jsonDocuments(String(r.stdout)) as KubeObject[];
  assert.equal(docs.length, 2, String(r.stdout));
  assert.equal(docs[0]?.status, undefined);
  assert.equal(at(docs[1], 'status', 'conditions', '0', 'type'), 'Progressing');
});

test('wait --for=condition=Available blocks until the condition is set, then succeeds', async (t) => {
  const h = await withDeployment(t);
  h.kube.setCondition(web, { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' });
  const watching = h.kube.nextWatch({ resource: 'deployments', name: 'web' });
  const proc = spawnKubectl(h.kube, [
    'wait',
    '--for=condition=Available',
    'deployment/web',
    '-n',
    'demo',
    '--timeout=15s',
  ]);
  await watching;
  assert.equal(proc.exitCode, null, 'kubectl wait returned before the condition was met');
  h.kube.setCondition(web, { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' });
  const r = await proc;
  assert.equal(r.exitCode, 0, String(r.stderr));
  assert.equal(String(r.stdout).trim(), 'deployment.apps/web condition met');
});

test('wait times out while the condition stays False', async (t) => {
  const h = await withDeployment(t);
  h.kube.setCondition(web, { type: 'Available', status: 'False' });
  const r = await h.kubectl([
    'wait',
    '--for=condition=Available',
    'deployment/web',
    '-n',
    'demo',
    '--timeout=1s',
  ]);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /timed out waiting for the condition on deployments\/web/);
});

test('delete removes the object and watchers see DELETED; a second delete is NotFound', async (t) => {
  const h = await withDeployment(t);
  const watching = h.kube.nextWatch({ resource: 'deployments' });
  const proc = spawnKubectl(h.kube, [
    'get',
    'deployments',
    '-n',
    'demo',
    '-w',
    '-o',
    'json',
    '--output-watch-events',
    '--watch-only',
  ]);
  await watching;
  const r = await h.kubectl(['delete', 'deployment', 'web', '-n', 'demo']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'deployment.apps "web" deleted');
  assert.equal(h.kube.get(web), undefined);
  h.kube.closeWatches();
  const events = String((await proc).stdout)
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { type: string }).type);
  assert.deepEqual(events, ['DELETED']);
  const again = await h.kubectl(['delete', 'deployment', 'web', '-n', 'demo']);
  assert.equal(again.exitCode, 1);
  assert.match(again.stderr, /Error from server \(NotFound\): deployments.apps "web" not found/);
});

test('an object with finalizers is only marked for deletion until they are removed', async (t) => {
  const h = await withDeployment(t);
  h.kube.merge(web, { metadata: { finalizers: ['example.com/cleanup'] } });
  const r = await h.kubectl(['delete', 'deployment', 'web', '-n', 'demo', '--wait=false']);
  assert.equal(r.exitCode, 0, r.stderr);
  const marked = h.kube.get(web);
  assert.match(marked?.metadata.deletionTimestamp ?? '', /^\d{4}-\d\d-\d\dT/);
  const patched = await h.kubectl([
    'patch',
    'deployment',
    'web',
    '-n',
    'demo',
    '--type=merge',
    '-p',
    '{"metadata":{"finalizers":null}}',
  ]);
  assert.equal(patched.exitCode, 0, patched.stderr);
  assert.equal(h.kube.get(web), undefined);
});
