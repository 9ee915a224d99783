/**
 * The archive phase of `npm run bench:scale`: mirror-repos exporting the big set of bench/mirror-sets.ts
 * from a docker-registry into an oci-layout folder, and importing that folder into a new, empty
 * docker-registry, against skopeo (`skopeo copy --all`, one process per tag, sequentially, all tags into one
 * layout) and a raw copy of the unique blobs (6 at a time, in this process, no manifests). Every cold run
 * gets a fresh target: a new temp folder for each export, a new registry for each import. The tools
 * alternate their order each round. After each mirror-repos and skopeo run every tag's digest is checked:
 * in the layout's index.json (`org.opencontainers.image.ref.name` = `<repository>:<tag>`) after an export,
 * with a HEAD at the destination after an import.
 *
 * Goals: mirror-repos ≤ 0.6× skopeo and ≤ 1.3× the raw copy, for export and import.
 */
import { createReadStream, createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { mapPool } from '../src/concurrency/work-pool.js';
import { MediaTypes, RegistryClient } from '../src/registry/index.js';
import { type RegistryServer, startRegistryServer } from '../test/support/registry-server.js';
import { type DataSet, pushBigSet } from './mirror-sets.js';
import { runMirrorConfig, SKOPEO_CACHE, type Timed, timedProcess, wrongTags } from './mirror-tools.js';

export interface ArchiveOptions {
  /** A temp folder for configs, layouts and RSS files (removed by the caller). */
  work: string;
  /** The big set's quick size (scale 0.1, about 56 MB), as bench/mirror.ts's --quick. */
  quick: boolean;
  /** Cold rounds per tool and direction (default 3). */
  rounds?: number;
  /** The raw copy's concurrency (default 6, as mirror-repos' default). */
  rawConcurrency?: number;
  log?: (line: string) => void;
}

export type ArchiveTool = 'mirror-repos' | 'skopeo' | 'raw';
export type ArchivePhase = 'export' | 'import';

export interface ArchiveRow {
  phase: ArchivePhase;
  tool: ArchiveTool;
  /** Wall seconds per round, in round order. */
  seconds: number[];
  /** Peak RSS per round (MB); for skopeo the largest of its processes; undefined for raw. */
  rssMB: (number | undefined)[];
  /** The set's unique blob bytes (for MB/s). */
  bytes: number;
  tags: number;
  blobs: number;
  /** What the row did not cover, when something (skopeo on Docker-typed entries). */
  note?: string;
}

const TOOLS: readonly ArchiveTool[] = ['mirror-repos', 'skopeo', 'raw'];
const REF_NAME = 'org.opencontainers.image.ref.name';
/** The index.json entry types skopeo 1.9 (containers/image oci/layout) looks at. */
const OCI_TYPES: ReadonlySet<string> = new Set([MediaTypes.ociManifest, MediaTypes.ociIndex]);

const s = (seconds: number) => seconds.toFixed(2);

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function check(what: string, run: Timed): Timed {
  if (run.exitCode !== 0) throw new Error(`${what} exited ${run.exitCode}:\n${run.stderrTail}`);
  return run;
}

interface IndexEntry {
  mediaType: string;
  digest: string;
  annotations?: Record<string, string>;
}

function layoutEntries(layout: string): IndexEntry[] {
  return (
    (JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests?: IndexEntry[] })
      .manifests ?? []
  );
}

/** Tags of `refs` whose index.json entry is missing or has another digest than the source's. */
function wrongInLayout(layout: string, set: DataSet, refs: readonly string[]): string[] {
  const byName = new Map<string, string>();
  for (const entry of layoutEntries(layout)) {
    const name = entry.annotations?.[REF_NAME];
    if (name !== undefined) byName.set(name, entry.digest);
  }
  return refs.filter((ref) => byName.get(ref) !== set.tags.get(ref));
}

/** mirror-repos (the bundled command) with a config of two instances, one process. */
async function runMirror(work: string, quay: string[], section: string[]): Promise<Timed> {
  return check(
    'mirror-repos',
    await runMirrorConfig(work, 'archive', ['quay:', ...quay, 'mirror-repos:', ...section]),
  );
}

