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
    flags: string[] = [],
  ) {
    const args = files.flatMap((f) => ['--config', f]);
    const result = await runCli(task, [...args, ...flags, '--output', 'json'], {
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

  describe('a config in the original format: errors name the key the user wrote', () => {
    function original(lines: string): string {
      return `primary_server: ${tripwire.url}\nprimary_token: abc-123\nprimary_quay_user: quayadmin\n${lines}`;
    }

    test('missing key: a mirror without secondary_server', async () => {
      const cfg = writeFile(dir, 'orig-missing.yaml', original('repositories: [ensono/alpine:v1.0]\n'));
      await expectConfigError(
        'mirror-repos',
        [cfg],
        [
          /secondary_server \(quay\.secondary\.url\): missing key: .*needs the secondary Quay/,
          /example: secondary_server: https:\/\//,
        ],
      );
    });

    test('wrong type: primary_token a list, robot_config.bot1.name a number', async () => {
      const cfg = writeFile(
        dir,
        'orig-type.yaml',
        'primary_server: https://a.example.com\nprimary_token: [1, 2]\n',
      );
      await expectConfigError(
        'create-robots',
        [cfg],
        [/primary_token \(quay\.primary\.token\): wrong value: got a list/],
      );
      const robots = writeFile(
        dir,
        'orig-type-robot.yaml',
        original('robot_config:\n  bot1: {name: 5, type: personal}\n'),
      );
      await expectConfigError(
        'create-robots',
        [robots],
        [
          /robot_config\.bot1\.name \(create-robots\.robots\[0\]\.name\): wrong type: got a number; expected a string/,
        ],
      );
    });

    test('an unknown key inside quay_secret_options is named, not ignored', async () => {
      const cfg = writeFile(
        dir,
        'orig-secret-options.yaml',
        original(
          'primary_quay_namespace: quay\nquay_secret_options: {super_users: [quayadmin], superusers: [x]}\n',
        ),
      );
      await expectConfigError('quay-init', [cfg], [/quay_secret_options\.superusers: unknown key/]);
    });

    test('env reference unset: primary_quay_password, with the word "password" as the other secrets', async () => {
      const cfg = writeFile(
        dir,
        'orig-env.yaml',
        original(
          'primary_quay_password: {env: QT_UNSET}\nsecondary_quay_password: password\norganizations: {ensono: {present: true}}\n',
        ),
      );
      await expectConfigError(
        'quay-init',
        [cfg],
        [/primary_quay_password \(quay\.primary\.password\): environment variable QT_UNSET is not set/],
      );
    });

    test('file reference missing: primary_quay_password', async () => {
      const cfg = writeFile(
        dir,
        'orig-file.yaml',
        original(
          `primary_quay_password: {file: ${dir}/no-such-password}\norganizations: {ensono: {present: true}}\n`,
        ),
      );
      await expectConfigError(
        'quay-init',
        [cfg],
        [/primary_quay_password \(quay\.primary\.password\): cannot read file .*no-such-password \(ENOENT\)/],
      );
    });
  });

  describe('values that would fail only at the first call, or do the wrong thing', () => {
    const robotSection = 'create-robots:\n  robots: [{name: r1, organization: org1}]\n';

    test('a Quay URL with credentials (never echoed), a query, a port out of range, /api/v1', async () => {
      const cases: [string, RegExp][] = [
        ['https://mirror:s3cr3t-pw@quay.example.com', /must not carry credentials/],
        ['https://quay.example.com/?tenant=1', /without a query/],
        ['https://quay.example.com:99999', /port 99999 is out of range/],
        ['https://quay.example.com/api/v1/', /without \/api\/v1/],
      ];
      for (const [url, pattern] of cases) {
        const cfg = writeFile(
          dir,
          'url.yaml',
          `quay:\n  primary: {url: '${url}', token: abc-123}\n${robotSection}`,
        );
        const result = await runCli('create-robots', ['--config', cfg], {
          env: { PATH: `${programs.binDir}:${process.env.PATH}` },
        });
        assert.equal(result.exitCode, 2, result.stderr);
        assert.match(result.stderr, /quay\.primary\.url: /);
        assert.match(result.stderr, pattern);
        assert.doesNotMatch(result.stderr, /s3cr3t/);
      }
    });

    test('a destination that is the source, by name or by URL', async () => {
      const cfg = writeFile(
        dir,
        'same.yaml',
        `${quay()}  again: {url: '${tripwire.url}/', token: abc-123}\nmirror-repos:\n  destinations: [again, primary]\n  repositories: [org1/web]\n`,
      );
      await expectConfigError(
        'mirror-repos',
        [cfg],
        [
          /mirror-repos\.destinations\[0\]: "again" has the same URL as the source "primary"/,
          /mirror-repos\.destinations\[1\]: is the source "primary" itself/,
        ],
        { QT_TOKEN: 'abcdef' },
      );
    });

    test('a robot declared both present and absent; an auth file that is a folder', async () => {
      const cfg = writeFile(
        dir,
        'robots-twice.yaml',
        `${quay()}create-robots:\n  robots:\n  - {name: r1, organization: org1}\n  - {name: r1, organization: org1, state: absent}\n  - {name: r2, organization: org1, authFile: ${dir}}\n`,
      );
      await expectConfigError(
        'create-robots',
        [cfg],
        [
          /create-robots\.robots\[1\]: declares robot org1\+r1 absent, and robots\[0\] declares it present/,
          /create-robots\.robots\[2\]\.authFile: .* is a folder/,
        ],
        { QT_TOKEN: 'abcdef' },
      );
    });

    test('flags that contradict or name nothing', async () => {
      const cfg = writeFile(dir, 'flags.yaml', `${quay()}${robotSection}`);
      await expectConfigError(
        'create-robots',
        [cfg],
        [/--configure-secondary-quay-server works on the instance "secondary", and --instance primary/],
        { QT_TOKEN: 'abcdef' },
        ['--configure-secondary-quay-server', '--instance', 'primary'],
      );
      const mirror = writeFile(
        dir,
        'tags.yaml',
        `${quay()}  b: {url: https://b.example.com, token: x}\nmirror-repos:\n  destinations: [b]\n  repositories: [org1/web]\n`,
      );
      await expectConfigError(
        'mirror-repos',
        [mirror],
        [/flag --tags: ",," names nothing/],
        { QT_TOKEN: 'abcdef' },
        ['--tags', ',,'],
      );
    });

    test('numbers: NaN, infinity and 2.5 are named as such', async () => {
      for (const [value, pattern] of [
        ['.nan', /got NaN \(not a number\); expected a number/],
        ['.inf', /got an infinite number; expected a number/],
        ['2.5', /got 2\.5 \(not a whole number\); expected an integer/],
      ] as const) {
        const cfg = writeFile(
          dir,
          'number.yaml',
          `${quay()}mirror-repos:\n  concurrency: ${value}\n  destinations: [primary]\n`,
        );
        await expectConfigError(
          'mirror-repos',
          [cfg],
          [new RegExp(`mirror-repos\\.concurrency: .*${pattern.source}`)],
          {
            QT_TOKEN: 'abcdef',
          },
        );
      }
    });

    test('a YAML alias bomb is refused without expanding it', async () => {
      const lines = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
      const names = 'abcdefghi';
      for (let i = 1; i < names.length; i++)
        lines.push(
          `${names[i]}: &${names[i]} [${Array(9)
            .fill(`*${names[i - 1]}`)
            .join(', ')}]`,
        );
      const cfg = writeFile(dir, 'bomb.yaml', `${lines.join('\n')}\n`);
      await expectConfigError(
        'mirror-repos',
        [cfg],
        [/refused: its aliases \(\*name\) expand it to 4\.\de\+8 values/],
      );
    });
  });
});
