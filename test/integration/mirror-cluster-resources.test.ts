/**
 * mirror-repos writes the ImageDigestMirrorSet / ImageTagMirrorSet of what it mirrored: three real
 * docker-registry processes (source a; destinations b with a prefix and a rename, and c as is: fan-out),
 * the manifests checked against the registries they point at, then applied with the real kubectl to the
 * Kubernetes emulator, whose IDMS/ITMS CRDs carry openshift/api's schemas (unknown fields rejected, as the
 * real API server does). A dry run writes nothing; a second run changes nothing, to the byte.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { load } from 'js-yaml';
import type { RegistryClient } from '../../src/registry/index.js';
import { type KubeEmulator, OPENSHIFT_CRDS, startKubeEmulator } from '../support/kube-emulator/index.js';
import { readerFor, registryInstance, runMirror } from '../support/mirror-fixture.js';
import { image, pushImage } from '../support/registry-images.js';
import { type RegistryServer, startRegistryServer } from '../support/registry-server.js';
import { type AccessRequest, allows, PIPELINE_NAMESPACE, type RbacObject } from '../support/tekton-rbac.js';
import { tempDir } from '../support/temp.js';

const SUITE = { timeout: 180_000 };
type Rule = { source: string; mirrors: string[]; mirrorSourcePolicy?: string };

describe('mirror-repos: cluster resources (IDMS/ITMS) from the mapping it used', SUITE, () => {
  let a: RegistryServer;
  let b: RegistryServer;
  let c: RegistryServer;
  let kube: KubeEmulator;
  const clients = new Map<string, RegistryClient>();
  const digests = new Map<string, string>();
  const out = tempDir('idms-out-');
  const results = tempDir('idms-results-');

  const run = (
    extra: string[] = [],
    clusterResources = `{dir: ${out}, apply: true, mirrorSourcePolicy: NeverContactSource}`,
  ) =>
    runMirror(
      [registryInstance('a', a), registryInstance('b', b), registryInstance('c', c)],
      [
        '  source: a',
        '  destinations: [{instance: b, prefix: mirror/, rename: {team-alpha: alpha}}, c]',
        // team-alpha/db is on the source but not selected: it must not appear.
        '  repositories: [team-beta/api, team-alpha/web]',
        `  clusterResources: ${clusterResources}`,
        `cluster: {cli: kubectl, server: ${kube.url}, token: {env: KUBE_TOKEN}, caBundle: ${kube.caPath}}`,
      ].join('\n'),
      {
        args: ['--results-dir', results, ...extra],
        env: { KUBE_TOKEN: kube.token, HOME: kube.env.HOME ?? '', KUBECACHEDIR: kube.env.KUBECACHEDIR ?? '' },
      },
    );
  const objectOf = (kind: string) =>
    kube.get({ apiVersion: 'config.openshift.io/v1', kind, name: 'quay-tasks-mirror' });

  before(async () => {
    [a, b, c] = await Promise.all([startRegistryServer(), startRegistryServer(), startRegistryServer()]);
    for (const registry of [a, b, c]) clients.set(registry.host, readerFor(registry));
    kube = await startKubeEmulator({ crds: OPENSHIFT_CRDS });
    const source = clients.get(a.host) as RegistryClient;
    for (const path of ['team-alpha/web', 'team-alpha/db', 'team-beta/api']) {
      const img = image(path);
      await pushImage(source, path, img, 'v1');
      digests.set(path, img.digest);
    }
  });
  after(async () => {
    await Promise.all([...clients.values()].map((client) => client.close()));
    await Promise.all([a?.stop(), b?.stop(), c?.stop(), kube?.close()]);
  });

  test('a dry run says what it would write and writes nothing, here or in the cluster', async () => {
    const dry = await run(['--dry-run']);
    assert.equal(dry.exitCode, 0, dry.stderr);
    assert.equal(dry.actions[join(out, 'idms-quay-tasks-mirror.yaml')], 'planned');
    assert.equal(dry.actions[join(out, 'itms-quay-tasks-mirror.yaml')], 'planned');
    assert.equal(dry.actions['ImageDigestMirrorSet/quay-tasks-mirror'], 'planned');
    assert.deepEqual(readdirSync(out), []);
    assert.equal(objectOf('ImageDigestMirrorSet'), undefined);
    assert.equal(kube.requestCount({ verb: 'patch' }), 0);
  });

  test('the run writes one rule per mirrored repository, each naming where its copies really are; applied', async () => {
    const first = await run();
    assert.equal(first.exitCode, 0, first.stderr);
    const idmsPath = join(out, 'idms-quay-tasks-mirror.yaml');
    const itmsPath = join(out, 'itms-quay-tasks-mirror.yaml');
    assert.equal(first.actions[idmsPath], 'created');
    assert.equal(first.actions[itmsPath], 'created');
    assert.equal(first.actions['ImageDigestMirrorSet/quay-tasks-mirror'], 'created');
    assert.equal(first.actions['ImageTagMirrorSet/quay-tasks-mirror'], 'created');
    assert.equal(readFileSync(join(results, 'cluster-resources'), 'utf8'), `${idmsPath},${itmsPath}`);

    const idms = load(readFileSync(idmsPath, 'utf8')) as { spec: { imageDigestMirrors: Rule[] } };
    const rules = idms.spec.imageDigestMirrors;
    assert.deepEqual(rules, [
      {
        source: `${a.host}/team-alpha/web`,
        mirrors: [`${b.host}/mirror/alpha/web`, `${c.host}/team-alpha/web`],
        mirrorSourcePolicy: 'NeverContactSource',
      },
      {
        source: `${a.host}/team-beta/api`,
        mirrors: [`${b.host}/mirror/team-beta/api`, `${c.host}/team-beta/api`],
        mirrorSourcePolicy: 'NeverContactSource',
      },
    ]);
    const itms = load(readFileSync(itmsPath, 'utf8')) as { kind: string; spec: { imageTagMirrors: Rule[] } };
    assert.equal(itms.kind, 'ImageTagMirrorSet');
    assert.deepEqual(itms.spec.imageTagMirrors, rules);
    // Every mirror holds what its source holds: the mapping is the one the copy used.
    for (const rule of rules) {
      const path = rule.source.slice(a.host.length + 1);
      for (const mirror of rule.mirrors) {
        const host = mirror.slice(0, mirror.indexOf('/'));
        const head = await clients.get(host)?.manifests.head(mirror.slice(host.length + 1), 'v1');
        assert.equal(head?.digest, digests.get(path), mirror);
      }
    }

    // Applied by server-side apply, field manager quay-tasks, validated strictly against the CRD schema.
    assert.deepEqual(
      (objectOf('ImageDigestMirrorSet')?.spec as { imageDigestMirrors: Rule[] } | undefined)
        ?.imageDigestMirrors,
      rules,
    );
    assert.deepEqual(
      (objectOf('ImageTagMirrorSet')?.spec as { imageTagMirrors: Rule[] } | undefined)?.imageTagMirrors,
      rules,
    );
    assert.ok(
      objectOf('ImageDigestMirrorSet')?.metadata.managedFields?.some((m) => m.manager === 'quay-tasks'),
    );
    const applies = kube.requestsTo({ verb: 'patch', resource: 'imagedigestmirrorsets' });
    assert.equal(applies.length, 1);
    assert.equal(applies[0]?.query.fieldValidation, 'Strict');
    assert.equal(applies[0]?.contentType, 'application/apply-patch+yaml');
    // The cluster token never on argv or in what the run printed or wrote.
    for (const text of [
      first.stdout,
      first.stderr,
      readFileSync(idmsPath, 'utf8'),
      readFileSync(itmsPath, 'utf8'),
    ])
      assert.ok(!text.includes(kube.token));
  });

  test('a second run: the same bytes, nothing written or applied anew, no change reported', async () => {
    const idmsPath = join(out, 'idms-quay-tasks-mirror.yaml');
    const before = readFileSync(idmsPath, 'utf8');
    const version = objectOf('ImageDigestMirrorSet')?.metadata.resourceVersion;
    const second = await run();
    assert.equal(second.exitCode, 0, second.stderr);
    assert.equal(second.report.changed, 0, JSON.stringify(second.report.items));
    assert.equal(second.actions[idmsPath], 'unchanged');
    assert.equal(second.actions['ImageDigestMirrorSet/quay-tasks-mirror'], 'unchanged');
    assert.equal(second.actions['ImageTagMirrorSet/quay-tasks-mirror'], 'unchanged');
    assert.equal(readFileSync(idmsPath, 'utf8'), before);
    assert.equal(objectOf('ImageDigestMirrorSet')?.metadata.resourceVersion, version);
  });

  test('a run narrowed by --repository or --tags leaves the files and objects as the full run made them', async () => {
    const idmsPath = join(out, 'idms-quay-tasks-mirror.yaml');
    const before = readFileSync(idmsPath, 'utf8');
    const patches = kube.requestCount({ verb: 'patch' });
    for (const narrowed of [
      ['--repository', 'team-beta/api'],
      ['--tags', 'v1'],
    ]) {
      const run1 = await run(narrowed);
      assert.equal(run1.exitCode, 0, run1.stderr);
      assert.equal(run1.actions['cluster-resources'], 'skipped', narrowed.join(' '));
      assert.equal(readFileSync(join(results, 'cluster-resources'), 'utf8'), '');
    }
    assert.equal(readFileSync(idmsPath, 'utf8'), before);
    assert.equal(kube.requestCount({ verb: 'patch' }), patches);
  });

  test('a folder that cannot be written: exit 1, the path and the cause named, nothing applied', async () => {
    const blocker = join(tempDir('idms-blocked-'), 'not-a-folder');
    writeFileSync(blocker, 'a file');
    const patches = kube.requestCount({ verb: 'patch' });
    const failed = await run([], `{dir: ${blocker}, apply: true}`);
    assert.equal(failed.exitCode, 1, failed.stderr);
    assert.match(
      failed.stderr,
      /cannot write .*not-a-folder\/idms-quay-tasks-mirror\.yaml: (ENOTDIR|EEXIST)/,
    );
    assert.equal(kube.requestCount({ verb: 'patch' }), patches);
  });

  test('a bad key is exit 2 naming it as written, with an example; nothing is contacted', async () => {
    const bad = await run([], `{dir: ${out}, mirrorSourcePolicy: Never}`);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /mirror-repos\.clusterResources\.mirrorSourcePolicy: wrong value: got "Never"/);
    assert.match(bad.stderr, /example: mirrorSourcePolicy: NeverContactSource/);
  });

  test('every cluster request of the applies is allowed by ClusterRole quay-tasks-mirror-sets, bound as tekton/README.md says', () => {
    // oc create clusterrolebinding quay-tasks-mirror-sets --clusterrole=quay-tasks-mirror-sets --serviceaccount=quay-tasks:quay-tasks-mirror
    const binding: RbacObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'quay-tasks-mirror-sets' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'quay-tasks-mirror-sets' },
      subjects: [{ kind: 'ServiceAccount', name: 'quay-tasks-mirror', namespace: PIPELINE_NAMESPACE }],
    };
    const resources = kube.requests.filter((r) => r.verb !== undefined);
    assert.ok(resources.some((r) => r.verb === 'patch' && r.resource === 'imagetagmirrorsets'));
    const denied: string[] = [];
    for (const entry of resources) {
      const request: AccessRequest = {
        verb: entry.verb ?? '',
        group: entry.group ?? '',
        resource: entry.resource ?? '',
        ...(entry.name ? { name: entry.name } : {}),
      };
      // Server-side apply of a new object is authorised as create as well as patch.
      const verbs = entry.verb === 'patch' && entry.status === 201 ? ['patch', 'create'] : [request.verb];
      for (const verb of verbs) {
        if (!allows('quay-tasks-mirror', { ...request, verb }, [binding]))
          denied.push(`${verb} ${request.resource}`);
        if (allows('quay-tasks-mirror', { ...request, verb }))
          denied.push(`${verb} ${request.resource} without the binding`);
      }
    }
    assert.deepEqual(denied, []);
  });
});
