/**
 * RegistryClient against two real, plain-HTTP docker-registry (distribution 2.8.2) instances: push, copy
 * between registries byte-exact, mount, streaming of a large blob, digest errors, delete.
 */
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { PassThrough, pipeline, type Readable, Transform } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  createDigestVerifier,
  DigestMismatchError,
  InvalidReferenceError,
  MediaTypes,
  RegistryClient,
  RegistryError,
  sha256Digest,
} from '../../../src/registry/index.js';
import {
  type CopyStats,
  copyImage,
  deterministicStream,
  image,
  index,
  pushImage,
  pushIndex,
  streamDigest,
} from '../../support/registry-images.js';
import { type RegistryServer, startRegistryServer } from '../../support/registry-server.js';

const MiB = 1024 * 1024;

describe('RegistryClient against docker-registry (plain HTTP)', () => {
  let a: RegistryServer;
  let b: RegistryServer;
  let ca: RegistryClient;
  let cb: RegistryClient;

  before(async () => {
    [a, b] = await Promise.all([startRegistryServer(), startRegistryServer()]);
    ca = new RegistryClient({ registry: a.host, scheme: 'http' });
    cb = new RegistryClient({ registry: b.host, scheme: 'http' });
  });
  after(async () => {
    await Promise.all([ca?.close(), cb?.close()]);
    await Promise.all([a?.stop(), b?.stop()]);
  });

  test('manifest and blob checks keep their connection: docker-registry closes it after a HEAD, so GET takes over', async () => {
    const img = image('keepalive');
    await pushImage(ca, 'team/keepalive', img, 'v1');
    const client = new RegistryClient({ registry: a.host, scheme: 'http' });
    let connects = 0;
    const count = () => {
      connects += 1;
    };
    diagnostics.subscribe('undici:client:connected', count);
    try {
      for (let i = 0; i < 20; i++) {
        const head = await client.manifests.head('team/keepalive', 'v1');
        assert.equal(head?.digest, img.digest);
      }
      assert.equal(await client.manifests.head('team/keepalive', 'missing'), undefined);
      // Blob checks too: a present blob with its size (from the 206's Content-Range), a missing one.
      for (const blob of img.blobs) {
        assert.deepEqual(await client.blobs.head('team/keepalive', blob.digest), {
          digest: blob.digest,
          size: blob.size,
        });
      }
      for (const hex of '01234')
        assert.equal(await client.blobs.head('team/keepalive', `sha256:${hex.repeat(64)}`), undefined);
    } finally {
      diagnostics.unsubscribe('undici:client:connected', count);
      await client.close();
    }
    // The first HEAD learns that the registry closes; the checks after it share one kept connection, and a
    // 404 (whose error body is cut off) may cost one more: 3 at most, one per check without the switch.
    assert.ok(
      connects <= 3,
      `${connects} connections for 21 manifest and ${img.blobs.length + 5} blob checks`,
    );
  });

  test('a manifest a tag check read with GET serves the next get by digest once, without a request', async () => {
    const img = image('read-ahead');
    await pushImage(ca, 'team/read-ahead', img, 'v1');
    const client = new RegistryClient({ registry: a.host, scheme: 'http' });
    let manifestGets = 0;
    const count = (message: unknown) => {
      const { request } = message as { request: { method: string; path: string } };
      if (request.method === 'GET' && request.path.includes('/manifests/')) manifestGets += 1;
    };
    diagnostics.subscribe('undici:request:create', count);
    try {
      await client.manifests.head('team/read-ahead', 'v1'); // learns that HEAD closes the connection
      await client.manifests.head('team/read-ahead', 'v1'); // a GET now
      const gets = manifestGets;
      const manifest = await client.manifests.get('team/read-ahead', img.digest);
      assert.ok(manifest.bytes.equals(img.bytes));
      assert.equal(manifestGets, gets, 'served from the tag check');
      await client.manifests.get('team/read-ahead', img.digest);
      assert.equal(manifestGets, gets + 1, 'once only');
      await client.manifests.get('team/elsewhere-unknown', img.digest).catch(() => undefined);
      assert.equal(manifestGets, gets + 2, 'not for another repository');
    } finally {
      diagnostics.unsubscribe('undici:request:create', count);
      await client.close();
    }
  });

  test('ping: 200 with the distribution API version, no auth asked', async () => {
    const result = await ca.ping();
    assert.deepEqual(result, { ok: true, status: 200, apiVersion: 'registry/2.0', authScheme: 'unknown' });
  });

  test('an OCI index of two platforms, pushed children first, is copied to another registry byte-exact', async () => {
    const children = [image('app', { architecture: 'amd64' }), image('app', { architecture: 'arm64' })];
    const idx = index(children);
    await pushIndex(ca, 'team/app', children, idx, 'v1');

    const head = await ca.manifests.head('team/app', 'v1');
    assert.deepEqual(head, { mediaType: MediaTypes.ociIndex, digest: idx.digest, size: idx.bytes.length });

    const stats: CopyStats = { blobsUploaded: 0, blobsSkipped: 0, blobsMounted: 0, manifests: 0 };
    const copied = await copyImage(
      { client: ca, repository: 'team/app' },
      { client: cb, repository: 'mirror/app' },
      'v1',
      stats,
    );
    assert.equal(copied.kind, 'index');
    assert.equal(copied.digest, idx.digest);
    assert.deepEqual(stats, { blobsUploaded: 6, blobsSkipped: 0, blobsMounted: 0, manifests: 3 });

    const atB = await cb.manifests.get('mirror/app', 'v1');
    assert.equal(atB.digest, idx.digest);
    assert.ok(atB.bytes.equals(idx.bytes), 'index bytes are identical');
    for (const child of children) {
      const got = await cb.manifests.get('mirror/app', child.digest);
      assert.ok(got.bytes.equals(child.bytes), `child ${child.platform.architecture} bytes are identical`);
      assert.equal(got.kind, 'image');
      for (const blob of child.blobs) {
        const stream = await cb.blobs.open('mirror/app', blob.digest);
        assert.equal(stream.size, blob.size);
        assert.deepEqual(await streamDigest(stream.body), { digest: blob.digest, size: blob.size });
      }
    }
    assert.deepEqual(await cb.tags.list('mirror/app'), ['v1']);

    // A second copy finds every blob in place: only manifests are written again.
    const again: CopyStats = { blobsUploaded: 0, blobsSkipped: 0, blobsMounted: 0, manifests: 0 };
    await copyImage(
      { client: ca, repository: 'team/app' },
      { client: cb, repository: 'mirror/app' },
      'v1',
      again,
    );
    assert.deepEqual(again, { blobsUploaded: 0, blobsSkipped: 6, blobsMounted: 0, manifests: 3 });
  });

  test('a Docker manifest list with schema 2 children round-trips as well', async () => {
    const children = [
      image('legacy', { format: 'docker', architecture: 'amd64' }),
      image('legacy', { format: 'docker', architecture: 's390x' }),
    ];
    const list = index(children, { format: 'docker' });
    await pushIndex(ca, 'team/legacy', children, list, 'latest');
    await copyImage(
      { client: ca, repository: 'team/legacy' },
      { client: cb, repository: 'team/legacy' },
      'latest',
    );
    const head = await cb.manifests.head('team/legacy', 'latest');
    assert.deepEqual(head, {
      mediaType: MediaTypes.dockerManifestList,
      digest: list.digest,
      size: list.bytes.length,
    });
    const child = await cb.manifests.get('team/legacy', children[1]?.digest ?? '');
    assert.equal(child.mediaType, MediaTypes.dockerManifest);
  });

  test('missing things: HEAD gives undefined, GET a RegistryError with the OCI code, method and path', async () => {
    assert.equal(await ca.manifests.head('team/nothing', 'v1'), undefined);
    assert.equal(await ca.blobs.head('team/nothing', sha256Digest('absent')), undefined);
    await assert.rejects(ca.manifests.get('team/app', 'no-such-tag'), (error: unknown) => {
      assert.ok(error instanceof RegistryError);
      assert.equal(error.status, 404);
      assert.equal(error.code, 'MANIFEST_UNKNOWN');
      assert.equal(error.method, 'GET');
      assert.equal(error.path, '/v2/team/app/manifests/no-such-tag');
      assert.match(
        error.message,
        /get manifest team\/app:no-such-tag failed: GET \/v2\/team\/app\/manifests\/no-such-tag → 404/,
      );
      return true;
    });
    await assert.rejects(ca.manifests.get('Team/App', 'v1'), InvalidReferenceError);
  });

  test('cross-repository mount: 201 when the source has the blob, 202 session to upload into otherwise', async () => {
    const img = image('mountable');
    await pushImage(cb, 'src/one', img);
    const [first, second] = img.blobs;
    assert.ok(first && second);

    const mounted = await cb.uploads.mount('dst/two', first.digest, 'src/one');
    assert.deepEqual(mounted, { mounted: true, digest: first.digest });
    assert.deepEqual(await cb.blobs.head('dst/two', first.digest), {
      digest: first.digest,
      size: first.size,
    });

    const unknown = image('not-pushed').blobs[0];
    assert.ok(unknown);
    const fallback = await cb.uploads.mount('dst/two', unknown.digest, 'src/one');
    assert.equal(fallback.mounted, false);
    assert.ok(
      !fallback.mounted && fallback.session.location.pathname.startsWith('/v2/dst/two/blobs/uploads/'),
    );
    if (!fallback.mounted)
      await cb.uploads.complete(fallback.session, unknown.digest, unknown.size, unknown.data);
    assert.deepEqual(await cb.blobs.head('dst/two', unknown.digest), {
      digest: unknown.digest,
      size: unknown.size,
    });

    // The convenience path reports which it did.
    assert.deepEqual(
      await cb.uploads.upload('dst/three', second.digest, second.size, second.data, { mountFrom: 'src/one' }),
      {
        digest: second.digest,
        mounted: true,
      },
    );
  });

  test(`a ${48} MiB blob streams GET → PUT between registries without being buffered`, async () => {
    const size = 48 * MiB;
    const { digest } = await streamDigest(deterministicStream('big', size));
    await ca.uploads.upload('big/blob', digest, size, deterministicStream('big', size));

    const baseline = memoryInUse();
    let peak = baseline;
    let firstChunkAtSourceBytes: number | undefined;
    const source = await ca.blobs.open('big/blob', digest, { size });
    let seen = 0;
    let chunks = 0;
    let gap = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        seen += chunk.length;
        firstChunkAtSourceBytes ??= source.stats.bytes;
        chunks += 1;
        gap = Math.max(gap, source.stats.bytes - seen);
        if (chunks % 64 === 0) peak = Math.max(peak, memoryInUse());
        callback(null, chunk);
      },
    });
    await cb.uploads.upload('big/copy', digest, size, source.body.pipe(tap));
    assert.equal(seen, size);
    // The upload saw data while the download had delivered only a sliver of the blob.
    assert.ok(
      firstChunkAtSourceBytes !== undefined && firstChunkAtSourceBytes < 4 * MiB,
      `first chunk passed after ${firstChunkAtSourceBytes} source bytes`,
    );
    assert.ok(gap < 2 * MiB, `up to ${gap} bytes were downloaded ahead of the upload`);
    assert.ok(peak - baseline < 16 * MiB, `memory grew by ${Math.round((peak - baseline) / MiB)} MiB`);
    assert.deepEqual(await cb.blobs.head('big/copy', digest), { digest, size });
  });

  test('digest mismatch: a verified upload stream errors and the registry keeps nothing', async () => {
    const data = Buffer.from('these bytes are not what the digest says');
    const claimed = sha256Digest('other bytes');
    const body = pipeline(
      streamOf(data),
      createDigestVerifier({ digest: claimed, size: data.length }),
      () => {},
    );
    await assert.rejects(cb.uploads.upload('bad/blob', claimed, data.length, body), DigestMismatchError);
    assert.equal(await cb.blobs.head('bad/blob', claimed), undefined);

    // Without the client-side check, the registry refuses it itself.
    await assert.rejects(cb.uploads.upload('bad/blob', claimed, data.length, data), (error: unknown) => {
      assert.ok(error instanceof RegistryError);
      assert.equal(error.code, 'DIGEST_INVALID');
      assert.equal(error.method, 'PUT');
      return true;
    });
  });

  test('referrers: docker-registry has no referrers API (404 → unsupported), but stores a manifest with subject', async () => {
    const subject = image('signed');
    await pushImage(cb, 'team/signed', subject, 'v1');
    const artifactConfig = { mediaType: MediaTypes.ociEmpty, digest: sha256Digest('{}'), size: 2 };
    await cb.uploads.upload('team/signed', artifactConfig.digest, 2, Buffer.from('{}'));
    const artifact = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        artifactType: 'application/vnd.example.sig',
        config: artifactConfig,
        layers: [artifactConfig],
        subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.bytes.length },
      }),
    );
    const pushed = await cb.manifests.put('team/signed', sha256Digest(artifact), {
      bytes: artifact,
      mediaType: MediaTypes.ociManifest,
    });
    assert.equal(pushed.subject, undefined, 'distribution 2.8 sends no OCI-Subject');
    assert.deepEqual(await cb.referrers.list('team/signed', subject.digest), { supported: false });
  });

  test('delete manifest by digest; a tag is refused before any request', async () => {
    const img = image('doomed');
    await pushImage(cb, 'team/doomed', img, 'v1');
    await assert.rejects(cb.manifests.delete('team/doomed', 'v1'), InvalidReferenceError);
    await cb.manifests.delete('team/doomed', img.digest);
    assert.equal(await cb.manifests.head('team/doomed', 'v1'), undefined);
    assert.equal(await cb.manifests.head('team/doomed', img.digest), undefined);
  });
});

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Live memory: garbage collected first, so only what is still held counts. */
function memoryInUse(): number {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function streamOf(data: Buffer): Readable {
  const stream = new PassThrough();
  stream.end(data);
  return stream;
}
