import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { load } from 'js-yaml';
import {
  IMAGE_MIRROR_PATTERN,
  ruleProblems,
  SOURCE_PATTERN,
} from '../../../../src/mirror/cluster-resources/api-rules.js';
import { mirrorMappings } from '../../../../src/mirror/cluster-resources/mappings.js';
import {
  type MirrorMapping,
  MirrorSetError,
  mirrorSets,
} from '../../../../src/mirror/cluster-resources/mirror-sets.js';
import { setClusterResourcesKey } from '../../../../src/mirror/cluster-resources/step.js';
import { writeManifestFiles } from '../../../../src/mirror/cluster-resources/write-files.js';
import type { DestinationPlan, RepositoryPlan } from '../../../../src/mirror/plan/plan.js';
import type { MirrorTarget } from '../../../../src/mirror/sides/open-sides.js';
import { type MirrorSide, pathOn } from '../../../../src/mirror/sides/roles.js';

const BOTH = ['ImageDigestMirrorSet', 'ImageTagMirrorSet'] as const;

/** Sides as resolveRoles makes them: `east` plain, `west` with a prefix and a rename. */
const east: MirrorSide = { instance: 'east', mapping: undefined };
const west: MirrorSide = {
  instance: 'west',
  mapping: { prefix: 'mirror/', rename: { 'team-alpha': 'alpha' } },
};
const endpoint = (host: string) => ({ pullName: (path: string) => `${host}/${path}` });
const targets = [
  { side: west, endpoint: endpoint('west.example.com:5000') },
  { side: east, endpoint: endpoint('east.example.com') },
] as unknown as MirrorTarget[];

function planOf(logicalPath: string, overrides: Partial<RepositoryPlan> = {}): RepositoryPlan {
  const destination = (side: MirrorSide): DestinationPlan => ({
    target: side.instance,
    path: pathOn(side, logicalPath),
    repositoryExists: true,
    present: new Map(),
    copy: [],
    unchanged: [],
    prune: [],
  });
  return {
    logicalPath,
    sourcePath: logicalPath,
    wanted: [{ tag: '1.0', digest: `sha256:${'a'.repeat(64)}` }],
    missing: [],
    // Planned in whatever order the pool finished: not the config's.
    destinations: [destination(east), destination(west)],
    ...overrides,
  };
}

const source = endpoint('quay.example.com');
const plans = [planOf('team-alpha/web'), planOf('team-beta/api'), planOf('team-alpha/db')];

test('mappings: a prefix and a rename name the mirror; fan-out gives one mirror per destination, in config order', () => {
  const mappings = mirrorMappings(plans, source, targets);
  assert.deepEqual(mappings[0], {
    source: 'quay.example.com/team-alpha/web',
    mirrors: ['west.example.com:5000/mirror/alpha/web', 'east.example.com/team-alpha/web'],
  });
  assert.deepEqual(mappings[1]?.mirrors, [
    'west.example.com:5000/mirror/team-beta/api',
    'east.example.com/team-beta/api',
  ]);
});

test('mappings: only what the run planned — a source it could not read, nothing to copy, a destination it could not read', () => {
  const broken = planOf('team-alpha/broken', { error: 'HTTP 500' });
  const empty = planOf('team-alpha/empty', { wanted: [] });
  const half = planOf('team-alpha/half');
  half.destinations = half.destinations.map((d) => (d.target === 'west' ? { ...d, error: 'timeout' } : d));
  assert.deepEqual(mirrorMappings([broken, empty, half], source, targets), [
    { source: 'quay.example.com/team-alpha/half', mirrors: ['east.example.com/team-alpha/half'] },
  ]);
});

test('mappings: a name no cluster pulls by is left out — an archive folder as a mirror, an archive source that recorded no origin', () => {
  const folder = [
    { side: west, endpoint: { pullName: () => undefined } },
    { side: east, endpoint: endpoint('east.example.com') },
  ] as unknown as MirrorTarget[];
  assert.deepEqual(mirrorMappings([planOf('team-alpha/web')], source, folder), [
    { source: 'quay.example.com/team-alpha/web', mirrors: ['east.example.com/team-alpha/web'] },
  ]);
  const onlyFolder = folder.slice(0, 1);
  assert.deepEqual(mirrorMappings([planOf('team-alpha/web')], source, onlyFolder), []);
  // An archive that kept the origin of team-alpha/web only.
  const archive = {
    pullName: (path: string) => (path === 'team-alpha/web' ? 'quay.example.com/team-alpha/web' : undefined),
  };
  assert.deepEqual(
    mirrorMappings([planOf('team-alpha/web'), planOf('team-beta/api')], archive, targets).map(
      (m) => m.source,
    ),
    ['quay.example.com/team-alpha/web'],
  );
});

