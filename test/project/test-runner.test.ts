/**
 * The test runner itself (scripts/run-tests.mjs): every test file runs under a time limit, and a suite
 * whose set-up fails ends promptly, says why, and leaves no process it started behind.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { execa } from 'execa';
import { REPO_ROOT } from '../support/paths.js';
import { tempDir } from '../support/temp.js';
import { waitUntil } from '../support/wait-until.js';

const RUNNER = join(REPO_ROOT, 'scripts', 'run-tests.mjs');
const FIXTURE = relative(
  REPO_ROOT,
  join(REPO_ROOT, 'dist', 'test', 'fixtures', 'harness', 'failing-set-up.js'),
);

/** A folder of links to every program on this PATH except `left out`: a machine without that package. */
function pathWithout(leftOut: string): string {
  const dir = tempDir('path-without-');
  for (const bin of (process.env.PATH ?? '').split(':')) {
    if (!existsSync(bin)) continue;
    for (const name of readdirSync(bin)) {
      if (name === leftOut || existsSync(join(dir, name))) continue;
      symlinkSync(join(bin, name), join(dir, name));
    }
  }
  return dir;
}

/** Gone, or a zombie nobody reaped yet: either way no longer running. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

describe('scripts/run-tests.mjs', () => {
  test('runs every built test file with a per-test and per-hook time limit and force-exit', async () => {
    const { stdout } = await execa('node', [RUNNER, '--print-config'], { cwd: REPO_ROOT });
    const config = JSON.parse(stdout) as { argv: string[]; runTimeoutMs: number };
    const timeout = config.argv.find((arg) => arg.startsWith('--test-timeout='));
    assert.ok(timeout, `no --test-timeout in ${config.argv.join(' ')}`);
    const ms = Number(timeout.split('=')[1]);
    assert.ok(ms > 0 && ms <= 300_000, `--test-timeout is ${ms} ms`);
    assert.ok(config.argv.includes('--test-force-exit'), 'files exit when their tests are over');
    assert.ok(config.runTimeoutMs > 0 && config.runTimeoutMs <= 30 * 60_000, 'the whole run has a limit');
    const built = readdirSync(join(REPO_ROOT, 'dist', 'test'), { recursive: true })
      .map(String)
      .filter((name) => name.endsWith('.test.js'))
      .map((name) => `dist/test/${name}`)
      .sort();
    const files = config.argv.filter((arg) => arg.endsWith('.test.js'));
    // Those against real Quay run in `npm run test:real-quay` (they need real Quay's Debian packages).
    const realQuay = built.filter((name) => name.startsWith('dist/test/real-quay/'));
    assert.ok(realQuay.length > 0, 'the real-Quay tests are built');
    assert.deepEqual(
      files,
      built.filter((name) => !realQuay.includes(name)),
      'every built test file but the real-Quay ones is run',
    );
    assert.ok(files.includes(`dist/test/project/${basename(import.meta.url)}`));
  });

  test('npm test runs the runner after the set-up check, not node --test directly', () => {
    const scripts = (
      JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    assert.equal(scripts.test, 'node scripts/setup.mjs && npm run build && node scripts/run-tests.mjs');
  });

  for (const harnessCase of ['missing-program', 'hung'] as const) {
    test(`a failed before() (${harnessCase}) ends the file promptly with the reason and stops its registry`, async () => {
      const pidFile = join(tempDir('harness-'), 'pid');
      const result = await execa('node', [RUNNER, FIXTURE], {
        cwd: REPO_ROOT,
        reject: false,
        all: true,
        timeout: 90_000,
        env: {
          // Set by node's runner for the file it runs; a nested runner seeing it would skip its files.
          NODE_TEST_CONTEXT: undefined,
          PATH: pathWithout('htpasswd'),
          HARNESS_CASE: harnessCase,
          HARNESS_PID_FILE: pidFile,
          QUAY_TASKS_TEST_TIMEOUT_MS: '3000',
        },
      });
      assert.equal(result.timedOut, false, `the runner hung:\n${result.all}`);
      assert.notEqual(result.exitCode, 0, result.all);
      const reason =
        harnessCase === 'hung' ? /timed out after 3000ms/ : /htpasswd is missing: .*apache2-utils/;
      assert.match(result.all ?? '', reason);
      const pid = Number(readFileSync(pidFile, 'utf8'));
      assert.ok(pid > 0, 'the first registry was started');
      await waitUntil(`registry ${pid} to be gone`, () => !running(pid), 10_000);
    });
  }
});
