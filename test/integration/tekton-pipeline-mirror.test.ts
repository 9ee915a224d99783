/**
 * The quay-mirror Pipeline run as Tekton would run it (tekton-pipeline.ts runPipelineAsTekton): plan →
 * a matrix of quay-mirror-repos TaskRuns, one per shard, run concurrently → the finally report over their
 * aggregated shard-report results, between two emulated Quay instances. Every repository is mirrored by
 * exactly one shard, the report adds the shards up, a second run copies nothing, a webhook's repository
 * and tags copy just that, and a failing shard fails the report.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type ShardReport, shardReportSchema } from '../../src/mirror/shard/shard-report.js';
import { type MirrorQuay, quayTags, startMirrorQuay } from '../support/mirror-fixture.js';
import { KEBAB, TEKTON_DIR, workspace } from '../support/tekton.js';
import {
  checkPipeline,
  type PipelineRunBinding,
  type PipelineRunOutcome,
  pipelineNamed,
  runPipelineAsTekton,
  type TektonPipeline,
} from '../support/tekton-pipeline.js';

const PIPELINE = pipelineNamed('quay-mirror');
const FAN = Array.from({ length: 7 }, (_, i) => `fan/r${i}`);

function shardReports(run: PipelineRunOutcome): ShardReport[] {
  return (run.tasks.mirror?.runs ?? []).map((r) =>
    shardReportSchema.parse(JSON.parse(r.results['shard-report'] ?? '')),
  );
}

describe('tekton/pipeline-quay-mirror.yaml: static checks', () => {
  test('conventions of the Tasks, and every reference resolves (params, tasks, results, workspaces)', () => {
    const text = readFileSync(join(TEKTON_DIR, 'pipeline-quay-mirror.yaml'), 'utf8');
    assert.equal(PIPELINE.apiVersion, 'tekton.dev/v1');
    assert.ok(PIPELINE.spec.description?.trim());
    assert.ok(PIPELINE.metadata.labels?.['app.kubernetes.io/version']);
    assert.equal(PIPELINE.metadata.annotations?.['tekton.dev/pipelines.minVersion'], '0.56.0');
    for (const a of ['categories', 'tags', 'displayName', 'platforms'])
      assert.ok(PIPELINE.metadata.annotations?.[`tekton.dev/${a}`], a);
    const names = [
      ...(PIPELINE.spec.params ?? []).map((p) => p.name),
      ...(PIPELINE.spec.workspaces ?? []).map((w) => w.name),
      ...PIPELINE.spec.tasks.map((t) => t.name),
      ...(PIPELINE.spec.finally ?? []).map((t) => t.name),
      ...(PIPELINE.spec.results ?? []).map((r) => r.name),
    ];
    for (const name of names) assert.match(name, KEBAB);
    // The TriggerTemplate of the repo_push webhook passes exactly these.
    assert.deepEqual((PIPELINE.spec.params ?? []).map((p) => p.name).sort(), [
      'config-file',
      'destinations',
      'dry-run',
      'image',
      'keep-going',
      'log-level',
      'max-shards',
      'prune',
      'repository',
      'source',
      'tags',
    ]);
    for (const p of PIPELINE.spec.params ?? [])
      assert.ok(text.includes(`$(params.${p.name})`) || text.includes(`$(params.${p.name}[*])`), p.name);
    checkPipeline(PIPELINE);
  });

  test('resolution is strict: a wrong binding or a broken reference is an error before anything runs', async () => {
    const ws = { config: workspace() };
    assert.throws(
      () => checkPipeline(PIPELINE, { params: { nope: 'x' }, workspaces: ws }),
      /unknown param nope/,
    );
    assert.throws(() => checkPipeline(PIPELINE, { workspaces: {} }), /workspace config must be bound/);
    assert.throws(
      () => checkPipeline(PIPELINE, { params: { destinations: '--destination=x' }, workspaces: ws }),
      /param destinations has the wrong type/,
    );
    assert.throws(
      () => checkPipeline(PIPELINE, { workspaces: { ...ws, other: workspace() } }),
      /binds unknown workspace other/,
    );
    await assert.rejects(
      runPipelineAsTekton(PIPELINE, { params: { nope: 'x' }, workspaces: ws }),
      /unknown param nope/,
    );
    const broken = (edit: (p: TektonPipeline) => void) => {
      const copy = structuredClone(PIPELINE);
      edit(copy);
      return () => checkPipeline(copy);
    };
    const mirror = (p: TektonPipeline) => p.spec.tasks.find((t) => t.name === 'mirror')!;
    assert.throws(
      broken((p) => {
        mirror(p).matrix = { params: [{ name: 'shard', value: '$(tasks.plan.results.shard-list[*])' }] };
      }),
      /declares no result shard-list/,
    );
    assert.throws(
      broken((p) => mirror(p).params?.push({ name: 'max-shards', value: '2' })),
      /quay-mirror-repos has no param max-shards/,
    );
    assert.throws(
      broken((p) => {
        mirror(p).workspaces = [];
      }),
      /workspace config is not optional/,
    );
    assert.throws(
      broken((p) => {
        p.spec.results = [{ name: 'x', value: '$(finally.report.results.nothing)' }];
      }),
      /declares no result nothing/,
    );
    assert.throws(
      broken((p) => mirror(p).params?.push({ name: 'shard', value: '1/1' })),
      /a param given twice/,
    );
    assert.throws(
      broken((p) => {
        p.spec.tasks[0]!.params = [{ name: 'source', value: '$(tasks.status)' }];
      }),
      /only known to finally tasks/,
    );
  });
});

describe('tekton/pipeline-quay-mirror.yaml: run as Tekton would, between two Quay emulators', () => {
  let src: MirrorQuay;
  let dst: MirrorQuay;
  let credentials: string;
  const digests = new Map<string, string>(); // repo:tag → digest at the source
  const configFor = (organization: string) =>
    workspace({
      'quay-tasks.yaml':
        `quay:\n  src: {url: ${src.quay.url}, token: {file: ${credentials}/src}}\n` +
        `  dst: {url: ${dst.quay.url}, token: {file: ${credentials}/dst}}\n` +
        `mirror-repos:\n  discovery: {enabled: true, organizations: {include: [${organization}]}}\n`,
    });
  const binding = (config: string, params: Record<string, string> = {}): PipelineRunBinding => ({
    params: { source: 'src', destinations: ['--destination=dst'], ...params },
    workspaces: { config, 'quay-credentials': credentials },
  });
  const tagReads = (quay: MirrorQuay, repository: string) =>
    quay.quay.requestsTo({ method: 'GET', path: `/api/v1/repository/${repository}/tag/` }).length;
  const manifestPuts = (repository: string) =>
    dst.quay.requestsTo({ method: 'PUT', path: new RegExp(`^/v2/${repository}/manifests/`) }).length;
  const clearLogs = () => {
    src.quay.requests.length = 0;
    dst.quay.requests.length = 0;
  };

  before(async () => {
    [src, dst] = await Promise.all([startMirrorQuay(), startMirrorQuay()]);
    credentials = workspace({ src: src.token, dst: dst.token });
    src.quay.seed.org('fan', { owner: 'admin' });
    // The destination organizations exist beforehand: shards that find one missing all try to create it,
    // and (src/mirror/destination/setup.ts) every shard but the first then fails its first attempt on
    // Quay's "already exists" and only succeeds on its retry. Retries must not hide failures here.
    dst.quay.seed.org('fan', { owner: 'admin' });
    dst.quay.seed.org('brk', { owner: 'admin' });
    for (const [i, repository] of FAN.entries()) {
      const tags = i % 2 === 0 ? ['v1', 'v2'] : ['v1'];
      for (const tag of tags) {
        const image = await src.quay.seed.pushImage(repository, [tag], { layers: [`${repository}:${tag}`] });
        digests.set(`${repository}:${tag}`, image.digest);
      }
    }
  });
  // At suite level: an after() inside before() would run when that hook ends.
  after(async () => {
    await Promise.all([src?.quay.close(), dst?.quay.close()]);
    assert.deepEqual([...(src?.quay.internalErrors ?? []), ...(dst?.quay.internalErrors ?? [])], []);
  });

  test('plan → 3 shards → each repository mirrored by exactly one shard → the report adds them up; a second run copies nothing', async () => {
    const config = configFor('fan');
    clearLogs();
    const run = await runPipelineAsTekton(PIPELINE, binding(config, { 'max-shards': '3' }));
    assert.equal(run.status, 'Succeeded', JSON.stringify(run.finally.report?.runs[0]?.stderr));
    assert.deepEqual(run.tasks.plan?.results.shards, ['1/3', '2/3', '3/3']);
    assert.equal(run.tasks.plan?.results.repositories, '7');

    // One TaskRun per shard, each with its own shard param.
    const mirror = run.tasks.mirror;
    assert.deepEqual(mirror?.runs.map((r) => r.params.shard).sort(), ['1/3', '2/3', '3/3']);
    assert.deepEqual(
      mirror?.runs.map((r) => r.attempts),
      [1, 1, 1],
      mirror?.runs.map((r) => r.stderr).join('\n----\n'),
    );
    const reports = shardReports(run);
    for (const [i, report] of reports.entries()) {
      assert.equal(report.shard, mirror?.runs[i]?.params.shard);
      assert.ok(report.ok && report.repositories > 0, `shard ${report.shard} did something`);
    }
    // The shards partition the repositories: each repository's tags were read by one shard alone
    // (the plan lists repositories, it reads no tags), and every tag was pushed once.
    for (const repository of FAN) {
      assert.equal(tagReads(src, repository), 1, `${repository} read by exactly one shard`);
      const tags = [...digests].filter(([ref]) => ref.startsWith(`${repository}:`));
      assert.equal(manifestPuts(repository), tags.length, `${repository}: each tag pushed once`);
      assert.deepEqual(
        quayTags(dst.quay, repository),
        Object.fromEntries(tags.map(([ref, digest]) => [ref.split(':')[1], digest])),
        `${repository} at the destination, source digests`,
      );
    }
    assert.equal(
      reports.reduce((n, r) => n + r.repositories, 0),
      FAN.length,
    );

    // The report's totals are the sums of the shards'.
    const sum = (key: 'copied' | 'unchanged' | 'failed') => reports.reduce((n, r) => n + r[key], 0);
    assert.equal(sum('copied'), digests.size);
    const report = run.finally.report;
    assert.equal(report?.status, 'Succeeded');
    assert.deepEqual(
      {
        ok: report?.results.ok,
        copied: report?.results.copied,
        unchanged: report?.results.unchanged,
        failedItems: report?.results['failed-items'],
      },
      { ok: 'true', copied: String(sum('copied')), unchanged: String(sum('unchanged')), failedItems: '0' },
    );
    assert.deepEqual(run.results, {
      ok: 'true',
      copied: String(digests.size),
      failed: '0',
      summary: `3 shard(s), 7 repositories: ${digests.size} copied, 0 unchanged, 0 failed`,
    });
    assert.match(report?.runs[0]?.stderr ?? '', /shard 1\/3: ok: \d+ repositor(y|ies), \d+ copied/);

    clearLogs();
    const again = await runPipelineAsTekton(PIPELINE, binding(config, { 'max-shards': '3' }));
    assert.equal(again.status, 'Succeeded');
    assert.deepEqual(again.results, {
      ok: 'true',
      copied: '0',
      failed: '0',
      summary: `3 shard(s), 7 repositories: 0 copied, ${digests.size} unchanged, 0 failed`,
    });
    assert.equal(
      dst.quay.requestsTo({ method: 'PUT' }).length + dst.quay.requestsTo({ method: 'POST' }).length,
      0,
      'nothing written the second time',
    );
  });

  test('3 shards export into one oci-layout archive on the archive workspace: index.json holds every tag, each from its shard', async () => {
    const archive = workspace({});
    const config = workspace({
      'quay-tasks.yaml':
        `quay:\n  src: {url: ${src.quay.url}, token: {file: ${credentials}/src}}\n` +
        `  disk: {type: oci-layout, path: ${archive}}\n` +
        'mirror-repos:\n  discovery: {enabled: true, organizations: {include: [fan]}}\n',
    });
    const run = await runPipelineAsTekton(PIPELINE, {
      params: { source: 'src', destinations: ['--destination=disk'], 'max-shards': '3' },
      workspaces: { config, 'quay-credentials': credentials, archive },
    });
    assert.equal(run.status, 'Succeeded', run.tasks.mirror?.runs.map((r) => r.stderr).join('\n----\n'));
    assert.equal(run.tasks.mirror?.runs.length, 3);
    const entries = JSON.parse(readFileSync(join(archive, 'index.json'), 'utf8')).manifests as {
      digest: string;
      annotations: Record<string, string>;
    }[];
    assert.deepEqual(
      Object.fromEntries(entries.map((e) => [e.annotations['org.opencontainers.image.ref.name'], e.digest])),
      Object.fromEntries(digests),
    );
    assert.deepEqual(run.results, {
      ok: 'true',
      copied: String(digests.size),
      failed: '0',
      summary: `3 shard(s), 7 repositories: ${digests.size} copied, 0 unchanged, 0 failed`,
    });
  });

  test('a webhook’s repository and tags: only that tag of that repository; a repository the config does not select: nothing', async () => {
    const config = configFor('fan');
    const pushed = await src.quay.seed.pushImage('fan/r2', ['v3'], { layers: ['fan/r2:v3'] });
    await src.quay.seed.pushImage('fan/r5', ['v3'], { layers: ['fan/r5:v3'] });
    clearLogs();
    const run = await runPipelineAsTekton(PIPELINE, binding(config, { repository: 'fan/r2', tags: 'v3' }));
    assert.equal(run.status, 'Succeeded');
    assert.deepEqual(run.tasks.plan?.results.shards, ['1/1']);
    assert.equal(run.tasks.plan?.results.repositories, '1');
    assert.equal(run.tasks.mirror?.runs.length, 1);
    assert.equal(run.results.copied, '1');
    assert.equal(quayTags(dst.quay, 'fan/r2').v3, pushed.digest);
    assert.equal(quayTags(dst.quay, 'fan/r5').v3, undefined, 'another repository’s new tag stays');
    assert.equal(tagReads(src, 'fan/r5'), 0, 'other repositories are not even read');
    assert.deepEqual(shardReports(run)[0]?.unchanged, 0, 'the other tags of fan/r2 are not looked at');

    src.quay.seed.org('other', { owner: 'admin' });
    await src.quay.seed.pushImage('other/app', ['v1']);
    clearLogs();
    const ignored = await runPipelineAsTekton(
      PIPELINE,
      binding(config, { repository: 'other/app', tags: 'v1' }),
    );
    assert.equal(ignored.tasks.plan?.status, 'Succeeded');
    assert.equal(ignored.tasks.plan?.results.repositories, '0');
    assert.match(
      ignored.tasks.plan?.runs[0]?.stderr ?? '',
      /--repository other\/app: not selected by the config, skipped/,
    );
    assert.equal(ignored.tasks.mirror?.skipped, 'when', 'no mirror pod for nothing');
    assert.equal(
      ignored.finally.report?.skipped,
      'missing-results',
      'Tekton skips a finally task without its results',
    );
    assert.equal(ignored.status, 'Completed');
    assert.deepEqual(ignored.results, {});
    assert.equal(dst.quay.requestsTo({}).length, 0, 'the destination was not contacted');
    assert.deepEqual(quayTags(dst.quay, 'other/app'), {});
  });

  test('a shard with a broken image fails (after its retry); the others mirror theirs; the report exits 1 naming it', async () => {
    src.quay.seed.org('brk', { owner: 'admin' });
    for (const name of ['a', 'b', 'c', 'd']) await src.quay.seed.pushImage(`brk/${name}`, ['v1']);
    const broken = src.quay.state.getRepo('brk', 'b');
    const lost = [...(broken?.blobs ?? [])][0];
    assert.ok(broken && lost);
    broken.blobs.delete(lost);

    const run = await runPipelineAsTekton(PIPELINE, binding(configFor('brk'), { 'keep-going': 'true' }));
    assert.equal(run.status, 'Failed');
    assert.equal(run.tasks.mirror?.status, 'Failed');
    const shards = run.tasks.plan?.results.shards as string[];
    assert.ok(shards.length >= 2, `${shards.length} shards`);
    const failing = run.tasks.mirror?.runs.filter((r) => r.exitCode !== 0) ?? [];
    assert.equal(failing.length, 1, 'one shard fails');
    assert.equal(failing[0]?.attempts, 2, 'retried once (retries: 1)');
    const failed = shardReportSchema.parse(JSON.parse(failing[0]?.results['shard-report'] ?? ''));
    assert.equal(failed.shard, failing[0]?.params.shard);
    assert.match(failed.failures.join('\n'), /^dst\/brk\/b:v1: /m);
    for (const name of ['a', 'c', 'd'])
      assert.deepEqual(Object.keys(quayTags(dst.quay, `brk/${name}`)), ['v1']);
    assert.deepEqual(quayTags(dst.quay, 'brk/b'), {});

    const report = run.finally.report;
    assert.equal(report?.status, 'Failed', 'the report exits 1');
    assert.equal(report?.runs[0]?.exitCode, 1);
    assert.match(
      report?.runs[0]?.stderr ?? '',
      new RegExp(`shard ${failed.shard}: FAILED: .*\\n\\s+dst/brk/b:v1: `),
    );
    assert.equal(run.results.ok, 'false');
    assert.equal(run.results.failed, '1');
    // Tekton keeps the results of a TaskRun's last attempt: the retry found the good images of the failing
    // shard in place, so they count as unchanged there, not copied.
    const reports = shardReports(run);
    assert.equal(run.results.copied, String(reports.reduce((n, r) => n + r.copied, 0)));
    assert.equal(
      reports.reduce((n, r) => n + r.copied + r.unchanged + r.failed, 0),
      4,
      'every image accounted for once',
    );
    assert.match(run.results.summary ?? '', new RegExp(`1 failed; failed: ${failed.shard}$`));
  });
});