test('mirror sets: one IDMS and one ITMS, rules sorted by source, fields exactly those of config.openshift.io/v1', () => {
  const manifests = mirrorSets(mirrorMappings(plans, source, targets), {
    name: 'quay-tasks-mirror',
    kinds: BOTH,
    mirrorSourcePolicy: 'NeverContactSource',
  });
  assert.deepEqual(
    manifests.map((m) => [m.kind, m.fileName]),
    [
      ['ImageDigestMirrorSet', 'idms-quay-tasks-mirror.yaml'],
      ['ImageTagMirrorSet', 'itms-quay-tasks-mirror.yaml'],
    ],
  );
  const idms = load(manifests[0]?.yaml ?? '') as Record<string, unknown>;
  assert.deepEqual(idms, {
    apiVersion: 'config.openshift.io/v1',
    kind: 'ImageDigestMirrorSet',
    metadata: { name: 'quay-tasks-mirror', labels: { 'app.kubernetes.io/managed-by': 'quay-tasks' } },
    spec: {
      imageDigestMirrors: [
        {
          source: 'quay.example.com/team-alpha/db',
          mirrors: ['west.example.com:5000/mirror/alpha/db', 'east.example.com/team-alpha/db'],
          mirrorSourcePolicy: 'NeverContactSource',
        },
        {
          source: 'quay.example.com/team-alpha/web',
          mirrors: ['west.example.com:5000/mirror/alpha/web', 'east.example.com/team-alpha/web'],
          mirrorSourcePolicy: 'NeverContactSource',
        },
        {
          source: 'quay.example.com/team-beta/api',
          mirrors: ['west.example.com:5000/mirror/team-beta/api', 'east.example.com/team-beta/api'],
          mirrorSourcePolicy: 'NeverContactSource',
        },
      ],
    },
  });
  const itms = load(manifests[1]?.yaml ?? '') as { spec: Record<string, unknown> };
  assert.deepEqual(Object.keys(itms.spec), ['imageTagMirrors']);
  assert.deepEqual(itms.spec.imageTagMirrors, (idms.spec as Record<string, unknown>).imageDigestMirrors);
  assert.doesNotMatch(manifests[0]?.yaml ?? '', /\d{4}-\d\d-\d\dT/, 'no timestamp');
});

test('mirror sets: same bytes twice, and whatever order the repositories and kinds come in', () => {
  const options = { name: 'm', kinds: BOTH, labels: { zeta: '1', alpha: '2' } };
  const once = mirrorSets(mirrorMappings(plans, source, targets), options).map((m) => m.yaml);
  const again = mirrorSets(mirrorMappings(plans, source, targets), options).map((m) => m.yaml);
  const shuffled = mirrorSets(
    mirrorMappings([plans[2], plans[0], plans[1]] as RepositoryPlan[], source, targets),
    {
      ...options,
      kinds: [...BOTH].reverse(),
      labels: { alpha: '2', zeta: '1' },
    },
  ).map((m) => m.yaml);
  assert.deepEqual(again, once);
  assert.deepEqual(shuffled, once);
  // And a repeated source keeps its mirrors once each, first seen first.
  const twice: MirrorMapping[] = [
    { source: 'q.example.com/a/b', mirrors: ['m1.example.com/a/b'] },
    { source: 'q.example.com/a/b', mirrors: ['m2.example.com/a/b', 'm1.example.com/a/b'] },
  ];
  const [idms] = mirrorSets(twice, { name: 'm', kinds: ['ImageDigestMirrorSet'] });
  assert.deepEqual((idms?.object.spec as { imageDigestMirrors: unknown[] } | undefined)?.imageDigestMirrors, [
    { source: 'q.example.com/a/b', mirrors: ['m1.example.com/a/b', 'm2.example.com/a/b'] },
  ]);
});

