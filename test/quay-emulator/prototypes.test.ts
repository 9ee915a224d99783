/**
 * quay-api.md §6.3: default permissions (`endpoints/api/prototype.py`) and how repository creation applies
 * them (`data/model/repository.py::create_repository`, `data/model/permission.py::apply_default_permissions`).
 */
import assert from 'node:assert/strict';
import test, { type TestContext } from 'node:test';
import { assertShapeA, call, quayFor, registryToken } from './_http.js';

const PROTOS = '/api/v1/organization/acme/prototypes';

async function setup(t: TestContext) {
  const quay = await quayFor(t);
  quay.seed.user('owner');
  quay.seed.user('dev');
  quay.seed.user('ops');
  quay.seed.user('outsider');
  quay.seed.org('acme', { owner: 'owner' });
  quay.seed.team('acme', 'devs', { role: 'creator', members: ['dev'] });
  quay.seed.team('acme', 'readers', { role: 'member', members: ['ops'] });
  quay.seed.robot('acme', 'ci');
  return { quay, token: quay.seed.token('owner') };
}

function avatarFree(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (k, v) => (k === 'avatar' ? undefined : v)));
}

test('§6.3 POST: 200 with {activating_user, delegate, role, id}; user, robot and team delegates', async (t) => {
  const { quay, token } = await setup(t);
  const team = await call(quay, 'POST', PROTOS, {
    token,
    body: { role: 'write', delegate: { kind: 'team', name: 'readers' } },
  });
  assert.equal(team.status, 200, team.text);
  const teamView = team.json as Record<string, unknown>;
  assert.deepEqual(Object.keys(teamView), ['activating_user', 'delegate', 'role', 'id']);
  assert.match(String(teamView.id), /^[0-9a-f-]{36}$/);
  assert.deepEqual(avatarFree(teamView), {
    activating_user: null,
    delegate: { name: 'readers', kind: 'team' },
    role: 'write',
    id: teamView.id,
  });
  assert.deepEqual(Object.keys(teamView.delegate as object), ['name', 'kind', 'avatar']);
  const user = await call(quay, 'POST', PROTOS, {
    token,
    body: { role: 'read', activating_user: { name: 'dev' }, delegate: { kind: 'user', name: 'outsider' } },
  });
  assert.equal(user.status, 200, user.text);
  const userView = user.json as Record<string, unknown>;
  assert.deepEqual(Object.keys(userView.delegate as object), [
    'name',
    'is_robot',
    'kind',
    'is_org_member',
    'avatar',
  ]);
  assert.deepEqual(avatarFree(userView), {
    activating_user: { name: 'dev', is_robot: false, kind: 'user', is_org_member: true },
    delegate: { name: 'outsider', is_robot: false, kind: 'user', is_org_member: false },
    role: 'read',
    id: userView.id,
  });
  const robot = await call(quay, 'POST', PROTOS, {
    token,
    body: { role: 'admin', delegate: { kind: 'user', name: 'acme+ci' } },
  });
  assert.deepEqual((avatarFree(robot.json) as { delegate: unknown }).delegate, {
    name: 'acme+ci',
    is_robot: true,
    kind: 'user',
    is_org_member: true,
  });
  const list = await call(quay, 'GET', PROTOS, { token });
  assert.deepEqual(
    (list.json as { prototypes: { id: string }[] }).prototypes.map((p) => p.id),
    [teamView.id, userView.id, (robot.json as { id: string }).id],
  );
});

