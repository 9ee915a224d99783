import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type QuayFixture, quayFixture } from '../support/quay-fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir, writeFile } from '../support/temp.js';

/**
 * Secrets given by env or file must never show in stdout, stderr, the JSON report, Tekton results or
 * GitHub outputs and summary — also where a secret value turns up in a non-secret place (an
 * organization named like it, an invalid value that an error message quotes). Under GitHub Actions the
 * one allowed occurrence is the `::add-mask::` line that tells the runner to hide it.
 */
const ENV_SECRET = 'env-s3cr3t-value-7f3a';
const FILE_SECRET = 'file-s3cr3t-value-91c2';
/** The password of an instance create-robots does not use, and the name of an organization. */
const UNUSED_SECRET = 'other-instance-value-55';

let fx: QuayFixture;
before(async () => {
  fx = await quayFixture();
  // Organizations named like the secrets, so the values reach refs, details and error messages.
  fx.quay.seed.org(ENV_SECRET, { owner: 'admin' });
  fx.quay.seed.org(FILE_SECRET, { owner: 'admin' });
  fx.quay.seed.org(UNUSED_SECRET, { owner: 'admin' });
});
after(() => fx.quay.close());

function everywhere(dir: string, stdout: string, stderr: string): string {
  const results = join(dir, 'results');
  const resultText = readdirSync(results)
    .map((f) => readFileSync(join(results, f), 'utf8'))
    .join('\n');
  return [
    stdout,
    stderr,
    resultText,
    readFileSync(join(dir, 'gh-output'), 'utf8'),
    readFileSync(join(dir, 'gh-summary'), 'utf8'),
  ].join('\n');
}

function setup(body: (secretFile: string) => string) {
  const dir = tempDir();
  const secretFile = writeFile(dir, 'password', `${FILE_SECRET}\n`);
  const cfg = writeFile(dir, 'config.yaml', body(secretFile));
  writeFile(dir, 'gh-output', '');
  writeFile(dir, 'gh-summary', '');
  const env = {
    QT_PASSWORD: ENV_SECRET,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: join(dir, 'gh-output'),
    GITHUB_STEP_SUMMARY: join(dir, 'gh-summary'),
  };
  const args = [
    '--config',
    cfg,
    '--output',
    'json',
    '--results-dir',
    join(dir, 'results'),
    '--log-level',
    'debug',
  ];
  return { dir, env, args };
}

/** The only lines allowed to hold a secret tell the runner to mask it (also as part of e.g. `Bearer <token>`). */
function assertOnlyMasked(text: string, secret: string) {
  for (const line of text.split('\n')) {
    if (line.includes(secret)) assert.ok(line.startsWith('::add-mask::'), `secret leaked in: ${line}`);
  }
}

/**
 * The file secret is the cluster's password (create-robots loads the cluster section for pull secrets) and
 * the `backup` instance's password: a task masks the secrets it loads, and a failed validation, which
 * cannot tell which instance the task would use, masks every instance's.
 */
const quaySection = (secretFile: string) =>
  `quay:\n  primary: {url: ${fx.quay.url}, token: {env: QT_TOKEN}, username: admin, password: {env: QT_PASSWORD}}\n  backup: {url: ${fx.quay.url}, password: {file: ${secretFile}}}\ncluster: {password: {file: ${secretFile}}}\n`;

