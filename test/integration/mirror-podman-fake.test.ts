/**
 * engine: podman with a fake `podman` first on PATH that records every call (argv, stdin, the sandbox
 * variables, the auth file's mode, what each --cert-dir holds): passwords go in on stdin only, never in an
 * argument list or the task's output; every call runs in the private sandbox, which is gone afterwards;
 * --tls-verify=false only for insecureSkipTlsVerify and plain http; caBundle as a --cert-dir holding only
 * ca.crt. Real registries (TLS + htpasswd, TLS, http + htpasswd) and an emulated Quay make the plan. And a
 * missing podman is a clear failure (exit 1) before anything is contacted.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import { RegistryClient } from '../../src/registry/index.js';
import { type MirrorQuay, registryInstance, runMirror, startMirrorQuay } from '../support/mirror-fixture.js';
import { taskScript } from '../support/paths.js';
import { image, pushImage } from '../support/registry-images.js';
import { type RegistryServer, startRegistryServer } from '../support/registry-server.js';
import { tempDir, writeFile } from '../support/temp.js';
import { waitUntil } from '../support/wait-until.js';

const SOURCE_PASSWORD = 'pw-source-9d2e7b1';
const FILE_PASSWORD = 'pw-authfile-5a8c3f0';

interface PodmanCall {
  pid: number;
  args: string[];
  stdin: string;
  env: Record<string, string | undefined>;
  auth: { exists: boolean; mode?: string };
  certDirs: Record<string, string[]>;
}

/** A `podman` that answers like podman 4.3 and appends one JSON line per call to $FAKE_PODMAN_LOG. */
const FAKE_PODMAN = `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
const stdin = args.includes('--password-stdin') ? fs.readFileSync(0, 'utf8') : '';
const certDirs = {};
args.forEach((arg, i) => {
  if (arg === '--cert-dir') certDirs[args[i + 1]] = fs.readdirSync(args[i + 1]).sort();
});
const env = {};
for (const name of ['REGISTRY_AUTH_FILE', 'CONTAINERS_CONF', 'CONTAINERS_REGISTRIES_CONF', 'CONTAINERS_STORAGE_CONF', 'TMPDIR'])
  env[name] = process.env[name];
let auth = { exists: false };
try {
  auth = { exists: true, mode: (fs.statSync(env.REGISTRY_AUTH_FILE).mode & 0o777).toString(8) };
} catch {}
fs.appendFileSync(process.env.FAKE_PODMAN_LOG, JSON.stringify({ pid: process.pid, args, stdin, env, auth, certDirs }) + '\\n');
const withValue = new Set(['--root', '--runroot', '--tmpdir', '--storage-driver', '--cgroup-manager', '--events-backend']);
let i = 0;
while (i < args.length && withValue.has(args[i])) i += 2;
const command = args[i];
if (command === '--version') console.log('podman version 4.3.1-fake');
else if (command === 'login') console.log('Login Succeeded!');
else if (command === 'pull') console.log('1'.repeat(64));
else if (command === 'push') {
  if (process.env.FAKE_PODMAN_HANG_PUSH) setTimeout(() => {}, 120000);
  const at = args.indexOf('--digestfile');
  if (at >= 0) fs.writeFileSync(args[at + 1], 'sha256:' + 'f'.repeat(64));
}
`;

