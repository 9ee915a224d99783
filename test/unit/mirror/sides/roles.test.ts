import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../../../src/config/errors.js';
import { repositorySelected } from '../../../../src/mirror/plan/discovery.js';
import { explicitSelections, splitEntry } from '../../../../src/mirror/plan/selection.js';
import { logicalPathOf, pathOn, resolveRoles } from '../../../../src/mirror/sides/roles.js';

test('roles: source → destinations; failover swaps the source with its one destination and its mapping', () => {
  const section = {
    source: 'east',
    destinations: ['west', { instance: 'north', prefix: 'mirror/', rename: {} }],
    failover: false,
  };
  assert.deepEqual(resolveRoles(section), {
    source: { instance: 'east', mapping: undefined },
    targets: [
      { instance: 'west', mapping: undefined },
      { instance: 'north', mapping: { prefix: 'mirror/', rename: {} } },
    ],
  });
  const failover = resolveRoles({
    ...section,
    destinations: [{ instance: 'north', prefix: 'mirror/', rename: {} }],
    failover: true,
  });
  assert.deepEqual(failover.source, { instance: 'north', mapping: { prefix: 'mirror/', rename: {} } });
  assert.deepEqual(failover.targets, [{ instance: 'east', mapping: undefined }]);
  assert.equal(pathOn(failover.source, 'team/app'), 'mirror/team/app');
  assert.throws(
    () => resolveRoles({ ...section, failover: true }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(
        error.message,
        /mirror-repos\.failover: failover swaps the source with its one destination, but 2/,
      );
      return true;
    },
  );
});

test('logicalPathOf inverts prefix and rename, and refuses names the mapping cannot produce', () => {
  const side = {
    instance: 'x',
    mapping: { prefix: 'mirror/', rename: { 'team-alpha': 'alpha', 'team-beta/api': 'b-api' } },
  };
  assert.equal(logicalPathOf(side, 'mirror/alpha/web'), 'team-alpha/web');
  assert.equal(logicalPathOf(side, 'mirror/b-api'), 'team-beta/api');
  assert.equal(logicalPathOf(side, 'mirror/other/web'), 'other/web');
  assert.equal(logicalPathOf(side, 'other/web'), undefined, 'no prefix');
  assert.equal(logicalPathOf(side, 'mirror/team-alpha/web'), undefined, 'rename would have changed it');
  assert.equal(logicalPathOf({ instance: 'y', mapping: undefined }, 'a/b'), 'a/b');
  for (const path of ['team-alpha/web', 'team-beta/api', 'other/x/y']) {
    assert.equal(logicalPathOf(side, pathOn(side, path)), path);
  }
});

test('explicit entries: tags, digests and whole repositories of one repository merge into one selection', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  assert.deepEqual(splitEntry('a/b/c:v1'), { path: 'a/b/c', tag: 'v1' });
  assert.deepEqual(splitEntry(`a/b@${digest}`), { path: 'a/b', digest });
  assert.deepEqual(splitEntry('a/b'), { path: 'a/b' });
  const filter = { include: ['v*'], exclude: [] };
  const own = { include: [], exclude: [], latest: 2 };
  assert.deepEqual(
    explicitSelections(
      ['a/b:v1', `a/b@${digest}`, 'a/b:v1', 'c/d', { repository: 'a/b', tags: own }],
      filter,
    ),
    [
      { logicalPath: 'a/b', filters: [own], tags: ['v1'], digests: [digest] },
      { logicalPath: 'c/d', filters: [filter], tags: [], digests: [] },
    ],
  );
});

test('discovery patterns: organizations by name; repositories by name, or org/repo when the pattern has a slash', () => {
  const all = { include: ['*'], exclude: [] };
  assert.ok(repositorySelected('team-a/web', { include: ['team-*'], exclude: [] }, all));
  assert.ok(!repositorySelected('ops/web', { include: ['team-*'], exclude: [] }, all));
  assert.ok(!repositorySelected('team-a/web-scratch', all, { include: ['*'], exclude: ['*-scratch'] }));
  assert.ok(repositorySelected('team-a/web', all, { include: ['*'], exclude: ['team-b/*'] }));
  assert.ok(!repositorySelected('team-b/web', all, { include: ['*'], exclude: ['team-b/*'] }));
  assert.ok(repositorySelected('team-a/x/y', all, { include: ['team-a/x/*'], exclude: [] }));
  assert.ok(
    !repositorySelected('team-a/x/y', all, { include: ['x/*'], exclude: [] }),
    'a slash means org/repo',
  );
  assert.ok(
    repositorySelected('team-a/x/y', all, { include: ['x*'], exclude: [] }),
    'the name of a nested repository',
  );
});
