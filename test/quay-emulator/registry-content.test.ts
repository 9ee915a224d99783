/** quay-api.md §11.3–§11.7: manifests, blobs, uploads, mounts, tags/list, _catalog and referrers. */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import type { QuayEmulator } from '../support/quay-emulator/index.js';
import { assertRegistryError, call, quayFor, registryToken, sha256 } from './_http.js';

const DOCKER_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
/** The smallest config Quay takes for a Docker schema 2 manifest (`rootfs.type` and `history`, CONTRACT.md row 26). */
const DOCKER_CONFIG = JSON.stringify({ rootfs: { type: 'layers', diff_ids: [] }, history: [] });
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

async function pusher(t: Parameters<typeof quayFor>[0], opts = {}) {
  const quay = await quayFor(t, opts);
  const alice = quay.seed.user('alice');
  const token = await registryToken(quay, `alice:${alice.password}`, ['repository:alice/app:pull,push,*']);
  return { quay, token, alice };
}

async function uploadBlob(
  quay: QuayEmulator,
  token: string,
  repo: string,
  data: Buffer | string,
): Promise<string> {
  const digest = sha256(data);
  const reply = await call(quay, 'POST', `/v2/${repo}/blobs/uploads/?digest=${digest}`, {
    token,
    rawBody: typeof data === 'string' ? Buffer.from(data) : data,
    contentType: 'application/octet-stream',
  });
  assert.equal(reply.status, 201, reply.text);
  return digest;
}

function imageManifest(
  mediaType: string,
  config: string,
  layers: { digest: string; size: number }[],
  extra = {},
): string {
  const oci = mediaType === OCI_MANIFEST;
  // Odd indentation and a trailing newline: the registry must store and serve these bytes unchanged.
  return `${JSON.stringify(
    {
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: oci
          ? 'application/vnd.oci.image.config.v1+json'
          : 'application/vnd.docker.container.image.v1+json',
        digest: config,
        size: DOCKER_CONFIG.length,
      },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...l })),
      ...extra,
    },
    null,
    1,
  )}\n`;
}

async function pushSimpleImage(
  quay: QuayEmulator,
  token: string,
  ref: string,
  mediaType = DOCKER_V2,
  extra = {},
) {
  const config = await uploadBlob(quay, token, 'alice/app', DOCKER_CONFIG);
  const layer = await uploadBlob(quay, token, 'alice/app', `layer for ${ref}`);
  const body = imageManifest(mediaType, config, [{ digest: layer, size: `layer for ${ref}`.length }], extra);
  const reply = await call(quay, 'PUT', `/v2/alice/app/manifests/${ref}`, {
    token,
    rawBody: body,
    contentType: mediaType,
  });
  return { reply, body, digest: sha256(body) };
}

test('§11.4 manifest PUT by tag: 201 "OK" with Docker-Content-Digest and Location; GET/HEAD return the exact bytes', async (t) => {
  const { quay, token } = await pusher(t);
  const { reply, body, digest } = await pushSimpleImage(quay, token, 'v1', DOCKER_V2);
  assert.equal(reply.status, 201);
  assert.equal(reply.text, 'OK');
  assert.equal(reply.headers.get('docker-content-digest'), digest);
  assert.equal(reply.headers.get('location'), `${quay.url}/v2/alice/app/manifests/${digest}`);
  for (const ref of ['v1', digest]) {
    const got = await call(quay, 'GET', `/v2/alice/app/manifests/${ref}`, { token });
    assert.equal(got.status, 200);
    assert.equal(got.text, body);
    assert.equal(got.headers.get('content-type'), DOCKER_V2);
    assert.equal(got.headers.get('docker-content-digest'), digest);
  }
  const head = await call(quay, 'HEAD', '/v2/alice/app/manifests/v1', { token });
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(body)));
  assert.equal(head.headers.get('docker-content-digest'), digest);
});

