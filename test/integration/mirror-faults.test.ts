/**
 * mirror-repos under faults: a proxy between the tool and one docker-registry injects 429 / 503 / connection
 * resets (before forwarding and mid-response) into about 10 % of requests and corrupts one blob body; the run
 * converges with every digest right and nothing corrupt is ever committed at the destination. A kill -9 in
 * the middle of a copy, then a re-run, completes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import { type RegistryClient, sha256Digest } from '../../src/registry/index.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { readerFor, registryInstance, runMirror } from '../support/mirror-fixture.js';
import { imageOf, layer } from '../support/mirror-images.js';
import { taskScript } from '../support/paths.js';
import { pushImage, type TestImage } from '../support/registry-images.js';
import { type RegistryServer, startRegistryServer } from '../support/registry-server.js';
import { tempDir, writeFile } from '../support/temp.js';

interface Seeded {
  /** `repo:tag` → image */
  tags: Map<string, TestImage>;
  repositories: string[];
}

/** `repos` repositories × `tagsPer` tags; every image has a shared base layer and `layers` own ones. */
async function seed(
  client: RegistryClient,
  prefix: string,
  shape: { repos: number; tagsPer: number; layers: number; layerBytes: number },
): Promise<Seeded> {
  const base = layer(`${prefix} shared base`, shape.layerBytes);
  const tags = new Map<string, TestImage>();
  const repositories: string[] = [];
  for (let r = 0; r < shape.repos; r += 1) {
    const repository = `${prefix}/app-${r}`;
    repositories.push(repository);
    for (let t = 0; t < shape.tagsPer; t += 1) {
      const label = `${prefix} ${r} ${t}`;
      const own = Array.from({ length: shape.layers }, (_, i) =>
        layer(`${label} layer ${i}`, shape.layerBytes + i),
      );
      const img = imageOf(label, [base, ...own]);
      await pushImage(client, repository, img, `v${t}`);
      tags.set(`${repository}:v${t}`, img);
    }
  }
  return { tags, repositories };
}

/** Every tag at the destination has the source's digest and byte-exact manifest; every blob hashes right. */
async function assertMirrored(dst: RegistryServer, seeded: Seeded): Promise<void> {
  for (const [ref, img] of seeded.tags) {
    const [repository, tag] = ref.split(':') as [string, string];
    const manifest = await fetch(`${dst.url}/v2/${repository}/manifests/${tag}`, {
      headers: { accept: img.mediaType },
    });
    assert.equal(manifest.status, 200, `${ref} at the destination`);
    const bytes = Buffer.from(await manifest.arrayBuffer());
    assert.equal(sha256Digest(bytes), img.digest, `${ref} digest`);
    assert.ok(bytes.equals(img.bytes), `${ref} manifest bytes`);
    for (const b of img.blobs) {
      const got = await fetch(`${dst.url}/v2/${repository}/blobs/${b.digest}`);
      assert.equal(got.status, 200, `${ref} blob ${b.digest}`);
      assert.equal(
        sha256Digest(Buffer.from(await got.arrayBuffer())),
        b.digest,
        `${ref} blob ${b.digest} content`,
      );
    }
  }
}

/**
 * Every blob the destination registry stored on disk (committed or not linked yet) has content matching
 * the digest it is stored under. Returns how many there are.
 */
function assertStoredBlobsIntact(dst: RegistryServer): number {
  const root = join(dst.dir, 'data', 'docker', 'registry', 'v2', 'blobs', 'sha256');
  let checked = 0;
  for (const prefix of readdirSync(root)) {
    for (const hex of readdirSync(join(root, prefix))) {
      const data = readFileSync(join(root, prefix, hex, 'data'));
      assert.equal(createHash('sha256').update(data).digest('hex'), hex, `stored blob sha256:${hex}`);
      checked += 1;
    }
  }
  return checked;
}

function blobCount(seeded: Seeded): number {
  return new Set([...seeded.tags.values()].flatMap((img) => img.blobs.map((b) => b.digest))).size;
}

