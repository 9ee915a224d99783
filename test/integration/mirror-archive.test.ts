/**
 * mirror-repos across an air gap through an oci-layout archive, with real docker-registry processes and
 * the real skopeo: registry → archive (mirror to disk) → a new, empty registry (disk to mirror), every digest
 * equal at the end as skopeo reads it; skopeo reads the archive itself; a receipt makes the next export carry
 * only what is new; a damaged archive is refused with nothing tagged; a kill -9 mid-write resumes.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import { load } from 'js-yaml';
import { shardOf } from '../../src/mirror/shard/shard.js';
import { type RegistryClient, sha256Digest } from '../../src/registry/index.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import {
  quayTags,
  readerFor,
  registryInstance,
  runMirror,
  startMirrorQuay,
} from '../support/mirror-fixture.js';
import { taskScript } from '../support/paths.js';
import { image, index, pushImage, pushIndex, type TestImage } from '../support/registry-images.js';
import { type RegistryServer, startRegistryServer } from '../support/registry-server.js';
import { tempDir, writeFile } from '../support/temp.js';

const SUITE = { timeout: 240_000 };

const archiveInstance = (name: string, path: string, extra = '') =>
  `  ${name}: {type: oci-layout, path: ${path}${extra}}`;

async function skopeoDigest(reference: string): Promise<string> {
  const out = await execa('skopeo', ['inspect', '--raw', '--tls-verify=false', reference], {
    encoding: 'buffer',
    stripFinalNewline: false,
  });
  return sha256Digest(Buffer.from(out.stdout));
}

function blobFiles(layout: string): string[] {
  return readdirSync(join(layout, 'blobs', 'sha256'))
    .filter((n) => !n.startsWith('.'))
    .sort();
}

describe('mirror-repos through an oci-layout archive', SUITE, () => {
  let a: RegistryServer;
  let ca: RegistryClient;
  const started: RegistryServer[] = [];
  const tags = new Map<string, string>(); // `repo:tag` → digest at the source
  let v2: TestImage;

  const fresh = async () => {
    const registry = await startRegistryServer();
    started.push(registry);
    return registry;
  };
  const exportTo = (layout: string, extra: string[] = [], archiveExtra = '', section = '') =>
    runMirror(
      [registryInstance('a', a), archiveInstance('disk', layout, archiveExtra)],
      `  source: a\n  destinations: [disk]\n  repositories: [team/app, team/db]\n${section}`,
      { args: extra },
    );
  const importFrom = (layout: string, into: RegistryServer, archiveExtra = '', extra: string[] = []) =>
    runMirror(
      [archiveInstance('disk', layout, archiveExtra), registryInstance('b', into)],
      '  source: disk\n  destinations: [b]\n  discovery: {enabled: true}',
      { args: extra },
    );

  before(async () => {
    a = await startRegistryServer();
    ca = readerFor(a);
    const children = [
      image('arc-app', { architecture: 'amd64' }),
      image('arc-app', { architecture: 'arm64' }),
    ];
    const idx = index(children);
    await pushIndex(ca, 'team/app', children, idx, 'v1');
    v2 = image('arc-app-v2', { format: 'docker' });
    await pushImage(ca, 'team/app', v2, 'v2');
    const signature = image('arc-app-v2-signature', { layers: 1 });
    const sigTag = `sha256-${v2.digest.slice(7)}.sig`;
    await pushImage(ca, 'team/app', signature, sigTag);
    const db = image('arc-db');
    await pushImage(ca, 'team/db', db, 'v1');
    tags.set('team/app:v1', idx.digest);
    tags.set('team/app:v2', v2.digest);
    tags.set(`team/app:${sigTag}`, signature.digest);
    tags.set('team/db:v1', db.digest);
  });
  after(async () => {
    await ca?.close();
    await Promise.all([a?.stop(), ...started.map((r) => r.stop())]);
  });

  test('registry → archive → new empty registry: every digest equal (skopeo), skopeo reads the archive, the second import changes nothing, the IDMS names the original', async () => {
    const layout = join(tempDir('arc-layout-'), 'archive');
    const dry = await exportTo(layout, ['--dry-run']);
    assert.equal(dry.exitCode, 0, dry.stderr);
    assert.equal(dry.actions['archive/disk'], 'planned');
    assert.throws(() => statSync(layout), /ENOENT/, 'a dry run writes nothing');

    const out = await exportTo(layout);
    assert.equal(out.exitCode, 0, out.stderr);
    assert.deepEqual(out.refs('copied'), [...tags.keys()].map((t) => `disk/${t}`).sort());
    assert.equal(out.actions['archive/disk'], 'updated');
    // skopeo (containers/image oci/layout getManifestDescriptor) looks only at OCI-typed entries; v2 is a
    // Docker schema 2 manifest, kept byte-exact with its own media type, so skopeo passes over it.
    for (const [ref, digest] of tags) {
      if (ref === 'team/app:v2') continue;
      assert.equal(await skopeoDigest(`oci:${layout}:${ref}`), digest, `skopeo reads oci:…:${ref}`);
    }
    const entries = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')).manifests as {
      mediaType: string;
      digest: string;
      annotations: Record<string, string>;
    }[];
    const v2Entry = entries.find((e) => e.annotations['org.opencontainers.image.ref.name'] === 'team/app:v2');
    assert.deepEqual(
      [v2Entry?.digest, v2Entry?.mediaType, v2Entry?.annotations['dev.quay-tasks.source']],
      [v2.digest, 'application/vnd.docker.distribution.manifest.v2+json', `${a.host}/team/app`],
    );
    const inspected = JSON.parse((await execa('skopeo', ['inspect', `oci:${layout}:team/db:v1`])).stdout);
    assert.equal(inspected.Digest, tags.get('team/db:v1'));

    const b = await fresh();
    const dryIn = await importFrom(layout, b, '', ['--dry-run']);
    assert.equal(dryIn.exitCode, 0, dryIn.stderr);
    assert.deepEqual((await readerFor(b).tags.catalog()).length, 0, 'a dry import sends nothing');

    const clusterDir = tempDir('arc-idms-');
    const imported = await importFrom(layout, b, '', ['--cluster-resources', clusterDir]);
    assert.equal(imported.exitCode, 0, imported.stderr);
    assert.deepEqual(imported.refs('copied'), [...tags.keys()].map((t) => `b/${t}`).sort());
    for (const [ref, digest] of tags) {
      assert.equal(await skopeoDigest(`docker://${b.host}/${ref}`), digest, ref);
    }
    const reader = readerFor(b);
    try {
      const list = await reader.manifests.get('team/app', 'v1');
      assert.equal(list.kind, 'index');
      for (const child of list.kind === 'index' ? list.manifests : []) {
        assert.equal((await reader.manifests.get('team/app', child.digest)).digest, child.digest);
      }
    } finally {
      await reader.close();
    }
    // Clusters pull by the ORIGINAL names: the rules' sources are registry a's, never the folder.
    const idms = load(readFileSync(join(clusterDir, 'idms-quay-tasks-mirror.yaml'), 'utf8')) as {
      spec: { imageDigestMirrors: { source: string; mirrors: string[] }[] };
    };
    assert.deepEqual(
      idms.spec.imageDigestMirrors.map((r) => [r.source, r.mirrors]),
      [
        [`${a.host}/team/app`, [`${b.host}/team/app`]],
        [`${a.host}/team/db`, [`${b.host}/team/db`]],
      ],
    );
    const receipt = join(layout, 'quay-tasks-receipt.json');
    assert.equal(imported.actions['receipt/disk'], 'updated');
    const receiptBytes = readFileSync(receipt);

    const again = await importFrom(layout, b);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.equal(again.report.changed, 0, JSON.stringify(again.report.items));
    assert.deepEqual(again.refs('copied'), []);
    assert.ok(readFileSync(receipt).equals(receiptBytes), 'the same receipt, to the byte');

    const reExport = await exportTo(layout);
    assert.equal(reExport.exitCode, 0, reExport.stderr);
    assert.equal(reExport.report.changed, 0, JSON.stringify(reExport.report.items));
  });

  test('a receipt carried back: the next export writes only what is new, and its import lands it', async () => {
    const first = join(tempDir('arc-first-'), 'archive');
    assert.equal((await exportTo(first)).exitCode, 0);
    const b = await fresh();
    const imported = await importFrom(first, b);
    assert.equal(imported.exitCode, 0, imported.stderr);
    const receipt = join(first, 'quay-tasks-receipt.json');

    const v3 = image('arc-app-v3', { layers: 3 });
    await pushImage(ca, 'team/app', v3, 'v3');
    try {
      const second = join(tempDir('arc-second-'), 'archive');
      const out = await exportTo(second, [], `, receipt: ${receipt}`);
      assert.equal(out.exitCode, 0, out.stderr);
      assert.deepEqual(out.refs('copied'), ['disk/team/app:v3']);
      // v3's config, three layers and its manifest: nothing the far side holds.
      assert.deepEqual(
        blobFiles(second),
        [v3.digest, ...v3.blobs.map((x) => x.digest)].map((d) => d.slice(7)).sort(),
      );
      assert.match(out.stderr, /4 blobs \([\d.]+ MB\) and 1 manifests written/);

      const landed = await importFrom(second, b);
      assert.equal(landed.exitCode, 0, landed.stderr);
      assert.deepEqual(landed.refs('copied'), ['b/team/app:v3']);
      assert.equal(await skopeoDigest(`docker://${b.host}/team/app:v3`), v3.digest);
      for (const [ref, digest] of tags)
        assert.equal(await skopeoDigest(`docker://${b.host}/${ref}`), digest, ref);

      // The incremental archive alone, into a registry that lacks what it left out, fails by name and tags nothing new.
      const empty = await fresh();
      const refused = await importFrom(second, empty);
      assert.equal(refused.exitCode, 1);
      assert.match(refused.stderr, /left out of the archive because its receipt said the far side held it/);
    } finally {
      await ca.manifests.delete('team/app', v3.digest);
    }
  });

  test('tar volumes of at most maxArchiveSize: written, each readable alone, re-assembled by the import; unchanged when run again', async () => {
    const large = image('arc-large', { layers: 2, layerBytes: 1_500_000 });
    await pushImage(ca, 'team/db', large, 'large');
    try {
      const base = tempDir('arc-volumes-');
      const volumes = join(base, 'volumes');
      const extra = `, maxArchiveSize: 1MiB, workDir: ${join(base, 'work')}`;
      const out = await exportTo(volumes, [], extra);
      assert.equal(out.exitCode, 0, out.stderr);
      const files = readdirSync(volumes).sort();
      assert.ok(files.length >= 3, `volumes: ${files.join(', ')}`);
      for (const file of files) {
        assert.match(file, /^archive-\d{4}\.tar$/);
        assert.ok(statSync(join(volumes, file)).size <= 2 ** 20, `${file} within 1 MiB`);
        const listed = (await execa('tar', ['-tf', join(volumes, file)])).stdout.split('\n');
        assert.equal(listed[0], 'quay-tasks-volume.json', `${file} describes itself first`);
      }
      assert.match(out.stderr, /volume\(s\) written \([\d.]+ MB, \d+ blob\(s\) split\)/);

      const again = await exportTo(volumes, [], extra);
      assert.equal(again.exitCode, 0, again.stderr);
      assert.equal(again.actions['archive/disk'], 'unchanged', again.stderr);

      const b = await fresh();
      const imported = await importFrom(
        volumes,
        b,
        `, maxArchiveSize: 1MiB, workDir: ${join(base, 'far-side')}`,
      );
      assert.equal(imported.exitCode, 0, imported.stderr);
      assert.equal(await skopeoDigest(`docker://${b.host}/team/db:large`), large.digest);
      for (const [ref, digest] of tags)
        assert.equal(await skopeoDigest(`docker://${b.host}/${ref}`), digest, ref);
      const twice = await importFrom(
        volumes,
        b,
        `, maxArchiveSize: 1MiB, workDir: ${join(base, 'far-side')}`,
      );
      assert.equal(twice.exitCode, 0, twice.stderr);
      assert.equal(twice.report.changed, 0, JSON.stringify(twice.report.items));
      assert.match(twice.stderr, /volume\(s\) extracted before/);

      // A volume cut short on the way: refused naming it, nothing sent to a new registry.
      const last = files.at(-1) as string;
      truncateSync(join(volumes, last), statSync(join(volumes, last)).size - 3000);
      const c = await fresh();
      const cut = await importFrom(volumes, c, `, maxArchiveSize: 1MiB, workDir: ${join(base, 'elsewhere')}`);
      assert.equal(cut.exitCode, 1, cut.stderr);
      assert.match(cut.stderr, new RegExp(`${last}`));
      assert.deepEqual(await readerFor(c).tags.catalog(), []);
    } finally {
      await ca.manifests.delete('team/db', large.digest);
    }
  });

  test('into a Quay: organizations made through its API, every tag equal; a narrowed import writes no receipt; podman refused', async () => {
    const layout = join(tempDir('arc-quay-'), 'archive');
    assert.equal((await exportTo(layout)).exitCode, 0);
    const quay = await startMirrorQuay();
    try {
      const section = '  source: disk\n  destinations: [q]\n  discovery: {enabled: true}';
      const instances = [archiveInstance('disk', layout), quay.instance('q')];
      const narrowed = await runMirror(instances, section, {
        args: ['--repository', 'team/db'],
        env: quay.env('q'),
      });
      assert.equal(narrowed.exitCode, 0, narrowed.stderr);
      assert.deepEqual(narrowed.refs('copied'), ['q/team/db:v1']);
      assert.equal(narrowed.actions['q/team'], 'created', JSON.stringify(narrowed.actions));
      assert.equal(narrowed.actions['receipt/disk'], undefined);
      assert.throws(() => statSync(join(layout, 'quay-tasks-receipt.json')), /ENOENT/);

      const whole = await runMirror(instances, section, { env: quay.env('q') });
      assert.equal(whole.exitCode, 0, whole.stderr);
      for (const path of ['team/app', 'team/db']) {
        const expected = Object.fromEntries(
          [...tags]
            .filter(([ref]) => ref.startsWith(`${path}:`))
            .map(([ref, digest]) => [ref.slice(path.length + 1), digest]),
        );
        assert.deepEqual(quayTags(quay.quay, path), expected, path);
      }
      assert.equal(whole.actions['receipt/disk'], 'updated');
    } finally {
      await quay.quay.close();
    }
    const podman = await exportTo(layout, [], '', '  engine: podman\n');
    assert.equal(podman.exitCode, 2, podman.stderr);
    assert.match(
      podman.stderr,
      /mirror-repos\.engine: podman cannot read or write the oci-layout archive quay\.disk/,
    );
  });

  test("shards of one export at once into one layout: index.json holds every shard's tags, a stale lock is taken over, volumes wait for a whole run", async () => {
    // team/app and team/db in different shards of 2, or the test shows nothing.
    assert.notEqual(shardOf('team/app', 2), shardOf('team/db', 2));
    const layout = join(tempDir('arc-shards-'), 'archive');
    const shards = await Promise.all([
      exportTo(layout, ['--shard', '1/2']),
      exportTo(layout, ['--shard', '2/2']),
    ]);
    for (const run of shards) assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(
      shards.flatMap((run) => run.refs('copied')).sort(),
      [...tags.keys()].map((t) => `disk/${t}`).sort(),
    );
    const indexed = () =>
      Object.fromEntries(
        (
          JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')).manifests as {
            digest: string;
            annotations: Record<string, string>;
          }[]
        ).map((e) => [e.annotations['org.opencontainers.image.ref.name'], e.digest]),
      );
    assert.deepEqual(indexed(), Object.fromEntries(tags));
    assert.equal(existsSync(join(layout, 'index.json.lock')), false);

    // A lock left by a shard that died holding it (older than a minute): the next shard takes it over.
    const lock = join(layout, 'index.json.lock');
    writeFileSync(lock, 'shard-2-of-2 on a pod that died\n');
    const old = new Date(Date.now() - 5 * 60_000);
    utimesSync(lock, old, old);
    const again = await Promise.all([
      exportTo(layout, ['--shard', '1/2']),
      exportTo(layout, ['--shard', '2/2']),
    ]);
    for (const run of again) {
      assert.equal(run.exitCode, 0, run.stderr);
      assert.deepEqual(run.refs('copied'), [], 'the second export of each shard copies nothing');
      assert.equal(run.actions['archive/disk'], 'unchanged');
    }
    assert.match(
      again.map((r) => r.stderr).join(''),
      /a stale index\.json\.lock of a run that died was taken over/,
    );
    assert.equal(existsSync(lock), false);
    assert.deepEqual(indexed(), Object.fromEntries(tags));

    const b = await fresh();
    const imported = await importFrom(layout, b);
    assert.equal(imported.exitCode, 0, imported.stderr);
    for (const [ref, digest] of tags)
      assert.equal(await skopeoDigest(`docker://${b.host}/${ref}`), digest, ref);

    // With volumes a shard writes the layout only; a run without --shard afterwards copies nothing and packs.
    const disk = join(tempDir('arc-shard-vol-'), 'volumes');
    const volumeOpts = `, maxArchiveSize: 1MiB, workDir: ${disk}.work`;
    const one = await exportTo(disk, ['--shard', '1/2'], volumeOpts);
    assert.equal(one.exitCode, 0, one.stderr);
    assert.match(one.stderr, /no volumes packed by a shard: run once more without --shard/);
    assert.equal(existsSync(disk), false, 'no volume written by a shard');
    const whole = await exportTo(disk, [], volumeOpts);
    assert.equal(whole.exitCode, 0, whole.stderr);
    assert.ok(
      readdirSync(disk).some((name) => /^archive-\d{4}\.tar$/.test(name)),
      readdirSync(disk).join(', '),
    );
  });

  test('a truncated and a tampered archive are refused before anything is sent, naming the blob', async () => {
    const layout = join(tempDir('arc-bad-'), 'archive');
    assert.equal((await exportTo(layout)).exitCode, 0);
    const db = tags.get('team/db:v1') as string;
    const manifest = JSON.parse(readFileSync(join(layout, 'blobs', 'sha256', db.slice(7)), 'utf8'));
    const layer = join(layout, 'blobs', 'sha256', manifest.layers[0].digest.slice(7));
    const original = readFileSync(layer);

    truncateSync(layer, original.length - 10);
    const b = await fresh();
    const truncated = await importFrom(layout, b);
    assert.equal(truncated.exitCode, 1);
    assert.match(
      truncated.stderr,
      new RegExp(
        `blob ${manifest.layers[0].digest} \\(layer of team/db:v1\\) is ${original.length - 10} bytes`,
      ),
    );
    assert.match(truncated.stderr, /refused, nothing was sent/);
    assert.deepEqual(await readerFor(b).tags.catalog(), [], 'nothing sent, nothing tagged');

    const flipped = Buffer.from(original);
    flipped[5] = (flipped[5] ?? 0) ^ 0xff;
    writeFileSync(layer, flipped);
    const tampered = await importFrom(layout, b);
    assert.equal(tampered.exitCode, 1);
    assert.match(
      tampered.stderr,
      new RegExp(`blob ${manifest.layers[0].digest} \\(layer of team/db:v1\\) does not match its digest`),
    );
    assert.match(tampered.stderr, /refused, nothing was tagged/);
    // The sha256 pass runs beside the copies, so blobs may have gone; no manifest, so no tag, did.
    const reader = readerFor(b);
    try {
      for (const repository of await reader.tags.catalog()) {
        const listed = await reader.tags.list(repository).catch(() => []);
        assert.deepEqual(listed, [], `no tag in ${repository}`);
      }
    } finally {
      await reader.close();
    }

    writeFileSync(layer, original);
    const whole = await importFrom(layout, b);
    assert.equal(whole.exitCode, 0, whole.stderr);
  });

  test('kill -9 in the middle of an export, then the same export again: finished blobs are not written again', async () => {
    const big = Array.from({ length: 6 }, (_, i) =>
      image(`arc-big-${i}`, { layers: 3, layerBytes: 300_000 }),
    );
    for (const [i, img] of big.entries()) await pushImage(ca, 'team/big', img, `b${i}`);
    const proxy = await startFaultProxy({ upstream: a.url, rate: 0 });
    const layout = join(tempDir('arc-kill-'), 'archive');
    const config = writeFile(
      tempDir('arc-kill-config-'),
      'config.yaml',
      `quay:\n  a: {type: registry, url: ${proxy.url}}\n${archiveInstance('disk', layout)}\n` +
        'mirror-repos:\n  source: a\n  destinations: [disk]\n  repositories: [team/big]\n  concurrency: 1\n',
    );
    try {
      const child = execa('node', [taskScript('mirror-repos'), '--config', config], {
        reject: false,
        timeout: 60_000,
      });
      let blobGets = 0;
      await proxy.waitFor((e) => e.method === 'GET' && /\/blobs\/sha256:/.test(e.path) && ++blobGets === 5);
      child.kill('SIGKILL');
      const killed = await child;
      assert.equal(killed.signal, 'SIGKILL');
      const before = new Map(
        blobFiles(layout).map((name) => [name, statSync(join(layout, 'blobs', 'sha256', name)).mtimeMs]),
      );
      const total = big.length * 5; // manifest, config and three layers each
      assert.ok(before.size > 0 && before.size < total, `${before.size} of ${total} files before the kill`);

      const resumed = await runCli(config);
      assert.equal(resumed.exitCode, 0, resumed.stderr);
      assert.equal(blobFiles(layout).length, total);
      for (const [name, mtime] of before) {
        assert.equal(
          statSync(join(layout, 'blobs', 'sha256', name)).mtimeMs,
          mtime,
          `${name} was not written again`,
        );
      }
      for (const [i, img] of big.entries())
        assert.equal(await skopeoDigest(`oci:${layout}:team/big:b${i}`), img.digest);
    } finally {
      await proxy.close();
    }
  });
});

async function runCli(config: string) {
  const result = await execa('node', [taskScript('mirror-repos'), '--config', config], {
    reject: false,
    timeout: 60_000,
  });
  return { exitCode: result.exitCode ?? -1, stderr: String(result.stderr) };
}
