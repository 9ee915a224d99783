/**
 * A layout folder as a registry (src/archive/layout-registry.ts) on a real temporary folder: uploads are
 * sha256-checked and land whole or not at all, tags and kept digests become index.json entries, referrers
 * are found by `subject`, a far side's blobs count as present, a source cannot be written to.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ArchiveError } from '../../../src/archive/errors.js';
import { LayoutDir } from '../../../src/archive/layout/layout-dir.js';
import { LayoutRegistry } from '../../../src/archive/layout-registry.js';
import { readReceipt, serializeReceipt } from '../../../src/archive/receipt.js';
import { DigestMismatchError, sha256Digest } from '../../../src/registry/index.js';
import { tempDir, writeFile } from '../../support/temp.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function manifestOf(layer: Buffer, config: Buffer, subject?: { digest: string; size: number }) {
  const body = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: sha256Digest(config),
      size: config.length,
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: sha256Digest(layer),
        size: layer.length,
      },
    ],
    ...(subject ? { subject: { mediaType: OCI_MANIFEST, ...subject } } : {}),
  };
  const bytes = Buffer.from(JSON.stringify(body));
  return { bytes, mediaType: OCI_MANIFEST, digest: sha256Digest(bytes) };
}

async function opened(farSide: string[] = []) {
  const layout = new LayoutDir(join(tempDir('layout-registry-'), 'archive'));
  await layout.create();
  const registry = new LayoutRegistry({
    layout,
    archive: '/x/archive',
    entries: [],
    farSideBlobs: new Set(farSide),
    readOnly: false,
  });
  return { layout, registry };
}

test('an upload is checked against its digest: wrong bytes leave no file under the digest and no temporary file', async () => {
  const { layout, registry } = await opened();
  const right = Buffer.from('layer bytes');
  const digest = sha256Digest(right);
  const session = await registry.uploads.start('team/app');
  await assert.rejects(
    registry.uploads.complete(session, digest, right.length, Readable.from([Buffer.from('other bytes')])),
    DigestMismatchError,
  );
  assert.equal(await layout.blobSize(digest), undefined);
  assert.deepEqual(readdirSync(join(layout.dir, 'blobs', 'sha256')), []);
  await registry.uploads.complete(session, digest, right.length, Readable.from([right]));
  assert.equal(await layout.blobSize(digest), right.length);
  assert.deepEqual(registry.stats, {
    blobsWritten: 1,
    blobBytesWritten: right.length,
    manifestsWritten: 0,
    blobsPresent: 0,
  });
  assert.deepEqual(await registry.blobs.head('any/repository', digest), { digest, size: right.length });
});

test('tags and kept digests become entries; a referrer is found by its subject; delete removes every name of a digest', async () => {
  const { registry } = await opened();
  const layer = Buffer.from('l');
  const config = Buffer.from('{}');
  const image = manifestOf(layer, config);
  const signature = manifestOf(Buffer.from('sig'), config, {
    digest: image.digest,
    size: image.bytes.length,
  });
  await registry.manifests.put('team/app', 'v1', image);
  await registry.manifests.put('team/app', 'stable', image);
  const pushed = await registry.manifests.put('team/app', signature.digest, signature);
  assert.equal(pushed.subject, image.digest);
  assert.deepEqual((await registry.tags.list('team/app')).sort(), ['stable', 'v1']);
  assert.deepEqual(await registry.tags.catalog(), ['team/app']);
  assert.deepEqual(await registry.manifests.head('team/app', 'v1'), {
    mediaType: OCI_MANIFEST,
    digest: image.digest,
    size: image.bytes.length,
  });
  const referrers = await registry.referrers.list('team/app', image.digest);
  assert.ok(referrers.supported);
  assert.deepEqual(
    referrers.manifests.map((m) => m.digest),
    [signature.digest],
  );
  assert.equal((await registry.manifests.get('team/app', 'v1')).digest, image.digest);
  await registry.manifests.delete('team/app', image.digest);
  assert.deepEqual(await registry.tags.list('team/app'), []);
  assert.deepEqual(
    registry.entries().map((e) => [e.tag, e.digest]),
    [[undefined, signature.digest]],
  );
});

test("a far side's blob is present for the copy but is never in the layout; a missing one is named with why", async () => {
  const held = sha256Digest('held by the far side');
  const { registry } = await opened([held]);
  assert.deepEqual(await registry.blobs.head('team/app', held), { digest: held, size: undefined });
  await assert.rejects(
    registry.blobs.open('team/app', held),
    (error: unknown) =>
      error instanceof ArchiveError &&
      /left out of the archive because its receipt said the far side held it/.test(error.message),
  );
  const absent = sha256Digest('nowhere');
  await assert.rejects(
    registry.blobs.open('team/app', absent),
    /blob sha256:[0-9a-f]{64} of team\/app is missing: the archive is incomplete/,
  );
});

test('a source archive takes no writes', async () => {
  const layout = new LayoutDir(join(tempDir('layout-source-'), 'archive'));
  await layout.create();
  const source = new LayoutRegistry({ layout, archive: '/x/archive', entries: [], readOnly: true });
  await assert.rejects(source.uploads.start('team/app'), /is a source here: cannot upload to team\/app/);
});

test('a receipt reads back what was written, sorted, and a wrong one is named', async () => {
  const dir = tempDir('receipt-');
  const digest = sha256Digest('x');
  const text = serializeReceipt({
    archive: digest,
    destinations: ['site-b'],
    entries: [
      { repository: 'team/db', tag: 'v1', mediaType: OCI_MANIFEST, digest, size: 1 },
      {
        repository: 'team/app',
        tag: 'v1',
        mediaType: OCI_MANIFEST,
        digest,
        size: 1,
        source: 'quay.example.com/team/app',
      },
    ],
    blobs: new Set([digest]),
  });
  const receipt = await readReceipt(writeFile(dir, 'receipt.json', text), '/x');
  assert.deepEqual(
    receipt.entries.map((e) => e.repository),
    ['team/app', 'team/db'],
  );
  assert.deepEqual([...receipt.blobs], [digest]);
  await assert.rejects(readReceipt(join(dir, 'none.json'), '/x'), /receipt .*none\.json does not exist/);
  await assert.rejects(
    readReceipt(writeFile(dir, 'bad.json', '{"format": "something-else"}'), '/x'),
    /is not a quay-tasks-receipt\/v1 receipt/,
  );
});
