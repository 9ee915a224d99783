/**
 * The emulator's own test hooks (fault injection, request log, seed helpers, launcher, TLS) and the org
 * application-token API of quay-api.md §1.6.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { Agent, fetch as undiciFetch } from 'undici';
import { assertShapeA, call, quayFor, registryToken } from './_http.js';
import { TEST_TLS_CERT, TEST_TLS_KEY } from './_tls-fixture.js';

test('faults: the next N matching requests answer 503/429 with Retry-After, then normal service resumes', async (t) => {
  const quay = await quayFor(t);
  const { token } = quay.seed.userWithToken('alice');
  const handle = quay.faults.failNext('/api/v1/user/', { status: 503, times: 2, retryAfter: 3 });
  const throttle = quay.faults.failNext(/^\/v2\/auth\?/, {
    status: 429,
    retryAfter: 'Wed, 21 Oct 2099 07:28:00 GMT',
  });
  for (let i = 0; i < 2; i++) {
    const reply = await call(quay, 'GET', '/api/v1/user/', { token });
    assert.equal(reply.status, 503);
    assert.equal(reply.headers.get('retry-after'), '3');
  }
  assert.equal((await call(quay, 'GET', '/api/v1/user/', { token })).status, 200);
  assert.equal(handle.hits, 2);
  assert.equal(handle.remaining, 0);
  const limited = await call(quay, 'GET', '/v2/auth?service=x');
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), 'Wed, 21 Oct 2099 07:28:00 GMT');
  assert.equal(throttle.remaining, 0);
  assert.deepEqual(quay.faults.pending, []);
  const log = quay.requestsTo({ path: '/api/v1/user/' });
  assert.deepEqual(
    log.map((e) => [e.status, e.fault]),
    [
      [503, 'status'],
      [503, 'status'],
      [200, null],
    ],
  );
});

test('faults: method filter and prefix paths; a dropped connection makes the client fail, the next call works', async (t) => {
  const quay = await quayFor(t);
  const { token } = quay.seed.userWithToken('alice');
  quay.faults.dropNext('/api/v1/organization/*', { method: 'POST' });
  quay.faults.dropNext('/api/v1/organization/*', { method: 'POST' });
  assert.equal(
    (await call(quay, 'GET', '/api/v1/organization/acme', { token })).status,
    404,
    'GET is not matched',
  );
  await assert.rejects(call(quay, 'POST', '/api/v1/organization/', { token, body: { name: 'acme' } }));
  await assert.rejects(call(quay, 'POST', '/api/v1/organization/', { token, body: { name: 'acme' } }));
  assert.equal(quay.state.orgs.size, 0, 'a dropped request is not processed');
  assert.equal(
    (await call(quay, 'POST', '/api/v1/organization/', { token, body: { name: 'acme' } })).status,
    201,
  );
  const drops = quay.requests.filter((e) => e.fault === 'drop');
  assert.equal(drops.length, 2);
  assert.equal(drops[0]?.status, null);
});

test('faults: truncate cuts a blob download after N bytes; delay holds a response back', async (t) => {
  const quay = await quayFor(t);
  quay.seed.org('acme');
  const image = await quay.seed.pushImage('acme/open', 'v1', { layers: [Buffer.alloc(64 * 1024, 7)] });
  quay.state.getRepo('acme', 'open')!.isPublic = true;
  const layer = `/v2/acme/open/blobs/${image.layerDigests[0]}`;
  quay.faults.add({ path: layer, action: { type: 'truncate', afterBytes: 1000 } });
  const res = await fetch(`${quay.url}${layer}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-length'), String(64 * 1024));
  await assert.rejects(res.arrayBuffer());
  const whole = await fetch(`${quay.url}${layer}`);
  assert.equal((await whole.arrayBuffer()).byteLength, 64 * 1024);
  quay.faults.add({ path: '/v2/', action: { type: 'delay', ms: 2000 } });
  await assert.rejects(fetch(`${quay.url}/v2/`, { signal: AbortSignal.timeout(50) }));
});

test('request log: method, path, masked query and auth kind/subject, never a token or password in clear', async (t) => {
  const quay = await quayFor(t);
  const alice = quay.seed.userWithToken('alice');
  await call(quay, 'GET', '/api/v1/user/', { token: alice.token });
  const jwt = await registryToken(quay, `alice:${alice.password}`, ['repository:alice/app:pull']);
  await call(quay, 'GET', '/v2/', { token: jwt });
  await call(quay, 'GET', '/api/v1/user/?access_token=SECRETVALUE&limit=2', { token: 'BOGUS'.repeat(8) });
  await call(quay, 'GET', '/api/v1/organization/none');
  const [api, auth, ping, bogus, anon] = quay.requests;
  assert.deepEqual([api?.method, api?.path, api?.status], ['GET', '/api/v1/user/', 200]);
  assert.deepEqual([api?.auth.kind, api?.auth.bearerType, api?.auth.subject], ['bearer', 'oauth', 'alice']);
  assert.deepEqual([auth?.auth.kind, auth?.auth.subject], ['basic', 'alice']);
  assert.match(auth?.query ?? '', /scope=repository%3Aalice%2Fapp%3Apull/);
  assert.deepEqual([ping?.auth.kind, ping?.auth.bearerType, ping?.auth.subject], ['bearer', 'jwt', 'alice']);
  assert.deepEqual([bogus?.auth.bearerType, bogus?.status], ['invalid', 401]);
  assert.equal(bogus?.query, 'access_token=***&limit=2');
  assert.equal(anon?.auth.kind, 'none');
  assert.match(api?.auth.fingerprint ?? '', /^[0-9a-f]{12}$/);
  const dump = JSON.stringify(quay.requests);
  for (const secret of [alice.token, alice.password, jwt, 'SECRETVALUE'])
    assert.equal(dump.includes(secret), false);
});

test('seed helpers: users, tokens with scopes, orgs, robots, teams, repos, images and proxy cache are visible over HTTP', async (t) => {
  const quay = await quayFor(t, { features: { proxyCache: true } });
  const admin = quay.seed.userWithToken('admin', { superUser: true });
  quay.seed.org('acme', { owner: 'admin' });
  const robot = quay.seed.robot('acme', 'bot');
  quay.seed.team('acme', 'pushers', { role: 'creator', members: [robot.name] });
  const image = await quay.seed.pushImage('acme/app', ['v1', 'latest']);
  // A creator team may create repos but not read others' (§6.2): reading needs a permission.
  quay.seed.permission('acme/app', robot.name, 'read');
  quay.seed.proxyCache('acme', { upstreamRegistry: 'quay.io/x' });
  assert.equal(
    ((await call(quay, 'GET', '/api/v1/user/', { token: admin.token })).json as { super_user: boolean })
      .super_user,
    true,
  );
  const tags = (
    await call(quay, 'GET', '/api/v1/repository/acme/app/tag/?onlyActiveTags=true', { token: admin.token })
  ).json as { tags: { name: string; manifest_digest: string }[] };
  assert.deepEqual(tags.tags.map((x) => x.name).sort(), ['latest', 'v1']);
  assert.ok(tags.tags.every((x) => x.manifest_digest === image.digest));
  const pull = await registryToken(quay, `${robot.name}:${robot.token}`, ['repository:acme/app:pull,push']);
  const manifest = await call(quay, 'GET', '/v2/acme/app/manifests/v1', { token: pull });
  assert.equal(manifest.text, image.manifest.toString());
  assert.equal(
    (
      (await call(quay, 'GET', '/api/v1/organization/acme/proxycache', { token: admin.token })).json as {
        upstream_registry: string;
      }
    ).upstream_registry,
    'quay.io/x',
  );
  const readOnly = quay.seed.token('admin', ['repo:read']);
  assertShapeA(quay, await call(quay, 'GET', '/api/v1/user/', { token: readOnly }), 401, 'invalid_token');
});

test('launcher main.js: prints one JSON line with url and a working superuser token, exits 0 on SIGTERM', async () => {
  const main = fileURLToPath(new URL('../support/quay-emulator/main.js', import.meta.url));
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [main, '--port', '0', '--feature', 'proxyCache=true'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const info = JSON.parse(line) as { url: string; adminUser: string; adminToken: string };
    assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const headers = { authorization: `Bearer ${info.adminToken}` };
    const me = (await (await fetch(`${info.url}/api/v1/user/`, { headers })).json()) as Record<
      string,
      unknown
    >;
    assert.equal(me.username, info.adminUser);
    assert.equal(me.super_user, true);
    await fetch(`${info.url}/api/v1/organization/`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'acme' }),
    });
    assert.equal((await fetch(`${info.url}/api/v1/organization/acme/proxycache`, { headers })).status, 200);
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
});

test('tls option: the emulator serves https with the given certificate', async (t) => {
  const quay = await quayFor(t, { tls: { cert: TEST_TLS_CERT, key: TEST_TLS_KEY } });
  assert.match(quay.url, /^https:\/\//);
  const dispatcher = new Agent({ connect: { ca: TEST_TLS_CERT } });
  t.after(() => dispatcher.close());
  const res = await undiciFetch(`${quay.url}/v2/`, { dispatcher });
  assert.equal(res.status, 401);
  assert.equal(
    res.headers.get('www-authenticate'),
    `Bearer realm="${quay.url}/v2/auth",service="${quay.serverHostname}"`,
  );
  await res.arrayBuffer();
});

test('§1.6 org application tokens: create app, mint a token with held scopes, list without secrets, revoke', async (t) => {
  const quay = await quayFor(t);
  quay.seed.user('owner');
  quay.seed.org('acme', { owner: 'owner' });
  const token = quay.seed.token('owner', 'org:admin user:read repo:read');
  const app = await call(quay, 'POST', '/api/v1/organization/acme/applications', {
    token,
    body: { name: 'automation' },
  });
  assert.equal(app.status, 200);
  const view = app.json as Record<string, string>;
  for (const key of [
    'name',
    'description',
    'application_uri',
    'client_id',
    'client_secret',
    'redirect_uri',
    'avatar_email',
  ]) {
    assert.ok(key in view, key);
  }
  const tokens = `/api/v1/organization/acme/applications/${view.client_id}/tokens`;
  const minted = await call(quay, 'POST', tokens, {
    token,
    body: { name: 'ci', scope: 'user:read,repo:read', expiration: 3600 },
  });
  assert.equal(minted.status, 200);
  const m = minted.json as Record<string, string | null>;
  assert.match(m.token ?? '', /^[A-Z0-9]{40}$/);
  for (const key of ['uuid', 'name', 'scope', 'expires_at', 'created', 'created_by', 'last_accessed'])
    assert.ok(key in m, key);
  assert.match(m.expires_at ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal((await call(quay, 'GET', '/api/v1/user/', { token: m.token ?? '' })).status, 200);
  const tooMuch = await call(quay, 'POST', tokens, { token, body: { name: 'x', scope: 'super:user' } });
  assert.equal(tooMuch.status, 400);
  assert.deepEqual(Object.keys(tooMuch.json as object), ['message']);
  const list = (await call(quay, 'GET', tokens, { token })).json as { tokens: Record<string, unknown>[] };
  assert.equal(list.tokens.length, 1);
  assert.equal('token' in (list.tokens[0] ?? {}), false);
  assert.equal((await call(quay, 'DELETE', `${tokens}/${m.uuid}`, { token })).status, 204);
  assertShapeA(
    quay,
    await call(quay, 'GET', '/api/v1/user/', { token: m.token ?? '' }),
    401,
    'invalid_token',
  );
});
