/** The emulator's API semantics over plain HTTP (no kubectl): metadata, subresources, patches, selectors, watches. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { Agent, fetch as undiciFetch } from 'undici';
import { type KubeObject, OPENSHIFT_CRDS, type StatusObject } from '../support/kube-emulator/index.js';
import { EMULATOR_TLS_CERT } from '../support/kube-emulator/tls-fixture.js';
import { type Harness, harness } from './_kube.js';

const CM = '/api/v1/namespaces/demo/configmaps';
const DEPLOY = '/apis/apps/v1/namespaces/demo/deployments';
const APPLY = 'application/apply-patch+yaml';

const cm = (name: string, data: Record<string, string>, labels?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(labels ? { labels } : {}) },
  data,
});
const deployment = (replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } } },
});
const obj = (reply: { json: unknown }) => reply.json as KubeObject;
const rv = (reply: { json: unknown }) => Number(obj(reply).metadata.resourceVersion);

/** Reads `count` events from a watch URL, then drops the connection. */
async function readEvents(
  h: Harness,
  path: string,
  count: number,
): Promise<{ type: string; object: KubeObject }[]> {
  const agent = new Agent({ connect: { ca: EMULATOR_TLS_CERT } });
  const res = await undiciFetch(`${h.kube.url}${path}`, {
    headers: { authorization: `Bearer ${h.kube.token}` },
    dispatcher: agent,
  });
  assert.equal(res.status, 200);
  const reader = res.body?.getReader();
  assert.ok(reader);
  let text = '';
  const decoder = new TextDecoder();
  while (text.split('\n').length - 1 < count) {
    const chunk = await reader.read();
    if (chunk.done) break;
    text += decoder.decode(chunk.value);
  }
  await reader.cancel();
  await agent.close();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; object: KubeObject });
}

test('create/update metadata: uid, creationTimestamp, increasing resourceVersion; a no-op write changes nothing', async (t) => {
  const h = await harness(t, { namespaces: ['demo'] });
  const created = await h.call('POST', CM, { body: cm('a', { k: '1' }) });
  assert.equal(created.status, 201, created.text);
  const meta = obj(created).metadata;
  assert.match(meta.uid ?? '', /^[0-9a-f-]{36}$/);
  assert.match(meta.creationTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(meta.generation, undefined, 'ConfigMaps have no generation');
  const updated = await h.call('PUT', `${CM}/a`, { body: { ...obj(created), data: { k: '2' } } });
  assert.equal(updated.status, 200, updated.text);
  assert.ok(rv(updated) > rv(created));
  assert.equal(obj(updated).metadata.uid, meta.uid);
  const same = await h.call('PUT', `${CM}/a`, { body: obj(updated) });
  assert.equal(rv(same), rv(updated), 'an unchanged object keeps its resourceVersion');
  const list = await h.call('GET', CM);
  assert.equal(
    (list.json as { metadata: { resourceVersion: string } }).metadata.resourceVersion,
    String(h.kube.resourceVersion),
  );
  const secret = await h.call('POST', '/api/v1/namespaces/demo/secrets', {
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'not base64!' } },
  });
  assert.equal(secret.status, 400);
  assert.match((secret.json as StatusObject).message, /illegal base64 data/);
});

test('generation follows spec changes only; /status writes ignore spec and the main resource ignores status', async (t) => {
  const h = await harness(t, { namespaces: ['demo'] });
  const created = await h.call('POST', DEPLOY, { body: { ...deployment(1), status: { replicas: 9 } } });
  assert.equal(obj(created).metadata.generation, 1);
  assert.equal(obj(created).status, undefined, 'status in a create is dropped');
  const labelled = await h.call('PATCH', `${DEPLOY}/web`, {
    body: { metadata: { labels: { tier: 'front' } } },
    contentType: 'application/merge-patch+json',
  });
  assert.equal(obj(labelled).metadata.generation, 1);
  const scaled = await h.call('PATCH', `${DEPLOY}/web`, {
    body: { spec: { replicas: 3 }, status: { replicas: 3 } },
    contentType: 'application/merge-patch+json',
  });
  assert.equal(obj(scaled).metadata.generation, 2);
  assert.equal(obj(scaled).status, undefined);
  const status = await h.call('PUT', `${DEPLOY}/web/status`, {
    body: { ...obj(scaled), spec: { replicas: 99 }, status: { observedGeneration: 2, readyReplicas: 3 } },
  });
  assert.equal(status.status, 200, status.text);
  assert.deepEqual(obj(status).status, { observedGeneration: 2, readyReplicas: 3 });
  assert.equal((obj(status).spec as { replicas: number }).replicas, 3);
  assert.equal(obj(status).metadata.generation, 2);
  const secretStatus = await h.call('GET', '/api/v1/namespaces/demo/secrets/x/status');
  assert.equal(secretStatus.status, 404, 'Secrets have no status subresource');
});