test('§11.4 all current media types are accepted: OCI manifest, OCI index, Docker manifest list', async (t) => {
  const { quay, token } = await pusher(t);
  const oci = await pushSimpleImage(quay, token, 'oci', OCI_MANIFEST);
  assert.equal(oci.reply.status, 201);
  const docker = await pushSimpleImage(quay, token, 'docker', DOCKER_V2);
  for (const [mediaType, childType] of [
    [OCI_INDEX, OCI_MANIFEST],
    [DOCKER_LIST, DOCKER_V2],
  ] as const) {
    const child = childType === OCI_MANIFEST ? oci : docker;
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType,
      manifests: [
        {
          mediaType: childType,
          digest: child.digest,
          size: Buffer.byteLength(child.body),
          platform: { architecture: 'amd64', os: 'linux' },
        },
      ],
    });
    const reply = await call(quay, 'PUT', `/v2/alice/app/manifests/list-${mediaType.length}`, {
      token,
      rawBody: index,
      contentType: mediaType,
    });
    assert.equal(reply.status, 201, mediaType);
    const got = await call(quay, 'GET', `/v2/alice/app/manifests/${sha256(index)}`, { token });
    assert.equal(got.headers.get('content-type'), mediaType);
    assert.equal(got.text, index);
  }
});

test('§11.4 PUT errors: unsupported type 415 MANIFEST_INVALID, missing blob 400, digest mismatch 400 MANIFEST_INVALID (real Quay)', async (t) => {
  const { quay, token } = await pusher(t);
  const unsupported = await call(quay, 'PUT', '/v2/alice/app/manifests/x', {
    token,
    rawBody: '{}',
    contentType: 'application/json',
  });
  assertRegistryError(unsupported, 415, 'MANIFEST_INVALID');
  assert.match(unsupported.text, /manifest schema version not supported/);
  const missing = imageManifest(DOCKER_V2, sha256('nope'), []);
  assertRegistryError(
    await call(quay, 'PUT', '/v2/alice/app/manifests/x', { token, rawBody: missing, contentType: DOCKER_V2 }),
    400,
    'MANIFEST_INVALID',
  );
  const { body } = await pushSimpleImage(quay, token, 'ok');
  const wrongDigest = sha256('something else');
  assertRegistryError(
    await call(quay, 'PUT', `/v2/alice/app/manifests/${wrongDigest}`, {
      token,
      rawBody: body,
      contentType: DOCKER_V2,
    }),
    400,
    'MANIFEST_INVALID',
  );
  assertRegistryError(
    await call(quay, 'PUT', '/v2/alice/app/manifests/y', {
      token,
      rawBody: 'not json',
      contentType: DOCKER_V2,
    }),
    400,
    'MANIFEST_INVALID',
  );
});

test('§11.4 children of an index must already be in the repository (unless FEATURE_SPARSE_INDEX)', async (t) => {
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [{ mediaType: OCI_MANIFEST, digest: sha256('absent child'), size: 12 }],
  });
  const strict = await pusher(t);
  assertRegistryError(
    await call(strict.quay, 'PUT', '/v2/alice/app/manifests/multi', {
      token: strict.token,
      rawBody: index,
      contentType: OCI_INDEX,
    }),
    400,
    'MANIFEST_INVALID',
  );
  const sparse = await pusher(t, { features: { sparseIndex: true } });
  const ok = await call(sparse.quay, 'PUT', '/v2/alice/app/manifests/multi', {
    token: sparse.token,
    rawBody: index,
    contentType: OCI_INDEX,
  });
  assert.equal(ok.status, 201);
});

test('§11.4 FEATURE_GENERAL_OCI_SUPPORT off: OCI types are 415 MANIFEST_INVALID', async (t) => {
  const { quay, token } = await pusher(t, { features: { generalOciSupport: false } });
  const { reply } = await pushSimpleImage(quay, token, 'v1', OCI_MANIFEST);
  assertRegistryError(reply, 415, 'MANIFEST_INVALID');
});

