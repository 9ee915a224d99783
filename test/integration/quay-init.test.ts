import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type QuayEmulator, startQuayEmulator } from '../support/quay-emulator/index.js';
import { actions, reportOf } from '../support/quay-fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir, writeFile } from '../support/temp.js';

/** quay-init as a process against a fresh emulated Quay (no user yet, user initialisation on). */
describe('quay-init against a fresh emulated Quay', () => {
  let quay: QuayEmulator;
  const dir = tempDir();
  const tokenFile = join(dir, 'out', 'token');
  const results = join(dir, 'results');
  const env = { ADMIN_PASSWORD: 'correct-horse-battery' };

  before(async () => {
    quay = await startQuayEmulator({ features: { userInitialize: true }, superUsers: ['quayadmin'] });
  });
  after(() => quay.close());

  const section = `quay-init:
  initialUser: {username: quayadmin, password: {env: ADMIN_PASSWORD}, email: admin@example.com}
  tokenOutput: {file: ${tokenFile}}
  adminOrganization: admin-org
  organizations: [{name: team-alpha}, {name: legacy, state: absent}]
  takeOwnership: {users: [quayadmin]}
`;
  const firstConfig = () => writeFile(dir, 'first.yaml', `quay:\n  primary: {url: ${quay.url}}\n${section}`);
  // Later runs read the token the first run handed on, as a Pipeline's next task would.
  const laterConfig = () =>
    writeFile(
      dir,
      'later.yaml',
      `quay:\n  primary: {url: ${quay.url}, token: {file: ${tokenFile}}}\n${section}`,
    );

  test('--dry-run plans and changes nothing', async () => {
    const result = await runCli('quay-init', ['--config', firstConfig(), '--dry-run', '--output', 'json'], {
      env,
    });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(actions(reportOf(result)), {
      'user/quayadmin': 'planned',
      'org/admin-org': 'planned',
      'org/team-alpha': 'planned',
      'org/legacy': 'planned',
    });
    assert.equal(quay.state.users.size, 0);
  });

  test('creates the first user, hands its token on, and uses it for the organizations of the same run', async () => {
    const result = await runCli(
      'quay-init',
      ['--config', firstConfig(), '--output', 'json', '--results-dir', results],
      { env },
    );
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(actions(reportOf(result)), {
      'user/quayadmin': 'created',
      [`file/${tokenFile}`]: 'created',
      'org/admin-org': 'created',
      'org/team-alpha': 'created',
      'org/legacy': 'unchanged',
      'ownership/admin-org/quayadmin': 'unchanged',
      'ownership/team-alpha/quayadmin': 'unchanged',
    });
    assert.ok(quay.state.users.has('quayadmin'));
    assert.ok(quay.state.orgs.has('admin-org') && quay.state.orgs.has('team-alpha'));
    const token = readFileSync(tokenFile, 'utf8');
    assert.match(token, /^[A-Z0-9]{40}$/);
    assert.equal(
      quay.state.tokens.get(token)?.username ??
        [...quay.state.tokens.values()].find((t) => t.token === token)?.username,
      'quayadmin',
    );
    assert.equal(
      readFileSync(join(results, 'initial-user-token'), 'utf8'),
      token,
      'the token result is the real value',
    );
    assert.ok(!result.stderr.includes(token) && !result.stdout.includes(token), 'and never printed');
    assert.match(result.stderr, /expires after 2\.5 h/);
  });

  test('a second run reports no change', async () => {
    const result = await runCli('quay-init', ['--config', laterConfig(), '--output', 'json'], { env });
    assert.equal(result.exitCode, 0, result.stderr);
    const report = reportOf(result);
    assert.equal(report.changed, 0, JSON.stringify(report.items));
    assert.equal(
      report.items.find((i) => i.ref === 'user/quayadmin')?.detail,
      'Quay already has users: the first user exists',
    );
  });

  test('an organization marked absent is deleted', async () => {
    quay.seed.org('legacy', { owner: null });
    const result = await runCli(
      'quay-init',
      ['--config', laterConfig(), '--manage-orgs', '--output', 'json'],
      { env },
    );
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(actions(reportOf(result)), { 'org/team-alpha': 'unchanged', 'org/legacy': 'deleted' });
    assert.equal(quay.state.orgs.has('legacy'), false);
  });

  test('ownership: a user missing from team owners of an organization it administers is added', async () => {
    quay.seed.user('alice');
    quay.seed.org('other-org', { owner: 'alice' });
    quay.seed.team('other-org', 'admins', { role: 'admin', members: ['quayadmin'] });
    const result = await runCli(
      'quay-init',
      ['--config', laterConfig(), '--take-ownership', '--output', 'json'],
      { env },
    );
    assert.equal(result.exitCode, 0, result.stdout);
    assert.equal(actions(reportOf(result))['ownership/other-org/quayadmin'], 'updated');
    assert.ok(quay.state.orgs.get('other-org')?.teams.get('owners')?.members.has('quayadmin'));
    assert.equal(
      actions(reportOf(result))['org/team-alpha'],
      undefined,
      '--take-ownership selects that step only',
    );
  });

  test('ownership of an organization the superuser cannot administer: a clear failure, the others go on', async () => {
    quay.seed.org('closed-org', { owner: 'alice' });
    const result = await runCli(
      'quay-init',
      ['--config', laterConfig(), '--take-ownership', '--output', 'json'],
      { env },
    );
    assert.equal(result.exitCode, 1);
    const report = reportOf(result);
    const failed = report.items.find((i) => i.ref === 'ownership/closed-org/quayadmin');
    assert.match(failed?.error ?? '', /→ 403 Forbidden.*FEATURE_SUPERUSERS_FULL_ACCESS: true/);
    assert.equal(actions(report)['ownership/other-org/quayadmin'], 'unchanged');
  });
});