/** `skopeo copy --all` once per reference pair, sequentially: the wall time of the whole sequence. */
async function runSkopeoCopies(
  work: string,
  pairs: readonly [string, string][],
  tlsFlag: string,
): Promise<Timed> {
  rmSync(SKOPEO_CACHE, { force: true });
  const started = performance.now();
  let rssMB: number | undefined;
  for (const [from, to] of pairs) {
    const run = check(
      `skopeo copy ${from}`,
      await timedProcess(work, 'skopeo', ['copy', '--all', tlsFlag, from, to]),
    );
    if (run.rssMB !== undefined) rssMB = Math.max(rssMB ?? 0, run.rssMB);
  }
  return { seconds: (performance.now() - started) / 1000, rssMB, exitCode: 0, stderrTail: '' };
}

function blobPath(layout: string, digest: string): string {
  return join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

/** Biggest first, as bench/mirror-tools.ts's rawCopy. */
function blobsOf(set: DataSet): [string, { repository: string; size: number }][] {
  return [...set.blobs.entries()].sort((a, b) => b[1].size - a[1].size);
}

export async function runArchiveBench(options: ArchiveOptions): Promise<ArchiveRow[]> {
  const { work, quick } = options;
  const rounds = options.rounds ?? 3;
  const rawConcurrency = options.rawConcurrency ?? 6;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const big = { repositories: 10, tags: 5, multiArch: 2, scale: quick ? 0.1 : 1 };

  const servers: RegistryServer[] = [];
  const dropServer = async (server: RegistryServer) => {
    await server.stop();
    rmSync(server.dir, { recursive: true, force: true });
    servers.splice(servers.indexOf(server), 1);
  };
  const startServer = async () => {
    const server = await startRegistryServer();
    servers.push(server);
    return server;
  };
  let folders = 0;
  const freshFolder = () => {
    const dir = join(work, `archive-${++folders}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  try {
    const source = await startServer();
    const client = new RegistryClient({ registry: source.host, scheme: 'http' });
    const t = performance.now();
    let set: DataSet;
    try {
      set = await pushBigSet(client, big);
    } finally {
      await client.close();
    }
    const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
    log(
      `archive: big set ${set.repositories.length} repositories, ${set.images} tags, ${set.blobs.size} unique ` +
        `blobs, ${mb(set.uniqueBytes)} MB unique; pushed in ${s((performance.now() - t) / 1000)} s`,
    );
    const allRefs = [...set.tags.keys()].sort();

    const rows = new Map<string, ArchiveRow>();
    const row = (phase: ArchivePhase, tool: ArchiveTool): ArchiveRow => {
      const key = `${phase} ${tool}`;
      let found = rows.get(key);
      if (found === undefined) {
        found = {
          phase,
          tool,
          seconds: [],
          rssMB: [],
          bytes: set.uniqueBytes,
          tags: tool === 'raw' ? 0 : set.images,
          blobs: set.blobs.size,
        };
        rows.set(key, found);
      }
      return found;
    };
    const record = (phase: ArchivePhase, tool: ArchiveTool, round: number, run: Timed) => {
      const r = row(phase, tool);
      r.seconds.push(run.seconds);
      r.rssMB.push(run.rssMB);
      log(
        `  round ${round + 1} ${phase} ${tool.padEnd(12)} ${s(run.seconds)} s, ` +
          `${mb(set.uniqueBytes / run.seconds)} MB/s${run.rssMB === undefined ? '' : `, peak RSS ${run.rssMB.toFixed(0)} MB`}`,
      );
    };

    // ---- export: registry → a fresh oci-layout folder ----
    /** The layout of the latest mirror-repos export: the source of the imports. */
    let importLayout: string | undefined;
    const exportRun = async (tool: ArchiveTool): Promise<Timed> => {
      const layout = join(freshFolder(), 'layout');
      let keep = false;
      try {
        if (tool === 'mirror-repos') {
          const run = await runMirror(
            work,
            [
              `  src: {type: registry, url: "http://${source.host}"}`,
              `  disk: {type: oci-layout, path: ${layout}}`,
            ],
            ['  source: src', '  destinations: [disk]', `  repositories: [${set.repositories.join(', ')}]`],
          );
          assertLayout('mirror-repos export', layout, set, allRefs);
          if (importLayout !== undefined) rmSync(join(importLayout, '..'), { recursive: true, force: true });
          importLayout = layout;
          keep = true;
          return run;
        }
        if (tool === 'skopeo') {
          const run = await runSkopeoCopies(
            work,
            allRefs.map((ref) => [`docker://${source.host}/${ref}`, `oci:${layout}:${ref}`]),
            '--src-tls-verify=false',
          );
          assertLayout('skopeo export', layout, set, allRefs);
          return run;
        }
        return await rawExport(source.host, layout, set, rawConcurrency);
      } finally {
        if (!keep) rmSync(join(layout, '..'), { recursive: true, force: true });
      }
    };
    for (let round = 0; round < rounds; round++) {
      for (const tool of rotated(round)) record('export', tool, round, await exportRun(tool));
    }
    if (importLayout === undefined) throw new Error('no mirror-repos export to import from');
    const layout: string = importLayout;

    // skopeo 1.9 sees only OCI-typed entries of index.json: time it over those, and say so.
    const entries = layoutEntries(layout);
    const skopeoRefs = allRefs.filter((ref) =>
      entries.some((e) => e.annotations?.[REF_NAME] === ref && OCI_TYPES.has(e.mediaType)),
    );
    if (skopeoRefs.length < allRefs.length) {
      const note = `skopeo import: ${allRefs.length - skopeoRefs.length} of ${allRefs.length} tags are Docker-typed in index.json (skopeo 1.9 cannot read them), timed over ${skopeoRefs.length}`;
      log(`  ${note}`);
      row('import', 'skopeo').note = note;
    }

    // ---- import: the layout → a new, empty registry ----
    const importRun = async (tool: ArchiveTool): Promise<Timed> => {
      rmSync(join(layout, 'quay-tasks-receipt.json'), { force: true });
      const destination = await startServer();
      try {
        if (tool === 'mirror-repos') {
          const run = await runMirror(
            work,
            [
              `  disk: {type: oci-layout, path: ${layout}}`,
              `  b: {type: registry, url: "http://${destination.host}"}`,
            ],
            ['  source: disk', '  destinations: [b]', '  discovery: {enabled: true}'],
          );
          await assertRegistry('mirror-repos import', destination.host, set, allRefs);
          return run;
        }
        if (tool === 'skopeo') {
          const run = await runSkopeoCopies(
            work,
            skopeoRefs.map((ref) => [`oci:${layout}:${ref}`, `docker://${destination.host}/${ref}`]),
            '--dest-tls-verify=false',
          );
          await assertRegistry('skopeo import', destination.host, set, skopeoRefs);
          return run;
        }
        return await rawImport(layout, destination.host, set, rawConcurrency);
      } finally {
        await dropServer(destination);
      }
    };
    for (let round = 0; round < rounds; round++) {
      for (const tool of rotated(round)) record('import', tool, round, await importRun(tool));
    }
    return [...rows.values()];
  } finally {
    for (const server of [...servers]) await dropServer(server);
  }
}