test('secrets that also appear as plain values are masked in every output of a run, failures included', async () => {
  const { dir, env, args } = setup(
    (secretFile) => `${quaySection(secretFile)}create-robots:
  robots:
    - {name: deployer, organization: ${ENV_SECRET}, permissions: [{repository: missing, role: read}]}
    - {name: builder, organization: ${FILE_SECRET}}
`,
  );
  const result = await fx.run('create-robots', args, env);
  // The first robot fails (no such repository): its error message quotes the organization — a secret.
  assert.equal(result.exitCode, 1, result.stderr);
  const all = everywhere(dir, result.stdout, result.stderr);
  assertOnlyMasked(all, ENV_SECRET);
  assertOnlyMasked(all, FILE_SECRET);
  assertOnlyMasked(all, fx.adminToken);
  // The values were there to leak: the report lists both robots and the error, masked.
  const report = JSON.parse(result.stdout) as { items: { ref: string; action: string; error?: string }[] };
  assert.deepEqual(
    report.items.map((i) => [i.ref, i.action]),
    [
      ['robot/***+deployer', 'failed'],
      ['robot/***+builder', 'created'],
    ],
  );
  // (refused before any call: Quay grants permissions only on existing repositories)
  assert.match(report.items[0]?.error ?? '', /permissions on \*\*\*\/missing: no such repository/);
  // The runner is told to mask every configured secret before any other line is printed.
  const lines = result.stderr.split('\n');
  const firstOther = lines.findIndex((l) => !l.startsWith('::add-mask::'));
  for (const secret of [ENV_SECRET, FILE_SECRET, fx.adminToken]) {
    const at = lines.indexOf(`::add-mask::${secret}`);
    assert.ok(
      at >= 0 && at < firstOther,
      `mask for a secret comes first (at ${at}, first other line ${firstOther})`,
    );
  }
});

test('secrets are masked inside error messages of a failed validation', async () => {
  const { dir, env, args } = setup(
    (secretFile) => `${quaySection(secretFile)}mirror-repos:
  engine: ${ENV_SECRET}
  repositories: [${FILE_SECRET}]
`,
  );
  const result = await runCli('mirror-repos', args, { env });
  assert.equal(result.exitCode, 2);
  // The errors are there, quoting the offending values — masked.
  assert.match(result.stderr, /mirror-repos\.engine: wrong value: got "\*\*\*"/);
  assert.match(result.stderr, /mirror-repos\.repositories\[0\]: got "\*\*\*"/);
  const all = everywhere(dir, result.stdout, result.stderr);
  assertOnlyMasked(all, ENV_SECRET);
  assertOnlyMasked(all, FILE_SECRET);
});

test('without GitHub Actions no secret appears at all, not even as a mask command', async () => {
  const dir = tempDir();
  const secretFile = writeFile(dir, 'password', FILE_SECRET);
  const cfg = writeFile(
    dir,
    'config.yaml',
    `${quaySection(secretFile)}create-robots:\n  robots: [{name: bot, organization: ${ENV_SECRET}}]\n`,
  );
  const result = await fx.run(
    'create-robots',
    ['--config', cfg, '--debug', '--output', 'json', '--dry-run'],
    { QT_PASSWORD: ENV_SECRET },
  );
  assert.equal(result.exitCode, 0, result.stderr);
  const all = `${result.stdout}\n${result.stderr}`;
  assert.ok(!all.includes(ENV_SECRET));
  assert.ok(!all.includes(FILE_SECRET));
  assert.ok(!all.includes(fx.adminToken));
  assert.match(all, /robot\/\*\*\*\+bot/);
});

