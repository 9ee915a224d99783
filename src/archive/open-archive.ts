/**
 * An `oci-layout` entry of the `quay` section in a run: opened as a source (volumes extracted into
 * `workDir`, the layout verified before anything is sent) or as a destination (the layout created, started
 * from a receipt when given), and finished: a destination's index.json, its `quay-tasks-archive.json` and
 * volumes written; a source's receipt written after a clean import. Until opened, `registry` throws.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { OciLayoutInstanceConfig } from '../config/sections/shared.js';
import { sha256Digest } from '../registry/index.js';
import { ArchiveError } from './errors.js';
import { type LayoutEntry, parseIndex, serializeIndex, sortedEntries } from './layout/index-entries.js';
import { withIndexLock } from './layout/index-lock.js';
import { INDEX_FILE, isMissing, LAYOUT_FILE, LayoutDir, replaceFile } from './layout/layout-dir.js';
import { reachableFrom } from './layout/reachable.js';
import { LayoutRegistry } from './layout-registry.js';
import { readReceipt, serializeReceipt } from './receipt.js';
import { type CheckedArchive, checkArchive, type HashedArchive, hashArchive } from './verify.js';
import { type ExtractResult, extractVolumes, type PackResult, packVolumes } from './volumes/index.js';

export const ARCHIVE_FILE = 'quay-tasks-archive.json';
export const RECEIPT_FILE = 'quay-tasks-receipt.json';
const ARCHIVE_FORMAT = 'quay-tasks-archive/v1';

export interface SourceOpened {
  repositories: number;
  tags: number;
  /** Every needed file present with its size (nothing was sent before this). */
  checked: CheckedArchive;
  /** The sha256 of every needed file, running while the copies do; nothing is named at a destination before it passed. */
  hashing: Promise<HashedArchive>;
  extracted: ExtractResult | undefined;
}

export interface DestinationFinished {
  /** index.json: written, unchanged, or (dry run) not written. */
  index: 'written' | 'unchanged' | 'planned';
  volumes: PackResult | undefined;
  /** A shard of the export: its repositories' entries merged into index.json under its lock; no volumes. */
  shard: { takenOver: boolean } | undefined;
  blobsWritten: number;
  blobBytesWritten: number;
  manifestsWritten: number;
}

/** One of several runs writing one layout at once (`--shard`): who it is, and the repositories it owns. */
export interface LayoutShare {
  /** A name for its temporary files and the lock: `shard-2-of-4`. */
  writer: string;
  /** Destination paths this run planned: their entries in index.json are this run's. */
  owned: ReadonlySet<string>;
}

const entryKey = (entry: LayoutEntry) => `${entry.repository}\u0000${entry.tag ?? entry.digest}`;

export class OciArchive {
  readonly name: string;
  /** The configured path, absolute. */
  readonly path: string;
  /** Where the layout folder itself is: `path`, or with volumes `workDir`. */
  readonly layoutPath: string;
  readonly config: OciLayoutInstanceConfig;
  #registry: LayoutRegistry | undefined;
  #farSide: Set<string> = new Set();
  #receiptEntries: readonly LayoutEntry[] = [];
  #hashing: Promise<HashedArchive> | undefined;

  constructor(name: string, config: OciLayoutInstanceConfig) {
    this.name = name;
    this.config = config;
    this.path = resolve(config.path);
    this.layoutPath =
      config.maxArchiveSize === undefined ? this.path : resolve(config.workDir ?? `${this.path}.work`);
  }

