/** quay-api.md §2 (POST /api/v1/user/initialize) and §3 (GET /api/v1/user/). */
import assert from 'node:assert/strict';
import test from 'node:test';
import { assertShapeA, call, quayFor, registryToken } from './_http.js';

const INIT = '/api/v1/user/initialize';
const FIRST = {
  username: 'quayadmin',
  password: 'secret-pass-1',
  email: 'admin@example.com',
  access_token: true,
};

test('§2 FEATURE_USER_INITIALIZE off (default): the route is a 404 web page, not JSON', async (t) => {
  const quay = await quayFor(t);
  const reply = await call(quay, 'POST', INIT, { body: FIRST });
  assert.equal(reply.status, 404);
  assert.equal(reply.json, undefined);
  assert.equal(quay.state.users.size, 0);
});

test('§2 success: 200 with username, email, encrypted_password and a 40-char [A-Z0-9] access_token; no auth needed', async (t) => {
  const quay = await quayFor(t, { features: { userInitialize: true } });
  const reply = await call(quay, 'POST', INIT, { body: FIRST });
  assert.equal(reply.status, 200, reply.text);
  const body = reply.json as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['access_token', 'email', 'encrypted_password', 'username']);
  assert.equal(body.username, 'quayadmin');
  assert.equal(body.email, 'admin@example.com');
  assert.match(String(body.access_token), /^[A-Z0-9]{40}$/);
  assert.ok(reply.headers.get('x-next-csrf-token'), 'logs the user in: X-Next-CSRF-Token');
  // The OAuth application `automation` with client_id = username (§2).
  assert.equal(quay.state.apps.get('quayadmin')?.name, 'automation');
  // The token has the full scope set: it can create an org (user:admin) and read the user.
  const token = String(body.access_token);
  assert.equal((await call(quay, 'GET', '/api/v1/user/', { token })).status, 200);
  assert.equal(
    (await call(quay, 'POST', '/api/v1/organization/', { token, body: { name: 'acme' } })).status,
    201,
  );
  // encrypted_password is usable as a docker password (§2).
  await registryToken(quay, `quayadmin:${String(body.encrypted_password)}`, []);
});

test('§1.6/§2 the initialize token expires after 9000 s; then calls behave as anonymous', async (t) => {
  const quay = await quayFor(t, { features: { userInitialize: true } });
  const token = String(
    ((await call(quay, 'POST', INIT, { body: FIRST })).json as { access_token: string }).access_token,
  );
  quay.advanceTime(8999);
  assert.equal((await call(quay, 'GET', '/api/v1/user/', { token })).status, 200);
  quay.advanceTime(2);
  assertShapeA(quay, await call(quay, 'GET', '/api/v1/user/', { token }), 401, 'invalid_token');
  assert.equal(
    (await call(quay, 'POST', '/api/v1/organization/', { token, body: { name: 'acme' } })).status,
    403,
  );
});

test('§2 super:user in the init token takes effect only when the user is in SUPER_USERS', async (t) => {
  const listed = await quayFor(t, { features: { userInitialize: true }, superUsers: ['quayadmin'] });
  const unlisted = await quayFor(t, { features: { userInitialize: true } });
  for (const [quay, expected] of [
    [listed, 200],
    [unlisted, 403],
  ] as const) {
    const token = String(
      ((await call(quay, 'POST', INIT, { body: FIRST })).json as { access_token: string }).access_token,
    );
    assert.equal((await call(quay, 'GET', '/api/v1/superuser/organizations/', { token })).status, expected);
  }
});

test('§2 access_token: any truthy JSON value ("true" too) asks for a token; absent → no access_token key', async (t) => {
  for (const [value, wanted] of [
    ['true', true],
    [1, true],
    [false, false],
    ['', false],
    [undefined, false],
  ] as const) {
    const quay = await quayFor(t, { features: { userInitialize: true } });
    const body = { ...FIRST, access_token: value };
    const reply = await call(quay, 'POST', INIT, { body });
    assert.equal(reply.status, 200);
    assert.equal('access_token' in (reply.json as object), wanted, String(value));
  }
});

test('§2 only while the User table is empty (orgs and robots count): 400 "Cannot initialize user in a non-empty database"', async (t) => {
  const quay = await quayFor(t, { features: { userInitialize: true } });
  assert.equal((await call(quay, 'POST', INIT, { body: FIRST })).status, 200);
  const again = await call(quay, 'POST', INIT, { body: { ...FIRST, username: 'other' } });
  assert.equal(again.status, 400);
  assert.deepEqual(again.json, { message: 'Cannot initialize user in a non-empty database' });
  const orgOnly = await quayFor(t, { features: { userInitialize: true } });
  orgOnly.seed.org('acme');
  assert.equal((await call(orgOnly, 'POST', INIT, { body: FIRST })).status, 400);
  assert.equal(quay.state.users.size, 1);
});

