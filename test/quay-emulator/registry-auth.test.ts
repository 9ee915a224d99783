/** quay-api.md §11.1 (token flow) and §11.2 (push to a repository that does not exist yet). */
import assert from 'node:assert/strict';
import test from 'node:test';
import { assertRegistryError, call, jwtClaims, quayFor, registryToken } from './_http.js';

test('§11.1 GET /v2/ without a token: 401 body true, Bearer challenge, API version header', async (t) => {
  const quay = await quayFor(t);
  const reply = await call(quay, 'GET', '/v2/');
  assert.equal(reply.status, 401);
  assert.equal(reply.text, 'true');
  assert.equal(
    reply.headers.get('www-authenticate'),
    `Bearer realm="${quay.url}/v2/auth",service="${quay.serverHostname}"`,
  );
  assert.equal(reply.headers.get('docker-distribution-api-version'), 'registry/2.0');
  assert.equal(reply.headers.get('x-sparse-manifest-support'), 'false');
  assert.equal((await call(quay, 'GET', '/v2')).status, 308);
});

test('§11.1 token flow: Basic user → 200 {"token"} only; the JWT works on /v2/ and has the documented claims', async (t) => {
  const quay = await quayFor(t);
  const alice = quay.seed.user('alice');
  const reply = await call(
    quay,
    'GET',
    `/v2/auth?service=${quay.serverHostname}&scope=repository:alice/app:pull,push`,
    {
      basic: `alice:${alice.password}`,
    },
  );
  assert.equal(reply.status, 200);
  assert.deepEqual(Object.keys(reply.json as object), ['token']);
  const token = (reply.json as { token: string }).token;
  const claims = jwtClaims(token);
  assert.equal(claims.aud, quay.serverHostname);
  assert.equal(claims.sub, 'alice');
  assert.equal(claims.exp - claims.iat, 3600);
  assert.deepEqual(claims.access, [{ type: 'repository', name: 'alice/app', actions: ['push', 'pull'] }]);
  const ping = await call(quay, 'GET', '/v2/', { token });
  assert.equal(ping.status, 200);
  assert.equal(ping.text, 'true');
});

test('§11.1 accepted credentials: robots org+name with their token, $oauthtoken with an API token', async (t) => {
  const quay = await quayFor(t);
  quay.seed.user('owner');
  quay.seed.org('acme', { owner: 'owner' });
  quay.seed.repo('acme/app');
  const robot = quay.seed.robot('acme', 'puller');
  quay.seed.permission('acme/app', robot.name, 'read');
  const robotToken = await registryToken(quay, `${robot.name}:${robot.token}`, ['repository:acme/app:pull']);
  assert.deepEqual(jwtClaims(robotToken).access[0]?.actions, ['pull']);
  assert.equal(jwtClaims(robotToken).sub, 'acme+puller');
  assert.notEqual(quay.state.robots.get(robot.name)?.lastAccessedMs, null, 'robot last_accessed is updated');
  const api = quay.seed.token('owner', 'repo:read');
  const oauth = await registryToken(quay, `$oauthtoken:${api}`, ['repository:acme/app:pull,push']);
  assert.deepEqual(jwtClaims(oauth).access[0]?.actions, ['pull'], 'repo:read caps the OAuth user to pull');
});

test('§11.1 bad credentials: 401 {"errors":[{"code":"UNAUTHORIZED",...}]}', async (t) => {
  const quay = await quayFor(t);
  quay.seed.user('alice');
  quay.seed.org('acme');
  quay.seed.robot('acme', 'bot');
  for (const creds of ['alice:wrong', 'ghost:whatever', 'acme+bot:WRONG', '$oauthtoken:NOPE', '$app:x']) {
    const reply = await call(quay, 'GET', '/v2/auth?service=x&scope=repository:acme/app:pull', {
      basic: creds,
    });
    assertRegistryError(reply, 401, 'UNAUTHORIZED');
  }
  const expired = quay.seed.token('alice', 'repo:read', { expiresInS: 5 });
  quay.advanceTime(6);
  assertRegistryError(
    await call(quay, 'GET', '/v2/auth?service=x&scope=repository:acme/app:pull', {
      basic: `$oauthtoken:${expired}`,
    }),
    401,
    'UNAUTHORIZED',
  );
});