test('§11.4 push by digest is stored under a hidden temporary tag: GET by digest works, tag lists do not show it, it expires', async (t) => {
  const { quay, token } = await pusher(t);
  const config = await uploadBlob(quay, token, 'alice/app', DOCKER_CONFIG);
  const body = imageManifest(OCI_MANIFEST, config, []);
  const digest = sha256(body);
  assert.equal(
    (
      await call(quay, 'PUT', `/v2/alice/app/manifests/${digest}`, {
        token,
        rawBody: body,
        contentType: OCI_MANIFEST,
      })
    ).status,
    201,
  );
  assert.equal((await call(quay, 'GET', `/v2/alice/app/manifests/${digest}`, { token })).status, 200);
  const list = (await call(quay, 'GET', '/v2/alice/app/tags/list', { token })).json as { tags: string[] };
  assert.deepEqual(list.tags, []);
  quay.advanceTime(3601);
  const fresh = await registryToken(quay, `alice:${quay.state.users.get('alice')?.password}`, [
    'repository:alice/app:pull',
  ]);
  assertRegistryError(
    await call(quay, 'GET', `/v2/alice/app/manifests/${digest}`, { token: fresh }),
    404,
    'MANIFEST_UNKNOWN',
  );
});

test('§11.7 unknown manifest → 404 MANIFEST_UNKNOWN; unknown repository → 404 NAME_UNKNOWN', async (t) => {
  const { quay, token, alice } = await pusher(t);
  // A pull scope never creates the repository; the namespace owner's token still grants pull on it (§11.2).
  const pullOnly = await registryToken(quay, `alice:${alice.password}`, ['repository:alice/other:pull']);
  assertRegistryError(
    await call(quay, 'GET', '/v2/alice/other/manifests/nope', { token: pullOnly }),
    404,
    'NAME_UNKNOWN',
  );
  await pushSimpleImage(quay, token, 'v1');
  assertRegistryError(
    await call(quay, 'GET', '/v2/alice/app/manifests/nope', { token }),
    404,
    'MANIFEST_UNKNOWN',
  );
  assertRegistryError(
    await call(quay, 'GET', `/v2/alice/app/manifests/${sha256('x')}`, { token }),
    404,
    'MANIFEST_UNKNOWN',
  );
});

test('§11.4 DELETE manifest: 202; by digest it ends every tag pointing at it', async (t) => {
  const { quay, token } = await pusher(t);
  const { body, digest } = await pushSimpleImage(quay, token, 'a');
  await call(quay, 'PUT', '/v2/alice/app/manifests/b', { token, rawBody: body, contentType: DOCKER_V2 });
  await call(quay, 'PUT', '/v2/alice/app/manifests/c', { token, rawBody: body, contentType: DOCKER_V2 });
  assert.equal((await call(quay, 'DELETE', '/v2/alice/app/manifests/c', { token })).status, 202);
  assert.deepEqual(
    ((await call(quay, 'GET', '/v2/alice/app/tags/list', { token })).json as { tags: string[] }).tags,
    ['a', 'b'],
  );
  assert.equal((await call(quay, 'DELETE', `/v2/alice/app/manifests/${digest}`, { token })).status, 202);
  assert.deepEqual(
    ((await call(quay, 'GET', '/v2/alice/app/tags/list', { token })).json as { tags: string[] }).tags,
    [],
  );
});

test('§11.3 monolithic POST ?digest= with a body: 201 with Location and Docker-Content-Digest; HEAD/GET serve it', async (t) => {
  const { quay, token } = await pusher(t);
  const data = Buffer.from('hello blob world');
  const digest = sha256(data);
  const reply = await call(quay, 'POST', `/v2/alice/app/blobs/uploads/?digest=${digest}`, {
    token,
    rawBody: data,
    contentType: 'application/octet-stream',
  });
  assert.equal(reply.status, 201);
  assert.equal(reply.headers.get('docker-content-digest'), digest);
  assert.equal(reply.headers.get('location'), `${quay.url}/v2/alice/app/blobs/${digest}`);
  const head = await call(quay, 'HEAD', `/v2/alice/app/blobs/${digest}`, { token });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), String(data.length));
  assert.equal(head.headers.get('docker-content-digest'), digest);
  const got = await call(quay, 'GET', `/v2/alice/app/blobs/${digest}`, { token });
  assert.equal(got.text, data.toString());
});

