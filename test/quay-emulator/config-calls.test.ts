/**
 * The other calls the quay-config task makes (CONTRACT.md, section "quay-config (issue 13)"): the org view's
 * teams, team create/update/delete (`endpoints/api/team.py`, `data/model/team.py`), repository get/update/
 * visibility (`endpoints/api/repository.py`) and team permissions (`endpoints/api/permission.py`), with the
 * errors read from Quay's source.
 */
import assert from 'node:assert/strict';
import test, { type TestContext } from 'node:test';
import { assertShapeA, call, quayFor, registryToken } from './_http.js';

const TEAM = '/api/v1/organization/acme/team';

async function setup(t: TestContext) {
  const quay = await quayFor(t, { superUsers: ['root'] });
  quay.seed.user('owner');
  quay.seed.user('dev');
  quay.seed.user('root');
  quay.seed.org('acme', { owner: 'owner' });
  quay.seed.repo('acme/app', { description: 'the app' });
  return { quay, token: quay.seed.token('owner') };
}

test('org view: teams {name: {name, description, role, ...}} for members, none for others', async (t) => {
  const { quay, token } = await setup(t);
  quay.seed.team('acme', 'devs', { role: 'creator', members: ['dev'], description: 'Developers' });
  const view = (await call(quay, 'GET', '/api/v1/organization/acme', { token })).json as {
    teams: Record<string, Record<string, unknown>>;
    ordered_teams: string[];
  };
  assert.deepEqual(view.ordered_teams, ['owners', 'devs']);
  const { avatar: _a, ...devs } = view.teams.devs ?? {};
  assert.deepEqual(devs, {
    name: 'devs',
    description: 'Developers',
    role: 'creator',
    can_view: true,
    repo_count: 0,
    member_count: 1,
    is_synced: false,
  });
  const member = (await call(quay, 'GET', '/api/v1/organization/acme', { token: quay.seed.token('dev') }))
    .json as { teams: Record<string, { can_view: boolean }>; quotas?: unknown };
  assert.equal(member.teams.owners?.can_view, false);
  assert.equal(member.teams.devs?.can_view, true);
  const outsider = (await call(quay, 'GET', '/api/v1/organization/acme', { token: quay.seed.token('root') }))
    .json as object;
  assert.equal('teams' in outsider, false);
});

test('PUT team: 200 with new_team; body validated before the permission; the team-name rule and its text', async (t) => {
  const { quay, token } = await setup(t);
  const created = await call(quay, 'PUT', `${TEAM}/builders`, {
    token,
    body: { role: 'member', description: 'Builds' },
  });
  assert.equal(created.status, 200, created.text);
  const { avatar: _a, ...view } = created.json as Record<string, unknown>;
  assert.deepEqual(view, {
    name: 'builders',
    description: 'Builds',
    can_view: true,
    role: 'member',
    new_team: true,
  });
  const updated = await call(quay, 'PUT', `${TEAM}/builders`, { token, body: { role: 'creator' } });
  assert.deepEqual(
    [(updated.json as { new_team: boolean }).new_team, (updated.json as { description: string }).description],
    [false, 'Builds'],
  );
  assertShapeA(
    quay,
    await call(quay, 'PUT', `${TEAM}/builders`, { token, body: { role: 'owner' } }),
    400,
    'invalid_request',
    "'owner' is not one of ['member', 'creator', 'admin']",
  );
  // validate_json_request wraps the view: a non-admin with a bad body gets 400, with a good one 403.
  const dev = quay.seed.token('dev');
  assertShapeA(quay, await call(quay, 'PUT', `${TEAM}/x1`, { token: dev, body: {} }), 400, 'invalid_request');
  assertShapeA(
    quay,
    await call(quay, 'PUT', `${TEAM}/x1`, { token: dev, body: { role: 'member' } }),
    403,
    'insufficient_scope',
  );
  const badName = await call(quay, 'PUT', `${TEAM}/Bad_Name`, { token, body: { role: 'member' } });
  assert.equal(badName.status, 400);
  assert.deepEqual(badName.json, {
    message: 'Invalid team name Bad_Name: Namespace must match expression ^([a-z0-9]+(?:[._-][a-z0-9]+)*)$',
  });
  const short = await call(quay, 'PUT', `${TEAM}/x`, { token, body: { role: 'member' } });
  assert.deepEqual(short.json, {
    message: 'Invalid team name x: Team must be between 2 and 255 characters in length',
  });
});

test('PUT/DELETE team: the caller’s only admin team can be neither demoted nor deleted; owners is no special case', async (t) => {
  const { quay, token } = await setup(t);
  const demote = await call(quay, 'PUT', `${TEAM}/owners`, { token, body: { role: 'member' } });
  assert.equal(demote.status, 400);
  assert.deepEqual(demote.json, {
    message:
      "Cannot remove admin from team 'owners' because calling user would no longer have admin on org 'acme'",
  });
  const remove = await call(quay, 'DELETE', `${TEAM}/owners`, { token });
  assert.equal(remove.status, 400);
  assert.deepEqual(remove.json, {
    message: "Deleting team 'owners' would remove admin ability for user 'owner' in organization 'acme'",
  });
  const missing = await call(quay, 'DELETE', `${TEAM}/ghosts`, { token });
  assert.deepEqual(
    [missing.status, missing.json],
    [400, { message: "Team 'ghosts' is not a team in org 'acme'" }],
  );
  // With a second admin team, owners can go.
  quay.seed.team('acme', 'admins', { role: 'admin', members: ['owner'] });
  quay.seed.teamPermission('acme/app', 'owners', 'write');
  assert.equal((await call(quay, 'DELETE', `${TEAM}/owners`, { token })).status, 204);
  assert.equal(quay.state.orgs.get('acme')?.teams.has('owners'), false);
  assert.equal(quay.state.getRepo('acme', 'app')?.teamPermissions.has('owners'), false);
});

