import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { actions, type QuayFixture, quayFixture, reportOf } from '../support/quay-fixture.js';

/**
 * create-robots as a process against the Quay emulator: create, second run unchanged, change, delete,
 * dry-run — each asserting the emulator's state afterwards.
 */
describe('create-robots against an emulated Quay', () => {
  let fx: QuayFixture;
  let authFile: string;

  before(async () => {
    fx = await quayFixture();
    fx.quay.seed.org('team-alpha', { owner: 'admin' });
    fx.quay.seed.repo('team-alpha/web');
    fx.quay.seed.repo('team-alpha/api');
    fx.quay.seed.team('team-alpha', 'deployers', { role: 'member' });
    fx.quay.seed.robot('team-alpha', 'old_bot');
    authFile = join(fx.dir, 'out', 'auth.json');
  });
  after(() => fx.quay.close());

  const robot = (name: string) => fx.quay.state.robots.get(name);
  const permission = (repo: string, user: string) =>
    fx.quay.state.getRepo('team-alpha', repo)?.userPermissions.get(user);
  const deployers = () => fx.quay.state.orgs.get('team-alpha')?.teams.get('deployers')?.members;

  function config(deployer: string, oldBot = 'absent'): string {
    return fx.config(`create-robots:
  robots:
    - name: deployer
      organization: team-alpha
      description: Pulls for prod
${deployer}
      authFile: ${authFile}
    - {name: ci_bot, user: admin, description: personal}
    - {name: old_bot, organization: team-alpha, state: ${oldBot}}
`);
  }
  const initial = `      permissions: [{repository: web, role: read}, {repository: api, role: write}]
      teams: [deployers]`;

  test('--dry-run plans and changes nothing', async () => {
    const result = await fx.run('create-robots', [
      '--config',
      config(initial),
      '--dry-run',
      '--output',
      'json',
    ]);
    assert.equal(result.exitCode, 0, result.stderr);
    const report = reportOf(result);
    assert.deepEqual(actions(report), {
      'robot/team-alpha+deployer': 'planned',
      [`auth-file/${authFile}#team-alpha+deployer`]: 'planned',
      'robot/admin+ci_bot': 'planned',
      'robot/team-alpha+old_bot': 'planned',
    });
    assert.equal(robot('team-alpha+deployer'), undefined);
    assert.ok(robot('team-alpha+old_bot'), 'old_bot still there');
    assert.equal(existsSync(authFile), false);
  });

  test('creates robots with permissions, teams and an auth file; deletes the absent one', async () => {
    const result = await fx.run('create-robots', ['--config', config(initial), '--output', 'json']);
    assert.equal(result.exitCode, 0, result.stderr);
    const report = reportOf(result);
    assert.equal(report.ok, true);
    assert.deepEqual(actions(report), {
      'robot/team-alpha+deployer': 'created',
      [`auth-file/${authFile}#team-alpha+deployer`]: 'created',
      'robot/admin+ci_bot': 'created',
      'robot/team-alpha+old_bot': 'deleted',
    });
    const deployer = robot('team-alpha+deployer');
    assert.equal(deployer?.description, 'Pulls for prod');
    assert.equal(permission('web', 'team-alpha+deployer'), 'read');
    assert.equal(permission('api', 'team-alpha+deployer'), 'write');
    assert.ok(deployers()?.has('team-alpha+deployer'));
    assert.equal(robot('admin+ci_bot')?.description, 'personal');
    assert.equal(robot('team-alpha+old_bot'), undefined);
    const auth = JSON.parse(readFileSync(authFile, 'utf8')) as { auths: Record<string, { auth: string }> };
    const entry = auth.auths[fx.quay.host];
    assert.equal(
      Buffer.from(entry?.auth ?? '', 'base64').toString(),
      `team-alpha+deployer:${deployer?.token}`,
    );
    // The robot token is a secret: never printed.
    assert.ok(
      !result.stderr.includes(deployer?.token ?? '-') && !result.stdout.includes(deployer?.token ?? '-'),
    );
  });

  test('a second run reports no change', async () => {
    const result = await fx.run('create-robots', ['--config', config(initial), '--output', 'json']);
    assert.equal(result.exitCode, 0, result.stderr);
    const report = reportOf(result);
    assert.equal(report.changed, 0);
    assert.ok(
      report.items.every((i) => i.action === 'unchanged'),
      JSON.stringify(report.items),
    );
    assert.match(result.stderr, /no change/);
  });

  test('changed permissions and teams are brought in line (declared ones are the whole truth)', async () => {
    const changed = `      permissions: [{repository: web, role: write}]
      teams: []`;
    const result = await fx.run('create-robots', ['--config', config(changed), '--output', 'json']);
    assert.equal(result.exitCode, 0, result.stderr);
    const item = reportOf(result).items.find((i) => i.ref === 'robot/team-alpha+deployer');
    assert.equal(item?.action, 'updated');
    assert.equal(item?.detail, 'web: read → write; api: write → none; team deployers: leave');
    assert.equal(permission('web', 'team-alpha+deployer'), 'write');
    assert.equal(permission('api', 'team-alpha+deployer'), undefined);
    assert.equal(deployers()?.has('team-alpha+deployer'), false);
  });

  test('state: absent deletes; the next run finds it absent', async () => {
    const cfg = fx.config(
      'create-robots:\n  robots: [{name: deployer, organization: team-alpha, state: absent}]\n',
    );
    const first = await fx.run('create-robots', ['--config', cfg, '--output', 'json']);
    assert.deepEqual(actions(reportOf(first)), { 'robot/team-alpha+deployer': 'deleted' });
    assert.equal(robot('team-alpha+deployer'), undefined);
    const second = await fx.run('create-robots', ['--config', cfg, '--output', 'json']);
    assert.deepEqual(actions(reportOf(second)), { 'robot/team-alpha+deployer': 'unchanged' });
  });

  test('a permission on a repository that does not exist: that robot is refused whole, the others go on', async () => {
    const cfg = fx.config(`create-robots:
  robots:
    - {name: pusher, organization: team-alpha, permissions: [{repository: web, role: write}, {repository: not-yet, role: write}]}
    - {name: reader, organization: team-alpha, permissions: [{repository: web, role: read}]}
`);
    const result = await fx.run('create-robots', ['--config', cfg, '--output', 'json']);
    assert.equal(result.exitCode, 1, result.stderr);
    const report = reportOf(result);
    assert.deepEqual(actions(report), {
      'robot/team-alpha+pusher': 'failed',
      'robot/team-alpha+reader': 'created',
    });
    const failed = report.items.find((i) => i.ref === 'robot/team-alpha+pusher');
    assert.match(
      `${failed?.error ?? ''} ${failed?.detail ?? ''}`,
      /permissions on team-alpha\/not-yet: no such repository; .*nothing was changed for this robot/,
    );
    assert.equal(robot('team-alpha+pusher'), undefined, 'the robot was not created');
    assert.equal(permission('web', 'team-alpha+pusher'), undefined);
    assert.equal(permission('web', 'team-alpha+reader'), 'read');
    assert.deepEqual(fx.quay.internalErrors, []);
  });
});

