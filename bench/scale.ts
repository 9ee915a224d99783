/**
 * `npm run bench:scale` (issue 14, part 3): mirror-repos no-op re-runs at 1k, 10k and 100k tags, between two
 * plain registries (Debian docker-registry, test/support/registry-server.ts) and between two emulated Quay
 * instances (test/support/quay-emulator), and discovery of 5,000 repositories on the emulator. Both sides
 * hold the same content before a run (bench/scale-data.ts writes it straight into their storage), so each run
 * is a no-op, and the report must say so. Per run: wall time, HTTP requests per tag (undici's diagnostics
 * channel in the mirror-repos process), peak RSS and CPU (mirror-repos under /usr/bin/time), and the
 * servers' CPU. Goals: cost per tag flat from 1k to 100k, peak RSS at 100k ≤ 250 MB, discovery ≤ 5 s.
 *
 *   npm run bench:scale
 *   npm run build && node dist/bench/scale.js --quick     # 200 and 2,000 tags, 500 repositories
 *
 * Flags: --quick, --sizes 1000,10000 (tag counts), --repositories N (per size, default 10),
 * --no-registry, --no-quay, --no-discovery, --no-archive, --archive-only, --archive-rounds N (default 3).
 *
 * The archive phase (bench/scale-archive.ts): the big set of bench/mirror-sets.ts (562 MB; --quick about
 * 56 MB) exported registry → oci-layout folder and imported folder → new registry, mirror-repos against
 * `skopeo copy --all` per tag and a raw blob copy; needs skopeo.
 */
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import minimist from 'minimist';
import { type MirrorQuay, startMirrorQuay } from '../test/support/mirror-fixture.js';
import { startRegistryServer } from '../test/support/registry-server.js';
import { tempDir } from '../test/support/temp.js';
import { cpuSecondsOf } from './process-cpu.js';
import { type ArchiveRow, archiveTable, runArchiveBench } from './scale-archive.js';
import { seedManyRepositories, seedQuay, tagSet, writeRegistryStorage } from './scale-data.js';
import { runMirrorScale, type ScaleRun } from './scale-run.js';

const args = minimist(process.argv.slice(2), {
  boolean: ['quick', 'registry', 'quay', 'discovery', 'archive', 'archive-only'],
  default: { registry: true, quay: true, discovery: true, archive: true },
});
const quick = args.quick === true;
const archiveOnly = args['archive-only'] === true;
const archiveRounds = Number(args['archive-rounds'] ?? 3);
const sizes = String(args.sizes ?? (quick ? '200,2000' : '1000,10000,100000'))
  .split(',')
  .map(Number);
const repositoryCount = Number(args.repositories ?? 10);
const discovery = quick
  ? { organizations: 5, perOrganization: 100 }
  : { organizations: 10, perOrganization: 500 };
const MANIFESTS = 4;

process.setMaxListeners(100);
const work = tempDir('bench-scale-');
const log = (line: string) => process.stdout.write(`${line}\n`);
const s = (seconds: number) => seconds.toFixed(2);

