/**
 * mirror-repos run as a process between two real docker-registry processes (plain registries: no Quay API,
 * tags from /v2 tags/list, digests by HEAD, discovery by _catalog), and from an emulated Quay to a registry
 * and a Quay at once.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import { type RegistryClient, sha256Digest } from '../../src/registry/index.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import {
  type MirrorQuay,
  quayTags,
  readerFor,
  registryInstance,
  runMirror,
  startMirrorQuay,
} from '../support/mirror-fixture.js';
import { imageOf, layer } from '../support/mirror-images.js';
import { image, index, pushImage, pushIndex } from '../support/registry-images.js';
import { type RegistryServer, startRegistryServer } from '../support/registry-server.js';

describe('mirror-repos between docker-registry processes', () => {
  let a: RegistryServer;
  let b: RegistryServer;
  let ca: RegistryClient;
  let cb: RegistryClient;
  const instances = () => [registryInstance('a', a), registryInstance('b', b)];
  const mirror = (section: string, args: string[] = []) =>
    runMirror(instances(), `  source: a\n  destinations: [b]\n${section}`, { args });
  const tagsAt = async (client: RegistryClient, path: string): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    const names = await client.tags.list(path).catch(() => [] as string[]);
    for (const tag of names.sort()) {
      const head = await client.manifests.head(path, tag);
      if (head) out[tag] = head.digest;
    }
    return out;
  };

  before(async () => {
    [a, b] = await Promise.all([startRegistryServer(), startRegistryServer()]);
    ca = readerFor(a);
    cb = readerFor(b);
  });
  after(async () => {
    await Promise.all([ca?.close(), cb?.close()]);
    await Promise.all([a?.stop(), b?.stop()]);
  });

  test('explicit list with a multi-arch index: children, blobs and index bytes equal; a second run changes nothing', async () => {
    const children = [
      image('reg-app', { architecture: 'amd64' }),
      image('reg-app', { architecture: 'arm64' }),
    ];
    const idx = index(children);
    await pushIndex(ca, 'team/app', children, idx, 'v1');
    const single = image('reg-app-v2', { format: 'docker' });
    await pushImage(ca, 'team/app', single, 'v2');
    await pushImage(ca, 'team/app', image('reg-app-v3'), 'v3');

    const section = '  repositories: [team/app:v1, team/app:v2]';
    const run = await mirror(section);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(await tagsAt(cb, 'team/app'), { v1: idx.digest, v2: single.digest });
    const copied = await cb.manifests.get('team/app', 'v1');
    assert.ok(copied.bytes.equals(idx.bytes), 'index bytes');
    assert.equal(sha256Digest(copied.bytes), idx.digest);
    // The same seen by another client: skopeo reads the index at the destination and its digest is the source's.
    const inspected = await execa(
      'skopeo',
      ['inspect', '--raw', '--tls-verify=false', `docker://${b.host}/team/app:v1`],
      { encoding: 'buffer', stripFinalNewline: false },
    );
    assert.equal(sha256Digest(Buffer.from(inspected.stdout)), idx.digest, 'skopeo inspect --raw digest');
    for (const child of children) {
      assert.ok((await cb.manifests.get('team/app', child.digest)).bytes.equals(child.bytes));
      for (const blob of child.blobs) assert.ok(await cb.blobs.head('team/app', blob.digest), blob.digest);
    }
    assert.deepEqual(run.refs('copied'), ['b/team/app:v1', 'b/team/app:v2']);

    const again = await mirror(section);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.deepEqual(again.actions, { 'b/team/app:v1': 'unchanged', 'b/team/app:v2': 'unchanged' });
    assert.match(again.stderr, /blobs: 0 uploaded \(0 B from 0 source reads\), 0 mounted, 0 already there/);
  });

  test('tag filters on a registry: globs, regex, semver and latest N (tag-list order: registries keep no times)', async () => {
    const tags = ['v1.0.0', 'v1.2.0', 'v2.0.0', 'v2.1.0-rc.1', 'latest', 'nightly-1'];
    for (const repo of ['glob', 'regex', 'semver', 'newest']) {
      for (const tag of tags)
        await pushImage(ca, `filt/${repo}`, image(`${repo}-${tag}`, { layers: 1 }), tag);
    }
    const run = await mirror(
      [
        '  repositories:',
        "    - {repository: filt/glob, tags: {include: ['v*'], exclude: ['*-rc*']}}",
        "    - {repository: filt/regex, tags: {regex: '^nightly-\\d+$'}}",
        "    - {repository: filt/semver, tags: {semver: '>=1.1.0 <3'}}",
        '    - {repository: filt/newest, tags: {latest: 2}}',
      ].join('\n'),
    );
    assert.equal(run.exitCode, 0, run.stderr);
    const names = async (path: string) => Object.keys(await tagsAt(cb, path));
    assert.deepEqual(await names('filt/glob'), ['v1.0.0', 'v1.2.0', 'v2.0.0']);
    assert.deepEqual(await names('filt/regex'), ['nightly-1']);
    assert.deepEqual(await names('filt/semver'), ['v1.2.0', 'v2.0.0']);
    // Without times the first two of the source's tag list are kept.
    const listed = (await ca.tags.list('filt/newest')).slice(0, 2).sort();
    assert.deepEqual(await names('filt/newest'), listed);
    assert.match(run.stderr, /tags\.latest: a has no Quay tag API/);
  });

  test('discovery through _catalog with include/exclude; a layer shared across repositories is mounted, not uploaded again', async () => {
    const base = layer('shared base layer of the disc images');
    const web = imageOf('disc-web', [layer('disc web'), base]);
    const api = imageOf('disc-api', [layer('disc api'), base]);
    await pushImage(ca, 'disc/web', web, '1.0');
    await pushImage(ca, 'disc/api', api, '1.0');
    await pushImage(ca, 'disc/web-scratch', image('disc-scratch'), '1.0');
    await pushImage(ca, 'elsewhere/x', image('elsewhere'), '1.0');

    const run = await mirror(
      "  discovery: {enabled: true, organizations: {include: ['disc']}, repositories: {exclude: ['*-scratch']}}",
    );
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(await tagsAt(cb, 'disc/web'), { '1.0': web.digest });
    assert.deepEqual(await tagsAt(cb, 'disc/api'), { '1.0': api.digest });
    const catalog = await cb.tags.catalog();
    assert.ok(!catalog.includes('disc/web-scratch') && !catalog.includes('elsewhere/x'), catalog.join());
    // Each image has a config, its own layer and the shared one: 6 blobs, the shared one mounted once.
    assert.match(run.stderr, /blobs: 5 uploaded .* 1 mounted/);
    const shared = base.digest;
    assert.ok(await cb.blobs.head('disc/web', shared));
    assert.ok(await cb.blobs.head('disc/api', shared));
  });

  test('a repository the destination lacks costs one tag list there, no check per blob or manifest; an existing one is checked', async () => {
    const base = layer('shared base of the fresh images');
    const v1 = imageOf('fresh-v1', [layer('fresh v1'), base]);
    const v2 = imageOf('fresh-v2', [layer('fresh v2'), base]);
    await pushImage(ca, 'fresh/app', v1, 'v1');
    await pushImage(ca, 'fresh/app', v2, 'v2');
    // A logging proxy in front of b: no faults, every request recorded.
    const proxy = await startFaultProxy({ upstream: b.url, rate: 0 });
    try {
      const viaProxy = [registryInstance('a', a), `  b: {type: registry, url: ${proxy.url}}`];
      const cold = await runMirror(
        viaProxy,
        '  source: a\n  destinations: [b]\n  repositories: [fresh/app:v1]',
      );
      assert.equal(cold.exitCode, 0, cold.stderr);
      const asked = (exchanges: typeof proxy.exchanges) =>
        exchanges
          .filter((e) => e.method === 'GET' || e.method === 'HEAD')
          .map((e) => `${e.method} ${e.path.replace(/sha256:[0-9a-f]{64}/, 'sha256:…')} ${e.status}`);
      assert.deepEqual(asked(proxy.exchanges), ['GET /v2/fresh/app/tags/list 404']);
      assert.deepEqual(await tagsAt(cb, 'fresh/app'), { v1: v1.digest });

      // Now the repository exists: v2's blobs are asked for; the shared one is there, the others are not.
      const seen = proxy.exchanges.length;
      const warm = await runMirror(viaProxy, '  source: a\n  destinations: [b]\n  repositories: [fresh/app]');
      assert.equal(warm.exitCode, 0, warm.stderr);
      assert.deepEqual(warm.actions, { 'b/fresh/app:v1': 'unchanged', 'b/fresh/app:v2': 'copied' });
      const blobChecks = proxy.exchanges
        .slice(seen)
        .filter((e) => /\/blobs\/sha256:/.test(e.path) && (e.method === 'GET' || e.method === 'HEAD'));
      assert.equal(blobChecks.length, v2.blobs.length, asked(proxy.exchanges.slice(seen)).join('\n'));
      assert.match(warm.stderr, /blobs: 2 uploaded .*, 0 mounted, 1 already there/);
      assert.deepEqual(await tagsAt(cb, 'fresh/app'), { v1: v1.digest, v2: v2.digest });
    } finally {
      await proxy.close();
    }
  });

  test('referrers kept under the referrers tag schema (no referrers API here) come along; signatures: false leaves them', async () => {
    const app = image('refs-app');
    await pushImage(ca, 'refs/app', app, 'v1');
    // What oras or notation leave on a registry without the referrers API: an index of the referrers
    // under the tag sha256-<hex of the subject>.
    const signature = image('refs-signature-artifact');
    const referrers = index([signature]);
    const referrersTag = `sha256-${app.digest.slice('sha256:'.length)}`;
    await pushIndex(ca, 'refs/app', [signature], referrers, referrersTag);

    const plain = await runMirror(
      instances(),
      "  source: a\n  destinations: [{instance: b, prefix: 'plain/'}]\n  signatures: false\n  repositories: [refs/app:v1]",
    );
    assert.equal(plain.exitCode, 0, plain.stderr);
    assert.deepEqual(await tagsAt(cb, 'plain/refs/app'), { v1: app.digest });

    const run = await mirror('  repositories: [refs/app:v1]');
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(await tagsAt(cb, 'refs/app'), { [referrersTag]: referrers.digest, v1: app.digest });
    assert.ok((await cb.manifests.get('refs/app', signature.digest)).bytes.equals(signature.bytes));
  });

  test('--skip-broken-images: a manifest whose layer was deleted at the source fails alone, exit 1', async () => {
    const good = image('brk-good');
    const bad = image('brk-bad');
    await pushImage(ca, 'brk/good', good, 'v1');
    await pushImage(ca, 'brk/bad', bad, 'v1');
    const lost = bad.blobs[1]?.digest ?? '';
    const deleted = await fetch(`${a.url}/v2/brk/bad/blobs/${lost}`, { method: 'DELETE' });
    assert.equal(deleted.status, 202);

    const run = await mirror('  repositories: [brk/bad, brk/good]', ['--skip-broken-images']);
    assert.equal(run.exitCode, 1);
    assert.deepEqual(run.refs('failed'), ['b/brk/bad:v1']);
    assert.deepEqual(run.refs('copied'), ['b/brk/good:v1']);
    assert.deepEqual(await tagsAt(cb, 'brk/good'), { v1: good.digest });
    assert.deepEqual(await tagsAt(cb, 'brk/bad'), {});
  });

  test('failover: the destination (with a rename) is copied back to the source', async () => {
    const v1 = image('fo-v1');
    await pushImage(ca, 'fo/app', v1, 'v1');
    const section = '  destinations: [{instance: b, rename: {fo: mirrored-fo}}]\n  repositories: [fo/app]';
    const forward = await runMirror(instances(), `  source: a\n${section}`);
    assert.equal(forward.exitCode, 0, forward.stderr);
    assert.deepEqual(await tagsAt(cb, 'mirrored-fo/app'), { v1: v1.digest });

    const v2 = image('fo-v2');
    await pushImage(cb, 'mirrored-fo/app', v2, 'v2');
    const back = await runMirror(instances(), `  source: a\n${section}`, { args: ['--failover'] });
    assert.equal(back.exitCode, 0, back.stderr);
    assert.deepEqual(back.actions, { 'a/fo/app:v1': 'unchanged', 'a/fo/app:v2': 'copied' });
    assert.deepEqual(await tagsAt(ca, 'fo/app'), { v1: v1.digest, v2: v2.digest });
  });

  test('preflight: a registry port where nothing listens fails at once, naming it; nothing is copied', async () => {
    await pushImage(ca, 'pre/app', image('pre'), 'v1');
    const port = await closedPort();
    const run = await runMirror(
      [...instances(), `  closed: {type: registry, url: "http://127.0.0.1:${port}"}`],
      '  source: a\n  destinations: [b, closed]\n  repositories: [pre/app]\n  preflight: {timeout: 2s}',
    );
    assert.equal(run.exitCode, 1);
    assert.match(
      run.report.error ?? '',
      new RegExp(
        `preflight: closed \\(http://127\\.0\\.0\\.1:${port}\\): TCP connect to 127\\.0\\.0\\.1:${port} failed \\(ECONNREFUSED\\)`,
      ),
    );
    assert.deepEqual(await tagsAt(cb, 'pre/app'), {});
  });

  describe('from an emulated Quay to a registry and a Quay at once', () => {
    let quay: MirrorQuay;
    let dst: MirrorQuay;
    before(async () => {
      [quay, dst] = await Promise.all([startMirrorQuay(), startMirrorQuay()]);
    });
    after(async () => {
      await Promise.all([quay?.quay.close(), dst?.quay.close()]);
    });

    test('fan-out to two kinds of destination reads each source blob once', async () => {
      quay.quay.seed.org('mixed', { owner: 'admin' });
      const pushed = await quay.quay.seed.pushIndex('mixed/app', 'v1', undefined, { format: 'oci' });
      const run = await runMirror(
        [quay.instance('q'), registryInstance('b', b), dst.instance('d')],
        '  source: q\n  destinations: [b, d]\n  repositories: [mixed/app]',
        { env: { ...quay.env('q'), ...dst.env('d') } },
      );
      assert.equal(run.exitCode, 0, run.stderr);
      assert.deepEqual(await tagsAt(cb, 'mixed/app'), { v1: pushed.digest });
      assert.deepEqual(quayTags(dst.quay, 'mixed/app'), { v1: pushed.digest });
      const blobs = pushed.children.flatMap((c) => [c.configDigest, ...c.layerDigests]);
      for (const blob of blobs) {
        assert.equal(quay.quay.requestsTo({ method: 'GET', path: `/v2/mixed/app/blobs/${blob}` }).length, 1);
        assert.ok(await cb.blobs.head('mixed/app', blob));
      }
      assert.ok((await cb.manifests.get('mixed/app', 'v1')).bytes.equals(pushed.manifest));
    });
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
