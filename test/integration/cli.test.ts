import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { execa } from 'execa';
import { ACTIONS } from '../../src/ci/report.js';
import { taskScript } from '../support/paths.js';
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

function sampleConfig(dir: string): string {
  return writeFile(
    dir,
    'config.yaml',
    [
      'quay:',
      '  primary: {url: https://quay-a.example.com, token: {env: QT_TOKEN}}',
      '  secondary: {url: https://quay-b.example.com}',
      'mirror-repos:',
      '  repositories: [team-alpha/web:1.4.2, team-alpha/api]',
    ].join('\n'),
  );
}

test('--output json prints exactly one report document on stdout with the documented fields', async () => {
  const dir = tempDir();
  const result = await runCli(
    'mirror-repos',
    ['--config', sampleConfig(dir), '--dry-run', '--output', 'json'],
    { env: { QT_TOKEN: 'tok-123456' } },
  );
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
  assert.equal(report.task, 'mirror-repos');
  assert.equal(report.ok, true);
  assert.equal(report.dryRun, true);
  const items = report.items as { ref: string; action: string }[];
  assert.deepEqual(
    items.map((i) => i.ref),
    ['primary/team-alpha/web:1.4.2 → secondary', 'primary/team-alpha/api → secondary'],
  );
  for (const item of items) assert.ok((ACTIONS as readonly string[]).includes(item.action));
  assert.match(result.stderr, /mirror-repos: done \(dry run\): 2 planned/);
});

test('without --dry-run a task that cannot act yet fails (exit 1), says so, and reports it', async () => {
  const dir = tempDir();
  const result = await runCli('mirror-repos', ['--config', sampleConfig(dir), '--output', 'json'], {
    env: { QT_TOKEN: 'tok-123456' },
  });
  assert.equal(result.exitCode, 1);
  const report = JSON.parse(result.stdout) as { ok: boolean; error: string };
  assert.equal(report.ok, false);
  assert.match(report.error, /not implemented yet\. Nothing was changed/);
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
  const dir = tempDir();
  const results = join(dir, 'results');
  const result = await runCli(
    'mirror-repos',
    ['--config', sampleConfig(dir), '--dry-run', '--results-dir', results],
    { env: { QT_TOKEN: 'tok-123456' } },
  );
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(readFileSync(join(results, 'ok'), 'utf8'), 'true');
  assert.equal(readFileSync(join(results, 'changed'), 'utf8'), '0');
  assert.equal(readFileSync(join(results, 'failed'), 'utf8'), '0');
  assert.equal(readFileSync(join(results, 'summary'), 'utf8'), '2 planned');
});

test('GitHub Actions: inputs from INPUT_*, outputs to $GITHUB_OUTPUT, a Markdown step summary, ::error:: on failure', async () => {
  const dir = tempDir();
  const outputFile = writeFile(dir, 'output', '');
  const summaryFile = writeFile(dir, 'summary.md', '');
  const env = {
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    INPUT_CONFIG: sampleConfig(dir),
    'INPUT_DRY-RUN': 'true',
    QT_TOKEN: 'tok-123456',
  };
  const ok = await runCli('mirror-repos', [], { env });
  assert.equal(ok.exitCode, 0, ok.stderr);
  assert.match(ok.stderr, /^::group::mirror-repos \(dry run\)\nplan: [\s\S]*\n::endgroup::$/m);
  assert.equal(readFileSync(outputFile, 'utf8'), 'ok=true\nchanged=0\nfailed=0\nsummary=2 planned\n');
  const summary = readFileSync(summaryFile, 'utf8');
  assert.match(summary, /### ✅ mirror-repos \(dry run\)/);
  assert.match(summary, /\| primary\/team-alpha\/web:1\.4\.2 → secondary \| planned \|/);

  const failing = await runCli('mirror-repos', [], { env: { ...env, 'INPUT_DRY-RUN': 'false' } });
  assert.equal(failing.exitCode, 1);
  assert.match(failing.stderr, /^::error::mirror-repos: this version validates/m);
});

test('--log-level error keeps stderr quiet on success; --debug shows the resolved config with secrets masked', async () => {
  const dir = tempDir();
  const quiet = await runCli(
    'mirror-repos',
    ['--config', sampleConfig(dir), '--dry-run', '--log-level', 'error'],
    { env: { QT_TOKEN: 'tok-123456' } },
  );
  assert.equal(quiet.exitCode, 0);
  assert.equal(quiet.stderr, '');
  const debug = await runCli('mirror-repos', ['--config', sampleConfig(dir), '--dry-run', '--debug'], {
    env: { QT_TOKEN: 'tok-123456' },
  });
  assert.match(debug.stderr, /debug: config: .*"token":"\*\*\*"/);
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
