import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSignatureTag, signatureTagsOf } from '../../../../src/mirror/plan/cosign-tags.js';
import {
  chooseTags,
  copyJobs,
  type DestinationPlan,
  destinationRef,
  diffRefs,
  pruneCandidates,
  type RepositoryPlan,
  signatureTagsFor,
  wantedRefs,
} from '../../../../src/mirror/plan/plan.js';
import type { RepositorySelection } from '../../../../src/mirror/plan/selection.js';
import { selectTags } from '../../../../src/mirror/plan/tag-filter.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;
const SIG1 = `sha256-${'1'.repeat(64)}.sig`;
const ATT1 = `sha256-${'1'.repeat(64)}.att`;

const selection = (extra: Partial<RepositorySelection>): RepositorySelection => ({
  logicalPath: 'acme/app',
  filters: [],
  tags: [],
  digests: [],
  ...extra,
});
const tags = [
  { name: 'v1', digest: D1, startTs: 10 },
  { name: 'v2', digest: D2, startTs: 20 },
  { name: 'dev', digest: D3, startTs: 30 },
  { name: SIG1, digest: D3, startTs: 40 },
];

test('cosign and referrers-schema tag names of a digest, and telling them apart', () => {
  const referrersTag = `sha256-${'1'.repeat(64)}`;
  assert.deepEqual(signatureTagsOf(D1), [SIG1, ATT1, `${referrersTag}.sbom`, referrersTag]);
  assert.deepEqual(signatureTagsOf('sha512:abc'), []);
  assert.ok(isSignatureTag(SIG1));
  assert.ok(isSignatureTag(referrersTag));
  assert.ok(!isSignatureTag('sha256-abc.sig'));
  assert.ok(!isSignatureTag(`${referrersTag}.txt`));
  assert.ok(!isSignatureTag(`x${referrersTag}`));
});

test('chooseTags: the union of every whole-repository filter, plus explicit tags; missing explicit tags named', () => {
  const chosen = chooseTags(
    selection({
      filters: [
        { include: ['v1'], exclude: [] },
        { include: [], exclude: [], latest: 1 },
      ],
      tags: ['v2', 'gone'],
    }),
    tags,
    true,
  );
  assert.deepEqual(
    chosen.chosen.map((t) => t.name),
    ['v1', 'v2', SIG1],
    'latest 1 is the cosign tag here: with signatures on it is an ordinary tag',
  );
  assert.deepEqual(chosen.missing, ['gone']);
});

test('chooseTags: signatures off keeps cosign tags out of whole-repository selections', () => {
  const all = chooseTags(selection({ filters: [undefined] }), tags, false);
  assert.deepEqual(
    all.chosen.map((t) => t.name),
    ['v1', 'v2', 'dev'],
  );
  assert.deepEqual(chooseTags(selection({ filters: [undefined] }), tags, true).chosen.length, 4);
  assert.deepEqual(chooseTags(selection({}), tags, true).chosen, [], 'no entry, no tag');
});

test('signatureTagsFor: cosign tags of chosen digests that the source has, not already chosen', () => {
  const withAtt = [...tags, { name: ATT1, digest: D2 }];
  assert.deepEqual(
    signatureTagsFor([D1], withAtt, new Set(['v1'])).map((t) => t.name),
    [SIG1, ATT1],
  );
  assert.deepEqual(signatureTagsFor([D1], withAtt, new Set([SIG1, ATT1])), []);
  const referrersTag = { name: `sha256-${'1'.repeat(64)}`, digest: D3 };
  assert.deepEqual(
    signatureTagsFor([D1], [...withAtt, referrersTag], new Set([SIG1, ATT1])).map((t) => t.name),
    [referrersTag.name],
    'the referrers tag schema (a registry without the referrers API)',
  );
  assert.deepEqual(signatureTagsFor([D2], withAtt, new Set()), []);
});

test('wantedRefs: tags with digests and explicit digests, each once; unresolved tags dropped', () => {
  assert.deepEqual(
    wantedRefs([{ name: 'v1', digest: D1 }, { name: 'v1', digest: D1 }, { name: 'x' }], [D2, D2]),
    [
      { tag: 'v1', digest: D1 },
      { tag: undefined, digest: D2 },
    ],
  );
});

test('diffRefs: equal digest unchanged, different or missing copied; digest refs looked up by digest', () => {
  const wanted = [
    { tag: 'v1', digest: D1 },
    { tag: 'v2', digest: D2 },
    { tag: 'v3', digest: D3 },
    { tag: undefined, digest: D3 },
  ];
  const present = new Map([
    ['v1', D1],
    ['v2', D1],
    [D3, D3],
  ]);
  assert.deepEqual(diffRefs(wanted, present), {
    copy: [
      { tag: 'v2', digest: D2 },
      { tag: 'v3', digest: D3 },
    ],
    unchanged: [
      { tag: 'v1', digest: D1 },
      { tag: undefined, digest: D3 },
    ],
  });
});

test('pruneCandidates: destination tags whose name the source lacks', () => {
  const dest = new Map([
    ['v1', D1],
    ['old', D2],
  ]);
  assert.deepEqual(pruneCandidates(new Set(['v1', 'v9']), dest), [{ tag: 'old', digest: D2 }]);
});

test('copyJobs: one job per source digest, naming every destination and tag that needs it', () => {
  const destination = (target: string, copy: DestinationPlan['copy'], error?: string): DestinationPlan => ({
    target,
    path: 'acme/app',
    repositoryExists: true,
    present: new Map(),
    copy,
    unchanged: [],
    prune: [],
    ...(error ? { error } : {}),
  });
  const east = destination('east', [
    { tag: 'v1', digest: D1 },
    { tag: 'latest', digest: D1 },
  ]);
  const west = destination('west', [
    { tag: 'v1', digest: D1 },
    { tag: 'v2', digest: D2 },
  ]);
  const broken = destination('north', [{ tag: 'v1', digest: D1 }], 'unreadable');
  const repository: RepositoryPlan = {
    logicalPath: 'acme/app',
    sourcePath: 'acme/app',
    wanted: [],
    missing: [],
    destinations: [east, west, broken],
  };
  const jobs = copyJobs(repository);
  assert.deepEqual(
    jobs.map((j) => [j.digest, j.targets.map((t) => [t.destination.target, t.refs.map((r) => r.tag)])]),
    [
      [
        D1,
        [
          ['east', ['v1', 'latest']],
          ['west', ['v1']],
        ],
      ],
      [D2, [['west', ['v2']]]],
    ],
  );
  assert.equal(destinationRef(east, { tag: undefined, digest: D3 }), `east/acme/app@${D3}`);
});

test('latest N without times (a plain registry) keeps the first N in list order; timed tags come first', () => {
  const untimed = [{ name: 'b' }, { name: 'a' }, { name: 'c' }];
  const latest = { include: [], exclude: [], latest: 2 };
  assert.deepEqual(
    selectTags(untimed, latest).map((t) => t.name),
    ['b', 'a'],
  );
  assert.deepEqual(
    selectTags([...untimed, { name: 'new', startTs: 5 }], latest).map((t) => t.name),
    ['new', 'b'],
  );
});