describe('quay-init: the errors a user meets', () => {
  let quay: QuayEmulator;
  const dir = tempDir();
  before(async () => {
    quay = await startQuayEmulator({ features: { userInitialize: false } });
  });
  after(() => quay.close());

  test('user initialisation switched off: a 404 and what to set', async () => {
    const cfg = writeFile(
      dir,
      'c.yaml',
      `quay:\n  primary: {url: ${quay.url}}\nquay-init:\n  initialUser: {username: quayadmin, password: pw-12345678, email: a@example.com}\n`,
    );
    const result = await runCli('quay-init', ['--config', cfg, '--output', 'json']);
    assert.equal(result.exitCode, 1);
    const report = reportOf(result);
    assert.match(
      report.error ?? '',
      /POST \/api\/v1\/user\/initialize → 404 Not Found.*set FEATURE_USER_INITIALIZE: true/,
    );
  });

  test('an organization name taken by a user: Quay says so', async () => {
    const admin = quay.seed.userWithToken('admin', { superUser: true });
    quay.seed.user('bob');
    const cfg = writeFile(
      dir,
      'orgs.yaml',
      `quay:\n  primary: {url: ${quay.url}, token: {env: QT_TOKEN}}\nquay-init:\n  organizations: [{name: bob}]\n`,
    );
    const result = await runCli('quay-init', ['--config', cfg, '--output', 'json'], {
      env: { QT_TOKEN: admin.token },
    });
    assert.equal(result.exitCode, 1);
    assert.match(
      reportOf(result).items[0]?.error ?? '',
      /POST \/api\/v1\/organization\/ → 400 Bad Request: A user or organization with this name already exists/,
    );
  });

  test('a Quay that requires an organization email (≤ 3.17 with FEATURE_MAILING): the key to set, the others go on', async () => {
    const older = await startQuayEmulator({ orgCreateNeedsEmail: true, features: { mailing: true } });
    try {
      const admin = older.seed.userWithToken('admin', { superUser: true });
      const cfg = writeFile(
        dir,
        'org-email.yaml',
        `quay:\n  primary: {url: ${older.url}, token: {env: QT_TOKEN}}\nquay-init:\n` +
          '  organizations: [{name: no-email}, {name: with-email, email: with-email@example.com}]\n',
      );
      const result = await runCli('quay-init', ['--config', cfg, '--output', 'json'], {
        env: { QT_TOKEN: admin.token },
      });
      assert.equal(result.exitCode, 1, result.stderr);
      const report = reportOf(result);
      assert.deepEqual(
        report.items.map((i) => `${i.ref} ${i.action}`),
        ['org/no-email failed', 'org/with-email created'],
      );
      assert.match(
        report.items[0]?.error ?? '',
        /requires a contact email for every new organization .*set quay-init\.organizations\[0\]\.email/,
      );
      assert.equal(older.state.orgs.has('no-email'), false);
      assert.equal(older.state.orgs.get('with-email')?.email, 'with-email@example.com');
    } finally {
      await older.close();
    }
  });
});