function rotated(round: number): ArchiveTool[] {
  return TOOLS.map((_, i) => TOOLS[(i + round) % TOOLS.length] as ArchiveTool);
}

function assertLayout(what: string, layout: string, set: DataSet, refs: readonly string[]): void {
  const wrong = wrongInLayout(layout, set, refs);
  if (wrong.length > 0)
    throw new Error(`${what}: ${wrong.length} tags wrong in index.json, first ${wrong[0]}`);
}

async function assertRegistry(
  what: string,
  host: string,
  set: DataSet,
  refs: readonly string[],
): Promise<void> {
  const subset: DataSet = { ...set, tags: new Map(refs.map((ref) => [ref, set.tags.get(ref) as string])) };
  const wrong = await wrongTags(host, subset, (r) => r);
  if (wrong.length > 0)
    throw new Error(`${what}: ${wrong.length} tags wrong at the destination, first ${wrong[0]}`);
}

/** Every unique blob: a verified GET streamed into `blobs/sha256/<hex>`, `concurrency` at a time. */
async function rawExport(host: string, layout: string, set: DataSet, concurrency: number): Promise<Timed> {
  const client = new RegistryClient({ registry: host, scheme: 'http' });
  const started = performance.now();
  try {
    mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
    await mapPool(blobsOf(set), concurrency, async ([digest, { repository, size }]) => {
      const stream = await client.blobs.open(repository, digest, { size });
      await pipeline(stream.body, createWriteStream(blobPath(layout, digest)));
    });
    return { seconds: (performance.now() - started) / 1000, rssMB: undefined, exitCode: 0, stderrTail: '' };
  } finally {
    await client.close();
  }
}

