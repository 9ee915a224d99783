/**
 * Checks of the built container image, run by .ci/image after `buildah bud` (not part of `npm test`: it
 * needs buildah, root and the image). Every command runs in a working container of the image as UID
 * 1000650000 in group 0 — what OpenShift's restricted-v2 assigns — with `buildah run --isolation chroot`.
 * The emulated Quay instances run on this machine's loopback, which the chroot shares. Config and tokens
 * reach the container as mounted files, never as arguments.
 */
import assert from 'node:assert/strict';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import { type MirrorQuay, quayTags, startMirrorQuay } from '../support/mirror-fixture.js';
import { type QuayFixture, quayFixture } from '../support/quay-fixture.js';
import { tempDir, writeFile } from '../support/temp.js';

const IMAGE = process.env.QUAY_TASKS_IMAGE;
const USER = '1000650000:0';
/** Every package.json bin: the image links each onto PATH. */
const ENTRYPOINTS = Object.keys(
  (JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string> }).bin,
);

let container = '';

interface RunOptions {
  /** host folder → path in the container (read-only unless the path ends with :rw) */
  volumes?: Record<string, string>;
}

async function inImage(command: readonly string[], options: RunOptions = {}) {
  const volumes = Object.entries(options.volumes ?? {}).flatMap(([host, path]) => [
    '--volume',
    path.endsWith(':rw') ? `${host}:${path}` : `${host}:${path}:ro`,
  ]);
  return execa(
    'buildah',
    ['run', '--isolation', 'chroot', '--user', USER, ...volumes, container, '--', ...command],
    { reject: false, timeout: 120_000 },
  );
}

/** A folder of files the container's UID may read, as a ConfigMap or Secret volume is mounted (0644). */
function mountedFiles(prefix: string, files: Record<string, string>): string {
  const dir = tempDir(prefix);
  chmodSync(dir, 0o755);
  for (const [name, content] of Object.entries(files)) chmodSync(writeFile(dir, name, content), 0o644);
  return dir;
}

/** A folder the container's UID may write (it is not the folder's owner). */
function writableDir(prefix: string): string {
  const dir = tempDir(prefix);
  chmodSync(dir, 0o777);
  return dir;
}

before(async () => {
  assert.ok(IMAGE, 'QUAY_TASKS_IMAGE names the image to check (see .ci/image)');
  container = (await execa('buildah', ['from', '--pull=never', IMAGE])).stdout.trim();
});
after(async () => {
  if (container) await execa('buildah', ['rm', container], { reject: false });
});

describe('the image as OpenShift runs it', () => {
  test('runs as the arbitrary UID in group 0, with HOME writable', async () => {
    const r = await inImage(['sh', '-c', 'id -u; id -g; touch "$HOME/probe" && echo home-ok']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['1000650000', '0', 'home-ok']);
  });

  test('the application tree cannot be changed at run time', async () => {
    const r = await inImage(['sh', '-c', 'touch /opt/quay-tasks/dist/bin/x.js']);
    assert.notEqual(r.exitCode, 0);
    assert.match(r.stderr, /Permission denied|Read-only/i);
  });

  for (const name of ENTRYPOINTS)
    test(`${name} --help from PATH`, async () => {
      const r = await inImage([name, '--help']);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.match(r.stdout, /Usage:/);
    });

  test('quay-tasks --version is the package version; oc and kubectl are on PATH', async () => {
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    const r = await inImage(['quay-tasks', '--version']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, new RegExp(version.replace(/\./g, '\\.')));
    for (const cli of ['oc', 'kubectl']) {
      const v = await inImage([cli, 'version', '--client']);
      assert.equal(v.exitCode, 0, `${cli}: ${v.stderr}`);
      assert.match(v.stdout, /Client Version/);
    }
  });

  test('the image config: numeric non-root USER, exec-form ENTRYPOINT, labels', async () => {
    const inspect = await execa('buildah', ['inspect', '--type', 'image', IMAGE ?? '']);
    const config = (
      JSON.parse(inspect.stdout) as {
        OCIv1: { config: { User?: string; Entrypoint?: string[]; Labels?: Record<string, string> } };
      }
    ).OCIv1.config;
    assert.equal(config.User, '1001');
    assert.deepEqual(config.Entrypoint, ['/usr/local/bin/quay-tasks']);
    for (const label of [
      'io.k8s.display-name',
      'io.openshift.tags',
      'org.opencontainers.image.source',
      'org.opencontainers.image.version',
    ])
      assert.ok(config.Labels?.[label], label);
  });
});