describe('mirror-repos engine: podman, calls recorded by a fake podman', () => {
  let src: RegistryServer;
  let skip: RegistryServer;
  let filed: RegistryServer;
  let quay: MirrorQuay;
  const dir = tempDir('podman-fake-');
  const bin = join(dir, 'bin');
  const authFile = join(dir, 'auth.json');

  const srcInstance = () =>
    `  src: {type: registry, url: ${src.url}, caBundle: ${src.caBundlePath}, username: alice, password: {env: SRC_PASSWORD}}`;
  const skipInstance = () => `  skip: {type: registry, url: ${skip.url}, insecureSkipTlsVerify: true}`;

  before(async () => {
    mkdirSync(bin);
    writeFile(bin, 'podman', FAKE_PODMAN);
    chmodSync(join(bin, 'podman'), 0o755);
    [src, skip, filed, quay] = await Promise.all([
      startRegistryServer({ tls: true, auth: 'htpasswd', users: { alice: SOURCE_PASSWORD } }),
      startRegistryServer({ tls: true }),
      startRegistryServer({ auth: 'htpasswd', users: { bob: FILE_PASSWORD } }),
      startMirrorQuay(),
    ]);
    writeFile(
      dir,
      'auth.json',
      JSON.stringify({
        auths: { [filed.host]: { auth: Buffer.from(`bob:${FILE_PASSWORD}`).toString('base64') } },
      }),
    );
    const client = new RegistryClient({
      registry: src.host,
      credentials: { username: 'alice', password: SOURCE_PASSWORD },
      http: { caBundlePath: src.caBundlePath },
    });
    await pushImage(client, 'team/app', image('fake-podman-v1'), 'v1');
    await pushImage(client, 'team/app', image('fake-podman-v2'), 'v2');
    await client.close();
  });
  after(async () => {
    await Promise.all([src?.stop(), skip?.stop(), filed?.stop(), quay?.quay.close()]);
  });

  test('passwords only on stdin, a private sandbox removed afterwards, TLS flags only where configured', async () => {
    const log = join(dir, 'calls.jsonl');
    const run = await runMirror(
      [srcInstance(), skipInstance(), registryInstance('filed', filed), quay.instance('quay')],
      '  source: src\n  destinations: [skip, filed, quay]\n  engine: podman\n  repositories: [team/app]',
      {
        args: ['--log-level', 'debug'],
        env: {
          PATH: `${bin}:${process.env.PATH}`,
          FAKE_PODMAN_LOG: log,
          SRC_PASSWORD: SOURCE_PASSWORD,
          REGISTRY_AUTH_FILE: authFile,
          ...quay.env('quay'),
        },
      },
    );
    assert.equal(run.exitCode, 0, run.stderr);
    const destinations = ['filed', 'quay', 'skip'];
    assert.deepEqual(
      run.refs('copied'),
      destinations.flatMap((d) => [`${d}/team/app:v1`, `${d}/team/app:v2`]),
    );

    const calls = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as PodmanCall);
    const secrets = [SOURCE_PASSWORD, FILE_PASSWORD, quay.token];
    for (const call of calls) {
      for (const secret of secrets)
        assert.ok(
          !call.args.some((arg) => arg.includes(secret)),
          `no password in argv: ${call.args.join(' ')}`,
        );
    }
    for (const text of [run.stdout, run.stderr]) {
      for (const secret of secrets) assert.ok(!text.includes(secret), 'no password in the output');
    }

    const [version, ...rest] = calls;
    assert.deepEqual(version?.args, ['--version']);
    const sandbox = dirname(rest[0]?.env.REGISTRY_AUTH_FILE ?? '/');
    assert.match(sandbox, /quay-tasks-podman-/);
    // The 12 global flags (checked below) come first, then the command.
    const commandOf = (call: PodmanCall) => call.args.slice(12);
    for (const call of rest) {
      assert.equal(call.env.REGISTRY_AUTH_FILE, join(sandbox, 'auth.json'));
      assert.deepEqual(call.auth, { exists: true, mode: '600' }, 'the auth file is private');
      assert.equal(call.env.CONTAINERS_CONF, join(sandbox, 'containers.conf'));
      assert.equal(call.env.CONTAINERS_REGISTRIES_CONF, join(sandbox, 'registries.conf'));
      assert.deepEqual(call.args.slice(0, 12), [
        '--root',
        join(sandbox, 'root'),
        '--runroot',
        join(sandbox, 'run'),
        '--tmpdir',
        join(sandbox, 'libpod'),
        '--storage-driver',
        'vfs',
        '--cgroup-manager',
        'cgroupfs',
        '--events-backend',
        'file',
      ]);
    }
    assert.equal(existsSync(sandbox), false, 'the sandbox (auth file included) is removed');
    assert.equal(existsSync(authFile), true, "the user's auth file is left alone");

    const logins = rest.filter((c) => commandOf(c)[0] === 'login');
    const loginOf = (host: string) => logins.find((c) => c.args.at(-1) === host);
    assert.equal(logins.length, 3, 'src, filed (auth file) and quay ($oauthtoken); skip has no credentials');
    const expectations: [RegistryServer | string, string, string, boolean][] = [
      [src, 'alice', SOURCE_PASSWORD, false],
      [filed, 'bob', FILE_PASSWORD, true],
      [quay.quay.host, '$oauthtoken', quay.token, true],
    ];
    for (const [server, user, password, insecure] of expectations) {
      const host = typeof server === 'string' ? server : server.host;
      const login = loginOf(host);
      assert.ok(login, `login to ${host}`);
      const args = commandOf(login);
      assert.deepEqual(args.slice(0, 4), ['login', '--username', user, '--password-stdin']);
      assert.equal(login.stdin, password, 'the password goes in on stdin');
      assert.equal(args.includes('--tls-verify=false'), insecure, `tls-verify for ${host}`);
    }

    const pulls = rest.filter((c) => commandOf(c)[0] === 'pull');
    const pushes = rest.filter((c) => commandOf(c)[0] === 'push');
    assert.equal(pulls.length, 2, 'one pull per source image');
    assert.equal(pushes.length, 6, 'one push per destination tag');
    for (const call of [...pulls, loginOf(src.host)]) {
      const args = commandOf(call as PodmanCall);
      assert.ok(!args.includes('--tls-verify=false'), 'the caBundle source is verified');
      const certDir = args[args.indexOf('--cert-dir') + 1] ?? '';
      assert.deepEqual((call as PodmanCall).certDirs[certDir], ['ca.crt'], 'the cert dir holds only ca.crt');
      assert.ok(certDir.startsWith(sandbox));
    }
    for (const push of pushes) {
      const args = commandOf(push);
      const host = (args.at(-1) ?? '').split('/')[0];
      assert.ok([skip.host, filed.host, quay.quay.host].includes(host ?? ''), host);
      assert.ok(args.includes('--tls-verify=false'), `push to ${host}: insecureSkipTlsVerify or http`);
      assert.ok(!args.includes('--cert-dir'));
    }
    const insecureTargets = rest
      .filter((c) => c.args.includes('--tls-verify=false'))
      .map((c) => (c.args.at(-1) ?? '').split('/')[0]);
    assert.ok(!insecureTargets.includes(src.host), 'never --tls-verify=false for the caBundle instance');
    assert.match(run.stderr, /filed is plain http .* --tls-verify=false/);
    assert.match(run.stderr, /skip: insecureSkipTlsVerify, so --tls-verify=false/);
  });

  test('podman missing: exit 1 naming the engine and how to install it, nothing contacted; a dry run still plans', async () => {
    const noPodman = join(dir, 'no-podman');
    mkdirSync(noPodman);
    symlinkSync(process.execPath, join(noPodman, 'node'));
    const section = '  source: a\n  destinations: [b]\n  engine: podman\n  repositories: [team/app]';
    // Ports nobody listens on: a run that contacted anything would fail on the preflight instead.
    const instances = [
      '  a: {type: registry, url: http://127.0.0.1:9}',
      '  b: {type: registry, url: http://127.0.0.2:9}',
    ];
    const run = await runMirror(instances, section, {
      env: { PATH: noPodman, SRC_PASSWORD: SOURCE_PASSWORD },
    });
    assert.equal(run.exitCode, 1, run.stderr);
    assert.match(run.report.error ?? '', /^engine podman: podman was not found on PATH; install podman/);
    assert.match(run.report.error ?? '', /apt-get install podman/);
    assert.deepEqual(run.report.items, []);
    assert.doesNotMatch(run.stderr, /preflight/);

    const dry = await runMirror(
      [srcInstance(), skipInstance()],
      '  source: src\n  destinations: [skip]\n  engine: podman\n  repositories: [team/app]',
      { args: ['--dry-run'], env: { PATH: noPodman, SRC_PASSWORD: SOURCE_PASSWORD } },
    );
    assert.equal(dry.exitCode, 0, dry.stderr);
    assert.match(dry.stderr, /podman was not found on PATH.*\(the dry run goes on: it needs no podman\)/);
    assert.deepEqual(
      dry.refs('planned').filter((ref) => ref.includes(':')),
      ['skip/team/app:v1', 'skip/team/app:v2'],
    );
  });
  test('SIGTERM during a push: exit 143 with the report, the running podman stopped, the sandbox removed', async () => {
    const log = join(dir, 'calls-sigterm.jsonl');
    const config = writeFile(
      dir,
      'sigterm.yaml',
      `quay:\n${srcInstance()}\n${skipInstance()}\nmirror-repos:\n  source: src\n  destinations: [skip]\n` +
        '  engine: podman\n  repositories: [team/app:v1]\n',
    );
    const child = execa('node', [taskScript('mirror-repos'), '--config', config, '--output', 'json'], {
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        HOME: process.env.HOME,
        FAKE_PODMAN_LOG: log,
        FAKE_PODMAN_HANG_PUSH: '1',
        SRC_PASSWORD: SOURCE_PASSWORD,
      },
      extendEnv: false,
      reject: false,
    });
    // Read while the fake podman appends: only whole lines (a line is written before its newline).
    const calls = () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .slice(0, -1)
            .map((line) => JSON.parse(line) as PodmanCall)
        : [];
    await waitUntil('the push to hang', () => calls().some((c) => c.args.includes('push')));
    child.kill('SIGTERM');
    const result = await child;
    assert.equal(result.exitCode, 143, String(result.stderr));
    const report = JSON.parse(String(result.stdout)) as { error?: string };
    assert.match(report.error ?? '', /interrupted by SIGTERM/);
    const push = calls().find((c) => c.args.includes('push'));
    const sandbox = dirname(push?.env.REGISTRY_AUTH_FILE ?? '/');
    assert.match(sandbox, /quay-tasks-podman-/);
    assert.equal(existsSync(sandbox), false, 'the sandbox is removed on the way out');
    await waitUntil('the hanging podman push to be stopped', () => {
      try {
        process.kill(push?.pid ?? 0, 0);
        return false;
      } catch {
        return true;
      }
    });
  });
});
