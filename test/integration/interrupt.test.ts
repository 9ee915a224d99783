import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { taskScript } from '../support/paths.js';
import { type QuayFixture, quayFixture, reportOf } from '../support/quay-fixture.js';
import { waitUntil } from '../support/wait-until.js';

/**
 * Tekton and GitHub stop a step with SIGTERM. The task then still prints its report, listing exactly
 * what was done before, and exits 143.
 */
let fx: QuayFixture;
before(async () => {
  fx = await quayFixture();
  fx.quay.seed.org('team-alpha', { owner: 'admin' });
  // The second robot's lookup hangs, as a stuck Quay would.
  fx.quay.faults.add({
    path: '/api/v1/organization/team-alpha/robots/second',
    action: { type: 'delay', ms: 120_000 },
  });
});
after(() => fx.quay.close());

test('SIGTERM mid-run: the report lists what was done, then exit 143', async () => {
  const cfg = fx.config(
    'create-robots:\n  robots: [{name: first, organization: team-alpha}, {name: second, organization: team-alpha}]\n',
  );
  const child = execa('node', [taskScript('create-robots'), '--config', cfg, '--output', 'json'], {
    env: { PATH: process.env.PATH, QT_TOKEN: fx.adminToken },
    extendEnv: false,
    reject: false,
  });
  await waitUntil(
    'the run to be stuck on the second robot',
    () => fx.quay.requestsTo({ path: '/api/v1/organization/team-alpha/robots/second' }).length > 0,
  );
  assert.ok(fx.quay.state.robots.has('team-alpha+first'), 'the first robot was created before the signal');
  child.kill('SIGTERM');
  const result = await child;
  assert.equal(result.exitCode, 143);
  const report = reportOf({ exitCode: 143, stdout: String(result.stdout), stderr: String(result.stderr) });
  assert.equal(report.ok, false);
  assert.match(report.error ?? '', /interrupted by SIGTERM/);
  assert.deepEqual(report.items, [{ ref: 'robot/team-alpha+first', action: 'created' }]);
});
