/**
 * quay-api.md §10: repository notifications (`endpoints/api/repositorynotification.py`) and the `repo_push`
 * webhook delivery (`notifications/__init__.py`, `notifications/notificationmethod.py::WebhookMethod`,
 * `workers/notificationworker/notificationworker.py`).
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import test, { type TestContext } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { startHttpsServer, startServer } from '../support/http-servers.js';
import type { QuayEmulator, QuayEmulatorOptions } from '../support/quay-emulator/index.js';
import { assertShapeA, call, quayFor, registryToken, sha256 } from './_http.js';
import { TEST_TLS_CERT, TEST_TLS_KEY, TEST_WEBHOOK_TLS_CERT, TEST_WEBHOOK_TLS_KEY } from './_tls-fixture.js';

const LIST = '/api/v1/repository/acme/app/notification/';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A webhook receiver on 127.0.0.1: records requests, answers `status`, or holds answers until released. */
async function receiver(t: TestContext) {
  const received: Received[] = [];
  let status = 200;
  let held: (() => void)[] | null = null;
  const server = await startServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = () => res.writeHead(status).end('ok');
      if (held) held.push(answer);
      else answer();
    });
  });
  t.after(() => server.close());
  const port = server.port;
  return {
    received,
    port,
    /** Through the emulator's hosts mapping: Quay refuses the literal host 127.0.0.1. */
    url: `http://hooks.test:${port}/hook`,
    answer(code: number) {
      status = code;
    },
    hold() {
      held = [];
    },
    release() {
      for (const answer of held ?? []) answer();
      held = null;
    },
  };
}

async function setup(t: TestContext, opts: QuayEmulatorOptions = {}) {
  const quay = await quayFor(t, { webhookHosts: { 'hooks.test': '127.0.0.1' }, ...opts });
  const owner = quay.seed.user('owner');
  quay.seed.org('acme', { owner: 'owner' });
  quay.seed.repo('acme/app');
  return { quay, owner, token: quay.seed.token('owner') };
}

function webhook(url: string, extra: Record<string, unknown> = {}) {
  return { event: 'repo_push', method: 'webhook', config: { url }, eventConfig: {}, ...extra };
}

/** A tag push over /v2 as a client makes it: blobs, then the manifest PUT by tag. */
async function pushTag(quay: QuayEmulator, owner: { password: string }, repo: string, tag: string) {
  const token = await registryToken(quay, `owner:${owner.password}`, [`repository:${repo}:pull,push`]);
  const blobs: { digest: string; size: number }[] = [];
  for (const data of ['{"rootfs":{"type":"layers"},"history":[]}', `layer ${tag}`]) {
    const digest = sha256(data);
    const up = await call(quay, 'POST', `/v2/${repo}/blobs/uploads/?digest=${digest}`, {
      token,
      rawBody: Buffer.from(data),
      contentType: 'application/octet-stream',
    });
    assert.equal(up.status, 201, up.text);
    blobs.push({ digest, size: data.length });
  }
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...blobs[0] },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...blobs[1] }],
  });
  return call(quay, 'PUT', `/v2/${repo}/manifests/${tag}`, {
    token,
    rawBody: manifest,
    contentType: 'application/vnd.docker.distribution.manifest.v2+json',
  });
}

test('§10.1 POST notification/: 201 with to_dict {uuid,title,event,method,config,event_config,number_of_failures}', async (t) => {
  const { quay, token } = await setup(t);
  const created = await call(quay, 'POST', LIST, {
    token,
    body: webhook('http://hooks.test:1/x', { title: 'CI', eventConfig: { anything: 1 } }),
  });
  assert.equal(created.status, 201, created.text);
  const view = created.json as Record<string, unknown>;
  assert.deepEqual(Object.keys(view), [
    'uuid',
    'title',
    'event',
    'method',
    'config',
    'event_config',
    'number_of_failures',
  ]);
  assert.match(String(view.uuid), /^[0-9a-f-]{36}$/);
  assert.deepEqual(
    { ...view, uuid: 'u' },
    {
      uuid: 'u',
      title: 'CI',
      event: 'repo_push',
      method: 'webhook',
      config: { url: 'http://hooks.test:1/x' },
      event_config: { anything: 1 },
      number_of_failures: 0,
    },
  );
  // Without a title: null (parsed.get("title")).
  const untitled = await call(quay, 'POST', LIST, { token, body: webhook('http://hooks.test:1/y') });
  assert.equal((untitled.json as { title: unknown }).title, null);
  const list = await call(quay, 'GET', LIST, { token });
  assert.equal(list.status, 200);
  const notifications = (list.json as { notifications: { uuid: string }[] }).notifications;
  assert.deepEqual(
    notifications.map((n) => n.uuid),
    [view.uuid, (untitled.json as { uuid: string }).uuid],
  );
  const one = await call(quay, 'GET', `${LIST}${view.uuid}`, { token });
  assert.deepEqual(one.json, view);
});