/** CPU seconds of this process (the emulators run in it) since `since`. */
function ownCpu(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

interface Row {
  pair: string;
  tags: number;
  run: ScaleRun;
  serverCpu: number;
}
const rows: Row[] = [];

function check(what: string, run: ScaleRun, tags: number): void {
  const unchanged = run.report?.items?.filter((i) => i.action === 'unchanged').length;
  if (run.exitCode !== 0 || run.report?.changed !== 0 || unchanged !== tags)
    throw new Error(
      `${what}: exit ${run.exitCode}, changed ${run.report?.changed}, unchanged ${unchanged} of ${tags}:\n${run.stderrTail}`,
    );
}

function report(pair: string, tags: number, run: ScaleRun, serverCpu: number, servers: string): void {
  rows.push({ pair, tags, run, serverCpu });
  log(
    `  ${pair} ${tags} tags: no-op ${s(run.seconds)} s (${((run.seconds / tags) * 1e6).toFixed(0)} µs/tag), ` +
      `${run.requests} requests (${(run.requests / tags).toFixed(3)}/tag), peak RSS ${run.rssMB?.toFixed(0) ?? '?'} MB, ` +
      `mirror-repos CPU ${run.cpu === undefined ? '?' : s(run.cpu)} s, ${servers} CPU ${s(serverCpu)} s`,
  );
}

function mirrorConfig(quayLines: string[], repositories: readonly string[] | 'discovery'): string {
  const file = join(work, `scale-${process.hrtime.bigint()}.yaml`);
  writeFileSync(
    file,
    [
      'quay:',
      ...quayLines,
      'mirror-repos:',
      '  source: src',
      '  destinations: [dst]',
      repositories === 'discovery'
        ? "  discovery: {enabled: true, organizations: {include: ['disc-*']}}"
        : `  repositories: [${repositories.join(', ')}]`,
      '',
    ].join('\n'),
  );
  return file;
}

/** The tags of one size: `repositoryCount` repositories sharing MANIFESTS manifests. */
function scaleSet(tags: number) {
  return tagSet({
    organization: 'scale',
    repositories: repositoryCount,
    tagsPerRepository: Math.ceil(tags / repositoryCount),
    manifestCount: MANIFESTS,
  });
}

async function registryNoOp(tags: number): Promise<void> {
  const set = scaleSet(tags);
  const t = performance.now();
  const prepareStorage = (root: string) => writeRegistryStorage(root, set);
  const [source, destination] = await Promise.all([
    startRegistryServer({ prepareStorage }),
    startRegistryServer({ prepareStorage }),
  ]);
  log(`registries: ${set.tags} tags written into both in ${s((performance.now() - t) / 1000)} s`);
  try {
    const config = mirrorConfig(
      [
        `  src: {type: registry, url: "http://${source.host}"}`,
        `  dst: {type: registry, url: "http://${destination.host}"}`,
      ],
      set.repositories,
    );
    const cpu = () => cpuSecondsOf(source.pid) + cpuSecondsOf(destination.pid);
    const before = cpu();
    const run = await runMirrorScale(work, config);
    check('registry no-op', run, set.tags);
    report('registry', set.tags, run, cpu() - before, "registries'");
  } finally {
    for (const server of [source, destination]) {
      await server.stop();
      rmSync(server.dir, { recursive: true, force: true });
    }
  }
}

async function quayPair(): Promise<[MirrorQuay, MirrorQuay]> {
  return Promise.all([startMirrorQuay(), startMirrorQuay()]);
}

async function quayNoOp(tags: number): Promise<void> {
  const set = scaleSet(tags);
  const [source, destination] = await quayPair();
  try {
    const t = performance.now();
    for (const side of [source, destination]) {
      side.quay.seed.org('scale', { owner: 'admin' });
      await seedQuay(side.quay, set);
    }
    log(`quay: ${set.tags} tags seeded into both in ${s((performance.now() - t) / 1000)} s`);
    const config = mirrorConfig([source.instance('src'), destination.instance('dst')], set.repositories);
    const since = process.cpuUsage();
    const run = await runMirrorScale(work, config, [], { ...source.env('src'), ...destination.env('dst') });
    const emulatorCpu = ownCpu(since);
    check('quay no-op', run, set.tags);
    report('quay', set.tags, run, emulatorCpu, "emulators'");
  } finally {
    await Promise.all([source.quay.close(), destination.quay.close()]);
  }
}

async function discoveryRuns(): Promise<void> {
  const [source, destination] = await quayPair();
  try {
    const t = performance.now();
    for (const side of [source, destination]) await seedManyRepositories(side.quay, discovery);
    const total = discovery.organizations * discovery.perOrganization;
    log(
      `discovery: ${total} repositories in ${discovery.organizations} organizations seeded into both in ${s((performance.now() - t) / 1000)} s`,
    );
    const config = mirrorConfig([source.instance('src'), destination.instance('dst')], 'discovery');
    const env = { ...source.env('src'), ...destination.env('dst') };
    let since = process.cpuUsage();
    const plan = await runMirrorScale(work, config, ['--plan-shards', '4'], env);
    let emulatorCpu = ownCpu(since);
    if (plan.exitCode !== 0) throw new Error(`--plan-shards exited ${plan.exitCode}:\n${plan.stderrTail}`);
    if (!/plan: (\d+) repositories/.test(plan.stderrTail) && !plan.report)
      throw new Error('--plan-shards: no report');
    log(
      `  discovery of ${total} repositories (--plan-shards 4): ${s(plan.seconds)} s (goal ≤ 5 s: ` +
        `${plan.seconds <= 5 ? 'met' : 'NOT met'}), ${plan.requests} requests, peak RSS ${plan.rssMB?.toFixed(0) ?? '?'} MB, ` +
        `emulator CPU ${s(emulatorCpu)} s`,
    );
    rows.push({ pair: 'discovery (--plan-shards)', tags: total, run: plan, serverCpu: emulatorCpu });
    since = process.cpuUsage();
    const noop = await runMirrorScale(work, config, [], env);
    emulatorCpu = ownCpu(since);
    check('discovery no-op', noop, total);
    report('discovery + no-op, 1 tag per repository,', total, noop, emulatorCpu, "emulators'");
  } finally {
    await Promise.all([source.quay.close(), destination.quay.close()]);
  }
}

async function main(): Promise<void> {
  log(
    `bench:scale ${quick ? '(quick) ' : ''}on ${os.cpus().length} cores, node ${process.version}, ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}, ${new Date().toISOString()}`,
  );
  if (!archiveOnly) {
    for (const tags of sizes) {
      if (args.registry !== false) await registryNoOp(tags);
      if (args.quay !== false) await quayNoOp(tags);
    }
    if (args.discovery !== false) await discoveryRuns();
  }
  let archiveRows: ArchiveRow[] = [];
  if (archiveOnly || args.archive !== false)
    archiveRows = await runArchiveBench({ work, quick, rounds: archiveRounds, log });
  if (rows.length > 0) printNoOpTable();
  if (archiveRows.length > 0) {
    log('');
    log(
      `archive phase: medians of ${archiveRounds} cold rounds (each round's value in brackets), alternating order`,
    );
    for (const line of archiveTable(archiveRows)) log(line);
  }
}

function printNoOpTable(): void {
  log('');
  log(
    '| pair | tags | no-op wall s | µs/tag | requests/tag | peak RSS MB | mirror-repos CPU s | servers CPU s |',
  );
  log('|---|---|---|---|---|---|---|---|');
  for (const { pair, tags, run, serverCpu } of rows) {
    log(
      `| ${pair} | ${tags} | ${s(run.seconds)} | ${((run.seconds / tags) * 1e6).toFixed(0)} | ` +
        `${(run.requests / tags).toFixed(3)} | ${run.rssMB?.toFixed(0) ?? '?'} | ${run.cpu === undefined ? '?' : s(run.cpu)} | ${s(serverCpu)} |`,
    );
  }
}

try {
  await main();
} finally {
  rmSync(work, { recursive: true, force: true });
}
