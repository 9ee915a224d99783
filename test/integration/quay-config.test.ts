import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { actions, type QuayFixture, quayFixture, reportOf } from '../support/quay-fixture.js';

/**
 * quay-config as a process against the Quay emulator: teams with members, repositories with visibility,
 * description and permissions — dry run (no write sent), create, second run `changed: 0`, change with
 * exclusive removal, a bad item named by its key path while the others go on, a config typo refused.
 */
describe('quay-config: teams, repositories and permissions', () => {
  let fx: QuayFixture;

  before(async () => {
    fx = await quayFixture();
    for (const user of ['alice', 'bob', 'carol']) fx.quay.seed.user(user);
    fx.quay.seed.org('acme', { owner: 'admin' });
    fx.quay.seed.team('acme', 'readers', { members: ['alice', 'bob'] });
    fx.quay.seed.team('acme', 'old', { members: ['bob'] });
    fx.quay.seed.robot('acme', 'ci');
    fx.quay.seed.repo('acme/api');
    fx.quay.seed.permission('acme/api', 'bob', 'read');
  });
  after(() => fx.quay.close());

  const org = () => fx.quay.state.orgs.get('acme');
  const repo = (name: string) => fx.quay.state.getRepo('acme', name);
  const writes = () => fx.quay.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');

  const v1 = `quay-config:
  organizations:
    - name: acme
      teams:
        - {name: builders, role: creator, description: Builds, members: [alice, acme+ci]}
        - {name: old, state: absent}
      repositories:
        - name: web
          visibility: public
          description: Web front end
          permissions: [{team: builders, role: write}, {robot: acme+ci, role: read}, {user: alice, role: admin}]
        - name: api
          permissions: {exclusive: true, items: [{team: builders, role: read}]}
        - name: tools
          permissions: {exclusive: true, items: [{team: builders, role: read}]}
`;

  test('--dry-run prints each write and sends none', async () => {
    fx.quay.requests.length = 0;
    const result = await fx.run('quay-config', ['--config', fx.config(v1), '--dry-run', '--output', 'json']);
    assert.equal(result.exitCode, 0, result.stderr);
    const report = reportOf(result);
    assert.deepEqual(actions(report), {
      'acme/team/builders': 'planned',
      'acme/team/old': 'planned',
      'acme/web': 'planned',
      'acme/api': 'planned',
      'acme/tools': 'planned',
    });
    const detail = Object.fromEntries(report.items.map((i) => [i.ref, i.detail]));
    assert.equal(detail['acme/team/builders'], 'create (role creator); + alice; + acme+ci');
    assert.equal(detail['acme/team/old'], 'delete the team');
    assert.equal(
      detail['acme/web'],
      'create (public); team builders: none → write; robot acme+ci: none → read; user alice: none → admin',
    );
    assert.equal(detail['acme/api'], 'team builders: none → read; user bob: read → none');
    // Quay makes the creator (the token's user) admin of a new repository: the exclusive list removes it.
    assert.equal(
      detail['acme/tools'],
      'create (private); team builders: none → read; user admin: admin → none',
    );
    assert.deepEqual(writes(), []);
    assert.equal(org()?.teams.has('builders'), false);
    assert.equal(repo('web'), undefined);
  });

  test('--plan is the same dry run', async () => {
    fx.quay.requests.length = 0;
    const result = await fx.run('quay-config', ['--config', fx.config(v1), '--plan', '--output', 'json']);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(reportOf(result).dryRun, true);
    assert.deepEqual(writes(), []);
  });

  test('makes it so, then a second run changes nothing', async () => {
    const config = fx.config(v1);
    const first = await fx.run('quay-config', ['--config', config, '--output', 'json']);
    assert.equal(first.exitCode, 0, first.stderr);
    assert.deepEqual(actions(reportOf(first)), {
      'acme/team/builders': 'created',
      'acme/team/old': 'deleted',
      'acme/web': 'created',
      'acme/api': 'updated',
      'acme/tools': 'created',
    });
    assert.deepEqual([...(repo('tools')?.userPermissions.keys() ?? [])], []);
    const builders = org()?.teams.get('builders');
    assert.equal(builders?.role, 'creator');
    assert.equal(builders?.description, 'Builds');
    assert.deepEqual([...(builders?.members ?? [])].sort(), ['acme+ci', 'alice']);
    assert.equal(org()?.teams.has('old'), false);
    const web = repo('web');
    assert.equal(web?.isPublic, true);
    assert.equal(web?.description, 'Web front end');
    assert.equal(web?.teamPermissions.get('builders'), 'write');
    assert.equal(web?.userPermissions.get('acme+ci'), 'read');
    assert.equal(web?.userPermissions.get('alice'), 'admin');
    assert.deepEqual([...(repo('api')?.userPermissions.keys() ?? [])], []);
    assert.equal(repo('api')?.teamPermissions.get('builders'), 'read');

    fx.quay.requests.length = 0;
    const second = await fx.run('quay-config', ['--config', config, '--output', 'json']);
    assert.equal(second.exitCode, 0, second.stderr);
    const report = reportOf(second);
    assert.equal(report.changed, 0, JSON.stringify(report.items));
    assert.ok(report.items.every((i) => i.action === 'unchanged'));
    assert.deepEqual(writes(), []);
    assert.match(second.stderr, /no change/);
  });

  test('changes and exclusive removal; an unknown user is named by its key path and the rest goes on', async () => {
    const v2 = `quay-config:
  organizations:
    - name: acme
      teams:
        - name: builders
          role: admin
          description: Builds
          members: {exclusive: true, items: [acme+ci, nobody, carol]}
      repositories:
        - name: web
          visibility: private
          permissions: {exclusive: true, items: [{team: builders, role: read}]}
`;
    const result = await fx.run('quay-config', ['--config', fx.config(v2), '--output', 'json']);
    assert.equal(result.exitCode, 1, result.stderr);
    const report = reportOf(result);
    const byRef = Object.fromEntries(report.items.map((i) => [i.ref, i]));
    const team = byRef['acme/team/builders'];
    assert.equal(team?.action, 'failed');
    assert.match(
      team?.error ?? '',
      /^quay-config\.organizations\[0\]\.teams\[0\]\.members\.items\[1\]: \+ nobody: /,
    );
    assert.match(team?.detail ?? '', /^done: role creator → admin; \+ carol \(invited: joins on accepting/);
    assert.match(team?.detail ?? '', /− alice$/);
    assert.equal(byRef['acme/web']?.action, 'updated');
    assert.equal(
      byRef['acme/web']?.detail,
      // admin created web, so Quay made it an admin of web; the exclusive list removes that too.
      'visibility public → private; team builders: write → read; user admin: admin → none; robot acme+ci: read → none; user alice: admin → none',
    );
    const builders = org()?.teams.get('builders');
    assert.equal(builders?.role, 'admin');
    assert.deepEqual([...(builders?.members ?? [])], ['acme+ci']);
    assert.deepEqual(
      builders?.invites.map((i) => i.username),
      ['carol'],
    );
    assert.equal(repo('web')?.isPublic, false);
    assert.deepEqual([...(repo('web')?.userPermissions.keys() ?? [])], []);
  });

  test('an invited user counts as declared: the next run does not invite again', async () => {
    const v3 = `quay-config:
  organizations:
    - name: acme
      teams:
        - {name: builders, role: admin, description: Builds, members: [acme+ci, carol]}
`;
    const result = await fx.run('quay-config', ['--config', fx.config(v3), '--output', 'json']);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(reportOf(result).changed, 0);
  });

  test('a typo is a config error with its key path, and nothing is sent', async () => {
    fx.quay.requests.length = 0;
    const bad = `quay-config:
  organizations:
    - name: acme
      teams: [{name: builders, role: creater}]
`;
    const result = await fx.run('quay-config', ['--config', fx.config(bad)]);
    assert.equal(result.exitCode, 2);
    assert.match(
      result.stderr,
      /quay-config\.organizations\[0\]\.teams\[0\]\.role: wrong value: got "creater"; expected one of: member, creator, admin/,
    );
    assert.deepEqual(fx.quay.requests, []);
  });

  test('a missing organization fails alone; the next one is still configured', async () => {
    fx.quay.seed.org('beta', { owner: 'admin' });
    const config = `quay-config:
  organizations:
    - name: nosuchorg
      teams: [{name: builders}]
    - name: beta
      teams: [{name: builders}]
`;
    const result = await fx.run('quay-config', ['--config', fx.config(config), '--output', 'json']);
    assert.equal(result.exitCode, 1);
    const report = reportOf(result);
    assert.deepEqual(actions(report), { 'org/nosuchorg': 'failed', 'beta/team/builders': 'created' });
    assert.match(
      report.items[0]?.error ?? '',
      /^quay-config\.organizations\[0\]\.name: organization nosuchorg does not exist/,
    );
  });
});
