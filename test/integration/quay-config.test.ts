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

  test('state: absent deletes a repository (dry run first: planned, still there); then it is absent, unchanged', async () => {
    const config = fx.config(`quay-config:
  organizations:
    - name: acme
      repositories: [{name: api, state: absent}]
`);
    const plan = await fx.run('quay-config', ['--config', config, '--dry-run', '--output', 'json']);
    assert.equal(reportOf(plan).items[0]?.detail, 'delete the repository and its images');
    assert.ok(repo('api'), 'a dry run deletes nothing');
    const first = await fx.run('quay-config', ['--config', config, '--output', 'json']);
    assert.equal(first.exitCode, 0, first.stderr);
    assert.deepEqual(actions(reportOf(first)), { 'acme/api': 'deleted' });
    assert.equal(repo('api'), undefined);
    const second = await fx.run('quay-config', ['--config', config, '--output', 'json']);
    assert.deepEqual(actions(reportOf(second)), { 'acme/api': 'unchanged' });
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

  test('a token without admin on the organization: each write refused with what the token lacks', async () => {
    const mallory = fx.quay.seed.userWithToken('mallory');
    const config = `quay-config:
  organizations:
    - name: acme
      teams: [{name: intruders}]
`;
    const result = await fx.run('quay-config', ['--config', fx.config(config), '--output', 'json'], {
      QT_TOKEN: mallory.token,
    });
    assert.equal(result.exitCode, 1);
    const item = reportOf(result).items.find((i) => i.ref === 'acme/team/intruders');
    assert.equal(item?.action, 'failed');
    assert.match(
      item?.error ?? '',
      /^quay-config\.organizations\[0\]\.teams\[0\]: create \(role member\): .*403.*(org:admin|scopes)/,
    );
    assert.equal(org()?.teams.has('intruders'), false);
    assert.ok(!result.stderr.includes(mallory.token));
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

/**
 * quay-config's default permissions, notifications and quota against the emulator with Quay's quota
 * management on and a superuser with full access (Quay's quota writes need both).
 */
describe('quay-config: default permissions, notifications and quota', () => {
  let fx: QuayFixture;
  const SECRET = 'hook-token-5a4b3c2d1e';

  before(async () => {
    fx = await quayFixture({ features: { quotaManagement: true, superusersFullAccess: true } });
    fx.quay.seed.user('alice');
    fx.quay.seed.org('acme', { owner: 'admin' });
    fx.quay.seed.team('acme', 'builders', { members: ['alice'] });
    fx.quay.seed.team('acme', 'auditors');
    fx.quay.seed.repo('acme/web');
    fx.quay.seed.prototype('acme', { delegate: { kind: 'team', name: 'auditors' }, role: 'read' });
    fx.quay.seed.notification('acme/web', {
      title: 'Old hook',
      config: { url: 'https://old.example.com/x' },
    });
  });
  after(() => fx.quay.close());

  const org = () => fx.quay.state.orgs.get('acme');
  const web = () => fx.quay.state.getRepo('acme', 'web');
  const writes = () => fx.quay.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
  const run = (body: string, args: string[] = []) =>
    fx.run('quay-config', ['--config', fx.config(body), '--output', 'json', ...args], { HOOK_TOKEN: SECRET });

  const v1 = `quay-config:
  organizations:
    - name: acme
      defaultPermissions:
        exclusive: true
        items:
          - {team: builders, role: write}
          - {user: alice, role: admin, activatingUser: alice}
      repositories:
        - name: web
          notifications:
            exclusive: true
            items:
              - {event: repo_push, method: webhook, title: CI, url: "https://ci.example.com/hook", token: {env: HOOK_TOKEN}}
      quota:
        limit: 10GiB
        limits: [{type: Warning, thresholdPercent: 80}, {type: Reject, thresholdPercent: 100}]
`;

  test('--dry-run plans every kind and sends no write', async () => {
    fx.quay.requests.length = 0;
    const result = await run(v1, ['--dry-run']);
    assert.equal(result.exitCode, 0, result.stderr);
    const detail = Object.fromEntries(reportOf(result).items.map((i) => [i.ref, `${i.action}: ${i.detail}`]));
    assert.deepEqual(detail, {
      'acme/default-permission/team builders': 'planned: create (write)',
      'acme/default-permission/user alice on repositories alice creates': 'planned: create (admin)',
      'acme/default-permission/team auditors': 'planned: delete (read, not declared)',
      'acme/web':
        'planned: + notification repo_push webhook "CI"; − notification repo_push webhook "Old hook"',
      'acme/quota': 'planned: create (10.0 GiB); + Warning at 80%; + Reject at 100%',
    });
    assert.deepEqual(writes(), []);
    assert.ok(!result.stdout.includes(SECRET) && !result.stderr.includes(SECRET));
  });

  test('makes them, a second run changes nothing, and the token is in no output', async () => {
    const first = await run(v1);
    assert.equal(first.exitCode, 0, first.stderr);
    assert.equal(reportOf(first).changed, 5);
    const prototypes = org()?.prototypes.map(
      (p) => `${p.activatingUser ?? '*'} ${p.delegate.kind}:${p.delegate.name} ${p.role}`,
    );
    assert.deepEqual(prototypes, ['* team:builders write', 'alice user:alice admin']);
    assert.deepEqual(
      web()?.notifications.map((n) => [n.event, n.method, n.title, n.config.url]),
      [['repo_push', 'webhook', 'CI', `https://ci.example.com/hook?token=${SECRET}`]],
    );
    assert.equal(org()?.quota?.limitBytes, 10 * 2 ** 30);
    assert.deepEqual(
      org()?.quota?.limits.map((l) => `${l.type} ${l.percentOfLimit}`),
      ['Warning 80', 'Reject 100'],
    );
    assert.ok(!first.stdout.includes(SECRET) && !first.stderr.includes(SECRET), 'token masked');

    fx.quay.requests.length = 0;
    const second = await run(v1);
    assert.equal(second.exitCode, 0, second.stderr);
    assert.equal(reportOf(second).changed, 0, JSON.stringify(reportOf(second).items));
    assert.deepEqual(writes(), []);
  });

  test('a new repository gets the default permissions Quay applies; a role change is in place', async () => {
    const v2 = v1
      .replace('{team: builders, role: write}', '{team: builders, role: read}')
      .replace('      repositories:\n', '      repositories:\n        - name: fresh\n');
    const result = await run(v2);
    assert.equal(result.exitCode, 0, result.stderr);
    const byRef = Object.fromEntries(reportOf(result).items.map((i) => [i.ref, i]));
    assert.equal(byRef['acme/default-permission/team builders']?.detail, 'role write → read');
    assert.equal(byRef['acme/fresh']?.action, 'created');
    assert.equal(fx.quay.state.getRepo('acme', 'fresh')?.teamPermissions.get('builders'), 'read');
  });

  test('a rotated token replaces the notification (Quay cannot edit one)', async () => {
    const result = await fx.run('quay-config', ['--config', fx.config(v1), '--output', 'json'], {
      HOOK_TOKEN: 'rotated-token-99',
    });
    assert.equal(result.exitCode, 0, result.stderr);
    const item = reportOf(result).items.find((i) => i.ref === 'acme/web');
    assert.equal(item?.detail, 'notification repo_push webhook "CI": replace (Quay cannot edit one)');
    assert.deepEqual(
      web()?.notifications.map((n) => n.config.url),
      ['https://ci.example.com/hook?token=rotated-token-99'],
    );
    assert.ok(!result.stdout.includes('rotated-token-99'));
  });

  test('a quota below what the organization holds is refused by its key path, and nothing of it changes', async () => {
    fx.quay.seed.namespaceSize('acme', 5 * 2 ** 30);
    const small = v1.replace('limit: 10GiB', 'limit: 1GiB');
    const result = await run(small);
    assert.equal(result.exitCode, 1);
    const item = reportOf(result).items.find((i) => i.ref === 'acme/quota');
    assert.equal(item?.action, 'failed');
    assert.match(
      item?.error ?? '',
      /^quay-config\.organizations\[0\]\.quota: 1\.0 GiB is below what acme already holds \(5\.0 GiB\)/,
    );
    assert.equal(org()?.quota?.limitBytes, 10 * 2 ** 30, 'unchanged');
    // The rest goes on: web's notification goes back to the HOOK_TOKEN of this run (the previous test rotated it).
    assert.equal(reportOf(result).items.find((i) => i.ref === 'acme/web')?.action, 'updated');
    assert.deepEqual(
      web()?.notifications.map((n) => n.config.url),
      [`https://ci.example.com/hook?token=${SECRET}`],
    );
  });

  test('a quota change: its size in place, and exactly the declared limits', async () => {
    fx.quay.seed.namespaceSize('acme', 0);
    const changed = v1
      .replace('limit: 10GiB', 'limit: 20GiB')
      .replace(
        '[{type: Warning, thresholdPercent: 80}, {type: Reject, thresholdPercent: 100}]',
        '[{type: Warning, thresholdPercent: 90}]',
      );
    const result = await run(changed);
    assert.equal(result.exitCode, 0, result.stderr);
    const item = reportOf(result).items.find((i) => i.ref === 'acme/quota');
    assert.equal(item?.action, 'updated');
    assert.equal(
      item?.detail,
      'limit 10.0 GiB → 20.0 GiB; − Warning at 80%; − Reject at 100%; + Warning at 90%',
    );
    assert.equal(org()?.quota?.limitBytes, 20 * 2 ** 30);
    assert.deepEqual(
      org()?.quota?.limits.map((l) => `${l.type} ${l.percentOfLimit}`),
      ['Warning 90'],
    );
  });

  test('bad items are named by their key paths, and the other items go on', async () => {
    const bad = `quay-config:
  organizations:
    - name: acme
      defaultPermissions:
        - {team: ghosts, role: read}
        - {team: builders, role: write}
      repositories:
        - name: web
          permissions: [{user: nobody, role: read}, {team: builders, role: read}]
          notifications:
            - {event: repo_push, method: webhook, title: CI, url: "https://ci.example.com/hook", token: {env: HOOK_TOKEN}}
            - {event: repo_push, method: email, title: Mail, email: unconfirmed@example.com}
`;
    const result = await run(bad);
    assert.equal(result.exitCode, 1);
    const byRef = Object.fromEntries(reportOf(result).items.map((i) => [i.ref, i]));
    assert.equal(byRef['acme/default-permission/team ghosts']?.action, 'failed');
    assert.match(
      byRef['acme/default-permission/team ghosts']?.error ?? '',
      /^quay-config\.organizations\[0\]\.defaultPermissions\[0\]: create \(read\): .*Team does not exist/,
    );
    assert.equal(byRef['acme/default-permission/team builders']?.action, 'unchanged');
    const web = byRef['acme/web'];
    assert.equal(web?.action, 'failed');
    assert.match(
      web?.error ?? '',
      /quay-config\.organizations\[0\]\.repositories\[0\]\.permissions\[0\]: user nobody: none → read: /,
    );
    assert.match(
      web?.error ?? '',
      /quay-config\.organizations\[0\]\.repositories\[0\]\.notifications\[1\]: \+ notification repo_push email "Mail": .*not authorized/,
    );
    assert.match(web?.detail ?? '', /^done: team builders: none → read$/);
    assert.equal(fx.quay.state.getRepo('acme', 'web')?.teamPermissions.get('builders'), 'read');
  });

  test('quota management off: the quota item says so, the rest goes on', async () => {
    fx.quay.features.quotaManagement = false;
    try {
      const result = await run(v1);
      assert.equal(result.exitCode, 1);
      const item = reportOf(result).items.find((i) => i.ref === 'acme/quota');
      assert.match(item?.error ?? '', /no quota management \(FEATURE_QUOTA_MANAGEMENT/);
    } finally {
      fx.quay.features.quotaManagement = true;
    }
  });
});
