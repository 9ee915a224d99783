import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type RepositorySelection,
  restrictSelections,
  restrictTags,
} from '../../../../src/mirror/plan/selection.js';
import {
  chooseShardCount,
  formatShard,
  inShard,
  parseShard,
  shardOf,
  shardSizes,
  shardSpecs,
} from '../../../../src/mirror/shard/shard.js';
import {
  addUpShardReports,
  buildShardReport,
  NO_REPORT,
  SHARD_REPORT_MAX_BYTES,
  shardReportSchema,
} from '../../../../src/mirror/shard/shard-report.js';
import { Report } from '../../../../src/report/report.js';

const NAMES = Array.from({ length: 1000 }, (_, i) => `org-${i % 37}/repo-${i}`);

describe('--shard I/N', () => {
  test('parses 1 ≤ I ≤ N ≤ 256, and says what is wrong otherwise', () => {
    assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
    assert.deepEqual(parseShard('1/1'), { index: 1, count: 1 });
    assert.deepEqual(parseShard('256/256'), { index: 256, count: 256 });
    assert.equal(formatShard(parseShard(' 3/7 ')), '3/7');
    for (const [value, message] of [
      ['0/3', /I must be from 1 to N \(3\)/],
      ['4/3', /I must be from 1 to N \(3\)/],
      ['1/0', /N must be from 1 to 256/],
      ['1/257', /N must be from 1 to 256/],
      ['a', /is not I\/N/],
      ['2', /is not I\/N/],
      ['1/2/3', /is not I\/N/],
      ['-1/2', /is not I\/N/],
      ['', /is not I\/N/],
    ] as const)
      assert.throws(() => parseShard(value), message, value);
  });

  test('the shard of a repository is fixed: a stable hash of its name, whatever else is listed', () => {
    // Pinned: a change here would send repositories to other shards than pods of an older version do.
    assert.deepEqual(
      ['team-alpha/web', 'team-alpha/api', 'team-beta/db'].map((n) => [
        shardOf(n, 4),
        shardOf(n, 7),
        shardOf(n, 256),
      ]),
      [
        [4, 3, 20],
        [1, 4, 145],
        [2, 7, 82],
      ],
    );
    const forward = NAMES.map((n) => shardOf(n, 5));
    const backward = [...NAMES].reverse().map((n) => shardOf(n, 5));
    assert.deepEqual(forward, backward.reverse(), 'independent of listing order');
  });

  test('every repository is in exactly one shard, for any N', () => {
    for (const count of [1, 2, 3, 5, 8, 13, 256]) {
      for (const name of NAMES.slice(0, 200)) {
        const shards = Array.from({ length: count }, (_, i) => i + 1).filter((index) =>
          inShard(name, { index, count }),
        );
        assert.deepEqual(shards, [shardOf(name, count)], `${name} in ${count} shards`);
      }
      assert.equal(
        shardSizes(NAMES, count).reduce((a, b) => a + b, 0),
        NAMES.length,
        `${count} shards hold every repository once`,
      );
    }
  });

  test('1000 repositories spread evenly: every shard within 25 % of the mean', () => {
    for (const count of [2, 4, 10]) {
      const sizes = shardSizes(NAMES, count);
      const mean = NAMES.length / count;
      for (const size of sizes)
        assert.ok(Math.abs(size - mean) <= mean * 0.25, `${count} shards: ${sizes.join(', ')}`);
    }
  });
});