test('§11.3 Range requests: 206 with Content-Range, suffix ranges, 416 when unsatisfiable', async (t) => {
  const { quay, token } = await pusher(t);
  const digest = await uploadBlob(quay, token, 'alice/app', '0123456789');
  const part = await call(quay, 'GET', `/v2/alice/app/blobs/${digest}`, {
    token,
    headers: { range: 'bytes=2-5' },
  });
  assert.equal(part.status, 206);
  assert.equal(part.text, '2345');
  assert.equal(part.headers.get('content-range'), 'bytes 2-5/10');
  const open = await call(quay, 'GET', `/v2/alice/app/blobs/${digest}`, {
    token,
    headers: { range: 'bytes=7-' },
  });
  assert.equal(open.text, '789');
  const suffix = await call(quay, 'GET', `/v2/alice/app/blobs/${digest}`, {
    token,
    headers: { range: 'bytes=-2' },
  });
  assert.equal(suffix.text, '89');
  const bad = await call(quay, 'GET', `/v2/alice/app/blobs/${digest}`, {
    token,
    headers: { range: 'bytes=20-30' },
  });
  assert.equal(bad.status, 416);
  assert.equal(bad.headers.get('content-range'), 'bytes */10');
});

test('§11.7 unknown blob → 404 BLOB_UNKNOWN; DELETE blob → 405 UNSUPPORTED', async (t) => {
  const { quay, token } = await pusher(t);
  const digest = await uploadBlob(quay, token, 'alice/app', 'x');
  assertRegistryError(
    await call(quay, 'GET', `/v2/alice/app/blobs/${sha256('y')}`, { token }),
    404,
    'BLOB_UNKNOWN',
  );
  const head = await call(quay, 'HEAD', `/v2/alice/app/blobs/${sha256('y')}`, { token });
  assert.equal(head.status, 404);
  assertRegistryError(
    await call(quay, 'DELETE', `/v2/alice/app/blobs/${digest}`, { token }),
    405,
    'UNSUPPORTED',
  );
});

test('§11.3 upload session: 202 Location/Docker-Upload-UUID/Range 0-0, chunked PATCH, closing PUT ?digest= → 201', async (t) => {
  const { quay, token } = await pusher(t);
  const start = await call(quay, 'POST', '/v2/alice/app/blobs/uploads/', { token });
  assert.equal(start.status, 202);
  assert.equal(start.headers.get('range'), '0-0');
  const uuid = start.headers.get('docker-upload-uuid') ?? '';
  const location = start.headers.get('location') ?? '';
  assert.equal(location, `${quay.url}/v2/alice/app/blobs/uploads/${uuid}`);
  const path = new URL(location).pathname;
  const p1 = await call(quay, 'PATCH', path, {
    token,
    rawBody: 'abc',
    contentType: 'application/octet-stream',
    headers: { 'content-range': '0-2' },
  });
  assert.equal(p1.status, 202);
  assert.equal(p1.headers.get('range'), '0-2');
  const wrong = await call(quay, 'PATCH', path, {
    token,
    rawBody: 'zz',
    contentType: 'application/octet-stream',
    headers: { 'content-range': '7-8' },
  });
  assert.equal(wrong.status, 416);
  const p2 = await call(quay, 'PATCH', path, {
    token,
    rawBody: 'def',
    contentType: 'application/octet-stream',
  });
  assert.equal(p2.headers.get('range'), '0-5');
  const status = await call(quay, 'GET', path, { token });
  assert.equal(status.status, 204);
  assert.equal(status.headers.get('range'), '0-5');
  const digest = sha256('abcdefgh');
  const done = await call(quay, 'PUT', `${path}?digest=${digest}`, {
    token,
    rawBody: 'gh',
    contentType: 'application/octet-stream',
  });
  assert.equal(done.status, 201);
  assert.equal(done.headers.get('docker-content-digest'), digest);
  assert.equal((await call(quay, 'GET', `/v2/alice/app/blobs/${digest}`, { token })).text, 'abcdefgh');
  assertRegistryError(
    await call(quay, 'PATCH', path, { token, rawBody: 'x', contentType: 'application/octet-stream' }),
    404,
    'BLOB_UPLOAD_UNKNOWN',
  );
});

