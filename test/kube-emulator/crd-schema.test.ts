/**
 * CRDs with a schema (the ImageDigestMirrorSet / ImageTagMirrorSet presets): the real kubectl's writes are
 * checked against it as kube-apiserver does — undeclared fields rejected under fieldValidation=Strict
 * (kubectl's default) and pruned otherwise, patterns, the enum and `x-kubernetes-list-type: set` enforced.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { OPENSHIFT_CRDS } from '../support/kube-emulator/index.js';
import { harness, SSA } from './_kube.js';

const idms = (entry: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'config.openshift.io/v1',
    kind: 'ImageDigestMirrorSet',
    metadata: { name: 'mirror' },
    spec: { imageDigestMirrors: [entry], ...extra },
  });
const ref = { apiVersion: 'config.openshift.io/v1', kind: 'ImageDigestMirrorSet', name: 'mirror' };
const good = { source: 'quay.example.com/team/web', mirrors: ['mirror.example.com:5000/m/team/web'] };

test('an ImageDigestMirrorSet the API accepts is applied, cluster-scoped, and found by its short name', async (t) => {
  const h = await harness(t, { crds: OPENSHIFT_CRDS });
  const applied = await h.kubectl(SSA, idms({ ...good, mirrorSourcePolicy: 'NeverContactSource' }));
  assert.equal(applied.exitCode, 0, applied.stderr);
  assert.match(applied.stdout, /imagedigestmirrorset\.config\.openshift\.io\/mirror serverside-applied/);
  const got = await h.kubectl([
    'get',
    'idms',
    'mirror',
    '-o',
    'jsonpath={.spec.imageDigestMirrors[0].mirrors[0]}',
  ]);
  assert.equal(got.stdout, 'mirror.example.com:5000/m/team/web');
  assert.equal(h.kube.get(ref)?.metadata.namespace, undefined);
});

test('an undeclared field is rejected (Strict), and pruned when validation is Ignore', async (t) => {
  const h = await harness(t, { crds: OPENSHIFT_CRDS });
  const strict = await h.kubectl(SSA, idms({ ...good, allowMirrorByTags: true }));
  assert.notEqual(strict.exitCode, 0);
  assert.match(strict.stderr, /unknown field "spec\.imageDigestMirrors\[0\]\.allowMirrorByTags"/);
  assert.equal(h.kube.get(ref), undefined);
  const ignored = await h.kubectl([...SSA, '--validate=ignore'], idms({ ...good, allowMirrorByTags: true }));
  assert.equal(ignored.exitCode, 0, ignored.stderr);
  assert.deepEqual((h.kube.get(ref)?.spec as Record<string, unknown> | undefined)?.imageDigestMirrors, [
    good,
  ]);
});

test('a tag in a source, a wildcard mirror, an unknown policy and a repeated mirror are 422 Invalid', async (t) => {
  const h = await harness(t, { crds: OPENSHIFT_CRDS });
  const bad = await h.kubectl(
    SSA,
    idms({
      source: 'quay.example.com/team/web:1.0',
      mirrors: ['*.example.com', 'm.example.com/a', 'm.example.com/a'],
      mirrorSourcePolicy: 'Sometimes',
    }),
  );
  assert.notEqual(bad.exitCode, 0);
  assert.match(bad.stderr, /is invalid/);
  assert.match(
    bad.stderr,
    /spec\.imageDigestMirrors\[0\]\.source: Invalid value: "quay\.example\.com\/team\/web:1\.0"/,
  );
  assert.match(bad.stderr, /spec\.imageDigestMirrors\[0\]\.mirrors\[0\]: Invalid value: "\*\.example\.com"/);
  assert.match(bad.stderr, /spec\.imageDigestMirrors\[0\]\.mirrors\[2\]: Duplicate value/);
  assert.match(
    bad.stderr,
    /spec\.imageDigestMirrors\[0\]\.mirrorSourcePolicy: Unsupported value: "Sometimes"/,
  );
  const noSource = await h.kubectl(SSA, idms({ mirrors: ['m.example.com/a'] }));
  assert.match(noSource.stderr, /spec\.imageDigestMirrors\[0\]\.source: Required value/);
});