test('GET repository: description and is_public; a push-created repository has description null; 404', async (t) => {
  const { quay, token } = await setup(t);
  const repo = (await call(quay, 'GET', '/api/v1/repository/acme/app', { token })).json as Record<
    string,
    unknown
  >;
  assert.equal(repo.description, 'the app');
  assert.equal(repo.is_public, false);
  assertShapeA(
    quay,
    await call(quay, 'GET', '/api/v1/repository/acme/nope', { token }),
    404,
    'not_found',
    'Not Found',
  );
  const owner = quay.state.users.get('owner');
  await registryToken(quay, `owner:${owner?.password}`, ['repository:acme/pushed:pull,push']);
  const pushed = (await call(quay, 'GET', '/api/v1/repository/acme/pushed', { token })).json as Record<
    string,
    unknown
  >;
  assert.equal(pushed.description, null);
  const list = (await call(quay, 'GET', '/api/v1/repository?namespace=acme', { token })).json as {
    repositories: { name: string; description: unknown }[];
  };
  assert.equal(list.repositories.find((r) => r.name === 'pushed')?.description, null);
});

test('PUT repository {description}: write permission, then the body, then 404; changevisibility on a missing repository is 200 null', async (t) => {
  const { quay, token } = await setup(t);
  const put = await call(quay, 'PUT', '/api/v1/repository/acme/app', { token, body: { description: 'new' } });
  assert.deepEqual([put.status, put.json], [200, { success: true }]);
  assert.equal(quay.state.getRepo('acme', 'app')?.description, 'new');
  assertShapeA(
    quay,
    await call(quay, 'PUT', '/api/v1/repository/acme/nope', { token, body: {} }),
    400,
    'invalid_request',
    "'description' is a required property",
  );
  assertShapeA(
    quay,
    await call(quay, 'PUT', '/api/v1/repository/acme/nope', { token, body: { description: 'x' } }),
    404,
    'not_found',
  );
  const vis = await call(quay, 'POST', '/api/v1/repository/acme/app/changevisibility', {
    token,
    body: { visibility: 'public' },
  });
  assert.deepEqual([vis.status, vis.json], [200, { success: true }]);
  assert.equal(quay.state.getRepo('acme', 'app')?.isPublic, true);
  assertShapeA(
    quay,
    await call(quay, 'POST', '/api/v1/repository/acme/app/changevisibility', {
      token,
      body: { visibility: 'internal' },
    }),
    400,
    'invalid_request',
    "'internal' is not one of ['public', 'private']",
  );
  const missing = await call(quay, 'POST', '/api/v1/repository/acme/nope/changevisibility', {
    token,
    body: { visibility: 'private' },
  });
  assert.equal(missing.status, 200);
  assert.equal(missing.text, 'null\n');
});

test('team permissions: a map keyed by team; unknown team 400; a missing repository lists {} and deletes with 400', async (t) => {
  const { quay, token } = await setup(t);
  quay.seed.team('acme', 'devs');
  const perms = '/api/v1/repository/acme/app/permissions/team';
  const put = await call(quay, 'PUT', `${perms}/devs`, { token, body: { role: 'write' } });
  assert.equal(put.status, 200);
  const list = (await call(quay, 'GET', `${perms}/`, { token })).json as {
    permissions: Record<string, { role: string; name: string; avatar: unknown }>;
  };
  assert.deepEqual(Object.keys(list.permissions), ['devs']);
  assert.deepEqual(Object.keys(list.permissions.devs ?? {}), ['role', 'name', 'avatar']);
  assert.equal(list.permissions.devs?.role, 'write');
  assertShapeA(
    quay,
    await call(quay, 'PUT', `${perms}/ghosts`, { token, body: { role: 'read' } }),
    400,
    'invalid_request',
    'No team ghosts in organization acme',
  );
  assert.equal((await call(quay, 'DELETE', `${perms}/devs`, { token })).status, 204);
  assertShapeA(
    quay,
    await call(quay, 'DELETE', `${perms}/devs`, { token }),
    400,
    'invalid_request',
    'Team does not have permission for repo.',
  );
  const missing = '/api/v1/repository/acme/nope/permissions';
  assert.deepEqual((await call(quay, 'GET', `${missing}/team/`, { token })).json, { permissions: {} });
  assert.deepEqual((await call(quay, 'GET', `${missing}/user/`, { token })).json, { permissions: {} });
  assertShapeA(
    quay,
    await call(quay, 'DELETE', `${missing}/team/devs`, { token }),
    400,
    'invalid_request',
    'Team does not have permission for repo.',
  );
  // The namespace owner check comes first in delete_user_permission.
  assertShapeA(
    quay,
    await call(quay, 'DELETE', '/api/v1/repository/acme/app/permissions/user/acme', { token }),
    400,
    'invalid_request',
    'Namespace owner must always be admin.',
  );
});
