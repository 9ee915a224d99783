import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type QuayEmulator, startQuayEmulator } from '../support/quay-emulator/index.js';
import { actions, reportOf } from '../support/quay-fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir, writeFile } from '../support/temp.js';

/**
 * A config in the original tool's format (its sample_config.yaml, pointed at an emulated Quay) runs
 * unchanged with the original management script's flags, in the original's order:
 * --manage-orgs → --add-proxycache → --add-robot-account.
 */
describe('the original config format and flags against an emulated Quay', () => {
  let quay: QuayEmulator;
  let upstream: QuayEmulator;
  let config: string;

  before(async () => {
    quay = await startQuayEmulator({
      superUsers: ['quayadmin'],
      features: { proxyCache: true },
      ssrfAllowedHosts: ['127.0.0.1'],
    });
    upstream = await startQuayEmulator();
    const admin = quay.seed.userWithToken('quayadmin', { superUser: true });
    quay.seed.org('test', { owner: 'quayadmin' });
    config = writeFile(
      tempDir(),
      'sample_config.yaml',
      `failover: false
initialize_email: admin@example.com
initialize_password: password
initialize_username: quayadmin
organizations:
  ensono:
    present: true
  proxytest:
    present: true
  test:
    present: false
primary_init_token: SFS3NGNAQECB87ZT92PY88KR8NR4H9LWVKP74DWL
primary_quay_namespace: quay
primary_quay_password: password
primary_quay_user: quayadmin
primary_server: ${quay.url}
primary_token: ${admin.token}
proxycache:
  org1:
    org_name: admin_org
    upstream_registry: ${upstream.host}
    insecure: true
  org2:
    org_name: proxytest
    upstream_registry: ${upstream.host}
    insecure: true
quay_admin_org: admin_org
repositories:
- ensono/alpine:v1.0
robot_config:
  bot1:
    name: test
    type: personal
  bot2:
    name: test
    org_name: admin_org
    type: org
secondary_quay_email: admin@example.com
secondary_server: https://central-quay.apps.ocp4.example.com
secondary_token: 2KS9ZII7E6YU95D0PQ9XD5TQZSYZOAIN7CSOMUH6
`,
    );
  });
  after(async () => {
    await quay.close();
    await upstream.close();
  });

  test('quay-init --manage-orgs creates and deletes organizations', async () => {
    const result = await runCli('quay-init', ['--config-file', config, '--manage-orgs', '--output', 'json']);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stderr, /is an original quay_guides config \(primary\/secondary\); translated/);
    assert.deepEqual(actions(reportOf(result)), {
      'org/ensono': 'created',
      'org/proxytest': 'created',
      'org/test': 'deleted',
    });
    assert.ok(quay.state.orgs.has('ensono') && quay.state.orgs.has('proxytest'));
    assert.equal(quay.state.orgs.has('test'), false);
  });

  test('proxycache --add-proxycache configures every entry (creating admin_org)', async () => {
    const result = await runCli('proxycache', [
      '--config-file',
      config,
      '--add-proxycache',
      '--output',
      'json',
    ]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(actions(reportOf(result)), {
      'org/admin_org': 'created',
      'proxycache/admin_org': 'created',
      'proxycache/proxytest': 'created',
    });
    assert.equal(quay.state.orgs.get('proxytest')?.proxyCache?.upstreamRegistry, upstream.host);
  });

  test('create-robots --add-robot-account creates the personal and the organization robot', async () => {
    const result = await runCli('create-robots', [
      '--config-file',
      config,
      '--add-robot-account',
      '--skip-tls-verify',
      '--debug',
      '--output',
      'json',
    ]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(actions(reportOf(result)), {
      'robot/quayadmin+test': 'created',
      'robot/admin_org+test': 'created',
    });
    assert.ok(quay.state.robots.has('quayadmin+test') && quay.state.robots.has('admin_org+test'));
  });

  test('each of them run again reports no change', async () => {
    for (const [task, flag] of [
      ['quay-init', '--manage-orgs'],
      ['proxycache', '--add-proxycache'],
      ['create-robots', '--add-robot-account'],
    ] as const) {
      const result = await runCli(task, ['--config-file', config, flag, '--output', 'json']);
      assert.equal(result.exitCode, 0, `${task}: ${result.stderr}`);
      assert.equal(reportOf(result).changed, 0, `${task}: ${result.stdout}`);
    }
  });
});