test('§6.3 POST errors: schema, unknown activating user, missing delegate, an unknown team (a tuple text)', async (t) => {
  const { quay, token } = await setup(t);
  const bad = async (body: unknown, message: string) =>
    assertShapeA(quay, await call(quay, 'POST', PROTOS, { token, body }), 400, 'invalid_request', message);
  await bad({ role: 'write' }, "'delegate' is a required property");
  await bad(
    { role: 'owner', delegate: { kind: 'user', name: 'dev' } },
    "'owner' is not one of ['read', 'write', 'admin']",
  );
  await bad(
    { role: 'read', delegate: { kind: 'robot', name: 'x' } },
    "'robot' is not one of ['user', 'team']",
  );
  await bad({ role: 'read', delegate: { kind: 'user' } }, "'name' is a required property");
  // Depth wins: the missing top-level property beats the nested enum error.
  await bad({ delegate: { kind: 'robot', name: 'x' } }, "'role' is a required property");
  await bad(
    { role: 'read', activating_user: {}, delegate: { kind: 'user', name: 'dev' } },
    "'name' is a required property",
  );
  await bad(
    { role: 'read', activating_user: { name: 'ghost' }, delegate: { kind: 'user', name: 'dev' } },
    'Unknown activating user',
  );
  await bad({ role: 'read', delegate: { kind: 'user', name: 'ghost' } }, 'Missing delegate user or team');
  await bad({ role: 'read', delegate: { kind: 'user', name: '' } }, 'Missing delegate user or team');
  // An org is not a user (`get_user` filters organization == False).
  await bad({ role: 'read', delegate: { kind: 'user', name: 'acme' } }, 'Missing delegate user or team');
  const team = await call(quay, 'POST', PROTOS, {
    token,
    body: { role: 'read', activating_user: { name: 'ghost' }, delegate: { kind: 'team', name: 'ghosts' } },
  });
  assert.equal(team.status, 400);
  assert.deepEqual(team.json, { message: "('Team does not exist: %s/%s', 'acme', 'ghosts')" });
  assert.equal(quay.state.orgs.get('acme')?.prototypes.length, 0);
});

test('§6.3 permissions: org admin with org:admin; the body is validated first; PUT/DELETE and their 404s', async (t) => {
  const { quay, token } = await setup(t);
  const dev = quay.seed.token('dev');
  assertShapeA(quay, await call(quay, 'GET', PROTOS, { token: dev }), 403, 'insufficient_scope');
  // Schema first (validate_json_request wraps the view), then the permission.
  assertShapeA(quay, await call(quay, 'POST', PROTOS, { token: dev, body: {} }), 400, 'invalid_request');
  const body = { role: 'read', delegate: { kind: 'team', name: 'devs' } };
  assertShapeA(quay, await call(quay, 'POST', PROTOS, { token: dev, body }), 403, 'insufficient_scope');
  const repoAdminOnly = quay.seed.token('owner', ['repo:admin', 'repo:create']);
  assertShapeA(quay, await call(quay, 'GET', PROTOS, { token: repoAdminOnly }), 403, 'insufficient_scope');
  const created = await call(quay, 'POST', PROTOS, { token, body });
  const id = (created.json as { id: string }).id;
  const put = await call(quay, 'PUT', `${PROTOS}/${id}`, { token, body: { role: 'admin' } });
  assert.equal(put.status, 200);
  assert.equal((put.json as { role: string }).role, 'admin');
  assertShapeA(
    quay,
    await call(quay, 'PUT', `${PROTOS}/${id}`, { token, body: {} }),
    400,
    'invalid_request',
    "'role' is a required property",
  );
  assertShapeA(
    quay,
    await call(quay, 'PUT', `${PROTOS}/nope`, { token, body: { role: 'read' } }),
    404,
    'not_found',
  );
  assert.equal((await call(quay, 'DELETE', `${PROTOS}/${id}`, { token })).status, 204);
  assertShapeA(quay, await call(quay, 'DELETE', `${PROTOS}/${id}`, { token }), 404, 'not_found');
  // No trailing slash on this resource.
  assert.equal((await call(quay, 'GET', `${PROTOS}/`, { token })).status, 404);
});