describe('mirror-repos through a fault-injecting proxy', () => {
  let src: RegistryServer;
  let dst: RegistryServer;
  const proxies: FaultProxy[] = [];
  const proxyTo = async (options: Parameters<typeof startFaultProxy>[0]) => {
    const started = await startFaultProxy(options);
    proxies.push(started);
    return started;
  };

  before(async () => {
    [src, dst] = await Promise.all([startRegistryServer(), startRegistryServer()]);
  });
  after(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  test('source side: 429/503/resets on ~10 % of requests and one corrupted blob body; one run converges', async (t) => {
    const client = readerFor(src);
    const seeded = await seed(client, 'srcf', { repos: 5, tagsPer: 3, layers: 2, layerBytes: 48 * 1024 });
    await client.close();
    const victim = [...seeded.tags.values()][5]?.blobs[2];
    assert.ok(victim);
    const sourceProxy = await proxyTo({
      upstream: src.url,
      seed: 7,
      rate: 0.1,
      corruptBlob: victim.digest,
    });
    const instances = [`  a: {type: registry, url: ${sourceProxy.url}}`, registryInstance('b', dst)];
    const section = `  source: a\n  destinations: [b]\n  repositories: [${seeded.repositories.join(', ')}]`;

    const run = await runMirror(instances, section);
    const { counts } = sourceProxy;
    t.diagnostic(`source proxy: ${JSON.stringify(counts)}`);
    assert.equal(run.exitCode, 0, `${run.stderr}\n${JSON.stringify(counts)}`);
    assert.deepEqual(run.refs('copied').length, seeded.tags.size);
    await assertMirrored(dst, seeded);
    assert.ok(assertStoredBlobsIntact(dst) >= blobCount(seeded));

    // The faults really happened, at about the asked rate, and every kind of them.
    assert.ok(counts.requests > 50 && sourceProxy.faults() >= 4, JSON.stringify(counts));
    const rate = sourceProxy.faults() / counts.requests;
    assert.ok(rate > 0.03 && rate < 0.25, `fault rate ${rate}: ${JSON.stringify(counts)}`);
    for (const kind of ['status429', 'status503', 'resetBefore', 'resetMidResponse'] as const) {
      assert.ok(counts[kind] > 0, `${kind}: ${JSON.stringify(counts)}`);
    }
    // The corrupted body was caught by the digest check and the blob read again: the first full GET of it
    // was the corrupt one, and a later one brought the bytes that are now at the destination.
    assert.equal(counts.corrupted, 1);
    const victimGets = sourceProxy.exchanges.filter(
      (e) => e.method === 'GET' && e.path.endsWith(`/blobs/${victim.digest}`) && e.status === 200,
    );
    assert.equal(victimGets[0]?.fault, 'corrupt');
    assert.ok(victimGets.length >= 2, JSON.stringify(victimGets));
  });

  test('source side: one HTTP 500 on the blob 7 tags share is retried; every tag is copied', async () => {
    const client = readerFor(src);
    const seeded = await seed(client, 'src500', { repos: 1, tagsPer: 7, layers: 1, layerBytes: 16 * 1024 });
    await client.close();
    const images = [...seeded.tags.values()];
    const shared = images[0]?.blobs.find((b) =>
      images.every((img) => img.blobs.some((o) => o.digest === b.digest)),
    );
    assert.ok(shared, 'the seeded tags share a blob');
    const sourceProxy = await proxyTo({
      upstream: src.url,
      rate: 0,
      failFirst: { method: 'GET', path: new RegExp(`/blobs/${shared.digest}$`), status: 500 },
    });
    const instances = [`  a: {type: registry, url: ${sourceProxy.url}}`, registryInstance('b', dst)];
    const run = await runMirror(
      instances,
      `  source: a\n  destinations: [b]\n  repositories: [src500/app-0]`,
    );
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.refs('copied').length, 7, run.stderr);
    await assertMirrored(dst, seeded);
    const sharedGets = sourceProxy.exchanges.filter(
      (e) => e.method === 'GET' && e.path.endsWith(shared.digest),
    );
    assert.deepEqual(
      sharedGets.map((e) => e.status),
      [500, 200],
      'the 500 was answered once and the blob read again',
    );
  });

  test('destination side: 429/503/resets on uploads, mounts and manifest pushes; one run converges', async (t) => {
    const client = readerFor(src);
    const seeded = await seed(client, 'dstf', { repos: 4, tagsPer: 3, layers: 2, layerBytes: 48 * 1024 });
    await client.close();
    const destProxy = await proxyTo({ upstream: dst.url, seed: 11, rate: 0.1 });
    const instances = [registryInstance('a', src), `  b: {type: registry, url: ${destProxy.url}}`];
    const section = `  source: a\n  destinations: [b]\n  repositories: [${seeded.repositories.join(', ')}]`;

    const run = await runMirror(instances, section);
    const { counts } = destProxy;
    t.diagnostic(`destination proxy: ${JSON.stringify(counts)}`);
    assert.equal(run.exitCode, 0, `${run.stderr}\n${JSON.stringify(counts)}`);
    await assertMirrored(dst, seeded);
    assert.ok(assertStoredBlobsIntact(dst) >= blobCount(seeded));
    assert.ok(counts.requests > 50 && destProxy.faults() > 0, JSON.stringify(counts));
    // Upload sessions came back through the proxy (Location rewritten), and some of them were faulted.
    const uploadPuts = destProxy.exchanges.filter(
      (e) => e.method === 'PUT' && e.path.includes('/blobs/uploads/'),
    );
    assert.ok(uploadPuts.length >= blobCount(seeded) - 3, `${uploadPuts.length} upload PUTs`);
    assert.ok(
      destProxy.exchanges.some((e) => e.fault !== undefined && (e.method === 'PUT' || e.method === 'POST')),
      'a write was faulted',
    );
  });

  test('kill -9 in the middle of a copy, then a re-run: exit 0 and every digest equal', async () => {
    const client = readerFor(src);
    const seeded = await seed(client, 'kill', { repos: 6, tagsPer: 3, layers: 3, layerBytes: 256 * 1024 });
    await client.close();
    const watch = await proxyTo({ upstream: dst.url, rate: 0 });
    const instances = [registryInstance('a', src), `  b: {type: registry, url: ${watch.url}}`];
    const section = `  source: a\n  destinations: [b]\n  repositories: [${seeded.repositories.join(', ')}]`;
    const dir = tempDir('mirror-kill-');
    const config = writeFile(
      dir,
      'config.yaml',
      `quay:\n${instances.join('\n')}\nmirror-repos:\n${section}\n`,
    );

    const child = execa('node', [taskScript('mirror-repos'), '--config', config, '--output', 'json'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      extendEnv: false,
      reject: false,
      timeout: 60_000,
    });
    // The first blob the destination committed (its upload PUT answered 201) means the copy is under way.
    const committed = watch.waitFor(
      (e) => e.method === 'PUT' && e.path.includes('/blobs/uploads/') && e.status === 201,
    );
    const first = await Promise.race([
      committed,
      child.then((r) => {
        throw new Error(
          `mirror-repos ended before any blob was committed (exit ${r.exitCode}):\n${r.stderr}`,
        );
      }),
    ]);
    assert.ok(first);
    child.kill('SIGKILL');
    const killed = await child;
    assert.equal(killed.signal, 'SIGKILL', `exit ${killed.exitCode}:\n${killed.stderr}`);

    // It really was in the middle: some tags are missing at the destination, and nothing stored is corrupt.
    let present = 0;
    for (const ref of seeded.tags.keys()) {
      const [repository, tag] = ref.split(':') as [string, string];
      const head = await fetch(`${dst.url}/v2/${repository}/manifests/${tag}`, { method: 'HEAD' });
      if (head.status === 200) present += 1;
    }
    assert.ok(present < seeded.tags.size, `${present} of ${seeded.tags.size} tags already there`);
    assertStoredBlobsIntact(dst);

    const again = await runMirror(instances, section);
    assert.equal(again.exitCode, 0, again.stderr);
    await assertMirrored(dst, seeded);
    assert.ok(assertStoredBlobsIntact(dst) >= blobCount(seeded));
  });
});