test('§10.1 body schema and method validation: the exact 400s, unknown names are 500 pages', async (t) => {
  const { quay, token } = await setup(t, { webhookHostnameBlacklist: ['hooks.internal'] });
  const bad = async (body: unknown, message: string) =>
    assertShapeA(quay, await call(quay, 'POST', LIST, { token, body }), 400, 'invalid_request', message);
  const { eventConfig: _e, ...noEventConfig } = webhook('http://hooks.test/');
  await bad(noEventConfig, "'eventConfig' is a required property");
  await bad({ ...webhook('x'), config: 'x' }, "'x' is not of type 'object'");
  await bad({ ...webhook('x'), title: 5 }, "5 is not of type 'string'");
  // Unknown keys are not refused: the schema has no additionalProperties.
  const extra = await call(quay, 'POST', LIST, {
    token,
    body: { ...webhook('http://hooks.test/'), more: 1 },
  });
  assert.equal(extra.status, 201, extra.text);
  await bad({ ...webhook(''), config: {} }, 'Missing webhook URL');
  await bad(webhook('ftp://hooks.test/'), 'Invalid webhook URL');
  await bad(webhook('http://127.0.0.1:8080/'), 'Invalid webhook URL');
  await bad(webhook('http://LocalHost/'), 'Invalid webhook URL');
  await bad(webhook('https://hooks.internal/'), 'Invalid webhook URL');
  await bad({ ...webhook('x'), method: 'slack', config: {} }, 'Missing Slack Callback URL');
  await bad({ ...webhook('x'), method: 'quay_notification', config: {} }, 'Missing target');
  await bad(
    { ...webhook('x'), method: 'quay_notification', config: { target: { kind: 'user', name: 'ghost' } } },
    'Unknown user ghost',
  );
  await bad({ ...webhook('x'), method: 'email', config: {} }, 'Missing e-mail address');
  await bad(
    { ...webhook('x'), method: 'email', config: { email: 'a@example.com' } },
    'The specified e-mail address is not authorized to receive notifications for this repository',
  );
  await bad({ ...webhook('x'), method: 'flowdock', config: {} }, 'Missing Flowdock API Token');
  await bad({ ...webhook('x'), method: 'hipchat', config: {} }, 'Missing Hipchat Room Notification Token');
  // JSONTemplate: "Could not parse template: " and Python's json error (the emulator's wording after the colon).
  const template = await call(quay, 'POST', LIST, {
    token,
    body: { ...webhook('x'), config: { url: 'http://hooks.test/', template: '{' } },
  });
  assertShapeA(quay, template, 400, 'invalid_request');
  assert.match(String((template.json as { detail: string }).detail), /^Could not parse template: /);
  for (const body of [
    { ...webhook('http://hooks.test/'), method: 'carrier_pigeon' },
    { ...webhook('http://hooks.test/'), event: 'repo_pull' },
    webhook('http:///nohost'),
  ]) {
    const reply = await call(quay, 'POST', LIST, { token, body });
    assert.equal(reply.status, 500, JSON.stringify(body));
    assert.match(reply.headers.get('content-type') ?? '', /^text\/html/);
  }
});