test('server-side apply over HTTP: YAML bodies, fieldManager required, applies to /status, managedFields per manager', async (t) => {
  const h = await harness(t, { namespaces: ['demo'] });
  const noManager = await h.call('PATCH', `${DEPLOY}/web`, { body: deployment(1), contentType: APPLY });
  assert.equal(noManager.status, 422);
  assert.match(
    (noManager.json as StatusObject).message,
    /fieldManager: Required value: is required for apply patch/,
  );
  const yaml = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n';
  const created = await h.call('PATCH', `${DEPLOY}/web?fieldManager=tool`, {
    body: yaml,
    contentType: APPLY,
  });
  assert.equal(created.status, 201, created.text);
  const status = await h.call('PATCH', `${DEPLOY}/web/status?fieldManager=controller`, {
    body: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      status: { readyReplicas: 2 },
    },
    contentType: APPLY,
  });
  assert.equal(status.status, 200, status.text);
  assert.deepEqual(
    obj(status).metadata.managedFields?.map((m) => [m.manager, m.operation, m.subresource ?? '', m.fieldsV1]),
    [
      ['tool', 'Apply', '', { 'f:spec': { 'f:replicas': {} } }],
      ['controller', 'Apply', 'status', { 'f:status': { 'f:readyReplicas': {} } }],
    ],
  );
  const reapplied = await h.call('PATCH', `${DEPLOY}/web?fieldManager=tool`, {
    body: yaml,
    contentType: APPLY,
  });
  assert.deepEqual(obj(reapplied).status, { readyReplicas: 2 }, 'apply keeps the status');
  assert.equal(rv(reapplied), rv(status), 'an identical apply is a no-op');
});

test('merge, strategic (as merge) and JSON patches; strategic merge on a custom resource is 415', async (t) => {
  const h = await harness(t, { namespaces: ['demo'], crds: [{ group: 'example.com', kind: 'Widget' }] });
  await h.call('POST', CM, { body: cm('a', { x: '1', y: '2' }) });
  const merged = await h.call('PATCH', `${CM}/a`, {
    body: { data: { x: null, z: '3' } },
    contentType: 'application/merge-patch+json',
  });
  assert.deepEqual(obj(merged).data, { y: '2', z: '3' });
  const strategic = await h.call('PATCH', `${CM}/a`, {
    body: { $setElementOrder: [], data: { w: '4' } },
    contentType: 'application/strategic-merge-patch+json',
  });
  assert.deepEqual(obj(strategic).data, { y: '2', z: '3', w: '4' });
  const jsonPatched = await h.call('PATCH', `${CM}/a`, {
    body: [
      { op: 'replace', path: '/data/y', value: 'two' },
      { op: 'remove', path: '/data/w' },
    ],
    contentType: 'application/json-patch+json',
  });
  assert.deepEqual(obj(jsonPatched).data, { y: 'two', z: '3' });
  const failedTest = await h.call('PATCH', `${CM}/a`, {
    body: [{ op: 'test', path: '/data/y', value: 'nope' }],
    contentType: 'application/json-patch+json',
  });
  assert.equal(failedTest.status, 422);
  await h.call('POST', '/apis/example.com/v1/namespaces/demo/widgets', {
    body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
  });
  const smp = await h.call('PATCH', '/apis/example.com/v1/namespaces/demo/widgets/w', {
    body: { spec: {} },
    contentType: 'application/strategic-merge-patch+json',
  });
  assert.equal(smp.status, 415);
});