test('§11.7 digest mismatch → 400 BLOB_UPLOAD_INVALID (real Quay: _upload_chunk) and nothing is stored; PUT without digest → 400; cancel → 204', async (t) => {
  const { quay, token } = await pusher(t);
  const claimed = sha256('what I said');
  const mono = await call(quay, 'POST', `/v2/alice/app/blobs/uploads/?digest=${claimed}`, {
    token,
    rawBody: 'what I sent',
    contentType: 'application/octet-stream',
  });
  assertRegistryError(mono, 400, 'BLOB_UPLOAD_INVALID');
  assertRegistryError(
    await call(quay, 'GET', `/v2/alice/app/blobs/${claimed}`, { token }),
    404,
    'BLOB_UNKNOWN',
  );
  const start = await call(quay, 'POST', '/v2/alice/app/blobs/uploads/', { token });
  const path = new URL(start.headers.get('location') ?? '').pathname;
  assertRegistryError(
    await call(quay, 'PUT', path, { token, rawBody: 'abc', contentType: 'application/octet-stream' }),
    400,
    'BLOB_UPLOAD_INVALID',
  );
  assertRegistryError(
    await call(quay, 'PUT', `${path}?digest=${claimed}`, { token }),
    400,
    'BLOB_UPLOAD_INVALID',
  );
  assert.equal(quay.state.getRepo('alice', 'app')?.blobs.size, 0);
  const another = await call(quay, 'POST', '/v2/alice/app/blobs/uploads/', { token });
  const anotherPath = new URL(another.headers.get('location') ?? '').pathname;
  assert.equal((await call(quay, 'DELETE', anotherPath, { token })).status, 204);
  assertRegistryError(await call(quay, 'GET', anotherPath, { token }), 404, 'BLOB_UPLOAD_UNKNOWN');
});

test('§11.3 cross-repo mount with from=: 201 when readable and present; otherwise (or without from) a 202 session', async (t) => {
  const quay = await quayFor(t);
  const alice = quay.seed.user('alice');
  quay.seed.user('bob');
  const shared = await quay.seed.blob('alice/source', 'shared layer');
  await quay.seed.blob('bob/private', 'bob layer');
  const token = await registryToken(quay, `alice:${alice.password}`, [
    'repository:alice/target:pull,push',
    'repository:alice/source:pull',
    'repository:bob/private:pull',
  ]);
  const mounted = await call(
    quay,
    'POST',
    `/v2/alice/target/blobs/uploads/?mount=${shared.digest}&from=alice/source`,
    { token },
  );
  assert.equal(mounted.status, 201);
  assert.equal(mounted.headers.get('docker-content-digest'), shared.digest);
  assert.equal(mounted.headers.get('location'), `${quay.url}/v2/alice/target/blobs/${shared.digest}`);
  assert.equal((await call(quay, 'HEAD', `/v2/alice/target/blobs/${shared.digest}`, { token })).status, 200);
  const noFrom = await call(quay, 'POST', `/v2/alice/target/blobs/uploads/?mount=${shared.digest}`, {
    token,
  });
  assert.equal(noFrom.status, 202, 'Quay does not auto-discover the source');
  assert.equal(noFrom.headers.get('range'), '0-0');
  assert.ok(noFrom.headers.get('docker-upload-uuid'));
  const bobs = sha256('bob layer');
  const unreadable = await call(
    quay,
    'POST',
    `/v2/alice/target/blobs/uploads/?mount=${bobs}&from=bob/private`,
    { token },
  );
  assert.equal(unreadable.status, 202);
  assert.equal(quay.state.getRepo('alice', 'target')?.blobs.has(bobs), false);
});