test('§6.3 repository creation applies them: generic rules, the creator’s own rule wins, the creator keeps admin', async (t) => {
  const { quay, token } = await setup(t);
  quay.seed.prototype('acme', { role: 'read', delegate: { kind: 'team', name: 'readers' } });
  quay.seed.prototype('acme', { role: 'write', delegate: { kind: 'team', name: 'readers' } });
  quay.seed.prototype('acme', {
    role: 'admin',
    activatingUser: 'dev',
    delegate: { kind: 'team', name: 'readers' },
  });
  quay.seed.prototype('acme', {
    role: 'write',
    activatingUser: 'ops',
    delegate: { kind: 'user', name: 'outsider' },
  });
  quay.seed.prototype('acme', { role: 'read', delegate: { kind: 'user', name: 'dev' } });
  quay.seed.prototype('acme', { role: 'write', delegate: { kind: 'user', name: 'acme+ci' } });
  const dev = quay.seed.token('dev');
  const created = await call(quay, 'POST', '/api/v1/repository', {
    token: dev,
    body: { namespace: 'acme', repository: 'byapi', visibility: 'private', description: '' },
  });
  assert.equal(created.status, 201, created.text);
  const repo = quay.state.getRepo('acme', 'byapi');
  // readers: the first generic rule (read), then dev's own rule wins (admin); the second generic is skipped.
  assert.deepEqual([...(repo?.teamPermissions ?? [])], [['readers', 'admin']]);
  // dev keeps its creator admin (its delegate rule is skipped); the ops-only rule does not apply.
  assert.deepEqual([...(repo?.userPermissions ?? [])].sort(), [
    ['acme+ci', 'write'],
    ['dev', 'admin'],
  ]);
  const perms = await call(quay, 'GET', '/api/v1/repository/acme/byapi/permissions/team/', { token });
  assert.equal(
    (perms.json as { permissions: Record<string, { role: string }> }).permissions.readers?.role,
    'admin',
  );
  // The owner creating in its own namespace: no prototypes (only org namespaces have them).
  quay.seed.prototype('acme', { role: 'read', delegate: { kind: 'user', name: 'ops' } });
  const own = await call(quay, 'POST', '/api/v1/repository', {
    token: quay.seed.token('outsider'),
    body: { repository: 'mine', visibility: 'private', description: '' },
  });
  assert.equal(own.status, 201);
  assert.deepEqual(
    [...(quay.state.getRepo('outsider', 'mine')?.userPermissions ?? [])],
    [['outsider', 'admin']],
  );
});

test('§6.3 a repository created by a push gets them too, with the pushing robot as the activating user', async (t) => {
  const { quay } = await setup(t);
  const robot = quay.state.robots.get('acme+ci');
  quay.seed.team('acme', 'devs', { members: ['acme+ci'] });
  quay.seed.prototype('acme', {
    role: 'read',
    activatingUser: 'acme+ci',
    delegate: { kind: 'team', name: 'readers' },
  });
  quay.seed.prototype('acme', {
    role: 'write',
    activatingUser: 'dev',
    delegate: { kind: 'user', name: 'ops' },
  });
  await registryToken(quay, `acme+ci:${robot?.token}`, ['repository:acme/pushed:pull,push']);
  const repo = quay.state.getRepo('acme', 'pushed');
  assert.ok(repo, 'the push created the repository');
  assert.equal(repo.description, null);
  assert.deepEqual([...repo.teamPermissions], [['readers', 'read']]);
  assert.deepEqual([...repo.userPermissions], [['acme+ci', 'admin']]);
});

test('§6.3 deleting a team or a robot deletes the prototypes that delegate to it', async (t) => {
  const { quay, token } = await setup(t);
  quay.seed.prototype('acme', { role: 'read', delegate: { kind: 'team', name: 'readers' } });
  quay.seed.prototype('acme', { role: 'read', delegate: { kind: 'user', name: 'acme+ci' } });
  quay.seed.prototype('acme', { role: 'read', delegate: { kind: 'user', name: 'ops' } });
  assert.equal((await call(quay, 'DELETE', '/api/v1/organization/acme/team/readers', { token })).status, 204);
  assert.equal((await call(quay, 'DELETE', '/api/v1/organization/acme/robots/ci', { token })).status, 204);
  const list = await call(quay, 'GET', PROTOS, { token });
  assert.deepEqual(
    (list.json as { prototypes: { delegate: { name: string } }[] }).prototypes.map((p) => p.delegate.name),
    ['ops'],
  );
});
