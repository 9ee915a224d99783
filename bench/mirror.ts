/**
 * `npm run bench:mirror`: mirror-repos against `skopeo sync --all` and a raw parallel blob copy, between
 * two real docker-registry processes on 127.0.0.1 (test/support/registry-server.ts), on generated data
 * (bench/mirror-sets.ts). Goals (issue 4): cold ≤ 0.6× skopeo sync and ≤ 1.25× raw copy; no-op re-run on
 * the many-tags set ≤ 0.1× skopeo's; a 1 GiB layer copied with peak RSS < 150 MB.
 *
 *   npm run bench:mirror                     # full size (≥ 500 MB unique, 40 × 25 small tags, 1 GiB layer)
 *   npm run build && node dist/bench/mirror.js --quick   # small sizes, for trying things out
 *
 * Flags: --quick, --rounds N (cold rounds, default 3), --noop-rounds N (default 3), --raw-concurrency N
 * (default 6, as mirror-repos' default), --no-memory (skip the 1 GiB check).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import minimist from 'minimist';
import { RegistryClient } from '../src/registry/index.js';
import { quayTags } from '../test/support/mirror-fixture.js';
import { type RegistryServer, startRegistryServer } from '../test/support/registry-server.js';
import { tempDir } from '../test/support/temp.js';
import { type QuayPair, runMirrorReposQuay, runSkopeoSyncQuay, startQuayPair } from './mirror-quay.js';
import { type DataSet, pushBigSet, pushOneLayer, pushSmallSet } from './mirror-sets.js';
import {
  MIRROR_SCRIPT,
  type Registries,
  rawCopy,
  runMirrorRepos,
  runSkopeoSync,
  skopeoName,
  type Timed,
  wrongTags,
} from './mirror-tools.js';
import { cpuSecondsOf } from './process-cpu.js';

const args = minimist(process.argv.slice(2), { boolean: ['quick', 'memory'], default: { memory: true } });
const quick = args.quick === true;
const rounds = Number(args.rounds ?? 3);
const noopRounds = Number(args['noop-rounds'] ?? 3);
const rawConcurrency = Number(args['raw-concurrency'] ?? 6);
const big = { repositories: 10, tags: 5, multiArch: 2, scale: quick ? 0.1 : 1 };
const small = quick ? { repositories: 10, tags: 5 } : { repositories: 40, tags: 25 };
const memoryLayer = quick ? 64 * 2 ** 20 : 2 ** 30;

for (const [what, ok] of [
  [`${MIRROR_SCRIPT} (run npm run build)`, existsSync(MIRROR_SCRIPT)],
  ['skopeo (apt-get install -y skopeo)', hasCommand('skopeo')],
] as const) {
  if (!ok) throw new Error(`bench:mirror needs ${what}`);
}

// Each registry server and temp folder adds an exit listener.
process.setMaxListeners(100);
const work = tempDir('bench-mirror-');
const servers: RegistryServer[] = [];
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const s = (seconds: number) => seconds.toFixed(2);
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const log = (line: string) => process.stdout.write(`${line}\n`);
/** USER_HZ: /proc/<pid>/stat counts CPU time in these (100 on Linux). */

async function startServer(): Promise<RegistryServer> {
  const server = await startRegistryServer();
  servers.push(server);
  return server;
}

async function dropServer(server: RegistryServer): Promise<void> {
  await server.stop();
  rmSync(server.dir, { recursive: true, force: true });
}

function check(what: string, run: Timed): Timed {
  if (run.exitCode !== 0) throw new Error(`${what} exited ${run.exitCode}:\n${run.stderrTail}`);
  return run;
}

async function assertCopied(what: string, host: string, set: DataSet, nameAt: (r: string) => string) {
  const wrong = await wrongTags(host, set, nameAt);
  if (wrong.length > 0)
    throw new Error(`${what}: ${wrong.length} tags wrong at the destination: ${wrong[0]}`);
}

type Tool = 'mirror' | 'skopeo' | 'raw';

async function coldRun(tool: Tool, source: RegistryServer, set: DataSet): Promise<Timed> {
  const destination = await startServer();
  const hosts: Registries = { source: source.host, destination: destination.host };
  try {
    if (tool === 'mirror') {
      const run = check('mirror-repos', await runMirrorRepos(work, hosts, set.repositories));
      await assertCopied('mirror-repos', destination.host, set, (r) => r);
      return run;
    }
    if (tool === 'skopeo') {
      const run = check(
        'skopeo sync',
        await runSkopeoSync(work, hosts, set.repositories, 'sk', { cold: true }),
      );
      await assertCopied('skopeo sync', destination.host, set, (r) => skopeoName('sk', r));
      return run;
    }
    return await rawCopy(hosts, set, rawConcurrency);
  } finally {
    await dropServer(destination);
  }
}

type NoOpTool = 'mirror' | 'skopeo';