test('§11.7 tags/list: {"name","tags"} sorted, n and last paging with a Link rel="next" header', async (t) => {
  const { quay, token } = await pusher(t);
  const { body } = await pushSimpleImage(quay, token, 't1');
  for (const tag of ['t2', 't3', 't4', 't5']) {
    await call(quay, 'PUT', `/v2/alice/app/manifests/${tag}`, {
      token,
      rawBody: body,
      contentType: DOCKER_V2,
    });
  }
  const all = await call(quay, 'GET', '/v2/alice/app/tags/list', { token });
  assert.deepEqual(all.json, { name: 'alice/app', tags: ['t1', 't2', 't3', 't4', 't5'] });
  assert.equal(all.headers.get('link'), null);
  const first = await call(quay, 'GET', '/v2/alice/app/tags/list?n=2', { token });
  assert.deepEqual((first.json as { tags: string[] }).tags, ['t1', 't2']);
  assert.equal(first.headers.get('link'), '</v2/alice/app/tags/list?n=2&last=t2>; rel="next"');
  const next = await call(quay, 'GET', '/v2/alice/app/tags/list?n=2&last=t2', { token });
  assert.deepEqual((next.json as { tags: string[] }).tags, ['t3', 't4']);
  const tail = await call(quay, 'GET', '/v2/alice/app/tags/list?n=2&last=t4', { token });
  assert.deepEqual((tail.json as { tags: string[] }).tags, ['t5']);
  assert.equal(tail.headers.get('link'), null);
});

test('§11.7 _catalog: repos visible to the token subject, anonymous empty unless FEATURE_PUBLIC_CATALOG, Link paging', async (t) => {
  const quay = await quayFor(t);
  const alice = quay.seed.user('alice');
  quay.seed.repo('alice/a1');
  quay.seed.repo('alice/a2');
  quay.seed.repo('alice/a3');
  quay.seed.user('bob');
  quay.seed.repo('bob/hidden');
  quay.seed.repo('bob/open', { public: true });
  const token = await registryToken(quay, `alice:${alice.password}`, []);
  const first = await call(quay, 'GET', '/v2/_catalog?n=2', { token });
  assert.deepEqual((first.json as { repositories: string[] }).repositories, ['alice/a1', 'alice/a2']);
  const link = first.headers.get('link') ?? '';
  const m = /^<(\/v2\/_catalog\?[^>]+)>; rel="next"$/.exec(link);
  assert.ok(m?.[1], link);
  const second = await call(quay, 'GET', m[1], { token });
  assert.deepEqual((second.json as { repositories: string[] }).repositories, ['alice/a3']);
  assert.deepEqual((await call(quay, 'GET', '/v2/_catalog')).json, { repositories: [] });
  const pub = await quayFor(t, { features: { publicCatalog: true } });
  pub.seed.repo('x/open', { public: true });
  pub.seed.repo('x/closed');
  assert.deepEqual((await call(pub, 'GET', '/v2/_catalog')).json, { repositories: ['x/open'] });
});