test('§2 non-Database auth: 400 "Cannot initialize user in a non-database auth system"', async (t) => {
  const quay = await quayFor(t, { features: { userInitialize: true }, authenticationType: 'LDAP' });
  const reply = await call(quay, 'POST', INIT, { body: FIRST });
  assert.equal(reply.status, 400);
  assert.deepEqual(reply.json, { message: 'Cannot initialize user in a non-database auth system' });
});

test('§2 validation errors: 400 {"message": "Failed to initialize user: <text>"}; missing username is a 500', async (t) => {
  const quay = await quayFor(t, { features: { userInitialize: true } });
  const cases: [Record<string, unknown>, string][] = [
    [
      { ...FIRST, password: 'short' },
      'Failed to initialize user: Invalid password, password must be at least 8 characters and contain no whitespace.',
    ],
    [
      { ...FIRST, password: 'has white space' },
      'Failed to initialize user: Invalid password, password must be at least 8 characters and contain no whitespace.',
    ],
    [
      { username: 'quayadmin', password: 'secret-pass-1' },
      'Failed to initialize user: Invalid email address: None',
    ],
    [
      { ...FIRST, username: 'Bad_Name' },
      'Failed to initialize user: Invalid namespace Bad_Name: Namespace must match expression ^([a-z0-9]+(?:[._-][a-z0-9]+)*)$',
    ],
    [
      { ...FIRST, username: 'a' },
      'Failed to initialize user: Namespace must be between 2 and 255 characters in length',
    ],
  ];
  for (const [body, message] of cases) {
    const reply = await call(quay, 'POST', INIT, { body });
    assert.equal(reply.status, 400, message);
    assert.deepEqual(reply.json, { message });
  }
  const noName = await call(quay, 'POST', INIT, { body: { password: 'secret-pass-1', email: 'a@b.co' } });
  assert.equal(noName.status, 500);
  assert.equal(quay.state.users.size, 0);
});

test('§2/§12 FEATURE_MAILING off: email is optional and comes back null', async (t) => {
  const quay = await quayFor(t, { features: { userInitialize: true, mailing: false } });
  const reply = await call(quay, 'POST', INIT, {
    body: { username: 'quayadmin', password: 'secret-pass-1' },
  });
  assert.equal(reply.status, 200);
  assert.equal((reply.json as { email: unknown }).email, null);
});

test('§3 GET /api/v1/user/: user:read shows the basics; admin fields need user:admin', async (t) => {
  const quay = await quayFor(t);
  quay.seed.user('alice', { email: 'alice@example.com' });
  quay.seed.org('acme', { owner: 'alice' });
  const read = (await call(quay, 'GET', '/api/v1/user/', { token: quay.seed.token('alice', 'user:read') }))
    .json as Record<string, unknown>;
  assert.equal(read.anonymous, false);
  assert.equal(read.username, 'alice');
  assert.equal((read.avatar as { kind: string }).kind, 'user');
  assert.equal('email' in read, false);
  assert.equal('can_create_repo' in read, false);
  const orgs = read.organizations as Record<string, unknown>[];
  assert.deepEqual(
    orgs.map((o) => o.name),
    ['acme'],
  );
  assert.equal('is_org_admin' in (orgs[0] ?? {}), false);
  const admin = (await call(quay, 'GET', '/api/v1/user/', { token: quay.seed.token('alice', 'user:admin') }))
    .json as Record<string, unknown>;
  assert.equal(admin.email, 'alice@example.com');
  assert.equal(admin.is_me, true);
  // is_org_admin is itself capped by the token: without org:admin the owner is not an admin here (§1.2).
  assert.equal((admin.organizations as Record<string, unknown>[])[0]?.is_org_admin, false);
  const both = (
    await call(quay, 'GET', '/api/v1/user/', { token: quay.seed.token('alice', 'user:admin org:admin') })
  ).json as Record<string, unknown>;
  assert.equal((both.organizations as Record<string, unknown>[])[0]?.is_org_admin, true);
  assert.equal('super_user' in admin, false);
});

test('§3 without user-read capability: 401 invalid_token with session_required: false', async (t) => {
  const quay = await quayFor(t);
  quay.seed.user('alice');
  for (const token of [undefined, quay.seed.token('alice', 'repo:read')]) {
    const reply = await call(quay, 'GET', '/api/v1/user/', { token });
    assertShapeA(quay, reply, 401, 'invalid_token', 'Requires authentication');
    assert.equal((reply.json as { session_required: unknown }).session_required, false);
  }
});

test('§3 super_user: true only when the superuser permission holds', async (t) => {
  const quay = await quayFor(t, { superUsers: ['root'] });
  quay.seed.user('root');
  const withScope = (await call(quay, 'GET', '/api/v1/user/', { token: quay.seed.token('root') }))
    .json as Record<string, unknown>;
  assert.equal(withScope.super_user, true);
  const noScope = (await call(quay, 'GET', '/api/v1/user/', { token: quay.seed.token('root', 'user:admin') }))
    .json as Record<string, unknown>;
  assert.equal('super_user' in noScope, false);
});
