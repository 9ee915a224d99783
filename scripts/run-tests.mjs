#!/usr/bin/env node
/**
 * Runs the built tests (dist/test/**\/*.test.js, or the files given) with node's test runner under the
 * project's time limits, so that no test file can hang a run:
 *   --test-timeout     every test and every hook (before/after included) fails after TEST_TIMEOUT_MS;
 *   --test-force-exit  a file whose tests are over exits even if something it started still holds the
 *                      event loop (a registry a failed before() never stopped); the test helpers that start
 *                      processes kill them on the file's exit;
 *   a watchdog         the whole run is stopped after RUN_TIMEOUT_MS, naming the limit;
 *   a process group    when the run ends, anything still running that a test started is killed.
 *
 *   node scripts/run-tests.mjs [FILE...]     run (default: every dist/test/**\/*.test.js, sorted)
 *   node scripts/run-tests.mjs --print-config  print the runner's argv as JSON (checked by a test)
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * Per test and per hook. The slowest test today takes about 30 s on 2 busy cores. QUAY_TASKS_TEST_TIMEOUT_MS
 * lowers it (the runner's own test uses a short one).
 */
const TEST_TIMEOUT_MS = Number(process.env.QUAY_TASKS_TEST_TIMEOUT_MS) || 180_000;
/** The whole run; a full run takes under 3 minutes. */
const RUN_TIMEOUT_MS = 20 * 60_000;

/** Every built test, but those against real Quay (dist/test/real-quay/, `npm run test:real-quay`). */
function allTestFiles() {
  const dir = join(ROOT, 'dist', 'test');
  return readdirSync(dir, { recursive: true })
    .filter((name) => String(name).endsWith('.test.js') && !String(name).startsWith('real-quay/'))
    .map((name) => relative(ROOT, join(dir, String(name))))
    .sort();
}

const given = process.argv.slice(2);
const printConfig = given.includes('--print-config');
const files = given.filter((arg) => arg !== '--print-config');
const argv = [
  '--test',
  '--test-concurrency=2',
  `--test-timeout=${TEST_TIMEOUT_MS}`,
  '--test-force-exit',
  ...(files.length > 0 ? files : allTestFiles()),
];

if (printConfig) {
  process.stdout.write(`${JSON.stringify({ node: process.execPath, argv, runTimeoutMs: RUN_TIMEOUT_MS })}\n`);
  process.exit(0);
}

// In a process group of its own, so that whatever a test file started and left behind (a file SIGKILLed
// after a hook timed out cannot stop its children) is stopped with the group when the run ends.
const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: 'inherit', detached: true });
const killGroup = (signal) => {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is empty: nothing left behind
  }
};
const watchdog = setTimeout(() => {
  process.stderr.write(`run-tests: the run exceeded ${RUN_TIMEOUT_MS / 60_000} minutes; stopping it\n`);
  killGroup('SIGTERM');
  setTimeout(() => killGroup('SIGKILL'), 10_000).unref();
}, RUN_TIMEOUT_MS);
watchdog.unref();
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => killGroup(signal));
child.on('exit', (code, signal) => {
  clearTimeout(watchdog);
  killGroup('SIGKILL');
  process.exit(code ?? (signal ? 1 : 0));
});
