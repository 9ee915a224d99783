/** quay-api.md §6.1 (repository permissions) and §6.2 (teams, owners membership, invites). */
import assert from 'node:assert/strict';
import test from 'node:test';
import { assertShapeA, call, quayFor } from './_http.js';

const PERM = '/api/v1/repository/acme/app/permissions';

async function setup(t: Parameters<typeof quayFor>[0], features = {}) {
  const quay = await quayFor(t, { features });
  quay.seed.user('owner');
  quay.seed.user('bob');
  quay.seed.org('acme', { owner: 'owner' });
  quay.seed.repo('acme/app');
  return { quay, token: quay.seed.token('owner') };
}

test('§6.1 PUT user permission: upsert, 200 {role, name, is_robot, avatar, is_org_member}', async (t) => {
  const { quay, token } = await setup(t);
  const first = await call(quay, 'PUT', `${PERM}/user/bob`, { token, body: { role: 'read' } });
  assert.equal(first.status, 200);
  const view = first.json as Record<string, unknown>;
  assert.deepEqual(Object.keys(view).sort(), ['avatar', 'is_org_member', 'is_robot', 'name', 'role']);
  assert.equal(view.role, 'read');
  assert.equal(view.is_robot, false);
  assert.equal(view.is_org_member, false);
  const second = await call(quay, 'PUT', `${PERM}/user/bob`, { token, body: { role: 'admin' } });
  assert.equal((second.json as { role: string }).role, 'admin');
  assert.equal(quay.state.getRepo('acme', 'app')?.userPermissions.get('bob'), 'admin');
});

test('§6.1 robots: the + may be literal in the path; robots count as org members; other namespaces are refused', async (t) => {
  const { quay, token } = await setup(t);
  quay.seed.robot('acme', 'bot');
  quay.seed.user('other');
  quay.seed.robot('other', 'bot');
  const ok = await call(quay, 'PUT', `${PERM}/user/acme+bot`, { token, body: { role: 'write' } });
  assert.equal(ok.status, 200);
  assert.equal((ok.json as Record<string, unknown>).is_robot, true);
  assert.equal((ok.json as Record<string, unknown>).is_org_member, true);
  const encoded = await call(quay, 'GET', `${PERM}/user/acme%2Bbot`, { token });
  assert.equal(encoded.status, 200);
  const foreign = await call(quay, 'PUT', `${PERM}/user/other+bot`, { token, body: { role: 'read' } });
  assertShapeA(quay, foreign, 400, 'invalid_request', 'Cannot add robot other+bot under namespace acme');
});