test('§11.1 anonymous: no credentials and no scope → 401; with scope, pull of public repos only', async (t) => {
  const quay = await quayFor(t);
  quay.seed.org('acme');
  quay.seed.repo('acme/open', { public: true });
  quay.seed.repo('acme/closed');
  assertRegistryError(
    await call(quay, 'GET', `/v2/auth?service=${quay.serverHostname}`),
    401,
    'UNAUTHORIZED',
  );
  const token = await registryToken(quay, undefined, [
    'repository:acme/open:pull,push',
    'repository:acme/closed:pull',
  ]);
  const claims = jwtClaims(token);
  assert.equal(claims.sub, '(anonymous)');
  assert.deepEqual(claims.access, [
    { type: 'repository', name: 'acme/open', actions: ['pull'] },
    { type: 'repository', name: 'acme/closed', actions: [] },
  ]);
});

test('§11.1 actions the caller may not have are dropped silently; the call itself then fails with 401', async (t) => {
  const quay = await quayFor(t);
  quay.seed.user('owner');
  quay.seed.org('acme', { owner: 'owner' });
  const reader = quay.seed.user('reader');
  await quay.seed.pushImage('acme/app', 'v1');
  quay.seed.permission('acme/app', 'reader', 'read');
  const token = await registryToken(quay, `reader:${reader.password}`, ['repository:acme/app:pull,push']);
  assert.deepEqual(jwtClaims(token).access[0]?.actions, ['pull']);
  assert.equal((await call(quay, 'GET', '/v2/acme/app/manifests/v1', { token })).status, 200);
  const push = await call(quay, 'POST', '/v2/acme/app/blobs/uploads/', { token });
  assertRegistryError(push, 401, 'UNAUTHORIZED');
  assert.equal(
    push.headers.get('www-authenticate'),
    `Bearer realm="${quay.url}/v2/auth",service="${quay.serverHostname}",scope="repository:acme/app:pull,push"`,
  );
});

test('§11.1 malformed scope → 400 INVALID_REQUEST; bad repository name → 400 NAME_INVALID', async (t) => {
  const quay = await quayFor(t);
  const alice = quay.seed.user('alice');
  const malformed = await call(quay, 'GET', '/v2/auth?service=x&scope=garbage', {
    basic: `alice:${alice.password}`,
  });
  assertRegistryError(malformed, 400, 'INVALID_REQUEST');
  assert.match(
    (malformed.json as { errors: { message: string }[] }).errors[0]?.message ?? '',
    /^Unable to decode repository and actions: /,
  );
  assertRegistryError(
    await call(quay, 'GET', '/v2/auth?service=x&scope=repository:alice/Bad_Name:pull', {
      basic: `alice:${alice.password}`,
    }),
    400,
    'NAME_INVALID',
  );
});

test('§11.1 the scope may carry the hostname prefix; single names get the library namespace', async (t) => {
  const quay = await quayFor(t);
  const alice = quay.seed.user('alice');
  const token = await registryToken(quay, `alice:${alice.password}`, [
    `repository:${quay.serverHostname}/alice/app:pull`,
    'repository:busybox:pull',
  ]);
  assert.deepEqual(
    jwtClaims(token).access.map((a) => a.name),
    ['alice/app', 'library/busybox'],
  );
});

test('§11.1 other /v2 calls accept only the bearer JWT: Basic → 401 {"error"} with the challenge; wrong aud → 401', async (t) => {
  const quay = await quayFor(t);
  const alice = quay.seed.user('alice');
  await quay.seed.pushImage('alice/app', 'v1');
  const basic = await call(quay, 'GET', '/v2/alice/app/manifests/v1', { basic: `alice:${alice.password}` });
  assert.equal(basic.status, 401);
  assert.equal(typeof (basic.json as { error: unknown }).error, 'string');
  assert.match(basic.headers.get('www-authenticate') ?? '', /^Bearer realm=/);
  const wrongAud = await registryToken(
    quay,
    `alice:${alice.password}`,
    ['repository:alice/app:pull'],
    'other.example',
  );
  const reply = await call(quay, 'GET', '/v2/alice/app/manifests/v1', { token: wrongAud });
  assert.equal(reply.status, 401);
  assert.equal(typeof (reply.json as { error: unknown }).error, 'string');
  const right = await registryToken(quay, `alice:${alice.password}`, ['repository:alice/app:pull']);
  assert.equal((await call(quay, 'GET', '/v2/alice/app/manifests/v1', { token: right })).status, 200);
  quay.advanceTime(3601);
  assert.equal(
    (await call(quay, 'GET', '/v2/alice/app/manifests/v1', { token: right })).status,
    401,
    'expired after 3600 s',
  );
});

