import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  blobsOf,
  childManifests,
  DigestMismatchError,
  descriptorOf,
  InvalidManifestError,
  MediaTypes,
  parseManifest,
  referencedDescriptors,
  sha256Digest,
  UnsupportedManifestError,
} from '../../../../src/registry/index.js';

const d = (seed: string) => sha256Digest(seed);
const desc = (mediaType: string, seed: string, size = 10) => ({ mediaType, digest: d(seed), size });

function bytesOf(value: unknown, indent?: number): Buffer {
  return Buffer.from(JSON.stringify(value, null, indent));
}

describe('parseManifest', () => {
  test('OCI image manifest: config, layers, subject, annotations; bytes and digest kept exactly', () => {
    const subject = desc(MediaTypes.ociManifest, 'subject', 400);
    const bytes = bytesOf(
      {
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        config: desc(MediaTypes.ociConfig, 'config'),
        layers: [desc(MediaTypes.ociLayerGzip, 'l1'), desc(MediaTypes.ociLayerGzip, 'l2')],
        subject,
        annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' },
      },
      4,
    );
    const m = parseManifest(bytes);
    assert.equal(m.kind, 'image');
    assert.equal(m.mediaType, MediaTypes.ociManifest);
    assert.equal(m.digest, sha256Digest(bytes));
    assert.equal(m.size, bytes.length);
    assert.ok(m.bytes.equals(bytes));
    assert.deepEqual(m.subject, subject);
    assert.equal(m.artifactType, undefined);
    assert.deepEqual(
      blobsOf(m).map((b) => b.digest),
      [d('config'), d('l1'), d('l2')],
    );
    assert.deepEqual(
      referencedDescriptors(m).map((b) => b.digest),
      [d('config'), d('l1'), d('l2'), d('subject')],
    );
    assert.deepEqual(childManifests(m), []);
    assert.deepEqual(descriptorOf(m), {
      mediaType: MediaTypes.ociManifest,
      digest: m.digest,
      size: bytes.length,
    });
  });

  test('OCI artifact: artifactType, or else a non-image config media type, names it', () => {
    const explicit = parseManifest(
      bytesOf({
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        artifactType: 'application/vnd.example.sbom',
        config: desc(MediaTypes.ociEmpty, 'empty', 2),
        layers: [desc('application/spdx+json', 'sbom')],
      }),
    );
    assert.equal(explicit.artifactType, 'application/vnd.example.sbom');
    const byConfig = parseManifest(
      bytesOf({
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        config: desc('application/vnd.dev.cosign.simplesigning.v1+json', 'sig'),
        layers: [],
      }),
    );
    assert.equal(byConfig.artifactType, 'application/vnd.dev.cosign.simplesigning.v1+json');
  });

  test('OCI image index: children in order with platforms', () => {
    const children = [
      { ...desc(MediaTypes.ociManifest, 'amd64', 500), platform: { architecture: 'amd64', os: 'linux' } },
      {
        ...desc(MediaTypes.ociManifest, 'arm64', 501),
        platform: { architecture: 'arm64', os: 'linux', variant: 'v8' },
      },
    ];
    const m = parseManifest(
      bytesOf({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: children }),
    );
    assert.equal(m.kind, 'index');
    assert.equal(m.mediaType, MediaTypes.ociIndex);
    assert.deepEqual(childManifests(m), children);
    assert.deepEqual(blobsOf(m), []);
  });

  test('Docker schema 2 manifest: foreign layers are not blobs to copy; duplicates counted once', () => {
    const m = parseManifest(
      bytesOf({
        schemaVersion: 2,
        mediaType: MediaTypes.dockerManifest,
        config: desc(MediaTypes.dockerConfig, 'cfg'),
        layers: [
          { ...desc(MediaTypes.dockerForeignLayer, 'windows-base'), urls: ['https://example.invalid/base'] },
          desc(MediaTypes.dockerLayerGzip, 'app'),
          desc(MediaTypes.dockerLayerGzip, 'app'),
        ],
      }),
    );
    assert.equal(m.kind, 'image');
    assert.equal(m.mediaType, MediaTypes.dockerManifest);
    assert.deepEqual(
      blobsOf(m).map((b) => b.digest),
      [d('cfg'), d('app')],
    );
  });

  test('Docker manifest list', () => {
    const m = parseManifest(
      bytesOf({
        schemaVersion: 2,
        mediaType: MediaTypes.dockerManifestList,
        manifests: [
          { ...desc(MediaTypes.dockerManifest, 'x'), platform: { architecture: 'ppc64le', os: 'linux' } },
        ],
      }),
    );
    assert.equal(m.kind, 'index');
    assert.equal(childManifests(m)[0]?.platform?.architecture, 'ppc64le');
  });

  test('without a mediaType field: the Content-Type decides, else the shape', () => {
    const body = { schemaVersion: 2, config: desc(MediaTypes.ociConfig, 'c'), layers: [] };
    assert.equal(parseManifest(bytesOf(body)).mediaType, MediaTypes.ociManifest);
    assert.equal(
      parseManifest(bytesOf({ schemaVersion: 2, manifests: [] }), {
        contentType: `${MediaTypes.ociIndex}; charset=utf-8`,
      }).mediaType,
      MediaTypes.ociIndex,
    );
    assert.equal(parseManifest(bytesOf({ schemaVersion: 2, manifests: [] })).kind, 'index');
  });

  test('Docker schema 1 is refused with a clear reason, by media type or by schemaVersion', () => {
    const schema1 = bytesOf({
      schemaVersion: 1,
      name: 'team/app',
      tag: 'v1',
      architecture: 'amd64',
      fsLayers: [{ blobSum: d('x') }],
      history: [{ v1Compatibility: '{}' }],
      signatures: [],
    });
    for (const contentType of [
      MediaTypes.dockerSchema1Signed,
      MediaTypes.dockerSchema1,
      'application/json',
      undefined,
    ]) {
      assert.throws(
        () => parseManifest(schema1, { contentType }),
        (error: unknown) => {
          assert.ok(error instanceof UnsupportedManifestError);
          assert.match(
            error.message,
            /is Docker schema 1 .* deprecated .* converting it would change its digest/,
          );
          return true;
        },
      );
    }
  });

  test('other media types are unsupported; wrong shapes are invalid with the path of the problem', () => {
    assert.throws(
      () =>
        parseManifest(
          bytesOf({ schemaVersion: 2, mediaType: 'application/vnd.oci.artifact.manifest.v1+json' }),
        ),
      /media type application\/vnd\.oci\.artifact\.manifest\.v1\+json, which is not one this client copies/,
    );
    assert.throws(
      () =>
        parseManifest(
          bytesOf({
            schemaVersion: 2,
            mediaType: MediaTypes.ociIndex,
            manifests: [{ mediaType: MediaTypes.ociManifest, digest: 'nope', size: -1 }],
          }),
        ),
      (error: unknown) => {
        assert.ok(error instanceof InvalidManifestError);
        assert.match(
          error.message,
          /is not a valid OCI image index: manifests\.0\.digest: expected a digest/,
        );
        assert.match(error.message, /manifests\.0\.size/);
        return true;
      },
    );
    assert.throws(
      () => parseManifest(bytesOf({ schemaVersion: 2, mediaType: MediaTypes.dockerManifest, layers: [] })),
      /not a valid Docker schema 2 manifest: config: /,
    );
    assert.throws(() => parseManifest(Buffer.from('{"schemaVersion": 2,')), /is not valid JSON/);
    assert.throws(() => parseManifest(Buffer.from('[]')), /is not a JSON object/);
    assert.throws(() => parseManifest(bytesOf({ schemaVersion: 2 })), /names no mediaType/);
  });

  test('expectedDigest: bytes that do not hash to it are a DigestMismatchError', () => {
    const bytes = bytesOf({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] });
    assert.equal(parseManifest(bytes, { expectedDigest: sha256Digest(bytes) }).digest, sha256Digest(bytes));
    assert.throws(() => parseManifest(bytes, { expectedDigest: d('other') }), DigestMismatchError);
  });
});
