/** quay-api.md §5: robot accounts in org and user namespaces. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { assertShapeA, call, quayFor, registryToken } from './_http.js';

async function setup(t: Parameters<typeof quayFor>[0]) {
  const quay = await quayFor(t);
  const owner = quay.seed.userWithToken('owner');
  quay.seed.org('acme', { owner: 'owner' });
  return { quay, token: owner.token };
}

test('§5.2/§5.4 org robot create: 201 with name ns+short, 64-char token, unstructured_metadata null when omitted', async (t) => {
  const { quay, token } = await setup(t);
  const reply = await call(quay, 'PUT', '/api/v1/organization/acme/robots/deployer', { token });
  assert.equal(reply.status, 201);
  const robot = reply.json as Record<string, unknown>;
  assert.equal(robot.name, 'acme+deployer');
  assert.match(String(robot.token), /^[A-Z0-9]{64}$/);
  assert.equal(robot.description, '');
  assert.equal(robot.unstructured_metadata, null);
  assert.equal(robot.last_accessed, null);
  assert.match(String(robot.created), /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} -0000$/);
  // A later GET returns the stored {} (§5.4).
  const got = (await call(quay, 'GET', '/api/v1/organization/acme/robots/deployer', { token }))
    .json as Record<string, unknown>;
  assert.deepEqual(got.unstructured_metadata, {});
  assert.equal(got.token, robot.token);
});

test('§5.3 create body: description and metadata are stored; a non-JSON content type is silently ignored', async (t) => {
  const { quay, token } = await setup(t);
  const withBody = await call(quay, 'PUT', '/api/v1/organization/acme/robots/ci', {
    token,
    body: { description: 'CI pusher', unstructured_metadata: { team: 'x' } },
  });
  assert.equal(withBody.status, 201);
  assert.deepEqual((withBody.json as Record<string, unknown>).unstructured_metadata, { team: 'x' });
  assert.equal(quay.state.robots.get('acme+ci')?.description, 'CI pusher');
  const ignored = await call(quay, 'PUT', '/api/v1/organization/acme/robots/cd', {
    token,
    rawBody: '{"description": "ignored"}',
    contentType: 'text/plain',
  });
  assert.equal(ignored.status, 201);
  assert.equal(quay.state.robots.get('acme+cd')?.description, '');
  const tooLong = await call(quay, 'PUT', '/api/v1/organization/acme/robots/long', {
    token,
    body: { description: 'x'.repeat(256) },
  });
  assertShapeA(quay, tooLong, 400, 'invalid_request');
});

test('§5.6 robot create is not idempotent: 400 "Existing robot with name: <ns>+<short>"', async (t) => {
  const { quay, token } = await setup(t);
  assert.equal((await call(quay, 'PUT', '/api/v1/organization/acme/robots/bot', { token })).status, 201);
  const again = await call(quay, 'PUT', '/api/v1/organization/acme/robots/bot', { token });
  assertShapeA(quay, again, 400, 'invalid_request', 'Existing robot with name: acme+bot');
});

test('§5.1/§5.6 shortname regex: -, _ and . separators allowed; uppercase and leading separators rejected', async (t) => {
  const { quay, token } = await setup(t);
  for (const ok of ['my-bot', 'my_bot', 'my.bot', 'b0']) {
    assert.equal(
      (await call(quay, 'PUT', `/api/v1/organization/acme/robots/${ok}`, { token })).status,
      201,
      ok,
    );
  }
  for (const bad of ['Bot', '-bot', 'bot-']) {
    const reply = await call(quay, 'PUT', `/api/v1/organization/acme/robots/${bad}`, { token });
    assertShapeA(
      quay,
      reply,
      400,
      'invalid_request',
      `The name for the robot '${bad}' is invalid: Namespace must match expression ^([a-z0-9]+(?:[._-][a-z0-9]+)*)$`,
    );
  }
  const short = await call(quay, 'PUT', '/api/v1/organization/acme/robots/b', { token });
  assert.equal(short.status, 400);
});

test('§5.6 GET, regenerate and DELETE of a missing robot: 400 {"message": "Could not find robot with specified username"}', async (t) => {
  const { quay, token } = await setup(t);
  for (const [method, path] of [
    ['GET', '/api/v1/organization/acme/robots/ghost'],
    ['POST', '/api/v1/organization/acme/robots/ghost/regenerate'],
    ['DELETE', '/api/v1/organization/acme/robots/ghost'],
    ['GET', '/api/v1/user/robots/ghost'],
  ] as const) {
    const reply = await call(quay, method, path, { token });
    assert.equal(reply.status, 400, `${method} ${path}`);
    assert.deepEqual(reply.json, { message: 'Could not find robot with specified username' });
  }
});

test('§5.2 regenerate: 200 with a new token and no unstructured_metadata; the old token stops working', async (t) => {
  const { quay, token } = await setup(t);
  const robot = quay.seed.robot('acme', 'bot');
  quay.seed.repo('acme/app', { public: false });
  quay.seed.permission('acme/app', robot.name, 'read');
  await registryToken(quay, `${robot.name}:${robot.token}`, ['repository:acme/app:pull']);
  const reply = await call(quay, 'POST', '/api/v1/organization/acme/robots/bot/regenerate', { token });
  assert.equal(reply.status, 200);
  const body = reply.json as Record<string, unknown>;
  assert.equal('unstructured_metadata' in body, false);
  assert.notEqual(body.token, robot.token);
  assert.match(String(body.token), /^[A-Z0-9]{64}$/);
  const old = await call(quay, 'GET', '/v2/auth?service=x&scope=repository:acme/app:pull', {
    basic: `${robot.name}:${robot.token}`,
  });
  assert.equal(old.status, 401);
});

test('§5.2 delete: 204; the robot disappears from teams and repository permissions', async (t) => {
  const { quay, token } = await setup(t);
  const robot = quay.seed.robot('acme', 'bot');
  quay.seed.team('acme', 'pushers', { role: 'creator', members: [robot.name] });
  quay.seed.permission('acme/app', robot.name, 'write');
  const reply = await call(quay, 'DELETE', '/api/v1/organization/acme/robots/bot', { token });
  assert.equal(reply.status, 204);
  assert.equal(quay.state.robots.has(robot.name), false);
  assert.equal(quay.state.orgs.get('acme')?.teams.get('pushers')?.members.has(robot.name), false);
  assert.equal(quay.state.getRepo('acme', 'app')?.userPermissions.has(robot.name), false);
});

test('§5.5 list: tokens by default, token=false omits them, permissions=true adds teams and repositories, limit caps', async (t) => {
  const { quay, token } = await setup(t);
  const b = quay.seed.robot('acme', 'bbb');
  quay.seed.robot('acme', 'aaa');
  quay.seed.robot('acme', 'ccc');
  quay.seed.team('acme', 'pushers', { members: [b.name] });
  quay.seed.permission('acme/app', b.name, 'write');
  const list = (await call(quay, 'GET', '/api/v1/organization/acme/robots', { token })).json as {
    robots: Record<string, unknown>[];
  };
  assert.deepEqual(
    list.robots.map((r) => r.name),
    ['acme+aaa', 'acme+bbb', 'acme+ccc'],
  );
  assert.equal(list.robots[1]?.token, b.token);
  assert.equal('unstructured_metadata' in (list.robots[0] ?? {}), false);
  assert.equal('teams' in (list.robots[0] ?? {}), false);
  const noToken = (await call(quay, 'GET', '/api/v1/organization/acme/robots?token=false', { token }))
    .json as {
    robots: Record<string, unknown>[];
  };
  assert.equal('token' in (noToken.robots[0] ?? {}), false);
  const perms = (
    await call(quay, 'GET', '/api/v1/organization/acme/robots?permissions=true&limit=2', { token })
  ).json as { robots: Record<string, unknown>[] };
  assert.equal(perms.robots.length, 2);
  const bbb = perms.robots[1] as { teams: { name: string }[]; repositories: string[] };
  assert.deepEqual(
    bbb.teams.map((x) => x.name),
    ['pushers'],
  );
  assert.deepEqual(bbb.repositories, ['app']);
});

test('§5.5 list by a plain org member: allowed, but no tokens or permissions', async (t) => {
  const { quay } = await setup(t);
  quay.seed.user('dev');
  quay.seed.team('acme', 'devs', { role: 'member', members: ['dev'] });
  quay.seed.robot('acme', 'bot');
  const member = quay.seed.token('dev', 'org:admin repo:create');
  const list = (
    await call(quay, 'GET', '/api/v1/organization/acme/robots?permissions=true', { token: member })
  ).json as { robots: Record<string, unknown>[] };
  assert.equal(list.robots.length, 1);
  assert.equal('token' in (list.robots[0] ?? {}), false);
  assert.equal('teams' in (list.robots[0] ?? {}), false);
  // Creating is admin-only (§5.6 non-admin → 403).
  const create = await call(quay, 'PUT', '/api/v1/organization/acme/robots/mine', { token: member });
  assertShapeA(quay, create, 403, 'insufficient_scope');
  quay.seed.user('outsider');
  const outsider = await call(quay, 'GET', '/api/v1/organization/acme/robots', {
    token: quay.seed.token('outsider'),
  });
  assertShapeA(quay, outsider, 403, 'insufficient_scope');
});

test('§5.2 user-namespace robots: /api/v1/user/robots/{short} with user:admin, named <user>+<short>', async (t) => {
  const quay = await quayFor(t);
  quay.seed.user('alice');
  const admin = quay.seed.token('alice', 'user:admin');
  const created = await call(quay, 'PUT', '/api/v1/user/robots/ci', { token: admin });
  assert.equal(created.status, 201);
  assert.equal((created.json as { name: string }).name, 'alice+ci');
  assert.equal((await call(quay, 'GET', '/api/v1/user/robots/ci', { token: admin })).status, 200);
  const list = (await call(quay, 'GET', '/api/v1/user/robots', { token: admin })).json as {
    robots: { name: string }[];
  };
  assert.deepEqual(
    list.robots.map((r) => r.name),
    ['alice+ci'],
  );
  const orgAdminOnly = quay.seed.token('alice', 'org:admin');
  assertShapeA(
    quay,
    await call(quay, 'PUT', '/api/v1/user/robots/cd', { token: orgAdminOnly }),
    403,
    'insufficient_scope',
  );
  assert.equal((await call(quay, 'POST', '/api/v1/user/robots/ci/regenerate', { token: admin })).status, 200);
  assert.equal((await call(quay, 'DELETE', '/api/v1/user/robots/ci', { token: admin })).status, 204);
  assert.equal(quay.state.robots.size, 0);
});

test('§5.2 robot permissions: org form needs user:admin and org admin; a non-admin gets abort(403) shape C', async (t) => {
  const { quay } = await setup(t);
  const robot = quay.seed.robot('acme', 'bot');
  quay.seed.repo('acme/app', { public: true });
  quay.seed.permission('acme/app', robot.name, 'write');
  const both = quay.seed.token('owner', 'user:admin org:admin');
  const reply = await call(quay, 'GET', '/api/v1/organization/acme/robots/bot/permissions', { token: both });
  assert.equal(reply.status, 200);
  assert.deepEqual(reply.json, {
    permissions: [{ repository: { name: 'app', is_public: true }, role: 'write' }],
  });
  const userAdminOnly = quay.seed.token('owner', 'user:admin');
  const c = await call(quay, 'GET', '/api/v1/organization/acme/robots/bot/permissions', {
    token: userAdminOnly,
  });
  assert.equal(c.status, 403);
  assert.deepEqual(Object.keys(c.json as object), ['message']);
  const orgAdminOnly = quay.seed.token('owner', 'org:admin');
  const a = await call(quay, 'GET', '/api/v1/organization/acme/robots/bot/permissions', {
    token: orgAdminOnly,
  });
  assertShapeA(quay, a, 403, 'insufficient_scope');
});
