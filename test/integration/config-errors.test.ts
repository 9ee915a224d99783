import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../support/run-cli.js';
import { tempDir, writeFile } from '../support/temp.js';
import { fakePrograms, startTcpTripwire } from '../support/tripwires.js';

/**
 * One test per class of config error. Each runs a real entrypoint (without --dry-run, so it would act)
 * against a config whose Quay URL points at a TCP tripwire and with fake oc/kubectl/podman/skopeo first
 * on PATH, and asserts: exit 2, the key path in the message, no connection made and no program started.
 */
describe('config errors exit 2 before any action', () => {
  let tripwire: Awaited<ReturnType<typeof startTcpTripwire>>;
  const dir = tempDir();
  const programs = fakePrograms(dir);

  before(async () => {
    tripwire = await startTcpTripwire();
  });
  after(() => tripwire.close());

  async function expectConfigError(
    task: string,
    files: string[],
    expected: RegExp[],
    env: Record<string, string> = {},
  ) {
    const args = files.flatMap((f) => ['--config', f]);
    const result = await runCli(task, [...args, '--output', 'json'], {
      env: { ...env, PATH: `${programs.binDir}:${process.env.PATH}` },
    });
    assert.equal(result.exitCode, 2, result.stderr);
    for (const pattern of expected) assert.match(result.stderr, pattern);
    const report = JSON.parse(result.stdout) as { ok: boolean; items: unknown[]; changed: number };
    assert.equal(report.ok, false);
    assert.deepEqual(report.items, []);
    assert.equal(tripwire.connections(), 0, 'nothing was contacted');
    assert.deepEqual(programs.invocations(), [], 'nothing was started');
  }

  function quay(extra = ''): string {
    return `quay:\n  primary:\n    url: ${tripwire.url}\n    token: {env: QT_TOKEN}\n${extra}`;
  }

  test('missing required key', async () => {
    const cfg = writeFile(dir, 'missing.yaml', 'quay:\n  primary: {token: abc-123}\n');
    await expectConfigError(
      'create-robots',
      [cfg],
      [/quay\.primary\.url: missing required key/, /example: url: https:\/\/quay\.example\.com/],
    );
  });

  test('wrong type', async () => {
    const cfg = writeFile(
      dir,
      'type.yaml',
      `${quay()}mirror-repos:\n  concurrency: eight\n  destinations: [primary]\n`,
    );
    await expectConfigError(
      'mirror-repos',
      [cfg],
      [/mirror-repos\.concurrency: wrong type: got a string; expected a number; example: concurrency: 6/],
      {
        QT_TOKEN: 'abcdef',
      },
    );
  });

  test('unknown key', async () => {
    const cfg = writeFile(
      dir,
      'unknown.yaml',
      `${quay('    tokn: x\n')}proxycache:\n  caches: []\n  overwrites: true\n`,
    );
    await expectConfigError(
      'proxycache',
      [cfg],
      [
        /quay\.primary\.tokn: unknown key \(did you mean "token"\?\)/,
        /proxycache\.overwrites: unknown key \(did you mean "overwrite"\?\)/,
      ],
      { QT_TOKEN: 'abcdef' },
    );
  });

  test('bad {env} reference: unset variable', async () => {
    const cfg = writeFile(dir, 'env.yaml', `${quay()}create-robots: {robots: []}\n`);
    await expectConfigError(
      'create-robots',
      [cfg],
      [/quay\.primary\.token: environment variable QT_TOKEN is not set/],
    );
  });

  test('bad {env} reference: not a variable name', async () => {
    const cfg = writeFile(
      dir,
      'envname.yaml',
      'quay:\n  primary: {url: https://a.example.com, token: {env: "1-bad"}}\n',
    );
    await expectConfigError(
      'create-robots',
      [cfg],
      [/quay\.primary\.token\.env: .*an environment variable name/],
    );
  });

  test('bad {file} reference: no such file, and a folder', async () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder, { recursive: true });
    const cfg = writeFile(
      dir,
      'file.yaml',
      `quay:\n  primary: {url: ${tripwire.url}, token: {file: ${dir}/no-such-token}, password: {file: ${folder}}}\n`,
    );
    await expectConfigError(
      'quay-init',
      [cfg],
      [
        /quay\.primary\.token: cannot read file .*no-such-token \(ENOENT\)/,
        /quay\.primary\.password: cannot read file .*a-folder \(EISDIR\)/,
      ],
    );
  });

  test('unreadable config file: missing, and a folder', async () => {
    await expectConfigError(
      'mirror-repos',
      [join(dir, 'nope.yaml'), dir],
      [/config file not found \[.*nope\.yaml\]/, /cannot read the config file \(EISDIR\)/],
    );
  });

  test('invalid YAML names the line and column', async () => {
    const cfg = writeFile(dir, 'invalid.yaml', 'quay:\n  primary: {url: https://a.example.com\n');
    await expectConfigError(
      'apply-ordered',
      [cfg],
      [/invalid YAML at line \d+, column \d+/, /invalid\.yaml/],
    );
  });

  test('a document that is not a mapping', async () => {
    const cfg = writeFile(dir, 'list.yaml', '- a\n- b\n');
    await expectConfigError('apply-ordered', [cfg], [/the file must hold a mapping of sections/]);
  });
});
