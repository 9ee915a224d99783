/**
 * mirror-repos with `engine: podman`, the real podman (Debian's 4.3, as root, vfs) between two real
 * docker-registry processes: a plain http source and an http destination with htpasswd auth, so podman
 * logs in (password on stdin). Images are tiny but real (gzipped tar layers, correct diff_ids): podman
 * unpacks what it pulls. podman must be installed (`apt-get install -y podman`); without it the suite fails.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type Manifest, RegistryClient } from '../../src/registry/index.js';
import { readerFor, registryInstance, runMirror } from '../support/mirror-fixture.js';
import { configDigest, runnableImage } from '../support/podman-images.js';
import { index, pushImage, pushIndex } from '../support/registry-images.js';
import { type RegistryServer, startRegistryServer } from '../support/registry-server.js';
import { tempDir } from '../support/temp.js';

const PASSWORD = 'pw-podman-dest-4c1f9a';

function requirePodman(): string {
  try {
    return execFileSync('podman', ['--version'], { encoding: 'utf8' }).trim();
  } catch (error) {
    throw new Error(
      `podman is needed by the engine: podman tests and could not be run (${(error as Error).message}); ` +
        'install it with "apt-get install -y podman" (.ci/run does)',
    );
  }
}

describe('mirror-repos engine: podman against docker-registry processes', () => {
  let a: RegistryServer;
  let b: RegistryServer;
  let ca: RegistryClient;
  let cb: RegistryClient;
  /** TMPDIR of the task: the podman sandbox is made here and must be gone after every run. */
  const taskTmp = tempDir('mpt-');
  const instances = () => [
    registryInstance('a', a),
    `  b: {type: registry, url: ${b.url}, username: alice, password: {env: DEST_PASSWORD}}`,
  ];
  const mirror = (section: string, args: string[] = []) =>
    runMirror(instances(), `  source: a\n  destinations: [b]\n  engine: podman\n${section}`, {
      args,
      env: { DEST_PASSWORD: PASSWORD, TMPDIR: taskTmp },
    });
  const assertSandboxGone = () => assert.deepEqual(readdirSync(taskTmp), [], 'the podman sandbox is removed');

  const web = ['v1', 'v2', 'v3'].map((tag) => ({ tag, image: runnableImage(`pod-web-${tag}`) }));
  const api = [
    { tag: '1.0', image: runnableImage('pod-api-1.0', { format: 'docker' }) },
    { tag: '1.1', image: runnableImage('pod-api-1.1') },
  ];
  const multi = [
    runnableImage('pod-api-multi', { architecture: 'amd64' }),
    runnableImage('pod-api-multi', { architecture: 'arm64' }),
  ];
  const multiIndex = index(multi);

  before(async () => {
    const version = requirePodman();
    [a, b] = await Promise.all([
      startRegistryServer(),
      startRegistryServer({ auth: 'htpasswd', users: { alice: PASSWORD } }),
    ]);
    ca = readerFor(a);
    cb = new RegistryClient({
      registry: b.host,
      scheme: 'http',
      credentials: { username: 'alice', password: PASSWORD },
    });
    for (const { tag, image } of web) await pushImage(ca, 'pod/web', image, tag);
    for (const { tag, image } of api) await pushImage(ca, 'pod/api', image, tag);
    await pushIndex(ca, 'pod/api', multi, multiIndex, 'multi');
    process.stderr.write(`# ${version}\n`);
  });
  after(async () => {
    await Promise.all([ca?.close(), cb?.close()]);
    await Promise.all([a?.stop(), b?.stop()]);
  });

  const imageAt = async (client: RegistryClient, path: string, tag: string): Promise<Manifest> =>
    client.manifests.get(path, tag);

  test('copies 2 repositories × 3 tags with pull/tag/push; a second run copies nothing', async () => {
    const started = Date.now();
    const run = await mirror('  repositories: [pod/web, pod/api]');
    const firstSeconds = (Date.now() - started) / 1000;
    assert.equal(run.exitCode, 0, run.stderr);
    const expected = [
      'b/pod/api:1.0',
      'b/pod/api:1.1',
      'b/pod/api:multi',
      'b/pod/web:v1',
      'b/pod/web:v2',
      'b/pod/web:v3',
    ];
    assert.deepEqual(run.refs('copied'), expected);
    assert.match(run.stderr, /podman: logged in to b \(127\.0\.0\.1:\d+\) as alice/);
    assert.match(run.stderr, /plain http .* --tls-verify=false/);
    assert.match(run.stderr, /copies one platform of a multi-arch image \(linux\/amd64/);
    assertSandboxGone();

    // Every tag is there with the source's image ID (config digest); manifest digests are podman's own.
    for (const { tag, image } of web) {
      const copied = await imageAt(cb, 'pod/web', tag);
      assert.equal(copied.kind, 'image');
      if (copied.kind === 'image') assert.equal(copied.config.digest, configDigest(image), `pod/web:${tag}`);
      assert.notEqual(copied.digest, image.digest, 'podman push recompresses: a new manifest digest');
    }
    for (const { tag, image } of api) {
      const copied = await imageAt(cb, 'pod/api', tag);
      assert.ok(copied.kind === 'image' && copied.config.digest === configDigest(image), `pod/api:${tag}`);
    }
    // The index became the host's (amd64) image alone.
    const flattened = await imageAt(cb, 'pod/api', 'multi');
    assert.equal(flattened.kind, 'image');
    if (flattened.kind === 'image' && multi[0]) assert.equal(flattened.config.digest, configDigest(multi[0]));
    assert.deepEqual((await cb.tags.list('pod/web')).sort(), ['v1', 'v2', 'v3']);

    const again = await mirror('  repositories: [pod/web, pod/api]');
    assert.equal(again.exitCode, 0, again.stderr);
    assert.deepEqual(again.refs('unchanged'), expected);
    assert.deepEqual(again.refs('copied'), []);
    assert.match(again.stderr, /0 copied, 6 unchanged, 0 failed; podman: 0 pulled, 0 pushed/);
    assert.doesNotMatch(again.stderr, /podman: b\/\S+ pushed in/);
    assertSandboxGone();
    const perTag = /podman: 6 pulled, 6 pushed in ([\d.]+) s, ([\d.]+) s per tag/.exec(run.stderr);
    assert.ok(perTag, run.stderr);
    process.stderr.write(
      `# podman engine: first run ${firstSeconds.toFixed(1)} s (podman ${perTag[1]} s, ${perTag[2]} s per tag)\n`,
    );
    for (const text of [run.stdout, run.stderr, again.stdout, again.stderr])
      assert.ok(!text.includes(PASSWORD));
  });

  test('a broken source image: without keep-going the run stops there; with it the rest is copied; exit 1 both times', async () => {
    const bad = runnableImage('pod-brk-bad');
    await pushImage(ca, 'brk/bad', bad, 'v1');
    await pushImage(ca, 'brk/good', runnableImage('pod-brk-good'), 'v1');
    const lost = bad.blobs[1]?.digest ?? '';
    const deleted = await fetch(`${a.url}/v2/brk/bad/blobs/${lost}`, { method: 'DELETE' });
    assert.equal(deleted.status, 202);

    const stopped = await mirror('  repositories: [brk/bad, brk/good]');
    assert.equal(stopped.exitCode, 1);
    assert.deepEqual(stopped.actions, { 'b/brk/bad:v1': 'failed', 'b/brk/good:v1': 'skipped' });
    assertSandboxGone();

    const run = await mirror('  repositories: [brk/bad, brk/good]', ['--keep-going']);
    assert.equal(run.exitCode, 1, run.stderr);
    assert.deepEqual(run.actions, { 'b/brk/bad:v1': 'failed', 'b/brk/good:v1': 'copied' });
    const failure = run.report.items.find((i) => i.ref === 'b/brk/bad:v1');
    assert.match(failure?.error ?? '', /podman pull .*brk\/bad@sha256:[a-f0-9]{64} failed \(exit \d+\)/);
    assert.match(run.stderr, /failed \(1\):\n {2}b\/brk\/bad:v1/);
    assert.deepEqual(await cb.tags.list('brk/good'), ['v1']);
    assertSandboxGone();
  });

  test('--dry-run copies nothing, and judges podman-made tags unchanged', async () => {
    await pushImage(ca, 'dry/app', runnableImage('pod-dry'), 'v1');
    const run = await mirror('  repositories: [dry/app, pod/web:v1]', ['--dry-run']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.actions['b/dry/app:v1'], 'planned');
    assert.equal(run.actions['b/pod/web:v1'], 'unchanged');
    assert.deepEqual(run.refs('copied'), []);
    assert.equal(await cb.manifests.head('dry/app', 'v1'), undefined);
    assert.doesNotMatch(run.stderr, /podman: b\/\S+ pushed in|logged in/);
    assert.deepEqual(readdirSync(taskTmp), []);
  });
});
