/**
 * The sharding flags of mirror-repos and the pipeline-report task, run in-process through the shared
 * task runner: usage errors name their flag, the plan contacts nothing without discovery, and the report
 * adds shard reports up.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runTask } from '../../../src/cli/run-task.js';
import type { TaskDefinition } from '../../../src/cli/task.js';
import type { SectionName } from '../../../src/config/document.js';
import { shardOf } from '../../../src/mirror/shard/shard.js';
import { definition as mirrorRepos } from '../../../tasks/mirror-repos.js';
import { definition as pipelineReport } from '../../../tasks/pipeline-report.js';
import { tempDir, writeFile } from '../../support/temp.js';

async function run<S extends SectionName>(definition: TaskDefinition<S>, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const results = join(tempDir('shard-cli-'), 'results');
  const exitCode = await runTask(definition, {
    argv: [`--results-dir=${results}`, ...argv],
    env: {},
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  const written: Record<string, string> = {};
  try {
    for (const name of readdirSync(results)) written[name] = readFileSync(join(results, name), 'utf8');
  } catch {
    // no results dir: nothing written
  }
  return { exitCode, stdout, stderr, results: written };
}

// Nothing listens on port 9 (of 127.0.0.1 and 127.0.0.2): a run that contacted a registry would fail.
const CONFIG = writeFile(
  tempDir('shard-cli-config-'),
  'quay.yaml',
  `quay:
  src: {url: http://127.0.0.1:9}
  dst: {url: http://127.0.0.2:9}
mirror-repos:
  source: src
  destinations: [dst]
  repositories: [a/one, a/two, b/three, b/four:v1, c/five]
`,
);

describe('mirror-repos: --repository, --tags, --shard, --plan-shards', () => {
  test('a bad value is a usage error (exit 2) naming the flag, before anything is contacted', async () => {
    for (const [argv, message] of [
      [['--shard=5/4'], /flag --shard: "5\/4": I must be from 1 to N \(4\)/],
      [['--shard=1-of-4'], /flag --shard: "1-of-4" is not I\/N/],
      [['--plan-shards=0'], /flag --plan-shards: "0" is not a whole number from 1 to 256/],
      [['--plan-shards=257'], /flag --plan-shards/],
      [['--repository=a/ok,Upper/x'], /flag --repository: "Upper\/x" is not org\/repo/],
      [['--repository=noslash'], /flag --repository: "noslash" is not org\/repo/],
      [['--tags=v1,bad tag'], /flag --tags: "bad tag" is not a tag name/],
      [['--tags=,,'], /flag --tags: ",," names nothing/],
      [['--repository', ' '], /flag --repository: " " names nothing/],
      [['--plan-shards=2', '--shard=1/2'], /--plan-shards plans every shard.*no --shard or --tags/],
      [['--plan-shards=2', '--tags=v1'], /--plan-shards plans every shard/],
    ] as const) {
      const r = await run(mirrorRepos, ['--config', CONFIG, ...argv]);
      assert.equal(r.exitCode, 2, `${argv.join(' ')}\n${r.stderr}`);
      assert.match(r.stderr, message, argv.join(' '));
    }
  });

  test('--plan-shards: the configured list, narrowed by --repository, counted and split; nothing contacted', async () => {
    const all = await run(mirrorRepos, ['--config', CONFIG, '--plan-shards=3']);
    assert.equal(all.exitCode, 0, all.stderr);
    assert.deepEqual(Object.keys(all.results).sort(), [
      'changed',
      'failed',
      'ok',
      'repositories',
      'shards',
      'summary',
    ]);
    assert.equal(all.results.repositories, '5');
    const shards = JSON.parse(all.results.shards ?? '') as string[];
    assert.ok(shards.length >= 1 && shards.length <= 3);
    assert.equal(all.results.shards, JSON.stringify(shards.map((_, i) => `${i + 1}/${shards.length}`)));
    for (const [i, spec] of shards.entries()) {
      const size = ['a/one', 'a/two', 'b/three', 'b/four', 'c/five'].filter(
        (p) => shardOf(p, shards.length) === i + 1,
      ).length;
      assert.ok(size > 0, 'no empty shard');
      assert.match(all.stderr, new RegExp(`plan: shard ${spec}: ${size} repositor(y|ies)`));
    }

    const narrowed = await run(mirrorRepos, [
      '--config',
      CONFIG,
      '--plan-shards=3',
      '--repository=b/four',
      '--repository=evil/repo',
    ]);
    assert.equal(narrowed.exitCode, 0, narrowed.stderr);
    assert.equal(narrowed.results.repositories, '1');
    assert.equal(narrowed.results.shards, '["1/1"]');
    assert.match(narrowed.stderr, /--repository evil\/repo: not selected by the config, skipped/);
    assert.equal(narrowed.results.summary, '1 skipped, 1 planned');

    const nothing = await run(mirrorRepos, ['--config', CONFIG, '--plan-shards=3', '--repository=evil/repo']);
    assert.equal(nothing.exitCode, 0);
    assert.deepEqual([nothing.results.repositories, nothing.results.shards], ['0', '["1/1"]']);
  });
});

describe('pipeline-report', () => {
  const shard = (spec: string, fields: Record<string, unknown> = {}) =>
    JSON.stringify({
      shard: spec,
      ok: true,
      repositories: 2,
      copied: 2,
      unchanged: 1,
      changed: 2,
      failed: 0,
      summary: '2 copied, 1 unchanged',
      failures: [],
      ...fields,
    });

  test('every shard ok: one line each and the totals, exit 0', async () => {
    const r = await run(pipelineReport, [
      '--status=Succeeded',
      '--',
      shard('2/2'),
      shard('1/2', { copied: 0, changed: 0, unchanged: 4, summary: '4 unchanged' }),
    ]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, /shard 1\/2: ok: 2 repositories, 0 copied, 4 unchanged, 0 failed; 4 unchanged/);
    assert.match(r.stderr, /shard 2\/2: ok: 2 repositories, 2 copied, 1 unchanged, 0 failed/);
    assert.deepEqual(r.results, {
      ok: 'true',
      changed: '1',
      failed: '0',
      summary: '1 unchanged, 1 copied',
      copied: '2',
      unchanged: '5',
      'failed-items': '0',
      totals: '2 shard(s), 4 repositories: 2 copied, 5 unchanged, 0 failed',
    });
  });

  test('a failed shard and a shard that wrote nothing: both named, exit 1', async () => {
    const r = await run(pipelineReport, [
      '--status=Failed',
      '--',
      shard('1/3', {
        ok: false,
        failed: 1,
        summary: '1 copied, 1 failed',
        failures: ['dst/brk/b:v1: blob missing'],
      }),
      shard('3/3'),
    ]);
    assert.equal(r.exitCode, 1);
    assert.match(
      r.stderr,
      /shard 1\/3: FAILED: .*1 failed; 1 copied, 1 failed\n\s+dst\/brk\/b:v1: blob missing/,
    );
    assert.match(r.stderr, /shard 2\/3: FAILED: wrote no shard-report/);
    assert.equal(r.results['failed-items'], '2');
    assert.equal(r.results.failed, '2');
    assert.equal(
      r.results.totals,
      '3 shard(s), 4 repositories: 4 copied, 2 unchanged, 2 failed; failed: 1/3, 2/3',
    );
  });

  test('the tasks failed though every shard says ok (the plan, a cancelled run): exit 1; no reports: exit 1', async () => {
    const r = await run(pipelineReport, ['--status=Failed', '--', shard('1/1')]);
    assert.equal(r.exitCode, 1);
    assert.match(r.results.summary ?? '', /^error: the Pipeline's tasks ended Failed, though every shard/);
    const none = await run(pipelineReport, ['--status=Succeeded']);
    assert.equal(none.exitCode, 1);
    assert.match(none.stderr, /no shard-report given/);
    const bad = await run(pipelineReport, ['--status=Done']);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /flag --status: "Done" is not one of Succeeded, Completed, Failed, None/);
  });
});