test('§10.1 permissions: repo admin and repo:admin scope, checked before the body; missing repositories', async (t) => {
  const { quay, token } = await setup(t);
  quay.seed.user('reader');
  quay.seed.permission('acme/app', 'reader', 'read');
  const reader = quay.seed.token('reader');
  assertShapeA(quay, await call(quay, 'POST', LIST, { token: reader, body: {} }), 403, 'insufficient_scope');
  assertShapeA(quay, await call(quay, 'GET', LIST, { token: reader }), 403, 'insufficient_scope');
  const writeScope = quay.seed.token('owner', ['repo:write']);
  assertShapeA(quay, await call(quay, 'GET', LIST, { token: writeScope }), 403, 'insufficient_scope');
  // The list of a repository that does not exist is empty; creating there fails in the insert (500).
  const missing = await call(quay, 'GET', '/api/v1/repository/acme/nope/notification/', { token });
  assert.deepEqual(missing.json, { notifications: [] });
  const create = await call(quay, 'POST', '/api/v1/repository/acme/nope/notification/', {
    token,
    body: webhook('http://hooks.test/'),
  });
  assert.equal(create.status, 500);
  // Trailing slash: the list is only at `notification/`.
  const unslashed = await call(quay, 'GET', '/api/v1/repository/acme/app/notification', { token });
  assert.equal(unslashed.status, 308);
  assert.equal(unslashed.headers.get('location'), LIST);
});

test('§10.1 GET/DELETE by uuid: 404 and 400 texts; GET finds another repository’s uuid as Quay does', async (t) => {
  const { quay, token } = await setup(t);
  quay.seed.repo('acme/other');
  const other = quay.seed.notification('acme/other', { config: { url: 'http://hooks.test/' } });
  assertShapeA(quay, await call(quay, 'GET', `${LIST}nope`, { token }), 404, 'not_found', 'Not Found');
  const foreign = await call(quay, 'GET', `${LIST}${other.uuid}`, { token });
  assert.equal(foreign.status, 200);
  assertShapeA(
    quay,
    await call(quay, 'DELETE', `${LIST}${other.uuid}`, { token }),
    400,
    'invalid_request',
    `No repository notification found for: acme, app, ${other.uuid}`,
  );
  assertShapeA(
    quay,
    await call(quay, 'DELETE', `${LIST}nope`, { token }),
    400,
    'invalid_request',
    'No repository notification found for: acme, app, nope',
  );
  const deleted = await call(quay, 'DELETE', `/api/v1/repository/acme/other/notification/${other.uuid}`, {
    token,
  });
  assert.equal(deleted.status, 204);
  assert.equal(quay.state.getRepo('acme', 'other')?.notifications.length, 0);
});

