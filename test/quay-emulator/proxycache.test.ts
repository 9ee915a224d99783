/** quay-api.md §8: proxy-cache configuration (FEATURE_PROXY_CACHE). */
import assert from 'node:assert/strict';
import test from 'node:test';
import { assertShapeA, call, quayFor } from './_http.js';

const PC = '/api/v1/organization/acme/proxycache';

async function setup(t: Parameters<typeof quayFor>[0], opts: { ssrfAllowedHosts?: string[] } = {}) {
  const quay = await quayFor(t, { features: { proxyCache: true }, ...opts });
  quay.seed.user('owner');
  quay.seed.org('acme', { owner: 'owner' });
  return { quay, token: quay.seed.token('owner') };
}

test('§8 feature off (default): every proxy-cache endpoint is 404', async (t) => {
  const quay = await quayFor(t);
  const { token } = quay.seed.userWithToken('owner');
  quay.seed.org('acme', { owner: 'owner' });
  for (const [method, path] of [
    ['GET', PC],
    ['POST', PC],
    ['DELETE', PC],
    ['POST', '/api/v1/organization/acme/validateproxycache'],
  ] as const) {
    const reply = await call(quay, method, path, {
      token,
      body: method === 'POST' ? { upstream_registry: 'quay.io' } : undefined,
    });
    assert.equal(reply.status, 404, `${method} ${path}`);
  }
});

test('§8 GET with no config: 200 with empty strings, not 404', async (t) => {
  const { quay, token } = await setup(t);
  const reply = await call(quay, 'GET', PC, { token });
  assert.equal(reply.status, 200);
  assert.deepEqual(reply.json, { upstream_registry: '', expiration_s: '', insecure: '' });
});

test('§8 POST: 201 "Created", defaults expiration_s 86400 and insecure false; credentials never come back', async (t) => {
  const { quay, token } = await setup(t);
  const reply = await call(quay, 'POST', PC, {
    token,
    body: {
      upstream_registry: 'docker.io/library',
      upstream_registry_username: 'u',
      upstream_registry_password: 'p',
    },
  });
  assert.equal(reply.status, 201);
  assert.equal(reply.text, '"Created"\n');
  const got = await call(quay, 'GET', PC, { token });
  assert.deepEqual(got.json, {
    upstream_registry: 'docker.io/library',
    expiration_s: 86400,
    insecure: false,
  });
  assert.equal(quay.state.orgs.get('acme')?.proxyCache?.username, 'u');
});

test('§8 one config per org: a second POST is 400 "Proxy Cache Configuration already exists"; change = DELETE then POST', async (t) => {
  const { quay, token } = await setup(t);
  assert.equal((await call(quay, 'POST', PC, { token, body: { upstream_registry: 'quay.io' } })).status, 201);
  assertShapeA(
    quay,
    await call(quay, 'POST', PC, { token, body: { upstream_registry: 'docker.io', expiration_s: 60 } }),
    400,
    'invalid_request',
    'Proxy Cache Configuration already exists',
  );
  const del = await call(quay, 'DELETE', PC, { token });
  assert.equal(del.status, 201, 'DELETE answers 201 (sic)');
  assert.equal(del.text, '"Deleted"\n');
  assert.equal(
    (
      await call(quay, 'POST', PC, {
        token,
        body: { upstream_registry: 'docker.io', expiration_s: 60, insecure: true },
      })
    ).status,
    201,
  );
  assert.deepEqual((await call(quay, 'GET', PC, { token })).json, {
    upstream_registry: 'docker.io',
    expiration_s: 60,
    insecure: true,
  });
});

test('§8 DELETE with no config: 404 shape A', async (t) => {
  const { quay, token } = await setup(t);
  assertShapeA(quay, await call(quay, 'DELETE', PC, { token }), 404, 'not_found');
});

test('§8 SSRF guard: private/loopback/internal upstreams are refused unless in SSRF_ALLOWED_HOSTS', async (t) => {
  const { quay, token } = await setup(t);
  for (const upstream of [
    '127.0.0.1:5000',
    '10.1.2.3',
    'localhost:5000',
    'metadata.google',
    'reg.internal',
    'box.local',
    '[::1]:5000',
  ]) {
    assertShapeA(
      quay,
      await call(quay, 'POST', PC, { token, body: { upstream_registry: upstream } }),
      400,
      'invalid_request',
      'The provided registry URL is not allowed',
    );
  }
  assertShapeA(
    quay,
    await call(quay, 'POST', PC, { token, body: { upstream_registry: 'nowhere.invalid' } }),
    400,
    'invalid_request',
    "Cannot resolve hostname 'nowhere.invalid'",
  );
  assert.equal(quay.state.orgs.get('acme')?.proxyCache, null);
  const allowed = await setup(t, { ssrfAllowedHosts: ['127.0.0.0/8'] });
  assert.equal(
    (
      await call(allowed.quay, 'POST', PC, {
        token: allowed.token,
        body: { upstream_registry: '127.0.0.1:5000' },
      })
    ).status,
    201,
  );
});

