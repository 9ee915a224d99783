/** quay-api.md §1.1, §1.2, §1.4: how /api/v1 authenticates, scope capping, and 401/403 outcomes. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { assertShapeA, call, quayFor, registryToken } from './_http.js';

test('§1.4 writes without a valid bearer get the CSRF 403 before any permission check', async (t) => {
  const quay = await quayFor(t);
  const alice = quay.seed.userWithToken('alice');
  const expired = quay.seed.token('alice', undefined, { expiresInS: 10 });
  quay.advanceTime(11);
  const csrf = { error: 'CSRF token was invalid or missing.' };
  const variants = [
    { name: 'anonymous' },
    { name: 'basic', basic: `alice:${alice.password}` },
    { name: 'invalid bearer', token: 'X'.repeat(40) },
    { name: 'expired bearer', token: expired },
  ];
  for (const v of variants) {
    for (const [method, path] of [
      ['POST', '/api/v1/organization/'],
      ['PUT', '/api/v1/organization/acme/robots/bot'],
      ['DELETE', '/api/v1/organization/acme'],
    ] as const) {
      const reply = await call(quay, method, path, {
        token: v.token,
        basic: v.basic,
        body: { name: 'acme' },
      });
      assert.equal(reply.status, 403, `${v.name} ${method} ${path}`);
      assert.deepEqual(reply.json, csrf, `${v.name} ${method} ${path}`);
    }
  }
  assert.equal(quay.state.orgs.size, 0);
});

test('§1.1 Basic auth does not work on /api/v1: the GET is anonymous (401 Requires authentication)', async (t) => {
  const quay = await quayFor(t);
  const alice = quay.seed.userWithToken('alice');
  const reply = await call(quay, 'GET', '/api/v1/user/', { basic: `alice:${alice.password}` });
  assertShapeA(quay, reply, 401, 'invalid_token', 'Requires authentication');
  assert.equal((await call(quay, 'GET', '/api/v1/user/', { token: alice.token })).status, 200);
});

test('§1.1 an invalid or expired bearer does not abort: the request continues as anonymous', async (t) => {
  const quay = await quayFor(t);
  quay.seed.user('alice');
  quay.seed.org('acme', { owner: 'alice' });
  const token = quay.seed.token('alice', 'user:read', { expiresInS: 60 });
  assert.equal((await call(quay, 'GET', '/api/v1/user/', { token })).status, 200);
  quay.advanceTime(61);
  assertShapeA(quay, await call(quay, 'GET', '/api/v1/user/', { token }), 401, 'invalid_token');
  // Anonymous GET of an org is allowed (§4.2): the expired token just makes the caller anonymous.
  const org = await call(quay, 'GET', '/api/v1/organization/acme', { token });
  assert.equal(org.status, 200);
  assert.equal((org.json as { is_member: boolean }).is_member, false);
});

test('§1.1 a JWT bearer is validated as an SSO token; failing that aborts at once with 401 {"error": ...}', async (t) => {
  const quay = await quayFor(t);
  const alice = quay.seed.userWithToken('alice');
  const jwt = await registryToken(quay, `alice:${alice.password}`, []);
  for (const [method, path] of [
    ['GET', '/api/v1/user/'],
    ['POST', '/api/v1/organization/'],
  ] as const) {
    const reply = await call(quay, method, path, {
      token: jwt,
      body: method === 'POST' ? { name: 'acme' } : undefined,
    });
    assert.equal(reply.status, 401, method);
    assert.equal(typeof (reply.json as { error: unknown }).error, 'string');
    assert.deepEqual(Object.keys(reply.json as object), ['error']);
  }
});

test('§1.4 valid token with the wrong scope: 403 insufficient_scope (org create needs user:admin, not org:admin)', async (t) => {
  const quay = await quayFor(t);
  quay.seed.user('alice');
  for (const scope of ['repo:read', 'org:admin', 'repo:admin repo:create']) {
    const token = quay.seed.token('alice', scope);
    const reply = await call(quay, 'POST', '/api/v1/organization/', { token, body: { name: 'acme' } });
    assertShapeA(quay, reply, 403, 'insufficient_scope', 'Unauthorized');
  }
  assert.equal(quay.state.orgs.size, 0);
  const admin = quay.seed.token('alice', 'user:admin');
  assert.equal(
    (await call(quay, 'POST', '/api/v1/organization/', { token: admin, body: { name: 'acme' } })).status,
    201,
  );
});

test('§1.2 scopes cap roles: an org owner with repo:read only reads; org:admin alone cannot read repos', async (t) => {
  const quay = await quayFor(t);
  quay.seed.user('alice');
  quay.seed.org('acme', { owner: 'alice' });
  quay.seed.repo('acme/app');
  const reader = quay.seed.token('alice', 'repo:read');
  const orgAdmin = quay.seed.token('alice', 'org:admin');
  const repoAdmin = quay.seed.token('alice', 'repo:admin');
  assert.equal((await call(quay, 'GET', '/api/v1/repository/acme/app', { token: reader })).status, 200);
  const view = (await call(quay, 'GET', '/api/v1/repository/acme/app', { token: reader })).json as Record<
    string,
    unknown
  >;
  assert.equal(view.can_write, false);
  assert.equal(view.can_admin, false);
  assertShapeA(
    quay,
    await call(quay, 'GET', '/api/v1/repository/acme/app', { token: orgAdmin }),
    403,
    'insufficient_scope',
  );
  // Repo admin (permissions API) needs repo:admin (§6.1).
  assertShapeA(
    quay,
    await call(quay, 'GET', '/api/v1/repository/acme/app/permissions/user/', { token: reader }),
    403,
    'insufficient_scope',
  );
  assert.equal(
    (await call(quay, 'GET', '/api/v1/repository/acme/app/permissions/user/', { token: repoAdmin })).status,
    200,
  );
});

test('§1.2 one unknown scope makes the whole set empty', async (t) => {
  const quay = await quayFor(t);
  quay.seed.user('alice');
  const ok = quay.seed.token('alice', 'user:read,repo:read');
  const poisoned = quay.seed.token('alice', 'user:read repo:fly');
  assert.equal((await call(quay, 'GET', '/api/v1/user/', { token: ok })).status, 200);
  assertShapeA(quay, await call(quay, 'GET', '/api/v1/user/', { token: poisoned }), 401, 'invalid_token');
});

test('§1.2 superuser needs the super:user scope AND the name in SUPER_USERS', async (t) => {
  const quay = await quayFor(t, { superUsers: ['root'] });
  quay.seed.user('root');
  quay.seed.user('alice');
  const rootFull = quay.seed.token('root', 'super:user user:read');
  const rootNoScope = quay.seed.token('root', 'user:admin user:read');
  const aliceFull = quay.seed.token('alice', 'super:user user:read');
  const path = '/api/v1/superuser/organizations/';
  assert.equal((await call(quay, 'GET', path, { token: rootFull })).status, 200);
  assertShapeA(quay, await call(quay, 'GET', path, { token: rootNoScope }), 403, 'insufficient_scope');
  assertShapeA(quay, await call(quay, 'GET', path, { token: aliceFull }), 403, 'insufficient_scope');
  // SUPER_USERS is live state.
  quay.state.superUsers.push('alice');
  assert.equal((await call(quay, 'GET', path, { token: aliceFull })).status, 200);
});

test('§1.2/§12 with FEATURE_SUPER_USERS off, super:user is an unknown scope and the superuser API is gone', async (t) => {
  const quay = await quayFor(t, { features: { superUsers: false }, superUsers: ['root'] });
  quay.seed.user('root');
  const withSuper = quay.seed.token('root', 'super:user user:read');
  const plain = quay.seed.token('root', 'user:read');
  assert.equal((await call(quay, 'GET', '/api/v1/superuser/organizations/', { token: plain })).status, 404);
  assertShapeA(quay, await call(quay, 'GET', '/api/v1/user/', { token: withSuper }), 401, 'invalid_token');
  assert.equal((await call(quay, 'GET', '/api/v1/user/', { token: plain })).status, 200);
});

test('§1.4 FEATURE_ANONYMOUS_ACCESS=false: anonymous GET is 401 {"error": "Anonymous access is not allowed"}', async (t) => {
  const quay = await quayFor(t, { features: { anonymousAccess: false } });
  const alice = quay.seed.userWithToken('alice');
  quay.seed.org('acme', { owner: 'alice' });
  const anon = await call(quay, 'GET', '/api/v1/organization/acme');
  assert.equal(anon.status, 401);
  assert.deepEqual(anon.json, { error: 'Anonymous access is not allowed' });
  // Writes still meet the CSRF check first (§1.4 order).
  const write = await call(quay, 'POST', '/api/v1/organization/', { body: { name: 'x1' } });
  assert.equal(write.status, 403);
  assert.equal((await call(quay, 'GET', '/api/v1/organization/acme', { token: alice.token })).status, 200);
});

test('§1.4 GET on a missing repository: 403 for a caller without an org-wide role, 404 for the org admin', async (t) => {
  const quay = await quayFor(t);
  quay.seed.user('owner');
  quay.seed.user('stranger');
  quay.seed.org('acme', { owner: 'owner' });
  const ownerToken = quay.seed.token('owner');
  const strangerToken = quay.seed.token('stranger');
  for (const path of ['/api/v1/repository/acme/nope', '/api/v1/repository/acme/nope/tag/']) {
    assertShapeA(quay, await call(quay, 'GET', path, { token: strangerToken }), 403, 'insufficient_scope');
    assertShapeA(quay, await call(quay, 'GET', path, { token: ownerToken }), 404, 'not_found');
    assertShapeA(quay, await call(quay, 'GET', path), 401, 'invalid_token');
  }
});