/**
 * `noopRounds` no-op re-runs of each tool, alternating which goes first. `serverCpu`: CPU seconds the
 * registries have used so far, to tell what each run cost them.
 */
async function alternateNoOps(
  run: Record<NoOpTool, () => Promise<Timed>>,
  serverCpu: () => number = () => 0,
): Promise<Record<NoOpTool, (Timed & { serverCpu: number })[]>> {
  const runs: Record<NoOpTool, (Timed & { serverCpu: number })[]> = { mirror: [], skopeo: [] };
  for (let round = 0; round < noopRounds; round++) {
    const order: NoOpTool[] = round % 2 ? ['skopeo', 'mirror'] : ['mirror', 'skopeo'];
    for (const tool of order) {
      const before = serverCpu();
      const timed = check(tool === 'mirror' ? 'mirror-repos' : 'skopeo sync', await run[tool]());
      const used = serverCpu() - before;
      runs[tool].push({ ...timed, serverCpu: used });
      log(
        `  round ${round + 1} ${tool.padEnd(6)} no-op ${s(timed.seconds)} s` +
          `${timed.rssMB === undefined ? '' : `, peak RSS ${timed.rssMB.toFixed(0)} MB`}` +
          `${used > 0 ? `, registries' CPU ${s(used)} s` : ''}`,
      );
    }
  }
  return runs;
}