test('§11.2 push scope on a missing repo creates it during /v2/auth (private by default, creator admin)', async (t) => {
  const quay = await quayFor(t);
  quay.seed.user('owner');
  quay.seed.org('acme', { owner: 'owner' });
  const owner = quay.state.users.get('owner');
  const token = await registryToken(quay, `owner:${owner?.password}`, ['repository:acme/newrepo:pull,push']);
  assert.deepEqual(jwtClaims(token).access[0]?.actions, ['push', 'pull']);
  const repo = quay.state.getRepo('acme', 'newrepo');
  assert.ok(repo, 'created during /v2/auth');
  assert.equal(repo.isPublic, false);
  assert.equal(repo.userPermissions.get('owner'), 'admin');
});

test('§11.2 CREATE_PRIVATE_REPO_ON_PUSH=false makes pushed repos public', async (t) => {
  const quay = await quayFor(t, { createPrivateRepoOnPush: false });
  const alice = quay.seed.user('alice');
  await registryToken(quay, `alice:${alice.password}`, ['repository:alice/pub:push']);
  assert.equal(quay.state.getRepo('alice', 'pub')?.isPublic, true);
});

test('§11.2 robots need team membership with creator/admin to create; repo-level permissions are not enough', async (t) => {
  const quay = await quayFor(t);
  quay.seed.org('acme');
  const robot = quay.seed.robot('acme', 'pusher');
  quay.seed.permission('acme/existing', robot.name, 'write');
  const noTeam = await registryToken(quay, `${robot.name}:${robot.token}`, [
    'repository:acme/brandnew:pull,push',
  ]);
  assert.deepEqual(jwtClaims(noTeam).access[0]?.actions, []);
  assert.equal(quay.state.getRepo('acme', 'brandnew'), undefined);
  quay.seed.team('acme', 'pushers', { role: 'member', members: [robot.name] });
  await registryToken(quay, `${robot.name}:${robot.token}`, ['repository:acme/brandnew:push']);
  assert.equal(quay.state.getRepo('acme', 'brandnew'), undefined, 'member role is not enough');
  quay.seed.team('acme', 'pushers', { role: 'creator' });
  const ok = await registryToken(quay, `${robot.name}:${robot.token}`, ['repository:acme/brandnew:push']);
  assert.deepEqual(jwtClaims(ok).access[0]?.actions, ['push']);
  assert.equal(quay.state.getRepo('acme', 'brandnew')?.userPermissions.get(robot.name), 'admin');
});

test('§11.2 missing namespace: empty actions (CREATE_NAMESPACE_ON_PUSH off); with it on, a user push creates the org', async (t) => {
  const quay = await quayFor(t);
  const alice = quay.seed.user('alice');
  const token = await registryToken(quay, `alice:${alice.password}`, ['repository:neworg/app:pull,push']);
  assert.deepEqual(jwtClaims(token).access[0]?.actions, []);
  assert.equal(quay.state.orgs.has('neworg'), false);
  const on = await quayFor(t, { createNamespaceOnPush: true });
  const bob = on.seed.user('bob');
  const t2 = await registryToken(on, `bob:${bob.password}`, ['repository:neworg/app:push']);
  assert.deepEqual(jwtClaims(t2).access[0]?.actions, ['push']);
  assert.equal(on.state.orgs.get('neworg')?.teams.get('owners')?.members.has('bob'), true);
});

test('§11.1/§1.4 FEATURE_ANONYMOUS_ACCESS=false: anonymous tokens are refused and public repos need a token', async (t) => {
  const quay = await quayFor(t, { features: { anonymousAccess: false } });
  quay.seed.org('acme');
  await quay.seed.pushImage('acme/open', 'v1');
  quay.state.getRepo('acme', 'open')!.isPublic = true;
  assertRegistryError(
    await call(quay, 'GET', '/v2/auth?service=x&scope=repository:acme/open:pull'),
    401,
    'UNAUTHORIZED',
  );
  assertRegistryError(await call(quay, 'GET', '/v2/acme/open/manifests/v1'), 401, 'UNAUTHORIZED');
});
