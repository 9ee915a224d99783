/**
 * RegistryClient against the Quay emulator's `/v2`: Quay's token flow (401 → `/v2/auth` → Bearer), push to a
 * repository that does not exist yet, mount (201) and its fallback (202), Link pagination, referrers, and
 * reads that break off (resumed with Range) or carry the wrong bytes.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findRegistryCredentials } from '../../../src/credentials/index.js';
import {
  BlobReadError,
  DigestMismatchError,
  MediaTypes,
  RegistryClient,
  type RegistryClientOptions,
  RegistryError,
  sha256Digest,
} from '../../../src/registry/index.js';
import { Redactor } from '../../../src/secrets/redactor.js';
import { type QuayEmulator, startQuayEmulator } from '../../support/quay-emulator/index.js';
import {
  type CopyStats,
  copyImage,
  deterministicBytes,
  image,
  pushImage,
  streamDigest,
} from '../../support/registry-images.js';
import { tempDir } from '../../support/temp.js';

const KiB = 1024;

describe('RegistryClient against the Quay emulator', () => {
  let quay: QuayEmulator;
  let alicePassword: string;
  const clients: RegistryClient[] = [];
  const client = (options: Partial<RegistryClientOptions> = {}) => {
    const created = new RegistryClient({
      registry: quay.host,
      scheme: 'http',
      // No waiting between retries in tests.
      http: { sleep: async () => undefined },
      ...options,
    });
    clients.push(created);
    return created;
  };
  const alice = () => client({ credentials: { username: 'alice', password: alicePassword } });

  before(async () => {
    quay = await startQuayEmulator();
    alicePassword = quay.seed.user('alice').password;
    quay.seed.user('carol');
    quay.seed.org('acme', { owner: 'alice' });
    quay.seed.org('private', { owner: 'carol' });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await quay?.close();
    assert.deepEqual(quay?.internalErrors ?? [], []);
  });

  test('ping: anonymous gets the Bearer challenge; with credentials the token flow completes', async () => {
    assert.deepEqual(await client().ping(), {
      ok: false,
      status: 401,
      apiVersion: 'registry/2.0',
      authScheme: 'bearer',
    });
    assert.equal((await alice().ping()).ok, true);
  });

  test('token flow: 401 → GET /v2/auth with Basic → Bearer; a push creates the missing repository', async () => {
    assert.equal(quay.state.getRepo('acme', 'fresh'), undefined);
    const c = alice();
    quay.requests.length = 0;
    const img = image('fresh');
    await pushImage(c, 'acme/fresh', img, 'v1');

    assert.ok(quay.state.getRepo('acme', 'fresh'), 'the token request with push created acme/fresh (§11.2)');
    const [challenged, tokenRequest, retried] = quay.requests;
    assert.deepEqual(
      [challenged?.method, challenged?.path, challenged?.status, challenged?.auth.kind],
      ['HEAD', `/v2/acme/fresh/blobs/${img.blobs[0]?.digest}`, 401, 'none'],
    );
    assert.deepEqual(
      [tokenRequest?.path, tokenRequest?.auth.kind, tokenRequest?.auth.subject],
      ['/v2/auth', 'basic', 'alice'],
    );
    assert.match(
      tokenRequest?.query ?? '',
      /service=127\.0\.0\.1%3A\d+&scope=repository%3Aacme%2Ffresh%3Apull%2Cpush/,
    );
    assert.deepEqual([retried?.path, retried?.auth.kind, retried?.status], [challenged?.path, 'bearer', 404]);
    // One token served the whole push: every later request went straight out with it.
    assert.equal(quay.requestsTo({ path: '/v2/auth' }).length, 1);
    assert.equal(quay.requests.filter((r) => r.status === 401).length, 1);

    const got = await c.manifests.get('acme/fresh', 'v1');
    assert.ok(got.bytes.equals(img.bytes));
    assert.equal(quay.requestsTo({ path: '/v2/auth' }).length, 1);
  });

  test('concurrent first requests share one token request', async () => {
    const img = await quay.seed.pushImage('acme/busy', 'v1', { layers: ['a', 'b', 'c', 'd', 'e'] });
    const c = alice();
    quay.requests.length = 0;
    const found = await Promise.all(img.layerDigests.map((digest) => c.blobs.head('acme/busy', digest)));
    assert.equal(found.filter(Boolean).length, 5);
    assert.equal(quay.requestsTo({ path: '/v2/auth' }).length, 1);
  });

  test('a token is renewed before it expires (its JWT exp), without another 401', async () => {
    let nowMs = Date.now();
    const c = client({
      credentials: { username: 'alice', password: alicePassword },
      http: { sleep: async () => undefined, now: () => nowMs },
    });
    await quay.seed.pushImage('acme/renew', 'v1');
    await c.manifests.head('acme/renew', 'v1');
    quay.requests.length = 0;
    await c.manifests.head('acme/renew', 'v1');
    assert.deepEqual(
      quay.requests.map((r) => [r.path, r.status]),
      [['/v2/acme/renew/manifests/v1', 200]],
    );
    nowMs += 3600_000;
    quay.advanceTime(3600);
    quay.requests.length = 0;
    await c.manifests.head('acme/renew', 'v1');
    assert.deepEqual(
      quay.requests.map((r) => [r.path, r.status]),
      [
        ['/v2/auth', 200],
        ['/v2/acme/renew/manifests/v1', 200],
      ],
    );
  });

  test('a push into an organization that does not exist is refused with advice', async () => {
    const [first] = image('nowhere').blobs;
    assert.ok(first);
    await assert.rejects(
      alice().uploads.upload('ghost/app', first.digest, first.size, first.data),
      (error: unknown) => {
        assert.ok(error instanceof RegistryError);
        assert.equal(error.status, 401);
        assert.equal(error.code, 'UNAUTHORIZED');
        assert.match(error.message, /POST \/v2\/ghost\/app\/blobs\/uploads\/ → 401/);
        assert.match(error.message, /create it first/);
        assert.doesNotMatch(error.message, new RegExp(alicePassword));
        return true;
      },
    );
  });

  test('mount: 201 from a repository the token may read, 202 fallback (then an upload) from one it may not', async () => {
    const base = await quay.seed.pushImage('acme/base', 'v1', { layers: ['shared base layer'] });
    const hidden = await quay.seed.pushImage('private/secret', 'v1', { layers: ['carol only'] });
    const c = alice();

    const mounted = await c.uploads.mount('acme/derived', base.layerDigests[0] ?? '', 'acme/base');
    assert.deepEqual(mounted, { mounted: true, digest: base.layerDigests[0] });
    const auth = quay.requestsTo({ path: '/v2/auth' }).at(-1);
    assert.match(
      auth?.query ?? '',
      /scope=repository%3Aacme%2Fbase%3Apull&scope=repository%3Aacme%2Fderived%3Apull%2Cpush/,
    );

    const data = Buffer.from('carol only');
    const digest = hidden.layerDigests[0] ?? '';
    const fallback = await c.uploads.mount('acme/derived', digest, 'private/secret');
    assert.equal(fallback.mounted, false);
    assert.ok(
      !fallback.mounted && fallback.session.location.pathname.startsWith('/v2/acme/derived/blobs/uploads/'),
    );
    if (!fallback.mounted) await c.uploads.complete(fallback.session, digest, data.length, data);
    assert.deepEqual(await c.blobs.head('acme/derived', digest), { digest, size: data.length });
  });

  test('Quay → Quay: an index with two platforms is copied by a robot with creator rights, byte-exact', async () => {
    const target = await startQuayEmulator();
    try {
      target.seed.user('owner');
      target.seed.org('mirror', { owner: 'owner' });
      const robot = target.seed.robot('mirror', 'copier');
      target.seed.team('mirror', 'creators', { role: 'creator', members: [robot.name] });
      const pushed = await quay.seed.pushIndex(
        'acme/multi',
        'v2',
        [{ architecture: 'amd64' }, { architecture: 'arm64' }],
        {
          format: 'oci',
        },
      );
      const to = client({
        registry: target.host,
        credentials: { username: robot.name, password: robot.token },
      });
      const stats: CopyStats = { blobsUploaded: 0, blobsSkipped: 0, blobsMounted: 0, manifests: 0 };
      const copied = await copyImage(
        { client: alice(), repository: 'acme/multi' },
        { client: to, repository: 'mirror/multi' },
        'v2',
        stats,
      );
      assert.equal(copied.digest, pushed.digest);
      assert.deepEqual(stats, { blobsUploaded: 4, blobsSkipped: 0, blobsMounted: 0, manifests: 3 });
      const atTarget = await to.manifests.get('mirror/multi', 'v2');
      assert.ok(atTarget.bytes.equals(pushed.manifest));
      assert.equal(atTarget.mediaType, MediaTypes.ociIndex);
      assert.deepEqual(await to.tags.list('mirror/multi'), ['v2']);
      assert.deepEqual(target.internalErrors, []);
    } finally {
      await target.close();
    }
  });

  test('a read that breaks off is resumed with Range and still verified', async () => {
    const data = deterministicBytes('resumable', 3 * 1024 * KiB);
    const { digest } = await quay.seed.blob('acme/big', data);
    const c = alice();
    await c.blobs.head('acme/big', digest); // token first, so the fault hits the download itself
    const path = `/v2/acme/big/blobs/${digest}`;
    quay.faults.add({ method: 'GET', path, times: 2, action: { type: 'truncate', afterBytes: 700 * KiB } });

    const blob = await c.blobs.open('acme/big', digest, { size: data.length });
    assert.deepEqual(await streamDigest(blob.body), { digest, size: data.length });
    assert.deepEqual(blob.stats, { bytes: data.length, resumes: 2 });
    assert.deepEqual(
      quay.requestsTo({ method: 'GET', path }).map((r) => [r.status, r.fault]),
      [
        [200, 'truncate'],
        [206, 'truncate'],
        [206, null],
      ],
    );
  });

  test('a blob redirected to storage on another origin: no Authorization there; a break resumes via the registry', async () => {
    const data = deterministicBytes('stored elsewhere', 600 * KiB);
    const { digest } = await quay.seed.blob('acme/redirected', data);
    const seen: { authorization: string | undefined; range: string | undefined }[] = [];
    const storage = createServer((req, res) => {
      seen.push({ authorization: req.headers.authorization, range: req.headers.range });
      const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
      const body = data.subarray(start);
      res.writeHead(start > 0 ? 206 : 200, {
        'content-length': String(body.length),
        ...(start > 0 ? { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` } : {}),
      });
      if (seen.length === 1) {
        res.write(body.subarray(0, 100 * KiB), () => res.socket?.destroy()); // the first download breaks off
        return;
      }
      res.end(body);
    });
    await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = storage.address() as AddressInfo;
      const c = alice();
      await c.blobs.head('acme/redirected', digest);
      const path = `/v2/acme/redirected/blobs/${digest}`;
      quay.faults.add({
        method: 'GET',
        path,
        times: 2,
        action: {
          type: 'status',
          status: 307,
          body: '',
          headers: { location: `http://127.0.0.1:${port}/b?X-Amz-Signature=s3cr3t` },
        },
      });
      const blob = await c.blobs.open('acme/redirected', digest, { size: data.length });
      assert.deepEqual(await streamDigest(blob.body), { digest, size: data.length });
      assert.equal(blob.stats.resumes, 1);
      assert.deepEqual(seen, [
        { authorization: undefined, range: undefined },
        { authorization: undefined, range: `bytes=${100 * KiB}-` },
      ]);
      assert.deepEqual(
        quay.requestsTo({ method: 'GET', path }).map((r) => [r.status, r.auth.kind]),
        [
          [307, 'bearer'],
          [307, 'bearer'],
        ],
      );
    } finally {
      await new Promise<void>((resolve) => {
        storage.close(() => resolve());
        storage.closeAllConnections();
      });
    }
  });

  test('a read that keeps breaking off gives up after maxBlobResumes with a BlobReadError', async () => {
    const data = deterministicBytes('hopeless', 2 * 1024 * KiB);
    const { digest } = await quay.seed.blob('acme/hopeless', data);
    const c = client({ credentials: { username: 'alice', password: alicePassword }, maxBlobResumes: 2 });
    await c.blobs.head('acme/hopeless', digest);
    const path = `/v2/acme/hopeless/blobs/${digest}`;
    quay.faults.add({ method: 'GET', path, times: 10, action: { type: 'truncate', afterBytes: 256 * KiB } });
    const blob = await c.blobs.open('acme/hopeless', digest);
    await assert.rejects(streamDigest(blob.body), (error: unknown) => {
      assert.ok(error instanceof BlobReadError);
      assert.equal(error.resumes, 2);
      assert.equal(error.bytesRead, 3 * 256 * KiB);
      assert.match(
        error.message,
        /broke off after 786432 of 2097152 bytes and 2 resume\(s\) did not finish it/,
      );
      return true;
    });
    quay.faults.clear();
  });

  test('wrong bytes under a digest: the blob stream errors (and so does an upload fed by it)', async () => {
    const data = Buffer.from('the real content of this blob');
    const { digest } = await quay.seed.blob('acme/tampered', data);
    const c = alice();
    await c.blobs.head('acme/tampered', digest);
    const path = `/v2/acme/tampered/blobs/${digest}`;
    const forged = 'THE REAL CONTENT OF THIS BLOB';
    quay.faults.add({
      method: 'GET',
      path,
      times: 2,
      action: {
        type: 'status',
        status: 200,
        body: forged,
        headers: { 'content-type': 'application/octet-stream' },
      },
    });

    const read = await c.blobs.open('acme/tampered', digest);
    await assert.rejects(streamDigest(read.body), (error: unknown) => {
      assert.ok(error instanceof DigestMismatchError);
      assert.equal(error.expected, digest);
      assert.equal(error.actual, sha256Digest(forged));
      return true;
    });

    const source = await c.blobs.open('acme/tampered', digest, { size: data.length });
    await assert.rejects(
      c.uploads.upload('acme/copy-of-tampered', digest, data.length, source.body),
      DigestMismatchError,
    );
    assert.equal(await c.blobs.head('acme/copy-of-tampered', digest, { forPush: true }), undefined);
  });

  test('a manifest fetched by digest must hash to it', async () => {
    const pushed = await quay.seed.pushImage('acme/strict', 'v1');
    const c = alice();
    await c.manifests.head('acme/strict', 'v1');
    quay.faults.add({
      method: 'GET',
      path: `/v2/acme/strict/manifests/${pushed.digest}`,
      action: {
        type: 'status',
        status: 200,
        // The same JSON with one more space: another digest, so not the manifest that was asked for.
        body: ` ${pushed.manifest.toString()}`,
        headers: { 'content-type': pushed.mediaType },
      },
    });
    await assert.rejects(c.manifests.get('acme/strict', pushed.digest), DigestMismatchError);
    assert.equal((await c.manifests.get('acme/strict', pushed.digest)).digest, pushed.digest);
  });

  test('tags are listed across pages by following Link', async () => {
    const tags = ['a', 'b', 'c', 'd', 'e'];
    await quay.seed.pushImage('acme/paged', tags);
    const c = alice();
    quay.requests.length = 0;
    assert.deepEqual(await c.tags.list('acme/paged', { pageSize: 2 }), tags);
    assert.deepEqual(
      quay
        .requestsTo({ path: '/v2/acme/paged/tags/list' })
        .filter((r) => r.status === 200)
        .map((r) => r.query),
      ['n=2', 'n=2&last=b', 'n=2&last=d'],
    );
  });

  test('a tag-list page cut off mid-body is read again; the listing is whole', async () => {
    const tags = ['a', 'b', 'c', 'd', 'e'];
    await quay.seed.pushImage('acme/cutpages', tags);
    const c = alice();
    await c.tags.list('acme/cutpages', { pageSize: 2 }); // token first, so the faults hit the pages
    quay.requests.length = 0;
    quay.faults.add({
      method: 'GET',
      path: /^\/v2\/acme\/cutpages\/tags\/list\?n=2&last=b$/,
      times: 2,
      action: { type: 'truncate', afterBytes: 5 },
    });
    assert.deepEqual(await c.tags.list('acme/cutpages', { pageSize: 2 }), tags);
    assert.deepEqual(
      quay.requestsTo({ path: '/v2/acme/cutpages/tags/list' }).map((r) => [r.query, r.fault]),
      [
        ['n=2', null],
        ['n=2&last=b', 'truncate'],
        ['n=2&last=b', 'truncate'],
        ['n=2&last=b', null],
        ['n=2&last=d', null],
      ],
    );
  });

  test('referrers: the API lists manifests whose subject is the digest, filtered by artifactType', async () => {
    const subject = await quay.seed.pushImage('acme/signed', 'v1', { format: 'oci' });
    const signature = await quay.seed.pushImage('acme/signed', [], {
      subject: { digest: subject.digest, mediaType: subject.mediaType, size: subject.manifest.length },
      artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    });
    const c = alice();
    const all = await c.referrers.list('acme/signed', subject.digest);
    assert.ok(all.supported);
    assert.deepEqual(
      all.manifests.map((m) => [m.digest, m.artifactType]),
      [[signature.digest, 'application/vnd.dev.cosign.artifact.sig.v1+json']],
    );
    const none = await c.referrers.list('acme/signed', subject.digest, {
      artifactType: 'application/vnd.example.sbom',
    });
    assert.deepEqual(none, { supported: true, manifests: [], filteredByRegistry: true });

    quay.features.referrersApi = false;
    try {
      assert.deepEqual(await c.referrers.list('acme/signed', subject.digest), { supported: false });
    } finally {
      quay.features.referrersApi = true;
    }
  });

  test('credentials from an auth.json (a Tekton .dockerconfigjson) are found by host and never shown', async () => {
    const dir = tempDir();
    const auth = Buffer.from(`alice:${alicePassword}`).toString('base64');
    writeFileSync(join(dir, '.dockerconfigjson'), JSON.stringify({ auths: { [quay.host]: { auth } } }));
    const redactor = new Redactor();
    const found = findRegistryCredentials(quay.host, 'acme/fresh', {
      files: [dir],
      env: {},
      homeDir: dir,
      redactor,
    });
    assert.ok(found);
    assert.equal(found.username, 'alice');
    const c = client({ credentials: found, redactor });
    assert.equal((await c.ping()).ok, true);
    assert.equal(redactor.redact(`auth ${auth} password ${alicePassword}`), 'auth *** password ***');
  });
});
