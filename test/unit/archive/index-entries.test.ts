/**
 * index.json of an archive: entries by repository and tag (image-spec ref.name `<repository>:<tag>`), the
 * annotations that keep repository and original name, a layout written by another tool, and stable bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ANNOTATIONS,
  type LayoutEntry,
  parseIndex,
  serializeIndex,
} from '../../../src/archive/layout/index-entries.js';

const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const entry = (over: Partial<LayoutEntry>): LayoutEntry => ({
  repository: 'team/app',
  tag: 'v1',
  mediaType: OCI_MANIFEST,
  digest: DIGEST_A,
  size: 100,
  ...over,
});

test('entries survive serialize → parse, with repository, tag, artifactType and the original name', () => {
  const entries = [
    entry({ source: 'quay.example.com:8443/team/app' }),
    entry({
      tag: undefined,
      digest: DIGEST_B,
      artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    }),
    entry({ repository: 'team/db', tag: '1.0' }),
  ];
  const parsed = parseIndex(Buffer.from(serializeIndex(entries)), '/x/archive');
  assert.ok('entries' in parsed);
  assert.deepEqual(
    [...parsed.entries].sort((a, b) => `${a.repository}${a.tag}`.localeCompare(`${b.repository}${b.tag}`)),
    [...entries].sort((a, b) => `${a.repository}${a.tag}`.localeCompare(`${b.repository}${b.tag}`)),
  );
  const json = JSON.parse(serializeIndex(entries));
  const first = json.manifests[0];
  assert.equal(
    first.annotations[ANNOTATIONS.refName],
    'team/app:v1',
    'what skopeo oci:DIR:team/app:v1 looks up',
  );
  assert.equal(first.annotations[ANNOTATIONS.repository], 'team/app');
  assert.equal(json.manifests.at(-1).annotations[ANNOTATIONS.refName], 'team/db:1.0');
});

test('the same entries in any order give the same bytes (tags before kept digests, per repository)', () => {
  const a = entry({});
  const b = entry({ tag: undefined, digest: DIGEST_B });
  const c = entry({ repository: 'aaa/first', tag: 'z' });
  assert.equal(serializeIndex([a, b, c]), serializeIndex([b, c, a]));
  const names = JSON.parse(serializeIndex([b, a, c])).manifests.map(
    (m: { annotations: Record<string, string> }) => m.annotations[ANNOTATIONS.refName] ?? '(digest)',
  );
  assert.deepEqual(names, ['aaa/first:z', 'team/app:v1', '(digest)']);
});

test('a layout from another tool: a bare tag is a tag of a repository named after the folder; a ref with a port is split at its last colon', () => {
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: OCI_MANIFEST,
        digest: DIGEST_A,
        size: 1,
        annotations: { [ANNOTATIONS.refName]: 'latest' },
      },
      {
        mediaType: OCI_MANIFEST,
        digest: DIGEST_B,
        size: 2,
        annotations: { [ANNOTATIONS.refName]: 'registry:5000/team/web:2.1' },
      },
      { mediaType: OCI_MANIFEST, digest: DIGEST_B, size: 2 },
    ],
  };
  const parsed = parseIndex(Buffer.from(JSON.stringify(index)), '/media/usb/busybox');
  assert.ok('entries' in parsed);
  assert.deepEqual(
    parsed.entries.map((e) => [e.repository, e.tag]),
    [
      ['busybox', 'latest'],
      ['registry:5000/team/web', '2.1'],
      ['busybox', undefined],
    ],
  );
});

test('what is not an index is named, not thrown', () => {
  assert.deepEqual(parseIndex(Buffer.from('{"schemaVersion": 2}'), '/x'), {
    problem: 'index.json is not an OCI image index (schemaVersion 2, manifests)',
  });
  const notJson = parseIndex(Buffer.from('{'), '/x');
  assert.ok('problem' in notJson && notJson.problem.startsWith('index.json is not JSON'));
});