test('list selectors: labels (=, !=, in, notin, exists, !key) and fields (metadata.name)', async (t) => {
  const h = await harness(t, { namespaces: ['demo'] });
  await h.call('POST', CM, { body: cm('a', {}, { app: 'web', tier: 'front' }) });
  await h.call('POST', CM, { body: cm('b', {}, { app: 'db' }) });
  await h.call('POST', CM, { body: cm('c', {}) });
  const names = async (query: string) =>
    ((await h.call('GET', `${CM}?${query}`)).json as { items: KubeObject[] }).items.map(
      (i) => i.metadata.name,
    );
  assert.deepEqual(await names('labelSelector=app%3Dweb'), ['a']);
  assert.deepEqual(await names('labelSelector=app!%3Dweb'), ['b', 'c']);
  assert.deepEqual(await names('labelSelector=app%20in%20(web,db)'), ['a', 'b']);
  assert.deepEqual(await names('labelSelector=app%20notin%20(web)'), ['b', 'c']);
  assert.deepEqual(await names('labelSelector=tier'), ['a']);
  assert.deepEqual(await names('labelSelector=!app'), ['c']);
  assert.deepEqual(await names('fieldSelector=metadata.name%3Db'), ['b']);
  assert.deepEqual(await names('labelSelector=app&fieldSelector=metadata.name!%3Da'), ['b']);
  const all = ((await h.call('GET', '/api/v1/configmaps')).json as { items: KubeObject[] }).items;
  assert.deepEqual(
    all.map((i) => i.metadata.name),
    ['a', 'b', 'c'],
  );
});

test('watch: synthetic ADDED from resourceVersion 0, replay after a resourceVersion, selector filtering', async (t) => {
  const h = await harness(t, { namespaces: ['demo'] });
  const a = await h.call('POST', CM, { body: cm('a', { v: '1' }, { app: 'web' }) });
  await h.call('POST', CM, { body: cm('b', {}, { app: 'db' }) });
  await h.call('PATCH', `${CM}/a`, {
    body: { data: { v: '2' } },
    contentType: 'application/merge-patch+json',
  });
  await h.call('DELETE', `${CM}/a`);
  const fromNow = await readEvents(h, `${CM}?watch=true&resourceVersion=0`, 1);
  assert.deepEqual(
    fromNow.map((e) => [e.type, e.object.metadata.name]),
    [['ADDED', 'b']],
  );
  const replay = await readEvents(
    h,
    `${CM}?watch=true&labelSelector=app%3Dweb&resourceVersion=${rv(a) - 1}`,
    3,
  );
  assert.deepEqual(
    replay.map((e) => [e.type, e.object.data]),
    [
      ['ADDED', { v: '1' }],
      ['MODIFIED', { v: '2' }],
      ['DELETED', { v: '2' }],
    ],
  );
  const bad = await h.call('GET', `${CM}?watch=true&resourceVersion=abc`);
  assert.equal(bad.status, 400);
});

test('discovery: aggregated only when asked (by Content-Type), legacy otherwise; CRD kinds once Established', async (t) => {
  const h = await harness(t, { autoEstablishCrds: false });
  const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
  const aggregated = await h.call('GET', '/apis', { accept });
  assert.equal(
    aggregated.headers.get('content-type'),
    'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  );
  const groupNames = (aggregated.json as { items: { metadata: { name: string } }[] }).items.map(
    (i) => i.metadata.name,
  );
  assert.ok(groupNames.includes('apps') && !groupNames.includes(''));
  const legacy = await h.call('GET', '/apis');
  assert.equal((legacy.json as { kind: string }).kind, 'APIGroupList');
  const v1 = (await h.call('GET', '/api/v1')).json as { resources: { name: string }[] };
  assert.ok(v1.resources.some((r) => r.name === 'namespaces/status'));

  h.kube.defineCrd({ group: 'example.com', kind: 'Widget' }, { established: false });
  assert.equal((await h.call('GET', '/apis/example.com/v1')).status, 404);
  assert.equal((await h.call('GET', '/openapi/v3/apis/example.com/v1')).status, 404);
  const indexBefore = (await h.call('GET', '/openapi/v3')).json as { paths: Record<string, unknown> };
  assert.equal(indexBefore.paths['apis/example.com/v1'], undefined);
  h.kube.establishCrd('widgets.example.com');
  const resources = (await h.call('GET', '/apis/example.com/v1')).json as {
    resources: { name: string; kind: string }[];
  };
  assert.deepEqual(
    resources.resources.map((r) => [r.name, r.kind]),
    [
      ['widgets', 'Widget'],
      ['widgets/status', 'Widget'],
    ],
  );
  const indexAfter = (await h.call('GET', '/openapi/v3')).json as {
    paths: Record<string, { serverRelativeURL: string }>;
  };
  const url = indexAfter.paths['apis/example.com/v1']?.serverRelativeURL ?? '';
  assert.match(url, /^\/openapi\/v3\/apis\/example\.com\/v1\?hash=[0-9A-F]{64}$/);
  const doc = (await h.call('GET', url)).json as {
    paths: Record<string, { patch: Record<string, unknown> }>;
  };
  const patch = doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}']?.patch;
  assert.deepEqual(patch?.['x-kubernetes-group-version-kind'], {
    group: 'example.com',
    version: 'v1',
    kind: 'Widget',
  });
});