test('§6.1 PUT errors: namespace owner, unknown user, bad role — 400 shape A; a missing repository — 500', async (t) => {
  const quay = await quayFor(t);
  quay.seed.user('alice');
  quay.seed.repo('alice/mine', { creator: 'alice' });
  const token = quay.seed.token('alice');
  const ownerPath = '/api/v1/repository/alice/mine/permissions/user';
  assertShapeA(
    quay,
    await call(quay, 'PUT', `${ownerPath}/alice`, { token, body: { role: 'read' } }),
    400,
    'invalid_request',
    'Namespace owner must always be admin.',
  );
  assertShapeA(
    quay,
    await call(quay, 'PUT', `${ownerPath}/ghost`, { token, body: { role: 'read' } }),
    400,
    'invalid_request',
    'Invalid username: ghost',
  );
  quay.seed.user('bob');
  assertShapeA(
    quay,
    await call(quay, 'PUT', `${ownerPath}/bob`, { token, body: { role: 'owner' } }),
    400,
    'invalid_request',
  );
  const missingRepo = await call(quay, 'PUT', '/api/v1/repository/alice/nope/permissions/user/bob', {
    token,
    body: { role: 'read' },
  });
  // Real Quay: Repository.DoesNotExist from get_existing_repository is not caught — werkzeug's 500 page
  // (data/model/permission.py __set_entity_repo_permission; seen on real Quay at vendor/quay's commit).
  assert.equal(missingRepo.status, 500);
  assert.match(missingRepo.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(missingRepo.text, /<title>500 Internal Server Error<\/title>/);
});

test('§6.1 GET one permission: no direct permission → 400 {"message": "User does not have permission for repo."}', async (t) => {
  const { quay, token } = await setup(t);
  const none = await call(quay, 'GET', `${PERM}/user/bob`, { token });
  assert.equal(none.status, 400);
  assert.deepEqual(none.json, { message: 'User does not have permission for repo.' });
  quay.seed.permission('acme/app', 'bob', 'write');
  const one = await call(quay, 'GET', `${PERM}/user/bob`, { token });
  assert.equal((one.json as { role: string }).role, 'write');
});

test('§6.1 DELETE: 204, then 400 shape A when there is none', async (t) => {
  const { quay, token } = await setup(t);
  quay.seed.permission('acme/app', 'bob', 'read');
  assert.equal((await call(quay, 'DELETE', `${PERM}/user/bob`, { token })).status, 204);
  assert.equal(quay.state.getRepo('acme', 'app')?.userPermissions.has('bob'), false);
  assertShapeA(
    quay,
    await call(quay, 'DELETE', `${PERM}/user/bob`, { token }),
    400,
    'invalid_request',
    'User does not have permission for repo.',
  );
});

test('§6.1 list is a map keyed by name (trailing slash), and repo creators hold an explicit admin', async (t) => {
  const { quay, token } = await setup(t);
  const created = await call(quay, 'POST', '/api/v1/repository', {
    token,
    body: { namespace: 'acme', repository: 'fresh', visibility: 'private', description: '' },
  });
  assert.equal(created.status, 201);
  quay.seed.permission('acme/fresh', 'bob', 'read');
  const list = await call(quay, 'GET', '/api/v1/repository/acme/fresh/permissions/user/', { token });
  assert.equal(list.status, 200);
  const perms = (list.json as { permissions: Record<string, { role: string; name: string }> }).permissions;
  assert.equal(Array.isArray(perms), false);
  assert.equal(perms.owner?.role, 'admin');
  assert.equal(perms.bob?.role, 'read');
  assert.equal(perms.bob?.name, 'bob');
});

test('§6.1 transitive: direct and via teams; 404 when none', async (t) => {
  const { quay, token } = await setup(t);
  quay.seed.team('acme', 'devs', { members: ['bob'] });
  quay.seed.teamPermission('acme/app', 'devs', 'write');
  const via = await call(quay, 'GET', `${PERM}/user/bob/transitive`, { token });
  assert.equal(via.status, 200);
  assert.deepEqual(via.json, { permissions: [{ role: 'write' }] });
  quay.seed.user('carol');
  assertShapeA(quay, await call(quay, 'GET', `${PERM}/user/carol/transitive`, { token }), 404, 'not_found');
});

test('§6.1 team permissions: map list, PUT 200 {role,name,avatar}, unknown team 400, DELETE 204', async (t) => {
  const { quay, token } = await setup(t);
  quay.seed.team('acme', 'devs');
  const put = await call(quay, 'PUT', `${PERM}/team/devs`, { token, body: { role: 'write' } });
  assert.equal(put.status, 200);
  const view = put.json as { role: string; name: string; avatar: { kind: string } };
  assert.equal(view.role, 'write');
  assert.equal(view.name, 'devs');
  assert.equal(view.avatar.kind, 'team');
  const list = (await call(quay, 'GET', `${PERM}/team/`, { token })).json as {
    permissions: Record<string, unknown>;
  };
  assert.deepEqual(Object.keys(list.permissions), ['devs']);
  assertShapeA(
    quay,
    await call(quay, 'PUT', `${PERM}/team/ghosts`, { token, body: { role: 'read' } }),
    400,
    'invalid_request',
    'No team ghosts in organization acme',
  );
  assert.equal((await call(quay, 'DELETE', `${PERM}/team/devs`, { token })).status, 204);
  assert.equal(quay.state.getRepo('acme', 'app')?.teamPermissions.size, 0);
});

test('§6.1 a team permission gives its members access through the API', async (t) => {
  const { quay } = await setup(t);
  quay.seed.team('acme', 'devs', { members: ['bob'] });
  const bob = quay.seed.token('bob', 'repo:read');
  assertShapeA(
    quay,
    await call(quay, 'GET', '/api/v1/repository/acme/app', { token: bob }),
    403,
    'insufficient_scope',
  );
  quay.seed.teamPermission('acme/app', 'devs', 'read');
  assert.equal((await call(quay, 'GET', '/api/v1/repository/acme/app', { token: bob })).status, 200);
});

test('§6.2 team PUT creates or updates: 200 with new_team true then false; bad name is 400 {"message"}', async (t) => {
  const { quay, token } = await setup(t);
  const created = await call(quay, 'PUT', '/api/v1/organization/acme/team/devs', {
    token,
    body: { role: 'creator', description: 'Developers' },
  });
  assert.equal(created.status, 200);
  const view = created.json as Record<string, unknown>;
  assert.equal(view.new_team, true);
  assert.equal(view.role, 'creator');
  assert.equal(view.description, 'Developers');
  const updated = await call(quay, 'PUT', '/api/v1/organization/acme/team/devs', {
    token,
    body: { role: 'member' },
  });
  assert.equal((updated.json as Record<string, unknown>).new_team, false);
  assert.equal(quay.state.orgs.get('acme')?.teams.get('devs')?.role, 'member');
  assertShapeA(
    quay,
    await call(quay, 'PUT', '/api/v1/organization/acme/team/devs', { token, body: {} }),
    400,
    'invalid_request',
  );
  const bad = await call(quay, 'PUT', '/api/v1/organization/acme/team/Bad', {
    token,
    body: { role: 'member' },
  });
  assert.equal(bad.status, 400);
  assert.deepEqual(Object.keys(bad.json as object), ['message']);
  assert.equal((await call(quay, 'DELETE', '/api/v1/organization/acme/team/devs', { token })).status, 204);
  assert.equal(quay.state.orgs.get('acme')?.teams.has('devs'), false);
});

test('§6.2 adding a user not yet in the org only invites (FEATURE_MAILING and REQUIRE_TEAM_INVITE default on)', async (t) => {
  const { quay, token } = await setup(t);
  const reply = await call(quay, 'PUT', '/api/v1/organization/acme/team/owners/members/bob', { token });
  assert.equal(reply.status, 200);
  const view = reply.json as Record<string, unknown>;
  assert.equal(view.invited, true);
  assert.equal(view.kind, 'user');
  const owners = quay.state.orgs.get('acme')?.teams.get('owners');
  assert.equal(owners?.members.has('bob'), false);
  assert.equal(owners?.invites.length, 1);
  const pending = (
    await call(quay, 'GET', '/api/v1/organization/acme/team/owners/members?includePending=true', { token })
  ).json as { members: { name: string; invited: boolean }[] };
  assert.ok(pending.members.some((m) => m.name === 'bob' && m.invited));
  // The invited user accepts with the invite code (§6.2 PUT /api/v1/teaminvite/{code}).
  const code = owners?.invites[0]?.code ?? '';
  const accept = await call(quay, 'PUT', `/api/v1/teaminvite/${code}`, { token: quay.seed.token('bob') });
  assert.equal(accept.status, 200);
  assert.equal(owners?.members.has('bob'), true);
  assert.equal(owners?.invites.length, 0);
});

test('§6.2 a user already in the org is added directly to owners; membership makes them org admin', async (t) => {
  const { quay, token } = await setup(t);
  quay.seed.team('acme', 'devs', { members: ['bob'] });
  const reply = await call(quay, 'PUT', '/api/v1/organization/acme/team/owners/members/bob', { token });
  assert.equal((reply.json as Record<string, unknown>).invited, false);
  const org = (await call(quay, 'GET', '/api/v1/organization/acme', { token: quay.seed.token('bob') }))
    .json as Record<string, unknown>;
  assert.equal(org.is_admin, true);
  const members = (await call(quay, 'GET', '/api/v1/organization/acme/team/owners/members', { token }))
    .json as {
    members: { name: string }[];
    can_edit: boolean;
  };
  assert.deepEqual(members.members.map((m) => m.name).sort(), ['bob', 'owner']);
  assert.equal(members.can_edit, true);
});

test('§6.2/§12 with FEATURE_REQUIRE_TEAM_INVITE off, users are added directly', async (t) => {
  const { quay, token } = await setup(t, { requireTeamInvite: false });
  const reply = await call(quay, 'PUT', '/api/v1/organization/acme/team/owners/members/bob', { token });
  assert.equal((reply.json as Record<string, unknown>).invited, false);
  assert.equal(quay.state.orgs.get('acme')?.teams.get('owners')?.members.has('bob'), true);
});

test('§6.2 member errors: robots of other orgs 400, unknown user 400 "Unknown user", unknown team 404', async (t) => {
  const { quay, token } = await setup(t);
  quay.seed.org('other');
  quay.seed.robot('other', 'bot');
  const own = quay.seed.robot('acme', 'bot');
  assertShapeA(
    quay,
    await call(quay, 'PUT', '/api/v1/organization/acme/team/owners/members/other+bot', { token }),
    400,
    'invalid_request',
    'Cannot add the specified robot to this team, as it is not a member of the organization',
  );
  assertShapeA(
    quay,
    await call(quay, 'PUT', '/api/v1/organization/acme/team/owners/members/ghost', { token }),
    400,
    'invalid_request',
    'Unknown user',
  );
  assertShapeA(
    quay,
    await call(quay, 'PUT', '/api/v1/organization/acme/team/nope/members/bob', { token }),
    404,
    'not_found',
  );
  const robot = await call(quay, 'PUT', `/api/v1/organization/acme/team/owners/members/${own.name}`, {
    token,
  });
  assert.equal((robot.json as Record<string, unknown>).invited, false, 'robots are always added directly');
  assert.equal((robot.json as Record<string, unknown>).is_robot, true);
});

test('§6.2 remove member: 204 removes the membership or the pending invite', async (t) => {
  const { quay, token } = await setup(t);
  await call(quay, 'PUT', '/api/v1/organization/acme/team/owners/members/bob', { token });
  assert.equal(quay.state.orgs.get('acme')?.teams.get('owners')?.invites.length, 1);
  assert.equal(
    (await call(quay, 'DELETE', '/api/v1/organization/acme/team/owners/members/bob', { token })).status,
    204,
  );
  assert.equal(quay.state.orgs.get('acme')?.teams.get('owners')?.invites.length, 0);
  quay.seed.team('acme', 'devs', { members: ['bob'] });
  assert.equal(
    (await call(quay, 'DELETE', '/api/v1/organization/acme/team/devs/members/bob', { token })).status,
    204,
  );
  assert.equal(quay.state.orgs.get('acme')?.teams.get('devs')?.members.has('bob'), false);
});

test('§6.2 every team operation needs org:admin', async (t) => {
  const { quay } = await setup(t);
  const noOrgAdmin = quay.seed.token('owner', 'repo:admin user:admin');
  assertShapeA(
    quay,
    await call(quay, 'PUT', '/api/v1/organization/acme/team/devs', {
      token: noOrgAdmin,
      body: { role: 'member' },
    }),
    403,
    'insufficient_scope',
  );
  assertShapeA(
    quay,
    await call(quay, 'PUT', '/api/v1/organization/acme/team/owners/members/bob', { token: noOrgAdmin }),
    403,
    'insufficient_scope',
  );
});
