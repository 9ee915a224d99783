import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import { ACTIONS } from '../../src/report/report.js';
import { taskScript } from '../support/paths.js';
import { type QuayFixture, quayFixture } from '../support/quay-fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir, writeFile } from '../support/temp.js';

const TASKS = ['apply-ordered', 'quay-init', 'mirror-repos', 'proxycache', 'mirror-repos'];
const VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('every entrypoint', () => {
  for (const task of TASKS) {
    test(`${task}: --help, --version and --print-schema exit 0`, async () => {
      const help = await runCli(task, ['--help']);
      assert.equal(help.exitCode, 0);
      assert.match(help.stdout, new RegExp(`^${task} — `));
      for (const flag of [
        '--config',
        '--dry-run',
        '--output',
        '--log-level',
        '--results-dir',
        '--print-schema',
        '--skip-tls-verify',
        '--debug',
      ]) {
        assert.ok(help.stdout.includes(flag), `${task} --help lists ${flag}`);
      }
      const version = await runCli(task, ['--version']);
      assert.equal(version.stdout.trim(), `${task} ${VERSION}`);
      const schema = await runCli(task, ['--print-schema']);
      assert.equal(schema.exitCode, 0);
      const parsed = JSON.parse(schema.stdout) as { $schema: string; properties: Record<string, unknown> };
      assert.equal(parsed.$schema, 'https://json-schema.org/draft/2020-12/schema');
      assert.ok(task === 'apply-ordered' || 'quay' in parsed.properties);
    });

    test(`${task}: an unknown flag exits 2 naming it`, async () => {
      const result = await runCli(task, ['--no-such-flag']);
      assert.equal(result.exitCode, 2);
      assert.match(result.stderr, /unknown flag --no-such-flag/);
    });

    test(`${task}: quay-tasks ${task} dispatches to the same entrypoint`, async () => {
      const result = await execa('node', [taskScript('quay-tasks'), task, '--version'], { reject: false });
      assert.equal(result.exitCode, 0);
      assert.equal(String(result.stdout).trim(), `${task} ${VERSION}`);
    });
  }
});

test('quay-tasks with an unknown task exits 2 and lists the tasks', async () => {
  const result = await execa('node', [taskScript('quay-tasks'), 'mirror'], { reject: false });
  assert.equal(result.exitCode, 2);
  assert.match(String(result.stderr), /unknown task "mirror".*mirror-repos/);
});

test('a bad value for --output or --log-level exits 2 naming the flag', async () => {
  const output = await runCli('mirror-repos', ['--output', 'xml']);
  assert.equal(output.exitCode, 2);
  assert.match(output.stderr, /--output: "xml" is not one of text, json/);
  const level = await runCli('proxycache', ['--log-level=loud']);
  assert.equal(level.exitCode, 2);
  assert.match(level.stderr, /--log-level: "loud"/);
  const concurrency = await runCli('mirror-repos', ['--concurrency', 'many']);
  assert.equal(concurrency.exitCode, 2);
  assert.match(concurrency.stderr, /--concurrency: "many" is not a whole number/);
});

/** One emulated Quay for the report, results and GitHub tests: two robots to plan. */
let fx: QuayFixture;
before(async () => {
  fx = await quayFixture();
  fx.quay.seed.org('team-alpha', { owner: 'admin' });
});
after(() => fx.quay.close());

function sampleConfig(): string {
  return fx.config(
    'create-robots:\n  robots:\n    - {name: deployer, organization: team-alpha}\n    - {name: builder, organization: team-alpha}\n',
  );
}

test('--output json prints exactly one report document on stdout with the documented fields', async () => {
  const result = await fx.run('create-robots', ['--config', sampleConfig(), '--dry-run', '--output', 'json']);
  assert.equal(result.exitCode, 0, result.stderr);
  const report = JSON.parse(result.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(report).sort(), [
    'changed',
    'dryRun',
    'durationMs',
    'failed',
    'items',
    'ok',
    'task',
  ]);
  assert.equal(report.task, 'create-robots');
  assert.equal(report.ok, true);
  assert.equal(report.dryRun, true);
  const items = report.items as { ref: string; action: string }[];
  assert.deepEqual(
    items.map((i) => i.ref),
    ['robot/team-alpha+deployer', 'robot/team-alpha+builder'],
  );
  for (const item of items) assert.ok((ACTIONS as readonly string[]).includes(item.action));
  assert.match(result.stderr, /create-robots: done \(dry run\): 2 planned/);
});