  /** The archive as a registry; only after openSource or openDestination. */
  get registry(): LayoutRegistry {
    if (!this.#registry) throw new Error(`internal: archive ${this.name} used before it was opened`);
    return this.#registry;
  }

  get volumes(): boolean {
    return this.config.maxArchiveSize !== undefined;
  }

  /** Ends its use in a run (opened or not: a run may stop before it opens its archives). */
  async close(): Promise<void> {
    await this.#registry?.close();
  }

  /** The name clusters pull a repository of this archive by: the registry it was made from, when recorded. */
  pullName(repository: string): string | undefined {
    return this.#registry?.sourceOf(repository);
  }

  /** `hash: false` for a run that only lists what the archive holds (the shard plan). */
  async openSource(options: { hash: boolean } = { hash: true }): Promise<SourceOpened> {
    const extracted = this.volumes
      ? await extractVolumes({ volumesDir: this.path, layoutDir: this.layoutPath, archive: this.config.path })
      : undefined;
    const layout = new LayoutDir(this.layoutPath);
    if (!(await layout.exists())) {
      throw new ArchiveError(this.config.path, `is not an OCI image layout (no ${LAYOUT_FILE} file)`);
    }
    const entries = await this.#readEntries(layout, true);
    this.#farSide = await this.#readFarSide(layout);
    const checked = await checkArchive(layout, entries, this.#farSide, this.config.path);
    const hashing = options.hash
      ? hashArchive(layout, checked.files, this.config.path)
      : Promise.resolve({ bytes: 0, seconds: 0 });
    // Awaited by every naming copy and by the end of the run; never left unobserved.
    hashing.catch(() => undefined);
    this.#hashing = hashing;
    this.#registry = new LayoutRegistry({
      layout,
      archive: this.config.path,
      entries,
      farSideBlobs: this.#farSide,
      hashedByTheArchive: new Set(checked.files.keys()),
      beforeNaming: async () => {
        await hashing;
      },
      readOnly: true,
    });
    const repositories = new Set(entries.map((e) => e.repository)).size;
    return {
      repositories,
      tags: entries.filter((e) => e.tag !== undefined).length,
      checked,
      hashing,
      extracted,
    };
  }

  /** The source archive's sha256 pass: resolves when every needed file was right, rejects with what was not. */
  async hashed(): Promise<HashedArchive | undefined> {
    return this.#hashing;
  }