test('§8 scopes: POST/DELETE need org admin; GET needs membership (org:admin or repo:create gives it)', async (t) => {
  const { quay } = await setup(t);
  quay.seed.user('dev');
  quay.seed.team('acme', 'devs', { members: ['dev'] });
  quay.seed.proxyCache('acme', { upstreamRegistry: 'quay.io' });
  const member = quay.seed.token('dev', 'repo:create');
  assert.equal((await call(quay, 'GET', PC, { token: member })).status, 200);
  assertShapeA(quay, await call(quay, 'DELETE', PC, { token: member }), 403, 'insufficient_scope');
  const readOnly = quay.seed.token('dev', 'repo:read');
  assertShapeA(quay, await call(quay, 'GET', PC, { token: readOnly }), 403, 'insufficient_scope');
  assertShapeA(quay, await call(quay, 'GET', PC), 401, 'invalid_token');
  assertShapeA(
    quay,
    await call(quay, 'POST', PC, {
      token: quay.seed.token('owner', 'repo:admin'),
      body: { upstream_registry: 'quay.io' },
    }),
    403,
    'insufficient_scope',
  );
});

test('§8 body: upstream_registry is required; unknown keys make creation fail', async (t) => {
  const { quay, token } = await setup(t);
  assertShapeA(
    quay,
    await call(quay, 'POST', PC, { token, body: { expiration_s: 5 } }),
    400,
    'invalid_request',
  );
  assertShapeA(
    quay,
    await call(quay, 'POST', PC, { token, body: { upstream_registry: 'quay.io', overwrite: true } }),
    400,
    'invalid_request',
    'Error while creating Proxy cache configuration',
  );
  // org_name, as sent by tools that post their whole config entry, is accepted.
  assert.equal(
    (await call(quay, 'POST', PC, { token, body: { upstream_registry: 'quay.io', org_name: 'acme' } }))
      .status,
    201,
  );
});

test('§8 validateproxycache contacts <upstream>/v2/: 401 → 202 "Anonymous", good login → 202 "Valid", bad → 400', async (t) => {
  const upstream = await quayFor(t);
  const robot = (() => {
    upstream.seed.org('up');
    return upstream.seed.robot('up', 'reader');
  })();
  const { quay, token } = await setup(t, { ssrfAllowedHosts: ['127.0.0.1'] });
  const base = { upstream_registry: `${upstream.host}/up`, insecure: true };
  const path = '/api/v1/organization/acme/validateproxycache';
  const anon = await call(quay, 'POST', path, { token, body: base });
  assert.equal(anon.status, 202);
  assert.equal(anon.text, '"Anonymous"\n');
  const valid = await call(quay, 'POST', path, {
    token,
    body: { ...base, upstream_registry_username: robot.name, upstream_registry_password: robot.token },
  });
  assert.equal(valid.status, 202);
  assert.equal(valid.text, '"Valid"\n');
  assertShapeA(
    quay,
    await call(quay, 'POST', path, {
      token,
      body: { ...base, upstream_registry_username: robot.name, upstream_registry_password: 'wrong' },
    }),
    400,
    'invalid_request',
    'Failed login to remote registry. Please verify entered details and try again.',
  );
  assert.ok(upstream.requestsTo({ path: '/v2/' }).length >= 3, 'the upstream was really contacted');
  const closed = `127.0.0.1:${1}`;
  assertShapeA(
    quay,
    await call(quay, 'POST', path, { token, body: { upstream_registry: closed, insecure: true } }),
    400,
    'invalid_request',
    'Failed to validate Proxy cache configuration',
  );
  quay.seed.proxyCache('acme', { upstreamRegistry: 'quay.io' });
  assertShapeA(
    quay,
    await call(quay, 'POST', path, { token, body: base }),
    400,
    'invalid_request',
    'Proxy Cache Configuration already exists',
  );
});