describe('--plan-shards N', () => {
  test('at most N, at most one per repository, at least one, and no empty shard', () => {
    assert.equal(chooseShardCount([], 4), 1);
    assert.equal(chooseShardCount(['a/x'], 4), 1);
    assert.equal(chooseShardCount(NAMES, 1), 1);
    assert.equal(chooseShardCount(NAMES, 8), 8);
    // Tekton's matrix cap; with 1000 repositories some of 256 hash buckets are empty, so fewer.
    const wide = chooseShardCount(NAMES, 300);
    assert.ok(wide > 200 && wide <= 256, `${wide}`);
    assert.ok(!shardSizes(NAMES, wide).includes(0));
    // a/x and a/y hash to the same of 2 shards: 2 shards would leave one empty.
    assert.equal(shardOf('a/x', 2), shardOf('a/y', 2));
    assert.equal(chooseShardCount(['a/x', 'a/y'], 2), 1);
    // brk/a..d: 4 and 3 shards would leave one empty, 2 do not.
    const brk = ['brk/a', 'brk/b', 'brk/c', 'brk/d'];
    assert.ok(shardSizes(brk, 4).includes(0) && shardSizes(brk, 3).includes(0));
    assert.equal(chooseShardCount(brk, 4), 2);
    for (let n = 1; n <= 40; n += 1) {
      const paths = NAMES.slice(0, n);
      const count = chooseShardCount(paths, 6);
      assert.ok(count >= 1 && count <= Math.min(6, n), `${n} repositories: ${count}`);
      assert.ok(!shardSizes(paths, count).includes(0), `${n} repositories, ${count} shards: none empty`);
    }
  });

  test('the shards result is the JSON array of I/N values', () => {
    assert.equal(JSON.stringify(shardSpecs(3)), '["1/3","2/3","3/3"]');
    assert.deepEqual(shardSpecs(1), ['1/1']);
  });
});

describe('restricting the configured selection', () => {
  const selection = (logicalPath: string): RepositorySelection => ({
    logicalPath,
    filters: [undefined],
    tags: [],
    digests: [],
  });
  const configured = ['team-alpha/web', 'team-alpha/api', 'team-beta/db'].map(selection);
  const asIs = (path: string) => path;

  test('--repository keeps only configured repositories; the others are named, never added', () => {
    const { kept, notSelected } = restrictSelections(
      configured,
      { repositories: ['team-alpha/api', 'evil/other'] },
      asIs,
    );
    assert.deepEqual(
      kept.map((s) => s.logicalPath),
      ['team-alpha/api'],
    );
    assert.deepEqual(notSelected, ['evil/other']);
    const none = restrictSelections(configured, {}, asIs);
    assert.deepEqual(none.kept, configured);
    assert.deepEqual(none.notSelected, []);
  });

  test('--repository names source paths: a mapped source (failover with a prefix) is matched by its own names', () => {
    const mapped = (path: string) => `mirror/${path}`;
    const { kept, notSelected } = restrictSelections(
      configured,
      { repositories: ['mirror/team-beta/db', 'team-alpha/web'] },
      mapped,
    );
    assert.deepEqual(
      kept.map((s) => s.logicalPath),
      ['team-beta/db'],
    );
    assert.deepEqual(notSelected, ['team-alpha/web'], 'the logical name is not the source path here');
  });

  test('--shard keeps its own repositories, after --repository', () => {
    const all = NAMES.slice(0, 50).map(selection);
    const shards = [1, 2, 3].map(
      (index) => restrictSelections(all, { shard: { index, count: 3 } }, asIs).kept,
    );
    assert.deepEqual(
      shards
        .flat()
        .map((s) => s.logicalPath)
        .sort(),
      all.map((s) => s.logicalPath).sort(),
      'the shards partition the selection',
    );
    for (const [i, kept] of shards.entries())
      for (const s of kept) assert.equal(shardOf(s.logicalPath, 3), i + 1);
    const both = restrictSelections(
      configured,
      { repositories: ['team-alpha/web'], shard: { index: shardOf('team-alpha/web', 4), count: 4 } },
      asIs,
    );
    assert.deepEqual(
      both.kept.map((s) => s.logicalPath),
      ['team-alpha/web'],
    );
    const other = restrictSelections(
      configured,
      {
        repositories: ['team-alpha/web'],
        shard: { index: (shardOf('team-alpha/web', 4) % 4) + 1, count: 4 },
      },
      asIs,
    );
    assert.deepEqual(other.kept, []);
    assert.deepEqual(other.notSelected, [], 'selected by the config, just in another shard');
  });

  test('--tags: the intersection with what the config chose; explicit digests dropped; the rest named', () => {
    const chosen = [{ name: 'v1' }, { name: 'v2' }, { name: 'latest' }];
    const all = { chosen, missing: ['gone'], digests: [`sha256:${'1'.repeat(64)}`] };
    assert.deepEqual(restrictTags(all, undefined), { ...all, skipped: [] });
    const narrowed = restrictTags(all, ['v2', 'gone', 'v9', 'dev']);
    assert.deepEqual(
      narrowed.chosen.map((t) => t.name),
      ['v2'],
    );
    assert.deepEqual(narrowed.missing, ['gone'], 'a named explicit tag the source lacks stays reported');
    assert.deepEqual(narrowed.digests, []);
    assert.deepEqual(narrowed.skipped, ['v9', 'dev']);
    assert.deepEqual(restrictTags(all, ['other']).chosen, []);
  });
});