test('a secret of an instance the task does not use is not read, nor masked into its output; used ones are', async () => {
  const dir = tempDir();
  const unused = UNUSED_SECRET;
  const unusedFile = writeFile(dir, 'other-password', `${unused}\n`);
  const cfg = writeFile(
    dir,
    'config.yaml',
    `quay:
  primary: {url: ${fx.quay.url}, token: {env: QT_TOKEN}, password: {env: QT_PASSWORD}}
  other: {url: https://other.example.com, token: {env: QT_UNSET_OTHER_TOKEN}, password: {file: ${unusedFile}}}
create-robots:
  robots: [{name: bot, organization: ${unused}}, {name: bot, organization: ${ENV_SECRET}}]
`,
  );
  const result = await fx.run(
    'create-robots',
    ['--config', cfg, '--debug', '--output', 'json', '--dry-run'],
    {
      QT_PASSWORD: ENV_SECRET,
    },
  );
  // The other instance's unset variable is no error: its secrets are not read.
  assert.equal(result.exitCode, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { items: { ref: string }[] };
  assert.deepEqual(
    report.items.map((i) => i.ref),
    [`robot/${unused}+bot`, 'robot/***+bot'],
  );
  const all = `${result.stdout}\n${result.stderr}`;
  assert.ok(!all.includes(ENV_SECRET));
  assert.ok(!all.includes(fx.adminToken));
});

test('--debug prints the config the task uses: no other section, no literal secret of another instance', async () => {
  const dir = tempDir();
  const cfg = writeFile(
    dir,
    'config.yaml',
    `quay:
  primary: {url: ${fx.quay.url}, token: {env: QT_TOKEN}}
  other: {url: https://other.example.com, token: literal-other-token-8d1}
proxycache:
  caches: [{organization: cache1, upstream: quay.io, username: u, password: literal-upstream-pw-2c4}]
create-robots:
  robots: [{name: bot, organization: ${UNUSED_SECRET}}]
`,
  );
  const result = await fx.run('create-robots', ['--config', cfg, '--debug', '--dry-run'], {});
  assert.equal(result.exitCode, 0, result.stderr);
  const debugLine = result.stderr.split('\n').find((line) => line.startsWith('debug: config: '));
  assert.ok(debugLine, result.stderr);
  assert.match(debugLine, /"create-robots":\{/);
  assert.doesNotMatch(debugLine, /proxycache/);
  assert.ok(!result.stderr.includes('literal-other-token-8d1'));
  assert.ok(!result.stderr.includes('literal-upstream-pw-2c4'));
  assert.ok(!result.stderr.includes(fx.adminToken));
});

for (const secret of ['password', 'token', 'quay', 'true']) {
  test(`a secret equal to "${secret}" masks values only: key paths, the task name and report keys stay`, async () => {
    const dir = tempDir();
    const cfg = writeFile(
      dir,
      'config.yaml',
      `quay:\n  primary: {url: https://quay.example.com, token: {env: QT_SECRET}, password: {env: QT_UNSET_VAR}}\ncreate-robots: {robots: []}\n`,
    );
    const result = await runCli(
      'quay-init',
      ['--config', cfg, '--output', 'json', '--results-dir', join(dir, 'results')],
      { env: { QT_SECRET: secret } },
    );
    assert.equal(result.exitCode, 2, result.stderr);
    assert.match(
      result.stderr,
      /error: config error:\n {2}- quay\.primary\.password: environment variable QT_UNSET_VAR is not set/,
    );
    assert.match(result.stderr, /quay-init: FAILED: nothing was done/);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(report.task, 'quay-init');
    assert.deepEqual(Object.keys(report), [
      'task',
      'ok',
      'dryRun',
      'changed',
      'failed',
      'items',
      'durationMs',
      'error',
    ]);
    assert.match(
      String(report.error),
      /quay\.primary\.password: environment variable QT_UNSET_VAR is not set/,
    );
    assert.equal(readFileSync(join(dir, 'results', 'ok'), 'utf8'), 'false');
    assert.ok(!result.stdout.includes('***') && !result.stderr.includes('***'), result.stderr);

    // A valid run: the task's own wording and the results (ok=true) stay whole.
    const valid = writeFile(
      dir,
      'valid.yaml',
      'quay:\n  primary: {url: https://quay.example.com, token: {env: QT_SECRET}}\n',
    );
    const ok = await runCli(
      'quay-init',
      ['--config', valid, '--validate-config', '--output', 'json', '--results-dir', join(dir, 'ok-results')],
      { env: { QT_SECRET: secret } },
    );
    assert.equal(ok.exitCode, 0, ok.stderr);
    assert.match(ok.stderr, /^quay-init: the configuration is valid$/m);
    assert.equal(readFileSync(join(dir, 'ok-results', 'ok'), 'utf8'), 'true');
    assert.equal((JSON.parse(ok.stdout) as { task: string }).task, 'quay-init');
  });
}