async function main(): Promise<void> {
  log(
    `bench:mirror ${quick ? '(quick sizes) ' : ''}on ${os.cpus().length} cores, ${mb(os.totalmem())} MB RAM, ` +
      `node ${process.version}, ${firstLine('docker-registry', ['--version'])}, ${firstLine('skopeo', ['--version'])}`,
  );
  const source = await startServer();
  const client = new RegistryClient({ registry: source.host, scheme: 'http' });

  // ---- big set: cold copies, alternating ----
  let t = performance.now();
  const bigSet = await pushBigSet(client, big);
  log(
    `big set: ${bigSet.repositories.length} repositories, ${bigSet.images} tags (${big.multiArch} repositories ` +
      `multi-arch), ${bigSet.blobs.size} unique blobs, ${mb(bigSet.uniqueBytes)} MB unique; generated and ` +
      `pushed in ${s((performance.now() - t) / 1000)} s`,
  );
  const tools: Tool[] = ['mirror', 'skopeo', 'raw'];
  const cold: Record<Tool, Timed[]> = { mirror: [], skopeo: [], raw: [] };
  for (let round = 0; round < rounds; round++) {
    const order = tools.map((_, i) => tools[(i + round) % tools.length] as Tool);
    for (const tool of order) {
      const run = await coldRun(tool, source, bigSet);
      cold[tool].push(run);
      log(
        `  round ${round + 1} ${tool.padEnd(6)} cold ${s(run.seconds)} s` +
          `${run.rssMB === undefined ? '' : `, peak RSS ${run.rssMB.toFixed(0)} MB`}`,
      );
    }
  }

  // ---- small set: one cold copy each into one destination, then alternating no-op re-runs ----
  t = performance.now();
  const smallSet = await pushSmallSet(client, small);
  log(
    `small set: ${smallSet.repositories.length} repositories × ${small.tags} tags = ${smallSet.images} images; ` +
      `pushed in ${s((performance.now() - t) / 1000)} s`,
  );
  const smallDestination = await startServer();
  const hosts: Registries = { source: source.host, destination: smallDestination.host };
  const smallCold = {
    mirror: check('mirror-repos', await runMirrorRepos(work, hosts, smallSet.repositories)),
    skopeo: check(
      'skopeo sync',
      await runSkopeoSync(work, hosts, smallSet.repositories, 'sk', { cold: true }),
    ),
  };
  await assertCopied('mirror-repos', hosts.destination, smallSet, (r) => r);
  await assertCopied('skopeo sync', hosts.destination, smallSet, (r) => skopeoName('sk', r));
  log(`  cold: mirror ${s(smallCold.mirror.seconds)} s, skopeo ${s(smallCold.skopeo.seconds)} s`);
  const noop = await alternateNoOps(
    {
      mirror: () => runMirrorRepos(work, hosts, smallSet.repositories),
      skopeo: () => runSkopeoSync(work, hosts, smallSet.repositories, 'sk', { cold: false }),
    },
    () => cpuSecondsOf(source.pid) + cpuSecondsOf(smallDestination.pid),
  );
  await dropServer(smallDestination);

  // ---- small set between two (emulated) Quay instances: the tag-API diff against skopeo's HEADs ----
  t = performance.now();
  const quayPair = await startQuayPair(small);
  log(`quay small set: ${quayPair.images} images seeded in ${s((performance.now() - t) / 1000)} s`);
  const quayCold = {
    mirror: check('mirror-repos', await runMirrorReposQuay(work, quayPair)),
    skopeo: check('skopeo sync', await runSkopeoSyncQuay(work, quayPair, { cold: true })),
  };
  assertQuayCopied(quayPair);
  log(`  cold: mirror ${s(quayCold.mirror.seconds)} s, skopeo ${s(quayCold.skopeo.seconds)} s`);
  const quayNoop = await alternateNoOps({
    mirror: () => runMirrorReposQuay(work, quayPair),
    skopeo: () => runSkopeoSyncQuay(work, quayPair, { cold: false }),
  });
  await quayPair.close();

  // ---- memory: one large layer ----
  let memory: Timed | undefined;
  if (args.memory !== false) {
    t = performance.now();
    const one = await pushOneLayer(client, memoryLayer);
    log(`one-layer image: ${mb(one.uniqueBytes)} MB layer pushed in ${s((performance.now() - t) / 1000)} s`);
    const destination = await startServer();
    memory = check(
      'mirror-repos',
      await runMirrorRepos(work, { source: source.host, destination: destination.host }, one.repositories),
    );
    await assertCopied('mirror-repos', destination.host, one, (r) => r);
    log(`  mirror-repos ${s(memory.seconds)} s, peak RSS ${memory.rssMB?.toFixed(0) ?? '?'} MB`);
    await dropServer(destination);
  }
  await client.close();

  // ---- summary ----
  const med = (runs: readonly Timed[]) => median(runs.map((r) => r.seconds));
  const peak = (runs: readonly Timed[]) => Math.max(...runs.map((r) => r.rssMB ?? 0));
  const ratio = (a: number, b: number, goal: number) =>
    `${(a / b).toFixed(2)} (goal ≤ ${goal}: ${a / b <= goal ? 'met' : 'NOT met'})`;
  const m = med(cold.mirror);
  const k = med(cold.skopeo);
  const r = med(cold.raw);
  const nm = med(noop.mirror);
  const nk = med(noop.skopeo);
  log('');
  log(`summary (medians; big set ${mb(bigSet.uniqueBytes)} MB unique, ${rounds} rounds alternating):`);
  log(
    `  cold: mirror-repos ${s(m)} s, skopeo sync ${s(k)} s, raw copy ${s(r)} s (${mb(bigSet.uniqueBytes / r)} MB/s)`,
  );
  log(`  mirror cold / skopeo cold = ${ratio(m, k, 0.6)}`);
  log(`  mirror cold / raw copy    = ${ratio(m, r, 1.25)}`);
  log(`  no-op (${smallSet.images} tags): mirror-repos ${s(nm)} s, skopeo sync ${s(nk)} s`);
  log(`  mirror no-op / skopeo no-op = ${ratio(nm, nk, 0.1)} (plain registries: a manifest check per tag)`);
  const registriesCpu = median(noop.mirror.map((run) => run.serverCpu));
  if (registriesCpu > 0) {
    const floor = registriesCpu / os.cpus().length;
    log(
      `    the two registries alone used ${s(registriesCpu)} s CPU per mirror-repos no-op: on ` +
        `${os.cpus().length} cores at least ${s(floor)} s of wall time, ${(floor / nk).toFixed(2)}× skopeo's no-op`,
    );
  }
  const qm = med(quayNoop.mirror);
  const qk = med(quayNoop.skopeo);
  log(
    `  no-op between Quay instances (${quayPair.images} tags): mirror-repos ${s(qm)} s, skopeo sync ${s(qk)} s`,
  );
  log(`  mirror no-op / skopeo no-op = ${ratio(qm, qk, 0.1)} (Quay: the tag API, 100 tags a call)`);
  log(
    `  peak RSS mirror-repos: big cold ${peak(cold.mirror).toFixed(0)} MB, small no-op ${peak(noop.mirror).toFixed(0)} MB` +
      (memory ? `, ${mb(memoryLayer)} MB layer ${memory.rssMB?.toFixed(0) ?? '?'} MB (goal < 150 MB)` : ''),
  );
  log(`  peak RSS skopeo: big cold ${peak(cold.skopeo).toFixed(0)} MB`);
}

/** Every tag of the source at both destinations (mirror-repos: same name; skopeo: `sk/<name>`), same digest. */
function assertQuayCopied(pair: QuayPair): void {
  const sorted = (tags: Record<string, string>) => JSON.stringify(Object.entries(tags).sort());
  for (const repository of pair.repositories) {
    const want = sorted(quayTags(pair.source.quay, repository));
    for (const [tool, name] of [
      ['mirror-repos', repository],
      ['skopeo sync', `sk/${repository.slice(repository.indexOf('/') + 1)}`],
    ] as const) {
      if (sorted(quayTags(pair.destination.quay, name)) !== want)
        throw new Error(`${tool}: ${name} differs from the source`);
    }
  }
}

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function firstLine(command: string, argv: string[]): string {
  try {
    return execFileSync(command, argv, { encoding: 'utf8' }).split('\n')[0]?.trim() ?? command;
  } catch {
    return `${command} (version unknown)`;
  }
}

try {
  await main();
} finally {
  for (const server of servers) await dropServer(server);
  rmSync(work, { recursive: true, force: true });
}