describe('create-robots: the errors a user meets', () => {
  let fx: QuayFixture;
  before(async () => {
    fx = await quayFixture();
    fx.quay.seed.org('team-beta', { owner: 'admin' });
  });
  after(() => fx.quay.close());
  const cfg = () => fx.config('create-robots:\n  robots: [{name: builder, organization: team-beta}]\n');

  test('an invalid token: the 401 answer and what to do', async () => {
    const result = await fx.run('create-robots', ['--config', cfg(), '--output', 'json'], {
      QT_TOKEN: 'NOTAVALIDTOKEN0000000000000000000000000',
    });
    assert.equal(result.exitCode, 1);
    const item = reportOf(result).items[0];
    assert.equal(item?.action, 'failed');
    assert.match(
      item?.error ?? '',
      /GET \/api\/v1\/organization\/team-beta\/robots\/builder → 401 Unauthorized: Requires authentication/,
    );
    assert.match(item?.error ?? '', /token is missing, invalid or expired/);
    assert.equal(fx.quay.state.robots.get('team-beta+builder'), undefined);
  });

  test('an expired token: the same clear message', async () => {
    const token = fx.quay.seed.token('admin', undefined, { expiresInS: 60 });
    fx.quay.advanceTime(120);
    const result = await fx.run('create-robots', ['--config', cfg(), '--output', 'json'], {
      QT_TOKEN: token,
    });
    assert.equal(result.exitCode, 1);
    assert.match(
      reportOf(result).items[0]?.error ?? '',
      /401 Unauthorized: Requires authentication — the API token is missing, invalid or expired/,
    );
  });

  test('a name Quay rejects: its own message', async () => {
    const bad = fx.config('create-robots:\n  robots: [{name: bad__name, organization: team-beta}]\n');
    const result = await fx.run('create-robots', ['--config', bad, '--output', 'json']);
    assert.equal(result.exitCode, 1);
    assert.match(
      reportOf(result).items[0]?.error ?? '',
      /PUT \/api\/v1\/organization\/team-beta\/robots\/bad__name → 400 Bad Request: The name for the robot 'bad__name' is invalid/,
    );
  });

  test('a name the config rejects before anything is sent', async () => {
    const bad = fx.config('create-robots:\n  robots: [{name: Bad-Name, organization: team-beta}]\n');
    fx.quay.requests.length = 0;
    const result = await fx.run('create-robots', ['--config', bad]);
    assert.equal(result.exitCode, 2);
    assert.match(
      result.stderr,
      /create-robots\.robots\[0\]\.name: got "Bad-Name"; expected a robot short name/,
    );
    assert.equal(fx.quay.requests.length, 0);
  });

  test('429 with Retry-After, then success', async () => {
    fx.quay.faults.failNext('/api/v1/organization/team-beta/robots/builder', {
      status: 429,
      retryAfter: 0,
      times: 2,
    });
    const result = await fx.run('create-robots', ['--config', cfg(), '--output', 'json']);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(actions(reportOf(result)), { 'robot/team-beta+builder': 'created' });
    assert.ok(fx.quay.state.robots.get('team-beta+builder'));
  });

  test('503 on every retry: a clear failure naming the attempts', async () => {
    fx.quay.faults.failNext(/\/robots\//, { status: 503, retryAfter: 0, times: 50 });
    const result = await fx.run('create-robots', ['--config', cfg(), '--output', 'json']);
    fx.quay.faults.clear();
    assert.equal(result.exitCode, 1);
    assert.match(
      reportOf(result).items[0]?.error ?? '',
      /GET \/api\/v1\/organization\/team-beta\/robots\/builder → 503 Service Unavailable.*\(after 5 attempts\)/,
    );
  });
});
