/**
 * mirror-repos run as a process between emulated Quay instances (API tokens on both sides): what lands at
 * the destination, byte for byte, and what the registries were asked (their request logs).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signatureTagsOf } from '../../src/mirror/plan/cosign-tags.js';
import type { RegistryClient } from '../../src/registry/index.js';
import {
  type MirrorQuay,
  quayTags,
  readerFor,
  runMirror,
  startMirrorQuay,
} from '../support/mirror-fixture.js';
import { waitUntil } from '../support/wait-until.js';

describe('mirror-repos between Quay instances', () => {
  let src: MirrorQuay;
  let dst: MirrorQuay;
  let dst2: MirrorQuay;
  let srcReader: RegistryClient;
  let dstReader: RegistryClient;
  let env: Record<string, string>;
  const instances = () => [src.instance('src'), dst.instance('dst'), dst2.instance('dst2')];
  const mirror = (section: string, args: string[] = []) =>
    runMirror(instances(), `  source: src\n${section}`, { env, args });
  const clearLogs = () => {
    for (const q of [src, dst, dst2]) q.quay.requests.length = 0;
  };

  before(async () => {
    [src, dst, dst2] = await Promise.all([
      startMirrorQuay(),
      startMirrorQuay({
        proxyCache: true,
        repoMirror: true,
        immutableTags: true,
        superusersFullAccess: true,
      }),
      startMirrorQuay(),
    ]);
    env = { ...src.env('src'), ...dst.env('dst'), ...dst2.env('dst2') };
    srcReader = readerFor(src);
    dstReader = readerFor(dst);
  });
  after(async () => {
    await Promise.all([srcReader?.close(), dstReader?.close()]);
    for (const q of [src, dst, dst2]) {
      await q?.quay.close();
      assert.deepEqual(q?.quay.internalErrors ?? [], []);
    }
  });

  test('explicit list: a tag, a whole repository and a digest are copied byte-exact into new organizations and repositories', async () => {
    src.quay.seed.org('expl', { owner: 'admin' });
    const v1 = await src.quay.seed.pushImage('expl/app', ['v1'], { layers: ['app v1'] });
    await src.quay.seed.pushImage('expl/app', ['v2'], { layers: ['app v2'] });
    const tools = await src.quay.seed.pushImage('expl/tools', ['a', 'b'], {
      format: 'oci',
      layers: ['t1', 't2'],
    });
    const pinned = await src.quay.seed.pushImage('expl/pinned', ['moving'], { layers: ['pinned'] });

    const run = await mirror(
      `  destinations: [dst]\n  repositories: [expl/app:v1, expl/tools, "expl/pinned@${pinned.digest}"]`,
    );
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(quayTags(dst.quay, 'expl/app'), { v1: v1.digest });
    assert.deepEqual(quayTags(dst.quay, 'expl/tools'), { a: tools.digest, b: tools.digest });
    assert.deepEqual(quayTags(dst.quay, 'expl/pinned'), {}, 'a digest entry copies no tag');
    for (const [path, digest] of [
      ['expl/app', v1.digest],
      ['expl/tools', tools.digest],
      ['expl/pinned', pinned.digest],
    ] as const) {
      const copied = await dstReader.manifests.get(path, digest);
      assert.ok(copied.bytes.equals((await srcReader.manifests.get(path, digest)).bytes), `${path} bytes`);
      for (const blob of [
        copied.kind === 'image' ? copied.config : undefined,
        ...(copied.kind === 'image' ? copied.layers : []),
      ]) {
        if (blob) assert.ok(await dstReader.blobs.head(path, blob.digest), `${path} has ${blob.digest}`);
      }
    }
    assert.ok(dst.quay.state.orgs.has('expl'), 'organization created');
    assert.equal(run.actions['dst/expl'], 'created');
    assert.equal(run.actions['dst/expl/app'], 'created');
    assert.deepEqual(run.refs('copied'), [
      'dst/expl/app:v1',
      `dst/expl/pinned@${pinned.digest}`,
      'dst/expl/tools:a',
      'dst/expl/tools:b',
    ]);
    assert.match(run.stderr, /^dst\/expl\/tools: 2 copied, 0 unchanged, 0 failed, .* uploaded$/m);
    // Two tags of one digest: one tree copy, the second tag a manifest PUT only.
    const tagItems = run.report.items.filter((i) => i.ref.startsWith('dst/expl/tools:'));
    assert.deepEqual(tagItems.map((i) => i.detail?.endsWith(', 0 bytes')).sort(), [false, true]);

    clearLogs();
    const again = await mirror(
      `  destinations: [dst]\n  repositories: [expl/app:v1, expl/tools, "expl/pinned@${pinned.digest}"]`,
    );
    assert.equal(again.exitCode, 0, again.stderr);
    assert.equal(again.report.changed, 0);
    assert.deepEqual(Object.values(again.actions).sort(), Array(4).fill('unchanged'));
    // No blob moved: no blob GET at the source, no upload at the destination. Tags came from the API; only
    // the digest entry was checked with one manifest HEAD (after the 401 that starts the token flow).
    assert.deepEqual(src.quay.requestsTo({ path: /\/blobs\// }), []);
    assert.deepEqual(dst.quay.requestsTo({ path: /\/blobs\// }), []);
    assert.deepEqual(
      dst.quay
        .requestsTo({ path: /^\/v2\/(?!auth)/ })
        .filter((r) => r.status !== 401)
        .map((r) => `${r.method} ${r.path}`),
      [`HEAD /v2/expl/pinned/manifests/${pinned.digest}`],
    );
    assert.deepEqual(src.quay.requestsTo({ path: /^\/v2\// }), []);
    assert.match(again.stderr, /0 uploaded \(0 B from 0 source reads\)/);
  });

  test("discovery: every organization (superuser listing, else the token user's) and repository, with include/exclude patterns", async () => {
    src.quay.seed.org('disc-a', { owner: 'admin' });
    src.quay.seed.org('disc-b', { owner: 'admin' });
    src.quay.seed.org('other', { owner: 'admin' });
    const web = await src.quay.seed.pushImage('disc-a/web', ['1.0']);
    await src.quay.seed.pushImage('disc-a/web-scratch', ['1.0']);
    const api = await src.quay.seed.pushImage('disc-b/api', ['2.0']);
    await src.quay.seed.pushImage('other/x', ['1.0']);

    const run = await mirror(
      "  destinations: [dst]\n  discovery: {enabled: true, organizations: {include: ['disc-*']}, repositories: {exclude: ['*-scratch']}}",
    );
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(quayTags(dst.quay, 'disc-a/web'), { '1.0': web.digest });
    assert.deepEqual(quayTags(dst.quay, 'disc-b/api'), { '2.0': api.digest });
    assert.equal(dst.quay.state.getRepo('disc-a', 'web-scratch'), undefined);
    assert.equal(dst.quay.state.orgs.has('other'), false);
    assert.match(run.stderr, /discovery: 2 of \d+ repositories on src selected by the patterns/);

    // A token that is not a superuser's: only its user's organizations are looked at.
    src.quay.seed.user('carol');
    const carol = src.quay.seed.token('carol');
    src.quay.seed.org('disc-c', { owner: 'carol' });
    const own = await src.quay.seed.pushImage('disc-c/tool', ['0.1']);
    const asCarol = await runMirror(
      [src.instance('src'), dst.instance('dst')],
      "  source: src\n  destinations: [dst]\n  discovery: {enabled: true, organizations: {include: ['disc-*']}}",
      { env: { ...env, ...src.env('src'), QT_SRC_TOKEN: carol } },
    );
    assert.equal(asCarol.exitCode, 0, asCarol.stderr);
    assert.match(asCarol.stderr, /not a superuser's; using the 1 organization\(s\) of carol/);
    assert.deepEqual(quayTags(dst.quay, 'disc-c/tool'), { '0.1': own.digest });
    assert.deepEqual(asCarol.refs('copied'), ['dst/disc-c/tool:0.1']);
  });

  // With the feature on, the warning goes: the organization view says is_member (the emulator does not grant
  // such a superuser registry reads, so the copy itself is not shown here).
  test('discovery by a superuser without FEATURE_SUPERUSERS_FULL_ACCESS: warned that private repositories stay hidden', async () => {
    src.quay.seed.user('dave');
    src.quay.seed.org('disc-private', { owner: 'dave' });
    const secret = await src.quay.seed.pushImage('disc-private/secret', ['1.0']);
    const section =
      "  destinations: [dst]\n  discovery: {enabled: true, organizations: {include: ['disc-private']}}";
    const hidden = await mirror(section);
    assert.equal(hidden.exitCode, 0, hidden.stderr);
    assert.match(
      hidden.stderr,
      /discovery: admin on src is a superuser but not a member of disc-private; without FEATURE_SUPERUSERS_FULL_ACCESS: true/,
    );
    assert.equal(dst.quay.state.getRepo('disc-private', 'secret'), undefined);
    assert.ok(secret.digest);
    src.quay.features.superusersFullAccess = true;
    try {
      const seen = await mirror(section);
      assert.doesNotMatch(seen.stderr, /FEATURE_SUPERUSERS_FULL_ACCESS/);
    } finally {
      src.quay.features.superusersFullAccess = false;
    }
  });

  test('tag filters: globs, a regular expression, a semver range and the newest N by push time', async () => {
    src.quay.seed.org('filt', { owner: 'admin' });
    const tags = ['v1.0.0', 'v1.2.0', 'v2.0.0', 'v2.1.0-rc.1', 'latest', 'nightly-1'];
    for (const repo of ['glob', 'regex', 'semver', 'newest']) {
      for (const tag of tags) {
        await src.quay.seed.pushImage(`filt/${repo}`, [tag], { layers: [`${repo} ${tag}`] });
        src.quay.advanceTime(60);
      }
    }
    const run = await mirror(
      [
        '  destinations: [dst]',
        '  repositories:',
        "    - {repository: filt/glob, tags: {include: ['v*'], exclude: ['*-rc*']}}",
        "    - {repository: filt/regex, tags: {regex: '^nightly-\\d+$'}}",
        "    - {repository: filt/semver, tags: {semver: '>=1.1.0 <3'}}",
        '    - {repository: filt/newest, tags: {latest: 2}}',
      ].join('\n'),
    );
    assert.equal(run.exitCode, 0, run.stderr);
    const names = (path: string) => Object.keys(quayTags(dst.quay, path)).sort();
    assert.deepEqual(names('filt/glob'), ['v1.0.0', 'v1.2.0', 'v2.0.0']);
    assert.deepEqual(names('filt/regex'), ['nightly-1']);
    assert.deepEqual(names('filt/semver'), ['v1.2.0', 'v2.0.0']);
    assert.deepEqual(names('filt/newest'), ['latest', 'nightly-1']);
  });

  test('a multi-arch index: every child manifest and blob is at the destination, index digest and bytes equal', async () => {
    src.quay.seed.org('multi', { owner: 'admin' });
    const pushed = await src.quay.seed.pushIndex(
      'multi/app',
      'v1',
      [{ architecture: 'amd64' }, { architecture: 'arm64' }, { architecture: 's390x' }],
      { format: 'oci' },
    );
    const run = await mirror('  destinations: [dst]\n  repositories: [multi/app:v1]');
    assert.equal(run.exitCode, 0, run.stderr);
    const index = await dstReader.manifests.get('multi/app', 'v1');
    assert.equal(index.digest, pushed.digest);
    assert.ok(index.bytes.equals(pushed.manifest));
    assert.equal(index.kind, 'index');
    for (const child of pushed.children) {
      const copied = await dstReader.manifests.get('multi/app', child.digest);
      assert.ok(copied.bytes.equals(child.manifest), `child ${child.digest}`);
      for (const blob of [child.configDigest, ...child.layerDigests]) {
        assert.ok(await dstReader.blobs.head('multi/app', blob), `blob ${blob}`);
      }
    }
  });

  test('a layer shared by two repositories is uploaded once and mounted into the other (POST ?mount=&from= → 201)', async () => {
    src.quay.seed.org('mnt', { owner: 'admin' });
    const base = 'a base layer both images share';
    const one = await src.quay.seed.pushImage('mnt/one', ['v1'], { layers: [base, 'own layer of one'] });
    await src.quay.seed.pushImage('mnt/two', ['v1'], { layers: [base, 'own layer of two'] });
    const shared = one.layerDigests[0] ?? '';
    clearLogs();
    const run = await mirror('  destinations: [dst]\n  repositories: [mnt/one, mnt/two]');
    assert.equal(run.exitCode, 0, run.stderr);
    const mounts = dst.quay
      .requestsTo({ method: 'POST', path: /^\/v2\/mnt\/(one|two)\/blobs\/uploads\/$/ })
      .filter((r) => r.query.includes(`mount=${encodeURIComponent(shared)}`));
    assert.equal(mounts.length, 1, 'one mount of the shared layer');
    assert.equal(mounts[0]?.status, 201);
    assert.match(mounts[0]?.query ?? '', /from=mnt%2F(one|two)/);
    const uploadsOfShared = dst.quay
      .requestsTo({ method: 'PUT', path: /\/blobs\/uploads\// })
      .filter((r) => r.query.includes(encodeURIComponent(shared)));
    assert.equal(uploadsOfShared.length, 1, 'the shared layer is uploaded once');
    assert.equal(
      src.quay.requestsTo({ method: 'GET', path: `/v2/mnt/one/blobs/${shared}` }).length +
        src.quay.requestsTo({ method: 'GET', path: `/v2/mnt/two/blobs/${shared}` }).length,
      1,
    );
    for (const repo of ['mnt/one', 'mnt/two']) assert.ok(await dstReader.blobs.head(repo, shared));
  });

  test('fan-out: two destinations are filled from one read of each source blob', async () => {
    src.quay.seed.org('fan', { owner: 'admin' });
    const image = await src.quay.seed.pushImage('fan/app', ['v1'], { layers: ['fan a', 'fan b', 'fan c'] });
    const index = await src.quay.seed.pushIndex('fan/app', 'multi');
    clearLogs();
    const run = await mirror('  destinations: [dst, dst2]\n  repositories: [fan/app]');
    assert.equal(run.exitCode, 0, run.stderr);
    for (const q of [dst, dst2]) {
      assert.deepEqual(quayTags(q.quay, 'fan/app'), { v1: image.digest, multi: index.digest });
    }
    const blobs = [
      image.configDigest,
      ...image.layerDigests,
      ...index.children.flatMap((c) => [c.configDigest, ...c.layerDigests]),
    ];
    for (const blob of blobs) {
      assert.equal(src.quay.requestsTo({ method: 'GET', path: `/v2/fan/app/blobs/${blob}` }).length, 1, blob);
      for (const q of [dst, dst2]) {
        assert.equal(
          q.quay
            .requestsTo({ method: 'PUT', path: /\/v2\/fan\/app\/blobs\/uploads\// })
            .filter((r) => r.query.includes(encodeURIComponent(blob))).length,
          1,
        );
      }
    }
    assert.equal(new Set(blobs).size, blobs.length);
    assert.match(
      run.stderr,
      new RegExp(`blobs: ${blobs.length * 2} uploaded \\(.* from ${blobs.length} source reads\\)`),
    );
  });

  test('an organization another run creates meanwhile counts as there; a user of that name is a failure', async () => {
    src.quay.seed.org('raced', { owner: 'admin' });
    src.quay.seed.org('usr', { owner: 'admin' });
    const raced = await src.quay.seed.pushImage('raced/app', ['v1'], { layers: ['raced layer'] });
    await src.quay.seed.pushImage('usr/app', ['v1'], { layers: ['usr layer'] });
    // The plan looks while the organization is missing; by the time it creates it, another shard has.
    dst.quay.seed.org('raced', { owner: 'admin' });
    const looked = dst.quay.faults.failNext('/api/v1/organization/raced', { method: 'GET', status: 404 });
    const race = await mirror('  destinations: [dst]\n  repositories: [raced/app]');
    assert.equal(race.exitCode, 0, race.stderr);
    assert.equal(looked.hits, 1);
    assert.match(race.stderr, /dst\/raced: organization created meanwhile by another run/);
    assert.deepEqual(quayTags(dst.quay, 'raced/app'), { v1: raced.digest });

    // "already exists" because a user holds the name: not an organization we can fill.
    dst.quay.seed.user('usr');
    const taken = await mirror('  destinations: [dst]\n  repositories: [usr/app]');
    assert.equal(taken.exitCode, 1);
    assert.match(taken.stderr, /creating organization usr failed: .*already exists/);
  });

  test('an upload the destination answers 503 is tried again with a fresh source read (a streamed PUT cannot be replayed)', async () => {
    src.quay.seed.org('retry', { owner: 'admin' });
    const pushed = await src.quay.seed.pushImage('retry/app', ['v1'], { layers: ['retry layer'] });
    clearLogs();
    const fault = dst.quay.faults.failNext(/^\/v2\/retry\/app\/blobs\/uploads\/[^?]+\?/, {
      method: 'PUT',
      status: 503,
    });
    const run = await mirror('  destinations: [dst]\n  repositories: [retry/app]');
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(fault.hits, 1);
    assert.deepEqual(quayTags(dst.quay, 'retry/app'), { v1: pushed.digest });
    assert.equal(
      src.quay.requestsTo({ method: 'GET', path: /^\/v2\/retry\/app\/blobs\// }).length,
      3,
      'two blobs, one read twice',
    );
    assert.match(run.stderr, /blobs: 2 uploaded \(.* from 3 source reads\)/);
  });

  test('--keep-going: an image whose layer is missing at the source fails alone; the others are copied; exit 1 lists it', async () => {
    src.quay.seed.org('brk', { owner: 'admin' });
    const good1 = await src.quay.seed.pushImage('brk/good1', ['v1']);
    const bad = await src.quay.seed.pushImage('brk/bad', ['v1'], { layers: ['lost layer'] });
    const good2 = await src.quay.seed.pushImage('brk/good2', ['v1']);
    src.quay.state.getRepo('brk', 'bad')?.blobs.delete(bad.layerDigests[0] ?? '');

    const run = await mirror('  destinations: [dst]\n  repositories: [brk/good1, brk/bad, brk/good2]', [
      '--keep-going',
    ]);
    assert.equal(run.exitCode, 1);
    assert.deepEqual(run.refs('failed'), ['dst/brk/bad:v1']);
    const failure = run.report.items.find((i) => i.ref === 'dst/brk/bad:v1');
    assert.match(failure?.error ?? '', /blob brk\/bad@sha256:[a-f0-9]{64} failed: .*404.*blob unknown/i);
    assert.deepEqual(run.refs('copied'), ['dst/brk/good1:v1', 'dst/brk/good2:v1']);
    assert.deepEqual(quayTags(dst.quay, 'brk/good1'), { v1: good1.digest });
    assert.deepEqual(quayTags(dst.quay, 'brk/good2'), { v1: good2.digest });
    assert.deepEqual(quayTags(dst.quay, 'brk/bad'), {});
    assert.match(run.stderr, /^error: failed \(1\):\n {2}dst\/brk\/bad:v1$/m);
  });

  test('without keepGoing the first failure stops new work: later images are skipped, exit 1', async () => {
    src.quay.seed.org('stop', { owner: 'admin' });
    const bad = await src.quay.seed.pushImage('stop/bad', ['v1'], { layers: ['lost again'] });
    await src.quay.seed.pushImage('stop/good', ['v1']);
    src.quay.state.getRepo('stop', 'bad')?.blobs.delete(bad.layerDigests[0] ?? '');
    const run = await mirror(
      '  destinations: [dst]\n  concurrency: 1\n  repositories: [stop/bad, stop/good]',
    );
    assert.equal(run.exitCode, 1);
    assert.deepEqual(run.refs('failed'), ['dst/stop/bad:v1']);
    assert.deepEqual(run.refs('skipped'), ['dst/stop/good:v1']);
    assert.deepEqual(quayTags(dst.quay, 'stop/good'), {});
  });

  test('a repository is copied as soon as its plan is made, while other repositories are still being read', async () => {
    src.quay.seed.org('early', { owner: 'admin' });
    const first = await src.quay.seed.pushImage('early/first', ['v1'], { layers: ['early first'] });
    const second = await src.quay.seed.pushImage('early/second', ['v1'], { layers: ['early second'] });
    // The source answers the tag listing of early/second only once the destination has been sent
    // early/first's manifest. A run that planned everything before copying would wait for the guard.
    const firstPushed = dst.quay.waitForRequest({ method: 'PUT', path: '/v2/early/first/manifests/v1' });
    let guardFired = false;
    const guard = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        guardFired = true;
        resolve();
      }, 20_000);
      void firstPushed.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    src.quay.faults.add({
      method: 'GET',
      path: '/api/v1/repository/early/second/tag/',
      action: { type: 'hold', until: guard },
    });
    const run = await mirror('  destinations: [dst]\n  repositories: [early/first, early/second]');
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(guardFired, false, 'early/first was copied before early/second was planned');
    assert.deepEqual(quayTags(dst.quay, 'early/first'), { v1: first.digest });
    assert.deepEqual(quayTags(dst.quay, 'early/second'), { v1: second.digest });
    assert.equal(src.quay.requestsTo({ path: '/api/v1/repository/early/second/tag/' })[0]?.fault, 'hold');
  });

  test('signatures: cosign tags and OCI referrers of a copied image come along; signatures: false leaves them', async () => {
    src.quay.seed.org('sig', { owner: 'admin' });
    const image = await src.quay.seed.pushImage('sig/app', ['v1'], { layers: ['signed'] });
    const sigTag = signatureTagsOf(image.digest)[0] ?? '';
    const signature = await src.quay.seed.pushImage('sig/app', [sigTag], {
      format: 'oci',
      layers: ['sig payload'],
    });
    const subject = { digest: image.digest, mediaType: image.mediaType, size: image.manifest.length };
    const sbom = await src.quay.seed.pushImage('sig/app', [], {
      subject,
      artifactType: 'application/spdx+json',
      layers: ['an sbom'],
    });

    const run = await mirror('  destinations: [dst]\n  repositories: [sig/app:v1]');
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(quayTags(dst.quay, 'sig/app'), { v1: image.digest, [sigTag]: signature.digest });
    const referrer = await dstReader.manifests.get('sig/app', sbom.digest);
    assert.ok(referrer.bytes.equals(sbom.manifest));
    assert.equal(referrer.subject?.digest, image.digest);

    const off = await mirror('  destinations: [dst2]\n  signatures: false\n  repositories: [sig/app:v1]');
    assert.equal(off.exitCode, 0, off.stderr);
    assert.deepEqual(quayTags(dst2.quay, 'sig/app'), { v1: image.digest });
    assert.equal(dst2.quay.state.getRepo('sig', 'app')?.manifests.has(sbom.digest), false);
  });

  test('prune: a destination tag gone from the source is deleted, only when asked for', async () => {
    src.quay.seed.org('prn', { owner: 'admin' });
    await src.quay.seed.pushImage('prn/app', ['v1'], { layers: ['p1'] });
    await src.quay.seed.pushImage('prn/app', ['v2'], { layers: ['p2'] });
    const section = '  destinations: [dst]\n  repositories: [prn/app]';
    assert.equal((await mirror(section)).exitCode, 0);
    src.quay.seed.deleteTag('prn/app', 'v2');

    const keep = await mirror(section);
    assert.equal(keep.exitCode, 0, keep.stderr);
    assert.deepEqual(Object.keys(quayTags(dst.quay, 'prn/app')).sort(), ['v1', 'v2']);
    const pruned = await mirror(section, ['--prune']);
    assert.equal(pruned.exitCode, 0, pruned.stderr);
    assert.deepEqual(pruned.refs('deleted'), ['dst/prn/app:v2']);
    assert.deepEqual(Object.keys(quayTags(dst.quay, 'prn/app')), ['v1']);
  });

  test('prune: a source tag list that changed while it was read deletes nothing the source still has', async () => {
    src.quay.seed.org('prr', { owner: 'admin' });
    const names = Array.from({ length: 150 }, (_, i) => `r${String(i).padStart(3, '0')}`);
    await src.quay.seed.pushImage('prr/app', names, { layers: ['prr'] });
    const section = '  destinations: [dst]\n  repositories: [prr/app]';
    assert.equal((await mirror(section)).exitCode, 0);
    // Quay's order: newest first, 100 a page by offset. Deleting the first row of page 1 after page 1 is read
    // shifts every row up: the first row of page 2 lands on page 1's end, read already, and is missed.
    const page = async (n: number) =>
      (
        (await (
          await fetch(
            `${src.quay.url}/api/v1/repository/prr/app/tag/?onlyActiveTags=true&limit=100&page=${n}`,
            {
              headers: { authorization: `Bearer ${src.token}` },
            },
          )
        ).json()) as { tags: { name: string }[] }
      ).tags;
    const deleted = (await page(1))[0]?.name ?? '';
    const missed = (await page(2))[0]?.name ?? '';
    let release = () => {};
    const held = src.quay.faults.add({
      path: /\/api\/v1\/repository\/prr\/app\/tag\/\?.*page=2/,
      action: {
        type: 'hold',
        until: new Promise<void>((r) => {
          release = r;
        }),
      },
    });
    const running = mirror(section, ['--prune']);
    await waitUntil('the source listing to ask for page 2', () => held.hits === 1);
    src.quay.seed.deleteTag('prr/app', deleted);
    release();
    const run = await running;
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(run.refs('deleted'), []);
    const kept = run.report.items.find((item) => item.ref === `dst/prr/app:${missed}`);
    assert.equal(kept?.action, 'skipped');
    assert.match(kept?.detail ?? '', /the source has this tag/);
    assert.ok(missed in quayTags(dst.quay, 'prr/app'));
    // The next run reads a settled list: the tag deleted at the source goes, the other stays.
    const next = await mirror(section, ['--prune']);
    assert.deepEqual(next.refs('deleted'), [`dst/prr/app:${deleted}`]);
    assert.equal(Object.keys(quayTags(dst.quay, 'prr/app')).length, 149);
  });

  test('destinations Quay would not keep a mirror in: a READ_ONLY or MIRROR repository, a proxy-cache organization, an immutable tag', async () => {
    src.quay.seed.org('guard', { owner: 'admin' });
    await src.quay.seed.pushImage('guard/ro', ['v1'], { layers: ['guard ro 1'] });
    await src.quay.seed.pushImage('guard/mir', ['v1'], { layers: ['guard mir 1'] });
    await src.quay.seed.pushImage('guard/fixed', ['v1', 'v2'], { layers: ['guard fixed 1'] });
    src.quay.seed.org('cache', { owner: 'admin' });
    await src.quay.seed.pushImage('cache/app', ['v1'], { layers: ['guard cache'] });
    const section =
      '  destinations: [dst]\n  repositories: [guard/ro, guard/mir, guard/fixed, cache/app]\n  keepGoing: true';
    const first = await mirror('  destinations: [dst]\n  repositories: [guard/ro, guard/mir, guard/fixed]');
    assert.equal(first.exitCode, 0, first.stderr);

    // At the destination: guard/ro becomes READ_ONLY (Quay's changestate), guard/fixed:v1 immutable, and the
    // organization cache a proxy cache; then every source tag changes.
    const api = (method: string, path: string, body: unknown) =>
      fetch(`${dst.quay.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${dst.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    assert.equal(
      (await api('PUT', '/api/v1/repository/guard/ro/changestate', { state: 'READ_ONLY' })).status,
      200,
    );
    assert.equal(
      (await api('PUT', '/api/v1/repository/guard/fixed/tag/v1', { immutable: true })).status,
      201,
    );
    dst.quay.seed.org('cache', { owner: 'admin' });
    dst.quay.seed.proxyCache('cache', { upstreamRegistry: 'registry.example.com' });
    assert.equal(
      (await api('PUT', '/api/v1/repository/guard/mir/changestate', { state: 'MIRROR' })).status,
      200,
    );
    await src.quay.seed.pushImage('guard/ro', ['v1'], { layers: ['guard ro 2'] });
    await src.quay.seed.pushImage('guard/mir', ['v1'], { layers: ['guard mir 2'] });
    const fixed2 = await src.quay.seed.pushImage('guard/fixed', ['v1', 'v2'], { layers: ['guard fixed 2'] });
    clearLogs();

    const run = await mirror(section);
    assert.equal(run.exitCode, 1, run.stderr);
    const detail = (ref: string) => run.report.items.find((item) => item.ref === ref)?.error ?? '';
    assert.match(
      detail('dst/guard/ro:v1'),
      /guard\/ro at dst is in state READ_ONLY: Quay takes no pushes into it/,
    );
    assert.match(
      detail('dst/guard/mir:v1'),
      /in state MIRROR: .*only its Quay repository-mirror robot may push/,
    );
    assert.match(detail('dst/cache'), /is a proxy cache of registry\.example\.com/);
    assert.match(detail('dst/cache/app:v1'), /is a proxy cache/);
    assert.match(detail('dst/guard/fixed:v1'), /TAG_IMMUTABLE.*tag 'v1' is immutable/);
    assert.equal(run.actions['dst/guard/fixed:v2'], 'copied');
    assert.equal(quayTags(dst.quay, 'guard/fixed').v2, fixed2.digest);
    // Nothing was sent into the READ_ONLY repository or the proxy cache.
    assert.deepEqual(
      dst.quay.requests.filter(
        (r) => r.method !== 'GET' && r.method !== 'HEAD' && /\/(guard\/ro|guard\/mir|cache)\//.test(r.path),
      ),
      [],
    );
  });

  test('expiry: a source tag is mirrored while alive and pruned once it expired; an immutable destination tag is not pruned (409)', async () => {
    src.quay.seed.org('exp', { owner: 'admin' });
    await src.quay.seed.pushImage('exp/app', ['v1'], { layers: ['exp 1'] });
    await src.quay.seed.pushImage('exp/app', ['v2'], { layers: ['exp 2'] });
    // The emulator's clock (other tests move it), not this process's.
    const inAMinute = src.quay.state.clock.nowSeconds() + 60;
    const expiry = await fetch(`${src.quay.url}/api/v1/repository/exp/app/tag/v2`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${src.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ expiration: inAMinute }),
    });
    assert.equal(expiry.status, 201);
    const section = '  destinations: [dst]\n  repositories: [exp/app]';
    const first = await mirror(section, ['--prune']);
    assert.equal(first.exitCode, 0, first.stderr);
    assert.deepEqual(Object.keys(quayTags(dst.quay, 'exp/app')).sort(), ['v1', 'v2']);

    src.quay.advanceTime(120);
    const pruned = await mirror(section, ['--prune']);
    assert.equal(pruned.exitCode, 0, pruned.stderr);
    assert.deepEqual(pruned.refs('deleted'), ['dst/exp/app:v2']);
    assert.deepEqual(Object.keys(quayTags(dst.quay, 'exp/app')), ['v1']);

    const immutable = await fetch(`${dst.quay.url}/api/v1/repository/exp/app/tag/v1`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${dst.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ immutable: true }),
    });
    assert.equal(immutable.status, 201);
    src.quay.seed.deleteTag('exp/app', 'v1');
    const refused = await mirror(section, ['--prune']);
    assert.equal(refused.exitCode, 1, refused.stderr);
    const item = refused.report.items.find((i) => i.ref === 'dst/exp/app:v1');
    assert.equal(item?.action, 'failed');
    assert.match(item?.error ?? '', /Cannot delete immutable tag 'v1'/);
    assert.deepEqual(Object.keys(quayTags(dst.quay, 'exp/app')), ['v1']);
  });

  test('--dry-run reports the plan and changes nothing at the destination', async () => {
    src.quay.seed.org('dry', { owner: 'admin' });
    const image = await src.quay.seed.pushImage('dry/app', ['v1']);
    clearLogs();
    const run = await mirror('  destinations: [dst]\n  repositories: [dry/app]', ['--dry-run']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.report.dryRun, true);
    assert.deepEqual(run.actions, {
      'dst/dry': 'planned',
      'dst/dry/app': 'planned',
      'dst/dry/app:v1': 'planned',
    });
    assert.match(
      run.report.items[2]?.detail ?? '',
      new RegExp(`copy ${image.digest} \\(destination: missing\\)`),
    );
    assert.deepEqual(
      dst.quay.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD'),
      [],
      'only reads at the destination',
    );
    assert.deepEqual(src.quay.requestsTo({ path: /\/blobs\// }), []);
    assert.equal(dst.quay.state.orgs.has('dry'), false);
  });

  test('failover: copies from the destination back to the source, with the destination prefix mapped back', async () => {
    src.quay.seed.org('fo', { owner: 'admin' });
    const v1 = await src.quay.seed.pushImage('fo/app', ['v1'], { layers: ['fo v1'] });
    const section = "  destinations: [{instance: dst2, prefix: 'mirror/'}]\n  repositories: [fo/app]";
    const forward = await mirror(section);
    assert.equal(forward.exitCode, 0, forward.stderr);
    assert.deepEqual(quayTags(dst2.quay, 'mirror/fo/app'), { v1: v1.digest });

    // While the primary is away, the secondary gets a new tag; failover brings it back.
    const v2 = await dst2.quay.seed.pushImage('mirror/fo/app', ['v2'], { layers: ['fo v2'] });
    const back = await mirror(section, ['--failover']);
    assert.equal(back.exitCode, 0, back.stderr);
    assert.match(back.stderr, /mirror: dst2 → src \(failover\)/);
    assert.deepEqual(back.actions, { 'src/fo/app:v1': 'unchanged', 'src/fo/app:v2': 'copied' });
    assert.deepEqual(quayTags(src.quay, 'fo/app'), { v1: v1.digest, v2: v2.digest });
  });

  test('preflight: an unresolvable registry fails the run at once, naming the host; nothing is copied', async () => {
    src.quay.seed.org('pre', { owner: 'admin' });
    await src.quay.seed.pushImage('pre/app', ['v1']);
    clearLogs();
    const run = await runMirror(
      [
        src.instance('src'),
        dst.instance('dst'),
        '  gone: {type: registry, url: "http://mirror-target.invalid:5000"}',
      ],
      '  source: src\n  destinations: [dst, gone]\n  repositories: [pre/app]',
      { env },
    );
    assert.equal(run.exitCode, 1);
    assert.match(
      run.report.error ?? '',
      /preflight failed, nothing was copied:\n {2}preflight: gone \(http:\/\/mirror-target\.invalid:5000\): cannot resolve mirror-target\.invalid/,
    );
    assert.match(run.stderr, /cannot resolve mirror-target\.invalid/);
    assert.deepEqual(run.report.items, []);
    assert.deepEqual(
      [...src.quay.requests, ...dst.quay.requests],
      [],
      'no HTTP request before the preflight passes',
    );
    assert.equal(dst.quay.state.orgs.has('pre'), false);
  });
});