/** Every unique blob file of the layout: POST + one PUT with Content-Length, `concurrency` at a time. */
async function rawImport(layout: string, host: string, set: DataSet, concurrency: number): Promise<Timed> {
  const client = new RegistryClient({ registry: host, scheme: 'http' });
  const blobs = blobsOf(set);
  const started = performance.now();
  try {
    await mapPool(blobs, concurrency, async ([digest, { repository, size }]) => {
      await client.uploads.upload(repository, digest, size, () => createReadStream(blobPath(layout, digest)));
    });
    const seconds = (performance.now() - started) / 1000;
    // Not timed: every blob landed with its size.
    const missing: string[] = [];
    await mapPool(blobs, 8, async ([digest, { repository, size }]) => {
      if ((await client.blobs.head(repository, digest))?.size !== size) missing.push(digest);
    });
    if (missing.length > 0)
      throw new Error(`raw import: ${missing.length} blobs missing, first ${missing[0]}`);
    return { seconds, rssMB: undefined, exitCode: 0, stderrTail: '' };
  } finally {
    await client.close();
  }
}

/** The archive phase's markdown table: wall times, ratios against skopeo and raw, peak RSS, MB/s. */
export function archiveTable(rows: readonly ArchiveRow[]): string[] {
  const find = (phase: ArchivePhase, tool: ArchiveTool) =>
    rows.find((r) => r.phase === phase && r.tool === tool);
  const cell = (r: ArchiveRow | undefined) =>
    r === undefined
      ? '—'
      : `${s(median(r.seconds))} s (${r.seconds.map(s).join(' / ')}), ${(r.bytes / median(r.seconds) / 1e6).toFixed(0)} MB/s`;
  const ratio = (a: ArchiveRow | undefined, b: ArchiveRow | undefined, goal: number) => {
    if (a === undefined || b === undefined) return '—';
    const value = median(a.seconds) / median(b.seconds);
    const perRound = a.seconds.map((x, i) => x / (b.seconds[i] ?? Number.NaN));
    const range =
      perRound.length > 1
        ? `, per round ${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}`
        : '';
    return `**${value.toFixed(2)}×** (goal ≤ ${goal}: ${value <= goal ? 'met' : 'NOT met'}${range})`;
  };
  const rss = (r: ArchiveRow | undefined) => {
    const values = (r?.rssMB ?? []).filter((v): v is number => v !== undefined);
    if (values.length === 0) return '?';
    const [low, high] = [Math.min(...values).toFixed(0), Math.max(...values).toFixed(0)];
    return low === high ? `${low} MB` : `${low}–${high} MB`;
  };
  const lines = [
    '| archive | mirror-repos | skopeo copy, one process per tag | raw blobs (6 at a time) | mirror-repos / skopeo | mirror-repos / raw | peak RSS mirror-repos | peak RSS skopeo |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const notes: string[] = [];
  for (const phase of ['export', 'import'] as const) {
    const [m, k, r] = TOOLS.map((tool) => find(phase, tool));
    if (m === undefined && k === undefined && r === undefined) continue;
    const what =
      phase === 'export'
        ? 'export, registry → oci-layout folder'
        : 'import, oci-layout folder → new registry';
    const size = m ?? k ?? r;
    lines.push(
      `| ${what} (${((size?.bytes ?? 0) / 1e6).toFixed(0)} MB, ${size?.tags ?? 0} tags) | ${cell(m)} | ${cell(k)} | ${cell(r)} | ` +
        `${ratio(m, k, 0.6)} | ${ratio(m, r, 1.3)} | ${rss(m)} | ${rss(k)} |`,
    );
    for (const x of [m, k, r]) if (x?.note) notes.push(x.note);
  }
  return [...lines, ...notes.map((n) => `- ${n}`)];
}