test('§10.2 a tag push POSTs build_repository_event_data + updated_tags to the webhook, after the push answer', async (t) => {
  const { quay, owner, token } = await setup(t);
  const hook = await receiver(t);
  const created = await call(quay, 'POST', LIST, { token, body: webhook(hook.url) });
  const id = (created.json as { uuid: string }).uuid;
  // Not for repo_push: no job.
  quay.seed.notification('acme/app', { event: 'build_success', config: { url: hook.url } });
  hook.hold();
  const push = await pushTag(quay, owner, 'acme/app', 'v1');
  assert.equal(push.status, 201, push.text);
  // The receiver holds its answer: the push was answered while the delivery is still unfinished.
  assert.equal(quay.notifications.pending, 1);
  hook.release();
  const deliveries = await quay.notifications.settle();
  /*
   * The body, from Quay's source: notifications/__init__.py build_repository_event_data(namespace, repo,
   * {"updated_tags": [tag]}) — keys repository, namespace, name, docker_url (SERVER_HOSTNAME/ns/repo),
   * homepage (PREFERRED_URL_SCHEME://SERVER_HOSTNAME/repository/ns/repo), then updated_tags — as
   * endpoints/v2/manifest.py _write_manifest_and_log spawns it; WebhookMethod.perform sends
   * json.dumps(payload) (Python separators ", " and ": ") with Content-type: application/json.
   */
  const expected = {
    repository: 'acme/app',
    namespace: 'acme',
    name: 'app',
    docker_url: `${quay.serverHostname}/acme/app`,
    homepage: `http://${quay.serverHostname}/repository/acme/app`,
    updated_tags: ['v1'],
  };
  const expectedBody =
    `{"repository": "acme/app", "namespace": "acme", "name": "app", "docker_url": "${quay.serverHostname}/acme/app", ` +
    `"homepage": "http://${quay.serverHostname}/repository/acme/app", "updated_tags": ["v1"]}`;
  assert.equal(hook.received.length, 1);
  const got = hook.received[0] as Received;
  assert.equal(got.method, 'POST');
  assert.equal(got.url, '/hook');
  assert.equal(got.body, expectedBody);
  assert.deepEqual(JSON.parse(got.body), expected);
  assert.equal(got.headers['content-type'], 'application/json');
  assert.equal(got.headers.host, `hooks.test:${hook.port}`);
  assert.match(String(got.headers['user-agent']), /^python-requests\//);
  assert.equal(deliveries.length, 1);
  const d = deliveries[0];
  assert.equal(d?.notificationUuid, id);
  assert.equal(d?.url, hook.url);
  assert.equal(d?.status, 200);
  assert.equal(d?.ok, true);
  assert.equal(d?.body, expectedBody);
  assert.deepEqual(d?.eventData, expected);
  assert.equal(quay.notifications.pending, 0);
  // settle() returns what happened since the last settle.
  assert.deepEqual(await quay.notifications.settle(), []);
  // One job per manifest PUT by tag.
  await pushTag(quay, owner, 'acme/app', 'v2');
  const second = await quay.notifications.settle();
  assert.deepEqual(
    second.map((x) => (x.eventData as { updated_tags: string[] }).updated_tags),
    [['v2']],
  );
});

test('§10.2 failures count up, retries come 30 s later, 3 failures disable, a success or the reset POST zeroes', async (t) => {
  const { quay, token } = await setup(t);
  const hook = await receiver(t);
  hook.answer(500);
  const n = quay.seed.notification('acme/app', { config: { url: hook.url } });
  const failures = async () =>
    ((await call(quay, 'GET', `${LIST}${n.uuid}`, { token })).json as { number_of_failures: number })
      .number_of_failures;
  quay.notifications.spawn('acme/app', 'repo_push', { updated_tags: ['v1'] });
  const [first] = await quay.notifications.settle();
  assert.equal(first?.status, 500);
  assert.equal(first?.ok, false);
  assert.equal(first?.error, `500 response for webhook to url: ${hook.url}`);
  assert.equal(await failures(), 1);
  // The retry is not due yet.
  assert.deepEqual(await quay.notifications.settle(), []);
  assert.equal(quay.notifications.pending, 1);
  quay.advanceTime(30);
  assert.equal((await quay.notifications.settle()).length, 1);
  assert.equal(await failures(), 2);
  quay.advanceTime(30);
  assert.equal((await quay.notifications.settle())[0]?.attempt, 3);
  assert.equal(await failures(), 3);
  // Disabled (number_of_failures >= 3): the next try ends the job without a request.
  quay.advanceTime(30);
  assert.deepEqual(await quay.notifications.settle(), []);
  assert.equal(quay.notifications.pending, 0);
  assert.equal(hook.received.length, 3);
  // New pushes are not delivered either until the failures are reset.
  quay.notifications.spawn('acme/app', 'repo_push', { updated_tags: ['v2'] });
  assert.deepEqual(await quay.notifications.settle(), []);
  const reset = await call(quay, 'POST', `${LIST}${n.uuid}`, { token });
  assert.equal(reset.status, 204);
  assert.equal(await failures(), 0);
  // A success after a failure zeroes the count again.
  quay.notifications.spawn('acme/app', 'repo_push', { updated_tags: ['v3'] });
  await quay.notifications.settle();
  assert.equal(await failures(), 1);
  hook.answer(204);
  quay.advanceTime(30);
  const [ok] = await quay.notifications.settle();
  assert.equal(ok?.status, 204);
  assert.equal(await failures(), 0);
});

test('§10.2 a refused connection is a failure without a status; the template shapes the payload', async (t) => {
  const { quay } = await setup(t);
  const hook = await receiver(t);
  const closed = await receiver(t);
  const deadUrl = `http://127.0.0.2:${closed.port}/gone`;
  const dead = quay.seed.notification('acme/app', { config: { url: deadUrl } });
  quay.seed.notification('acme/app', {
    config: {
      url: hook.url,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Quay's JSONTemplate syntax, not JavaScript's.
      template: '{"text": "pushed ${updated_tags[0]} to ${repository}", "tags": "${updated_tags}"}',
    },
  });
  quay.notifications.spawn('acme/app', 'repo_push', { updated_tags: ['v1'] });
  const deliveries = await quay.notifications.settle();
  const failed = deliveries.find((d) => d.notificationUuid === dead.uuid);
  assert.equal(failed?.status, null);
  assert.equal(failed?.ok, false);
  assert.equal(dead.numberOfFailures, 1);
  assert.equal(hook.received[0]?.body, '{"text": "pushed v1 to acme/app", "tags": ["v1"]}');
});

test('§10.2 https webhooks: verified against webhookCa (else a TLS failure); Quay presents its own certificate', async (t) => {
  const seen: { path: string; peer: string }[] = [];
  const server = await startHttpsServer(
    { cert: TEST_WEBHOOK_TLS_CERT, key: TEST_WEBHOOK_TLS_KEY, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      seen.push({ path: req.url ?? '', peer: String(peer?.subject?.CN ?? '') });
      req.resume();
      req.on('end', () => res.end('ok'));
    },
  );
  t.after(() => server.close());
  const url = `https://hooks.test:${server.port}/secure`;
  const hosts = { 'hooks.test': '127.0.0.1' };
  const untrusted = await quayFor(t, { webhookHosts: hosts });
  untrusted.seed.user('owner');
  untrusted.seed.org('acme', { owner: 'owner' });
  const n = untrusted.seed.notification('acme/app', { config: { url } });
  untrusted.notifications.spawn('acme/app', 'repo_push', { updated_tags: ['v1'] });
  const [refused] = await untrusted.notifications.settle();
  assert.equal(refused?.status, null);
  assert.equal(refused?.ok, false);
  assert.equal(n.numberOfFailures, 1);
  assert.equal(seen.length, 0);
  // With the CA trusted, and an emulator serving TLS itself: its certificate is sent as the client cert.
  const trusted = await quayFor(t, {
    webhookHosts: hosts,
    webhookCa: TEST_WEBHOOK_TLS_CERT,
    tls: { cert: TEST_TLS_CERT, key: TEST_TLS_KEY },
  });
  trusted.seed.user('owner');
  trusted.seed.org('acme', { owner: 'owner' });
  trusted.seed.notification('acme/app', { config: { url } });
  trusted.notifications.spawn('acme/app', 'repo_push', { updated_tags: ['v1'] });
  const [ok] = await trusted.notifications.settle();
  assert.equal(ok?.status, 200, ok?.error ?? '');
  assert.deepEqual(seen, [{ path: '/secure', peer: '127.0.0.1' }]);
  assert.match(String((ok?.eventData as { homepage?: string } | undefined)?.homepage), /^https:\/\//);
});

test('§10.2 redirects are followed as requests does: 307 repeats the POST, 302 becomes a GET without body', async (t) => {
  const { quay } = await setup(t);
  const seen: { method: string; url: string; body: string; type: string | undefined }[] = [];
  const server = await startServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        body: Buffer.concat(chunks).toString(),
        type: req.headers['content-type'],
      });
      if (req.url === '/a') res.writeHead(307, { location: '/b' }).end();
      else if (req.url === '/b') res.writeHead(302, { location: '/c' }).end();
      else res.writeHead(202).end();
    });
  });
  t.after(() => server.close());
  const url = `http://hooks.test:${server.port}/a`;
  quay.seed.notification('acme/app', { config: { url } });
  quay.notifications.spawn('acme/app', 'repo_push', { updated_tags: ['v1'] });
  const [d] = await quay.notifications.settle();
  assert.equal(d?.status, 202);
  assert.deepEqual(
    seen.map((s) => [s.method, s.url, s.body === d?.body, s.type]),
    [
      ['POST', '/a', true, 'application/json'],
      ['POST', '/b', true, 'application/json'],
      ['GET', '/c', false, undefined],
    ],
  );
});
