import assert from 'node:assert/strict';
import { test } from 'node:test';
import { globToRegExp, selectedBy } from '../../../../src/mirror/plan/glob.js';
import { selectTags, tagFilterProblem } from '../../../../src/mirror/plan/tag-filter.js';
import { destinationPath } from '../../../../src/mirror/sides/path-mapping.js';

const tags = [
  { name: 'latest', startTs: 500 },
  { name: 'v1.2.0', startTs: 100 },
  { name: 'v1.10.0', startTs: 300 },
  { name: '2.0.0-rc.1', startTs: 400 },
  { name: '2.0.0', startTs: 450 },
  { name: 'nightly-2026-11-01', startTs: 50 },
  { name: 'sha256-abc.sig', startTs: 460 },
];
const names = (list: { name: string }[]) => list.map((t) => t.name);
const filter = (extra: object) => ({ include: [], exclude: [], ...extra });

test('globs: * and ? only, everything else literal', () => {
  assert.ok(globToRegExp('v1.*').test('v1.2.0'));
  assert.ok(!globToRegExp('v1.*').test('v10'));
  assert.ok(globToRegExp('team-?').test('team-a'));
  assert.ok(!globToRegExp('a+b').test('aab'));
  assert.ok(selectedBy('team-alpha', [], ['*-scratch']));
  assert.ok(!selectedBy('team-scratch', ['team-*'], ['*-scratch']));
});

test('include and exclude globs', () => {
  assert.deepEqual(names(selectTags(tags, filter({ include: ['v*', '2.*'], exclude: ['*-rc*'] }))), [
    'v1.2.0',
    'v1.10.0',
    '2.0.0',
  ]);
});

test('a regular expression', () => {
  assert.deepEqual(names(selectTags(tags, filter({ regex: '^v\\d+\\.\\d+\\.\\d+$' }))), [
    'v1.2.0',
    'v1.10.0',
  ]);
});

test('a semver range compares versions, not strings; non-versions and pre-releases drop out', () => {
  assert.deepEqual(names(selectTags(tags, filter({ semver: '>=1.5.0' }))), ['v1.10.0', '2.0.0']);
  assert.deepEqual(names(selectTags(tags, filter({ semver: '^1' }))), ['v1.2.0', 'v1.10.0']);
});

test('latest N by the time the tag last moved, after the other filters', () => {
  assert.deepEqual(names(selectTags(tags, filter({ latest: 2 }))), ['latest', 'sha256-abc.sig']);
  assert.deepEqual(names(selectTags(tags, filter({ include: ['v*', '2*'], latest: 2 }))), [
    '2.0.0',
    '2.0.0-rc.1',
  ]);
});

test('no filter keeps every tag', () => {
  assert.equal(selectTags(tags, undefined).length, tags.length);
});

test('bad regex and semver ranges are reported for the config check', () => {
  assert.equal(tagFilterProblem(filter({ regex: '(' }))?.key, 'regex');
  assert.equal(tagFilterProblem(filter({ semver: '>=>=1' }))?.key, 'semver');
  assert.equal(tagFilterProblem(filter({ regex: 'v.*', semver: '~1.2' })), undefined);
});

test('destination paths: rename (longest key wins), then prefix', () => {
  const mapping = { prefix: 'mirror/', rename: { 'team-alpha': 'alpha', 'team-alpha/web': 'frontend/web' } };
  assert.equal(destinationPath('team-alpha/web', mapping), 'mirror/frontend/web');
  assert.equal(destinationPath('team-alpha/api', mapping), 'mirror/alpha/api');
  assert.equal(destinationPath('team-beta/api', mapping), 'mirror/team-beta/api');
  assert.equal(destinationPath('team-alpha-two/x', mapping), 'mirror/team-alpha-two/x');
  assert.equal(destinationPath('a/b', undefined), 'a/b');
});
