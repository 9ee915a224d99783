import assert from 'node:assert/strict';
import { chmodSync, rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { taskScript } from '../support/paths.js';
import { type QuayFixture, quayFixture, reportOf } from '../support/quay-fixture.js';

/**
 * OpenShift's restricted-v2 SCC runs the image as an arbitrary UID in group 0, with no HOME of its own and
 * a project tree it cannot write. Every entrypoint must work so: run them as UID 1000650000, GID 0,
 * without HOME, from this root-owned checkout.
 */
const UID = 1000650000;
const TASKS = ['apply-ordered', 'quay-init', 'create-robots', 'proxycache', 'mirror-repos'];

let fx: QuayFixture;
before(async () => {
  assert.equal(
    process.getuid?.(),
    0,
    'this test switches to an arbitrary UID and so must run as root (as CI does)',
  );
  fx = await quayFixture();
  fx.quay.seed.org('team-alpha', { owner: 'admin' });
  // The config lives where that UID can read it.
  chmodSync(fx.dir, 0o755);
});
after(() => fx.quay.close());

function asArbitraryUser(task: string, args: string[], env: Record<string, string> = {}) {
  return execa('node', [taskScript(task), ...args], {
    uid: UID,
    gid: 0,
    cwd: '/',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    extendEnv: false,
    reject: false,
  });
}

test('--help, --version and --print-schema of every entrypoint', async () => {
  for (const task of TASKS) {
    for (const flag of ['--help', '--version', '--print-schema']) {
      const result = await asArbitraryUser(task, [flag]);
      assert.equal(result.exitCode, 0, `${task} ${flag}: ${String(result.stderr)}`);
    }
  }
});

test('a real run: create-robots against the emulated Quay, with an auth file under /tmp', async () => {
  // A folder that UID creates itself (the tool makes missing parents), removed at exit.
  const authDir = `/tmp/quay-tasks-uid-${process.pid}`;
  process.once('exit', () => rmSync(authDir, { recursive: true, force: true }));
  const cfg = fx.config(
    `create-robots:\n  robots: [{name: uidbot, organization: team-alpha, authFile: ${authDir}/auth.json}]\n`,
  );
  chmodSync(cfg, 0o644);
  const result = await asArbitraryUser('create-robots', ['--config', cfg, '--output', 'json'], {
    QT_TOKEN: fx.adminToken,
  });
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.deepEqual(
    reportOf({ exitCode: 0, stdout: String(result.stdout), stderr: '' }).items.map((i) => i.action),
    ['created', 'created'],
  );
});
