import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

test('SIGTERM while a cluster command runs: the report still comes, the command is stopped, exit 143', async () => {
  // A cluster CLI that hangs on its first call, as kubectl does against an API server that stops answering.
  const dir = mkdtempSync(join(tmpdir(), 'interrupt-cli-'));
  const pidFile = join(dir, 'kubectl.pid');
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'manifests'));
  writeFileSync(join(dir, 'bin', 'kubectl'), `#!/bin/sh\necho $$ > "${pidFile}"\nexec sleep 120\n`, {
    mode: 0o755,
  });
  writeFileSync(
    join(dir, 'manifests', '0001-config.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\ndata: {a: b}\n',
  );
  writeFileSync(join(dir, 'config.yaml'), 'cluster: {cli: kubectl}\n');
  try {
    const child = execa(
      'node',
      [
        taskScript('apply-ordered'),
        '--config',
        join(dir, 'config.yaml'),
        '--output',
        'json',
        join(dir, 'manifests'),
      ],
      { env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}` }, extendEnv: false, reject: false },
    );
    await waitUntil(
      'kubectl to be started',
      () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '',
    );
    const kubectlPid = Number(readFileSync(pidFile, 'utf8').trim());
    child.kill('SIGTERM');
    const result = await child;
    assert.equal(result.exitCode, 143, String(result.stderr));
    const report = reportOf({ exitCode: 143, stdout: String(result.stdout), stderr: String(result.stderr) });
    assert.match(report.error ?? '', /interrupted by SIGTERM/);
    await waitUntil('the hung kubectl to be stopped', () => !processExists(kubectlPid));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