// The rules of openshift/api config/v1/types_image_digest_mirror_set.go (the same in
// types_image_tag_mirror_set.go): `Source` and `ImageMirror` patterns, the MirrorSourcePolicy enum,
// `mirrors` a +listType=set, mirrorSourcePolicy "valid configuration only when one or more mirrors".
test('api rules: the patterns of Source and ImageMirror, as openshift/api declares them', () => {
  for (const good of [
    'quay.example.com',
    'registry:5000/ns/repo',
    '127.0.0.1:5000/a/b',
    'q.io/a.b/c_d/e__f/g-h',
  ])
    assert.match(good, IMAGE_MIRROR_PATTERN, good);
  for (const bad of [
    'q.io/ns/repo:tag',
    'q.io/ns/repo@sha256:abc',
    'q.io/NS/repo',
    'q.io/ns/repo/',
    '*.q.io',
    'https://q.io/ns',
    'q.io//ns',
    '-q.io/ns',
  ])
    assert.doesNotMatch(bad, IMAGE_MIRROR_PATTERN, bad);
  assert.match('*.example.com', SOURCE_PATTERN, 'a source may be a *. wildcard host');
  assert.doesNotMatch('*.example.com/ns', SOURCE_PATTERN, 'but only a host');
  assert.doesNotMatch('q.io/*/repo', SOURCE_PATTERN);
  assert.deepEqual(ruleProblems({ source: 'q.io/a/b', mirrors: ['m.io/a/b'] }, 'r'), []);
  assert.deepEqual(
    ruleProblems(
      {
        source: 'q.io/a/b:latest',
        mirrors: ['m.io/a/b', 'm.io/a/b', 'm.io/Upper'],
        mirrorSourcePolicy: 'Sometimes' as 'NeverContactSource',
      },
      'r',
    ).map((p) => p.split(':')[0]),
    ['r.source', 'r.mirrors[1]', 'r.mirrors[2]', 'r.mirrorSourcePolicy'],
  );
  assert.deepEqual(
    ruleProblems({ source: 'q.io/a/b', mirrors: [], mirrorSourcePolicy: 'NeverContactSource' }, 'r'),
    ['r.mirrorSourcePolicy: set without any mirror'],
  );
});

test('mirror sets: a prefix the API cannot take stops the generator, naming the rule and the value', () => {
  const upper: MirrorMapping[] = [{ source: 'q.io/team/web', mirrors: ['m.io/Mirror/team/web'] }];
  assert.throws(
    () => mirrorSets(upper, { name: 'quay-tasks-mirror', kinds: BOTH }),
    (error: unknown) =>
      error instanceof MirrorSetError &&
      /spec\.\*Mirrors\[0\]\.mirrors\[0\]: "m\.io\/Mirror\/team\/web" is not host/.test(error.message),
  );
  assert.throws(() => mirrorSets([], { name: 'Not_A_Name', kinds: BOTH }), /metadata\.name: "Not_A_Name"/);
  // Nothing mirrored: the objects are written with no rules (a shrinking mirror shrinks them).
  const [idms] = mirrorSets([], { name: 'm', kinds: ['ImageDigestMirrorSet'] });
  assert.deepEqual(idms?.object.spec, { imageDigestMirrors: [] });
});

test('files: written once, then unchanged and untouched; a dry run writes nothing; a write error is named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idms-'));
  try {
    const manifests = mirrorSets(mirrorMappings(plans, source, targets), { name: 'm', kinds: BOTH });
    const target = join(dir, 'out');
    assert.deepEqual(
      writeManifestFiles(target, manifests, true).map((f) => [f.action, f.would]),
      [
        ['planned', 'create'],
        ['planned', 'create'],
      ],
    );
    assert.throws(() => readFileSync(join(target, 'idms-m.yaml')), /ENOENT/);
    assert.deepEqual(
      writeManifestFiles(target, manifests, false).map((f) => f.action),
      ['created', 'created'],
    );
    assert.equal(readFileSync(join(target, 'idms-m.yaml'), 'utf8'), manifests[0]?.yaml);
    assert.deepEqual(
      writeManifestFiles(target, manifests, false).map((f) => f.action),
      ['unchanged', 'unchanged'],
    );
    writeFileSync(join(target, 'itms-m.yaml'), 'edited by hand\n');
    assert.deepEqual(
      writeManifestFiles(target, manifests, false).map((f) => f.action),
      ['unchanged', 'updated'],
    );
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const [failed] = writeManifestFiles(file, manifests, false);
    assert.equal(failed?.action, 'failed');
    assert.match(failed?.error ?? '', /^cannot write .*a-file\/idms-m\.yaml: (ENOTDIR|EEXIST)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--cluster-resources DIR sets the folder and keeps the rest of the key, in either of its forms', () => {
  const plain: Record<string, unknown> = { 'mirror-repos': { clusterResources: '/old' } };
  setClusterResourcesKey(plain, 'dir', '/new');
  assert.deepEqual(plain, { 'mirror-repos': { clusterResources: { dir: '/new' } } });
  const object: Record<string, unknown> = {
    'mirror-repos': { source: 'a', clusterResources: { dir: '/old', apply: true } },
  };
  setClusterResourcesKey(object, 'dir', '/new');
  assert.deepEqual(object, {
    'mirror-repos': { source: 'a', clusterResources: { dir: '/new', apply: true } },
  });
  const none: Record<string, unknown> = {};
  setClusterResourcesKey(none, 'dir', '/d');
  assert.deepEqual(none, { 'mirror-repos': { clusterResources: { dir: '/d' } } });
});