describe('shard reports', () => {
  const reportWith = (
    items: { ref: string; action: 'copied' | 'unchanged' | 'failed'; error?: string }[],
  ) => {
    const report = new Report('mirror-repos', false);
    for (const item of items) report.add(item);
    return report;
  };

  test('one JSON object per run, within its byte budget however many failures', () => {
    const ok = JSON.parse(
      buildShardReport({
        shard: { index: 2, count: 3 },
        repositories: 4,
        copied: 2,
        unchanged: 1,
        report: reportWith([
          { ref: 'dst/a/b:v1', action: 'copied' },
          { ref: 'dst/a/b:v2', action: 'copied' },
          { ref: 'dst/a/c:v1', action: 'unchanged' },
        ]),
      }),
    );
    assert.deepEqual(ok, {
      shard: '2/3',
      ok: true,
      repositories: 4,
      copied: 2,
      unchanged: 1,
      changed: 2,
      failed: 0,
      summary: '2 copied, 1 unchanged',
      failures: [],
    });
    const many = reportWith(
      Array.from({ length: 40 }, (_, i) => ({
        ref: `dst/org/repo-${i}:v1`,
        action: 'failed' as const,
        error: `blob sha256:${'f'.repeat(64)} failed: ${'x'.repeat(300)}`,
      })),
    );
    const text = buildShardReport({
      shard: undefined,
      repositories: 40,
      copied: 0,
      unchanged: 0,
      report: many,
    });
    assert.ok(Buffer.byteLength(text) <= SHARD_REPORT_MAX_BYTES, `${Buffer.byteLength(text)} bytes`);
    const parsed = shardReportSchema.parse(JSON.parse(text));
    assert.equal(parsed.shard, '1/1', 'no --shard: the whole selection');
    assert.equal(parsed.failed, 40);
    assert.ok(parsed.failures.length >= 1 && parsed.failures.length <= 5);
    const stopped = shardReportSchema.parse(
      JSON.parse(
        buildShardReport({
          shard: { index: 1, count: 2 },
          repositories: 0,
          copied: 0,
          unchanged: 0,
          report: reportWith([]),
          error: 'discovery on src needs its API\nmore',
        }),
      ),
    );
    assert.equal(stopped.ok, false);
    assert.equal(stopped.summary, 'error: discovery on src needs its API');
  });

  test('adding up: totals are the sums; a shard with no report and an unreadable one count as failed', () => {
    const shard = (spec: string, fields: Partial<Record<string, unknown>>) =>
      JSON.stringify({
        shard: spec,
        ok: true,
        repositories: 2,
        copied: 3,
        unchanged: 1,
        changed: 3,
        failed: 0,
        summary: '3 copied, 1 unchanged',
        failures: [],
        ...fields,
      });
    const all = addUpShardReports([
      shard('3/3', {}),
      shard('1/3', { copied: 1, unchanged: 5, changed: 1, repositories: 3 }),
    ]);
    assert.deepEqual(
      all.outcomes.map((o) => [o.shard, o.problem]),
      [
        ['1/3', undefined],
        ['2/3', NO_REPORT],
        ['3/3', undefined],
      ],
    );
    assert.deepEqual(
      {
        repositories: all.repositories,
        copied: all.copied,
        unchanged: all.unchanged,
        failed: all.failed,
        failedShards: all.failedShards,
      },
      { repositories: 5, copied: 4, unchanged: 6, failed: 1, failedShards: 1 },
    );
    const bad = addUpShardReports([
      shard('1/2', { ok: false, failed: 2, summary: '1 copied, 2 failed' }),
      shard('2/2', {}),
      'not json',
    ]);
    assert.equal(bad.failed, 3, 'two failed items and the unreadable report');
    assert.equal(bad.failedShards, 2);
    assert.match(bad.outcomes.at(-1)?.problem ?? '', /unreadable shard-report: not json/);
    const mixed = addUpShardReports([shard('1/2', {}), shard('1/3', {})]);
    assert.ok(mixed.outcomes.some((o) => /disagree on the number of shards: 2, 3/.test(o.problem ?? '')));
  });
});
