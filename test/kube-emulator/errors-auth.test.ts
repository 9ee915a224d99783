/** Token auth, RBAC-style denials, injected faults and the Status errors kubectl prints. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import test from 'node:test';
import type { StatusObject } from '../support/kube-emulator/index.js';
import { harness, namespaceDoc, SSA } from './_kube.js';

const configMap = (name: string, data: Record<string, string> = { a: '1' }) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'demo' }, data });

test('the bearer token is required: a wrong token gets 401 and kubectl says "You must be logged in"', async (t) => {
  const h = await harness(t);
  const wrong = `${h.kube.kubeconfigPath}.wrong`;
  writeFileSync(wrong, readFileSync(h.kube.kubeconfigPath, 'utf8').replace(h.kube.token, 'not-the-token'));
  const denied = await h.kubectl([`--kubeconfig=${wrong}`, 'get', 'namespaces']);
  assert.equal(denied.exitCode, 1);
  // kubectl's wording for a 401 on discovery.
  assert.match(
    denied.stderr,
    /error: You must be logged in to the server \(the server has asked for the client to provide credentials\)/,
  );
  const attempts = h.kube.requestsTo({ path: '/api' });
  assert.ok(attempts.length > 0);
  assert.ok(attempts.every((e) => e.status === 401 && e.auth === 'bearer' && e.tokenValid === false));

  const anonymous = await h.call('GET', '/api/v1/namespaces', { token: null });
  assert.equal(anonymous.status, 401);
  const status = anonymous.json as StatusObject;
  assert.deepEqual(
    [status.kind, status.reason, status.code, status.message],
    ['Status', 'Unauthorized', 401, 'Unauthorized'],
  );
  assert.equal((await h.call('GET', '/version', { token: null })).status, 200, '/version is public');
  assert.equal((await h.call('GET', '/api/v1/namespaces')).status, 200);
  h.kube.requireToken = false;
  assert.equal((await h.call('GET', '/api/v1/namespaces', { token: null })).status, 200);
});

test('forbid() answers 403 with RBAC wording until lifted; auth can-i and whoami agree', async (t) => {
  const h = await harness(t, { namespaces: ['demo'] });
  const lift = h.kube.forbid({ verb: 'patch', resource: 'configmaps', namespace: 'demo' });
  const denied = await h.kubectl(SSA, configMap('cfg'));
  assert.equal(denied.exitCode, 1);
  assert.match(
    denied.stderr,
    /Error from server \(Forbidden\).*configmaps "cfg" is forbidden: User "kube:admin" cannot patch resource "configmaps" in API group "" in the namespace "demo"/,
  );
  const canI = await h.kubectl(['auth', 'can-i', 'patch', 'configmaps', '-n', 'demo']);
  assert.equal(canI.stdout.trim().split(' ')[0], 'no');
  assert.equal(
    (await h.kubectl(['auth', 'can-i', 'patch', 'configmaps', '-n', 'other'])).stdout.trim(),
    'yes',
  );
  lift();
  assert.equal((await h.kubectl(SSA, configMap('cfg'))).exitCode, 0);
  const whoami = await h.kubectl(['auth', 'whoami', '-o', 'json']);
  assert.equal(whoami.exitCode, 0, whoami.stderr);
  assert.equal(
    (JSON.parse(whoami.stdout) as { status: { userInfo: { username: string } } }).status.userInfo.username,
    'kube:admin',
  );
});

test('create: AlreadyExists (409), Invalid (422) and a missing namespace (404), as kubectl prints them', async (t) => {
  const h = await harness(t, { namespaces: ['demo'] });
  const first = await h.kubectl(['create', '-f', '-'], configMap('cfg'));
  assert.equal(first.exitCode, 0, first.stderr);
  assert.equal(first.stdout.trim(), 'configmap/cfg created');
  const dup = await h.kubectl(['create', '-f', '-'], configMap('cfg'));
  assert.equal(dup.exitCode, 1);
  assert.match(
    dup.stderr,
    /Error from server \(AlreadyExists\): error when creating "STDIN": configmaps "cfg" already exists/,
  );
  const bad = await h.kubectl(['create', '-f', '-'], configMap('Not_Valid'));
  assert.equal(bad.exitCode, 1);
  assert.match(
    bad.stderr,
    /The ConfigMap "Not_Valid" is invalid: metadata.name: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain/,
  );
  const nowhere = await h.kubectl([
    'create',
    'secret',
    'generic',
    's',
    '--from-literal=k=v',
    '-n',
    'nowhere',
  ]);
  assert.equal(nowhere.exitCode, 1);
  assert.match(nowhere.stderr, /namespaces "nowhere" not found/);
});

test('typed-client commands (protobuf bodies): create secret / namespace work and are stored as JSON', async (t) => {
  const h = await harness(t);
  const ns = await h.kubectl(['create', 'namespace', 'demo']);
  assert.equal(ns.exitCode, 0, ns.stderr);
  const created = await h.kubectl([
    'create',
    'secret',
    'generic',
    'creds',
    '-n',
    'demo',
    '--from-literal=user=alice',
  ]);
  assert.equal(created.exitCode, 0, created.stderr);
  assert.equal(
    h.kube.requestsTo({ verb: 'create', resource: 'secrets' })[0]?.contentType,
    'application/vnd.kubernetes.protobuf',
  );
  const secret = h.kube.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'demo', name: 'creds' });
  assert.deepEqual(
    [secret?.type, secret?.data],
    ['Opaque', { user: Buffer.from('alice').toString('base64') }],
  );
  assert.equal(secret?.metadata.managedFields?.[0]?.manager, 'kubectl-create');
});

test('a stale resourceVersion on replace is a 409 Conflict', async (t) => {
  const h = await harness(t, { namespaces: ['demo'] });
  assert.equal((await h.kubectl(SSA, configMap('cfg'))).exitCode, 0);
  const got = await h.kubectl(['get', 'configmap', 'cfg', '-n', 'demo', '-o', 'json']);
  h.kube.merge(
    { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'demo', name: 'cfg' },
    { data: { a: 'changed' } },
  );
  const stale = await h.kubectl(['replace', '-f', '-'], got.stdout);
  assert.equal(stale.exitCode, 1);
  assert.match(
    stale.stderr,
    /Error from server \(Conflict\).*Operation cannot be fulfilled on configmaps "cfg": the object has been modified; please apply your changes to the latest version and try again/,
  );
});

test('failNext: an injected 500 is printed; a 503 with Retry-After is retried by kubectl', async (t) => {
  const h = await harness(t);
  assert.equal((await h.kubectl(SSA, namespaceDoc('demo'))).exitCode, 0);
  h.kube.failNext({ verb: 'get', resource: 'namespaces', code: 500, message: 'etcd is on fire' });
  const failed = await h.kubectl(['get', 'namespace', 'demo']);
  assert.equal(failed.exitCode, 1);
  assert.match(failed.stderr, /Error from server \(InternalError\): etcd is on fire/);
  h.kube.failNext({ verb: 'get', resource: 'namespaces', code: 503, times: 2, retryAfterSeconds: 0 });
  const retried = await h.kubectl(['get', 'namespace', 'demo', '-o', 'name']);
  assert.equal(retried.exitCode, 0, retried.stderr);
  assert.deepEqual(
    h.kube.requestsTo({ verb: 'get', resource: 'namespaces' }).map((e) => e.status),
    [500, 503, 503, 200],
  );
});