test('an operation failure exits 1 with the error in the report', async () => {
  const result = await fx.run('create-robots', ['--config', sampleConfig(), '--output', 'json'], {
    QT_TOKEN: 'NOTAVALIDTOKEN0000000000000000000000000',
  });
  assert.equal(result.exitCode, 1);
  const report = JSON.parse(result.stdout) as { ok: boolean; failed: number };
  assert.equal(report.ok, false);
  assert.equal(report.failed, 2);
});

test('a task section naming an undefined Quay instance exits 2 naming the key', async () => {
  const dir = tempDir();
  const cfg = writeFile(
    dir,
    'c.yaml',
    'quay: {primary: {url: https://a.example.com}}\nmirror-repos: {destinations: [west]}\n',
  );
  const result = await runCli('mirror-repos', ['--config', cfg, '--dry-run']);
  assert.equal(result.exitCode, 2);
  assert.match(result.stderr, /mirror-repos\.destinations\[0\]: names Quay instance "west"/);
});

test('Tekton results: standard and task results, exact bytes, in --results-dir', async () => {
  const results = join(tempDir(), 'results');
  const result = await fx.run('create-robots', [
    '--config',
    sampleConfig(),
    '--dry-run',
    '--results-dir',
    results,
  ]);
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(readFileSync(join(results, 'ok'), 'utf8'), 'true');
  assert.equal(readFileSync(join(results, 'changed'), 'utf8'), '0');
  assert.equal(readFileSync(join(results, 'failed'), 'utf8'), '0');
  assert.equal(readFileSync(join(results, 'summary'), 'utf8'), '2 planned');
  assert.equal(readFileSync(join(results, 'robots'), 'utf8'), 'team-alpha+deployer,team-alpha+builder');
});

test('GitHub Actions: inputs from INPUT_*, outputs to $GITHUB_OUTPUT, a Markdown step summary, ::error:: on failure', async () => {
  const dir = tempDir();
  const outputFile = writeFile(dir, 'output', '');
  const summaryFile = writeFile(dir, 'summary.md', '');
  const env = {
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    INPUT_CONFIG: sampleConfig(),
    'INPUT_DRY-RUN': 'true',
  };
  const ok = await fx.run('create-robots', [], env);
  assert.equal(ok.exitCode, 0, ok.stderr);
  assert.match(ok.stderr, /^::group::create-robots \(dry run\)\n[\s\S]*\n::endgroup::$/m);
  assert.equal(
    readFileSync(outputFile, 'utf8'),
    'ok=true\nchanged=0\nfailed=0\nsummary=2 planned\nrobots=team-alpha+deployer,team-alpha+builder\n',
  );
  const summary = readFileSync(summaryFile, 'utf8');
  assert.match(summary, /### ✅ create-robots \(dry run\)/);
  assert.match(summary, /\| robot\/team-alpha\+deployer \| planned \|/);

  const failing = await fx.run('create-robots', [], {
    ...env,
    QT_TOKEN: 'NOTAVALIDTOKEN0000000000000000000000000',
  });
  assert.equal(failing.exitCode, 1);
  assert.match(failing.stderr, /^::error::robot\/team-alpha\+deployer: GET .* → 401 Unauthorized/m);
});

test('--log-level error keeps stderr quiet on success; --debug shows the resolved config with secrets masked', async () => {
  const quiet = await fx.run('create-robots', [
    '--config',
    sampleConfig(),
    '--dry-run',
    '--log-level',
    'error',
  ]);
  assert.equal(quiet.exitCode, 0);
  assert.equal(quiet.stderr, '');
  const debug = await fx.run('create-robots', ['--config', sampleConfig(), '--dry-run', '--debug']);
  assert.match(debug.stderr, /debug: config: .*"token":"\*\*\*"/);
  assert.ok(!debug.stderr.includes(fx.adminToken));
});

test('a tag filter with a bad regular expression or semver range exits 2 naming the key', async () => {
  const dir = tempDir();
  const cfg = writeFile(
    dir,
    'c.yaml',
    'quay: {primary: {url: https://a.example.com}, secondary: {url: https://b.example.com}}\nmirror-repos:\n  tags: {regex: "("}\n  repositories: [{repository: a/b, tags: {semver: ">=>=1"}}]\n',
  );
  const result = await runCli('mirror-repos', ['--config', cfg, '--validate-config']);
  assert.equal(result.exitCode, 2);
  assert.match(result.stderr, /mirror-repos\.tags\.regex: not a valid regular expression/);
  assert.match(result.stderr, /mirror-repos\.repositories\[0\]\.tags\.semver: not a valid semver range/);
});