test('deleting a namespace deletes its objects; deleting a CRD stops serving its kind and deletes its objects', async (t) => {
  const h = await harness(t, {
    namespaces: ['demo', 'keep'],
    crds: [{ group: 'example.com', kind: 'Widget' }],
  });
  await h.call('POST', CM, { body: cm('a', {}) });
  await h.call('POST', '/api/v1/namespaces/keep/configmaps', { body: cm('b', {}) });
  await h.call('POST', '/apis/example.com/v1/namespaces/keep/widgets', {
    body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
  });
  const deleted = await h.call('DELETE', '/api/v1/namespaces/demo');
  assert.equal(deleted.status, 200);
  assert.equal((obj(deleted).status as { phase: string }).phase, 'Terminating');
  assert.equal((await h.call('GET', `${CM}/a`)).status, 404);
  assert.equal((await h.call('GET', '/api/v1/namespaces/keep/configmaps/b')).status, 200);
  const create = await h.call('POST', CM, { body: cm('again', {}) });
  assert.equal(create.status, 404);
  assert.equal((create.json as StatusObject).message, 'namespaces "demo" not found');

  assert.equal(
    (await h.call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com'))
      .status,
    200,
  );
  assert.equal((await h.call('GET', '/apis/example.com/v1/namespaces/keep/widgets/w')).status, 404);
  h.kube.defineCrd({ group: 'example.com', kind: 'Widget' });
  assert.equal(
    (await h.call('GET', '/apis/example.com/v1/namespaces/keep/widgets/w')).status,
    404,
    'objects went with the CRD',
  );
});

test('hooks play a controller: onApply(Subscription) creates the CSV and sets the status; settled() waits for it', async (t) => {
  const h = await harness(t, { namespaces: ['openshift-operators'], crds: OPENSHIFT_CRDS });
  const changes: string[] = [];
  h.kube.onChange('ClusterServiceVersion', (e) => void changes.push(`${e.type} ${e.object.metadata.name}`));
  h.kube.onApply('operators.coreos.com/Subscription', (sub, kube) => {
    const ns = sub.metadata.namespace ?? '';
    kube.set({
      apiVersion: 'operators.coreos.com/v1alpha1',
      kind: 'ClusterServiceVersion',
      metadata: { name: 'quay-operator.v3.14.0', namespace: ns },
      status: { phase: 'Succeeded', reason: 'InstallSucceeded' },
    });
    kube.setStatus(
      { apiVersion: sub.apiVersion, kind: sub.kind, namespace: ns, name: sub.metadata.name ?? '' },
      { state: 'AtLatestKnown', installedCSV: 'quay-operator.v3.14.0', currentCSV: 'quay-operator.v3.14.0' },
    );
  });
  const subRef = {
    apiVersion: 'operators.coreos.com/v1alpha1',
    kind: 'Subscription',
    namespace: 'openshift-operators',
    name: 'quay-operator',
  };
  const installed = h.kube.waitFor(
    subRef,
    (o) => (o.status as { state?: string } | undefined)?.state === 'AtLatestKnown',
  );
  const applied = await h.kubectl(
    ['apply', '--server-side', '--field-manager=apply-ordered', '-f', '-'],
    JSON.stringify({
      ...subRef,
      metadata: { name: subRef.name, namespace: subRef.namespace },
      spec: { name: 'quay-operator' },
    }),
  );
  assert.equal(applied.exitCode, 0, applied.stderr);
  assert.equal((await installed).metadata.name, 'quay-operator');
  await h.kube.settled();
  assert.deepEqual(changes, ['ADDED quay-operator.v3.14.0']);
  const csv = await h.kubectl([
    'get',
    'csv',
    '-n',
    'openshift-operators',
    '-o',
    'jsonpath={.items[0].status.phase}',
  ]);
  assert.equal(csv.stdout, 'Succeeded', csv.stderr);
  assert.equal(h.kube.requestCount({ method: 'PATCH', resource: 'subscriptions' }), 1);
});

test('plain HTTP (tls: false): kubectl works, but sends no bearer token there, so none is required', async (t) => {
  const h = await harness(t, { tls: false });
  assert.match(h.kube.url, /^http:\/\//);
  assert.equal(h.kube.requireToken, false);
  const r = await h.kubectl(['get', 'namespace', 'default', '-o', 'name']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'namespace/default');
  const gets = h.kube.requestsTo({ verb: 'get' });
  assert.equal(gets.length, 1);
  assert.equal(gets[0]?.auth, 'none');
});