  /**
   * The layout made (unless a dry run), with what it holds, else the receipt's far side to start from.
   * `writer`: one of several runs writing it at once (a shard), whose unfinished files alone it removes.
   */
  async openDestination(
    dryRun: boolean,
    writer?: string,
  ): Promise<{ fromReceipt: number; removedPartials: number }> {
    const layout = new LayoutDir(this.layoutPath, { writer });
    const receipt =
      this.config.receipt === undefined
        ? undefined
        : await readReceipt(this.config.receipt, this.config.path);
    const removedPartials = dryRun ? 0 : (await layout.create()).removedPartials;
    const held = (await layout.exists()) ? await this.#readEntries(layout, false) : [];
    const entries = new Map<string, LayoutEntry>();
    for (const entry of [...(receipt?.entries ?? []), ...held]) entries.set(entryKey(entry), entry);
    this.#receiptEntries = receipt?.entries ?? [];
    this.#farSide = receipt?.blobs ?? new Set();
    this.#registry = new LayoutRegistry({
      layout,
      archive: this.config.path,
      entries: [...entries.values()],
      farSideBlobs: this.#farSide,
      readOnly: false,
    });
    return { fromReceipt: receipt?.entries.length ?? 0, removedPartials };
  }

  /**
   * Writes what a destination run produced: the original pull names of the repositories it wrote
   * (`sources`, destination path → `host/path`), index.json, quay-tasks-archive.json, and the volumes.
   * A shard (`share`) merges its repositories' entries into index.json as it is now, under the index
   * lock, and packs no volumes (the other shards may still be writing).
   */
  async finishDestination(
    sources: ReadonlyMap<string, string>,
    dryRun: boolean,
    share?: LayoutShare,
  ): Promise<DestinationFinished> {
    const registry = this.registry;
    for (const [repository, source] of sources) registry.recordSource(repository, source);
    const written = {
      blobsWritten: registry.stats.blobsWritten,
      blobBytesWritten: registry.stats.blobBytesWritten,
      manifestsWritten: registry.stats.manifestsWritten,
    };
    if (dryRun) return { index: 'planned', volumes: undefined, shard: undefined, ...written };
    const layout = new LayoutDir(this.layoutPath);
    if (share !== undefined) {
      const { value: indexChanged, takenOver } = await withIndexLock(
        this.layoutPath,
        { holder: share.writer, archive: this.config.path },
        async () => {
          const merged = new Map<string, LayoutEntry>();
          const now = await this.#readEntries(layout, false);
          for (const entry of [...this.#receiptEntries, ...now])
            if (!share.owned.has(entry.repository)) merged.set(entryKey(entry), entry);
          for (const entry of registry.entries())
            if (share.owned.has(entry.repository)) merged.set(entryKey(entry), entry);
          const changed = await this.#writeIndex(layout, sortedEntries([...merged.values()]));
          await this.#writeMeta(layout);
          return changed;
        },
      );
      return {
        index: indexChanged ? 'written' : 'unchanged',
        volumes: undefined,
        shard: { takenOver },
        ...written,
      };
    }
    const entries = sortedEntries(registry.entries());
    const indexChanged = await this.#writeIndex(layout, entries);
    await this.#writeMeta(layout);
    let volumes: PackResult | undefined;
    if (this.config.maxArchiveSize !== undefined) {
      const reachable = await reachableFrom(layout, entries);
      const blobs = [...reachable.manifests.keys(), ...reachable.blobs.keys()].filter(
        (d) => !this.#farSide.has(d),
      );
      volumes = await packVolumes({
        layoutDir: this.layoutPath,
        volumesDir: this.path,
        maxVolumeSize: this.config.maxArchiveSize,
        blobs: [...new Set(blobs)],
        files: [LAYOUT_FILE, INDEX_FILE, ARCHIVE_FILE],
      });
    }
    return { index: indexChanged ? 'written' : 'unchanged', volumes, shard: undefined, ...written };
  }

  /** index.json written when its bytes change; whether they did. */
  async #writeIndex(layout: LayoutDir, entries: readonly LayoutEntry[]): Promise<boolean> {
    const index = serializeIndex(entries);
    const before = await layout.readFile(INDEX_FILE);
    const changed = before === undefined || before.toString('utf8') !== index;
    if (changed) await layout.writeFile(INDEX_FILE, index);
    return changed;
  }

  async #writeMeta(layout: LayoutDir): Promise<void> {
    const meta = `${JSON.stringify(
      {
        format: ARCHIVE_FORMAT,
        receipt: this.config.receipt ?? null,
        farSideBlobs: [...this.#farSide].sort(),
      },
      null,
      1,
    )}\n`;
    if ((await layout.readFile(ARCHIVE_FILE))?.toString('utf8') !== meta)
      await layout.writeFile(ARCHIVE_FILE, meta);
  }

  /**
   * After an import that failed nowhere: what the far side now holds of `repositories`, for the next export
   * there. Returns the file and whether its bytes changed.
   */
  async writeReceipt(
    repositories: ReadonlySet<string>,
    destinations: readonly string[],
  ): Promise<{ file: string; changed: boolean }> {
    const layout = new LayoutDir(this.layoutPath);
    const indexBytes = (await layout.readFile(INDEX_FILE)) ?? Buffer.alloc(0);
    const entries = sortedEntries(this.registry.entries().filter((e) => repositories.has(e.repository)));
    const reachable = await reachableFrom(layout, entries);
    const blobs = new Set([...this.#farSide, ...reachable.manifests.keys(), ...reachable.blobs.keys()]);
    const text = serializeReceipt({
      archive: sha256Digest(indexBytes),
      destinations: [...destinations],
      entries,
      blobs,
    });
    const file = resolve(this.config.receipt ?? `${this.path}/${RECEIPT_FILE}`);
    const before = await readFile(file, 'utf8').catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw error;
    });
    const changed = before !== text;
    if (changed) await replaceFile(file, text);
    return { file, changed };
  }

  async #readEntries(layout: LayoutDir, required: boolean): Promise<LayoutEntry[]> {
    const bytes = await layout.readFile(INDEX_FILE);
    if (bytes === undefined) {
      if (!required) return [];
      throw new ArchiveError(
        this.config.path,
        `has no ${INDEX_FILE}: the archive is incomplete (was its export interrupted?)`,
      );
    }
    const parsed = parseIndex(bytes, this.layoutPath);
    if ('problem' in parsed) throw new ArchiveError(this.config.path, parsed.problem);
    return parsed.entries;
  }

  async #readFarSide(layout: LayoutDir): Promise<Set<string>> {
    const bytes = await layout.readFile(ARCHIVE_FILE);
    if (bytes === undefined) return new Set();
    try {
      const value = JSON.parse(bytes.toString('utf8')) as { farSideBlobs?: unknown };
      return new Set(
        Array.isArray(value.farSideBlobs) ? value.farSideBlobs.filter((d) => typeof d === 'string') : [],
      );
    } catch {
      throw new ArchiveError(this.config.path, `${ARCHIVE_FILE} is not JSON`);
    }
  }
}
