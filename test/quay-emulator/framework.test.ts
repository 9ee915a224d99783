/** quay-api.md §0 (framework facts) and §1.3 (error body shapes), asserted over HTTP. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { assertShapeA, call, quayFor } from './_http.js';

test('§0 trailing slash: a rule registered with a slash answers the unslashed path with 308 to the slashed URL', async (t) => {
  const quay = await quayFor(t);
  const { token } = quay.seed.userWithToken('alice');
  for (const [path, target] of [
    ['/api/v1/user', '/api/v1/user/'],
    ['/api/v1/organization', '/api/v1/organization/'],
    ['/api/v1/superuser/organizations?limit=5', '/api/v1/superuser/organizations/?limit=5'],
    [
      '/api/v1/repository/alice/r/tag?onlyActiveTags=true',
      '/api/v1/repository/alice/r/tag/?onlyActiveTags=true',
    ],
    ['/api/v1/repository/alice/r/permissions/user', '/api/v1/repository/alice/r/permissions/user/'],
  ] as const) {
    const reply = await call(quay, 'GET', path, { token });
    assert.equal(reply.status, 308, path);
    assert.equal(reply.headers.get('location'), target, path);
  }
  // The redirect keeps the method's meaning (308): following it with POST creates the org.
  const post = await call(quay, 'POST', '/api/v1/organization', { token, body: { name: 'acme' } });
  assert.equal(post.status, 308);
  assert.equal(quay.state.orgs.has('acme'), false);
});

test('§0 trailing slash: a rule registered without a slash answers 404 when a slash is added', async (t) => {
  const quay = await quayFor(t);
  const { token } = quay.seed.userWithToken('alice');
  quay.seed.org('acme', { owner: 'alice' });
  quay.seed.robot('acme', 'bot');
  for (const [method, path] of [
    ['GET', '/api/v1/organization/acme/'],
    ['GET', '/api/v1/organization/acme/robots/bot/'],
    ['POST', '/api/v1/repository/'],
  ] as const) {
    const reply = await call(quay, method, path, { token, body: method === 'POST' ? {} : undefined });
    assert.equal(reply.status, 404, `${method} ${path}`);
  }
  assert.equal((await call(quay, 'GET', '/api/v1/organization/acme', { token })).status, 200);
});

test('§0 unknown paths and feature-hidden resources are the router 404, not API JSON', async (t) => {
  const quay = await quayFor(t);
  const { token } = quay.seed.userWithToken('alice');
  quay.seed.org('acme', { owner: 'alice' });
  for (const path of ['/api/v1/nothing/here', '/api/v1/organization/acme/proxycache']) {
    const reply = await call(quay, 'GET', path, { token });
    assert.equal(reply.status, 404, path);
    assert.match(reply.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(reply.json, undefined, 'the body is not JSON');
  }
});

test('§0 JSON bodies: wrong Content-Type is 415, invalid JSON is 400, each with the Werkzeug message', async (t) => {
  const quay = await quayFor(t);
  const { token } = quay.seed.userWithToken('alice');
  const wrongType = await call(quay, 'POST', '/api/v1/organization/', {
    token,
    rawBody: '{"name": "acme"}',
    contentType: 'text/plain',
  });
  assert.equal(wrongType.status, 415);
  assert.deepEqual(wrongType.json, {
    message: "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
  });
  const badJson = await call(quay, 'POST', '/api/v1/organization/', { token, rawBody: '{"name": ' });
  assert.equal(badJson.status, 400);
  assert.deepEqual(badJson.json, {
    message: 'The browser (or proxy) sent a request that this server could not understand.',
  });
  assert.equal(quay.state.orgs.size, 0);
});

test('§0 Flask-RESTful JSON: Python spacing and a trailing newline ("Created"\\n)', async (t) => {
  const quay = await quayFor(t);
  const { token } = quay.seed.userWithToken('alice');
  const created = await call(quay, 'POST', '/api/v1/organization/', { token, body: { name: 'acme' } });
  assert.equal(created.status, 201);
  assert.equal(created.text, '"Created"\n');
  const org = await call(quay, 'GET', '/api/v1/organization/acme', { token });
  assert.match(org.text, /^\{"name": "acme", "email": /);
  assert.ok(org.text.endsWith('}\n'));
});

test('§1.3 A: ApiException body carries detail, error_message, error_type, title, absolute type URL, status', async (t) => {
  const quay = await quayFor(t);
  const reply = await call(quay, 'GET', '/api/v1/organization/missing');
  assertShapeA(quay, reply, 404, 'not_found', 'Not Found');
  const typeDoc = await call(quay, 'GET', '/api/v1/error/not_found');
  assert.equal(typeDoc.status, 200);
  const doc = typeDoc.json as Record<string, unknown>;
  assert.equal(doc.type, `${quay.url}/api/v1/error/not_found`);
  assert.equal(doc.title, 'not_found');
  assert.equal(typeof doc.description, 'string');
});

test('§1.3 A: error type statuses follow the table (invalid_request 400, invalid_token 401, insufficient_scope 403)', async (t) => {
  const quay = await quayFor(t);
  const { token } = quay.seed.userWithToken('alice', { scopes: 'repo:read' });
  const full = quay.seed.token('alice');
  assertShapeA(quay, await call(quay, 'GET', '/api/v1/repository', { token }), 400, 'invalid_request');
  assertShapeA(
    quay,
    await call(quay, 'GET', '/api/v1/superuser/organizations/'),
    401,
    'invalid_token',
    'Requires authentication',
  );
  assertShapeA(
    quay,
    await call(quay, 'GET', '/api/v1/superuser/organizations/', { token: full }),
    403,
    'insufficient_scope',
    'Unauthorized',
  );
});

test('§0 a path that exists for other methods is 405', async (t) => {
  const quay = await quayFor(t);
  const reply = await call(quay, 'PATCH', '/api/v1/organization/acme');
  assert.equal(reply.status, 405);
  assert.match(reply.headers.get('allow') ?? '', /GET/);
});

test('§0 repeated slashes are merged by a redirect (Werkzeug merge_slashes)', async (t) => {
  const quay = await quayFor(t);
  const reply = await call(quay, 'GET', '/api/v1/organization//acme/members');
  assert.equal(reply.status, 308);
  assert.equal(reply.headers.get('location'), '/api/v1/organization/acme/members');
});