test('§11.5 referrers: OCI index of manifests whose subject is the digest; artifactType filter; unknown subject 400', async (t) => {
  const quay = await quayFor(t);
  const alice = quay.seed.user('alice');
  const subject = await quay.seed.pushImage('alice/app', 'v1', { format: 'oci' });
  const sbom = await quay.seed.pushImage('alice/app', 'sbom', {
    subject: { digest: subject.digest, mediaType: subject.mediaType, size: subject.manifest.length },
    artifactType: 'application/spdx+json',
  });
  await quay.seed.pushImage('alice/app', 'sig', {
    subject: { digest: subject.digest, mediaType: subject.mediaType, size: subject.manifest.length },
    artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
  });
  const token = await registryToken(quay, `alice:${alice.password}`, ['repository:alice/app:pull']);
  const all = await call(quay, 'GET', `/v2/alice/app/referrers/${subject.digest}`, { token });
  assert.equal(all.status, 200);
  assert.equal(all.headers.get('content-type'), OCI_INDEX);
  const index = all.json as {
    schemaVersion: number;
    mediaType: string;
    manifests: { digest: string; artifactType: string }[];
  };
  assert.equal(index.schemaVersion, 2);
  assert.equal(index.manifests.length, 2);
  const filtered = await call(
    quay,
    'GET',
    `/v2/alice/app/referrers/${subject.digest}?artifactType=application/spdx%2Bjson`,
    { token },
  );
  assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
  assert.deepEqual(
    (filtered.json as { manifests: { digest: string }[] }).manifests.map((m) => m.digest),
    [sbom.digest],
  );
  assertRegistryError(
    await call(quay, 'GET', `/v2/alice/app/referrers/${sha256('unknown')}`, { token }),
    400,
    'MANIFEST_INVALID',
  );
  const off = await quayFor(t, { features: { referrersApi: false } });
  assert.equal((await call(off, 'GET', `/v2/alice/app/referrers/${subject.digest}`)).status, 404);
});

test('§11.1 public repositories can be pulled without a token while anonymous access is on', async (t) => {
  const quay = await quayFor(t);
  quay.seed.org('acme');
  const image = await quay.seed.pushImage('acme/open', 'v1');
  quay.state.getRepo('acme', 'open')!.isPublic = true;
  const got = await call(quay, 'GET', '/v2/acme/open/manifests/v1');
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('docker-content-digest'), image.digest);
  const blob = await call(quay, 'GET', `/v2/acme/open/blobs/${image.layerDigests[0]}`);
  assert.equal(blob.status, 200);
  const closed = await quay.seed.pushImage('acme/closed', 'v1');
  const denied = await call(quay, 'GET', `/v2/acme/closed/manifests/${closed.digest}`);
  assertRegistryError(denied, 401, 'UNAUTHORIZED');
  assert.match(denied.headers.get('www-authenticate') ?? '', /scope="repository:acme\/closed:pull"$/);
});

test('blob store on disk (blobDir): uploads are streamed into files, served back, and indexed by a later instance', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'quay-emu-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { quay, token } = await pusher(t, { blobDir: dir });
  const big = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) % 251;
  const digest = sha256(big);
  const start = await call(quay, 'POST', '/v2/alice/app/blobs/uploads/', { token });
  const path = new URL(start.headers.get('location') ?? '').pathname;
  const half = Math.floor(big.length / 2);
  await call(quay, 'PATCH', path, {
    token,
    rawBody: big.subarray(0, half),
    contentType: 'application/octet-stream',
  });
  const done = await call(quay, 'PUT', `${path}?digest=${digest}`, {
    token,
    rawBody: big.subarray(half),
    contentType: 'application/octet-stream',
  });
  assert.equal(done.status, 201);
  const file = join(dir, 'blobs', 'sha256', digest.slice(7));
  assert.deepEqual(await readFile(file), big);
  assert.deepEqual(await readdir(join(dir, 'uploads')), [], 'no upload leftovers');
  const res = await fetch(`${quay.url}/v2/alice/app/blobs/${digest}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), big);
  const bad = await call(quay, 'POST', `/v2/alice/app/blobs/uploads/?digest=${sha256('x')}`, {
    token,
    rawBody: 'y',
    contentType: 'application/octet-stream',
  });
  assertRegistryError(bad, 400, 'BLOB_UPLOAD_INVALID');
  assert.deepEqual(
    await readdir(join(dir, 'blobs', 'sha256')),
    [digest.slice(7)],
    'the mismatching upload left no file',
  );
  await quay.close();
  const again = await quayFor(t, { blobDir: dir });
  assert.deepEqual(again.state.repos.size, 0);
  const seeded = await again.seed.blob('x/y', big);
  assert.equal(seeded.digest, digest);
});