describe('a demo step in the image: create-robots and mirror-repos against emulated Quay', () => {
  let fx: QuayFixture;
  let src: MirrorQuay;
  let dst: MirrorQuay;
  before(async () => {
    [fx, src, dst] = await Promise.all([quayFixture(), startMirrorQuay(), startMirrorQuay()]);
  });
  after(async () => {
    await Promise.all([fx?.quay.close(), src?.quay.close(), dst?.quay.close()]);
  });

  test('create-robots writes its auth.json and results; the token stays out of the output', async () => {
    fx.quay.seed.org('team-alpha', { owner: 'admin' });
    const credentials = mountedFiles('image-creds-', { token: fx.adminToken });
    const config = mountedFiles('image-config-', {
      'quay-tasks.yaml': `quay:\n  primary: {url: ${fx.quay.url}, token: {file: /workspace/credentials/token}}\ncreate-robots:\n  robots:\n    - {name: puller, organization: team-alpha, authFile: /workspace/output/auth.json}\n`,
    });
    const output = writableDir('image-output-');
    const results = writableDir('image-results-');
    const volumes = {
      [config]: '/workspace/config',
      [credentials]: '/workspace/credentials',
      [output]: '/workspace/output:rw',
      [results]: '/tekton/results:rw',
    };
    const r = await inImage(
      ['create-robots', '--config=/workspace/config/quay-tasks.yaml', '--results-dir=/tekton/results'],
      { volumes },
    );
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(readFileSync(join(results, 'robots'), 'utf8'), 'team-alpha+puller');
    assert.match(readFileSync(join(output, 'auth.json'), 'utf8'), /"auths"/);
    assert.ok(!`${r.stdout}${r.stderr}`.includes(fx.adminToken), 'the admin token was printed');
    const again = await inImage(
      ['create-robots', '--config=/workspace/config/quay-tasks.yaml', '--results-dir=/tekton/results'],
      { volumes },
    );
    assert.equal(again.exitCode, 0, again.stderr);
    assert.equal(readFileSync(join(results, 'changed'), 'utf8'), '0', 'second run changed nothing');
  });

  test('mirror-repos with discovery copies every tag; a second run copies nothing', async () => {
    src.quay.seed.org('apps', { owner: 'admin' });
    const web = await src.quay.seed.pushImage('apps/web', ['v1', 'v2'], { layers: ['web base', 'web app'] });
    const api = await src.quay.seed.pushImage('apps/api', ['1.0'], { layers: ['api'] });
    const credentials = mountedFiles('image-mirror-creds-', { src: src.token, dst: dst.token });
    const config = mountedFiles('image-mirror-config-', {
      'quay-tasks.yaml': `quay:\n  src: {url: ${src.quay.url}, token: {file: /workspace/credentials/src}}\n  dst: {url: ${dst.quay.url}, token: {file: /workspace/credentials/dst}}\nmirror-repos:\n  source: src\n  destinations: [dst]\n  discovery: {enabled: true}\n`,
    });
    const results = writableDir('image-mirror-results-');
    const run = () =>
      inImage(
        ['mirror-repos', '--config=/workspace/config/quay-tasks.yaml', '--results-dir=/workspace/results'],
        {
          volumes: {
            [config]: '/workspace/config',
            [credentials]: '/workspace/credentials',
            [results]: '/workspace/results:rw',
          },
        },
      );
    const result = (name: string) => readFileSync(join(results, name), 'utf8');
    const first = await run();
    assert.equal(first.exitCode, 0, first.stderr);
    assert.deepEqual([result('copied'), result('unchanged'), result('ok')], ['3', '0', 'true']);
    assert.deepEqual(quayTags(dst.quay, 'apps/web'), { v1: web.digest, v2: web.digest });
    assert.deepEqual(quayTags(dst.quay, 'apps/api'), { '1.0': api.digest });
    const second = await run();
    assert.equal(second.exitCode, 0, second.stderr);
    assert.deepEqual([result('copied'), result('unchanged'), result('changed')], ['0', '3', '0']);
    assert.match(second.stderr, /no change/);
    for (const token of [src.token, dst.token])
      assert.ok(!`${first.stdout}${first.stderr}${second.stderr}`.includes(token), 'a token was printed');
  });
});
