/**
 * packVolumes and extractVolumes on a synthetic layout: a few random blobs, one of 2.5 MiB split across
 * 1 MiB volumes, one left out. The volumes are read back by GNU tar and by extractVolumes, then broken in the
 * ways an air gap breaks them (cut short, a byte flipped, a volume missing or from another set).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { execa } from 'execa';
import { pack } from 'tar-stream';
import { ArchiveError } from '../../../../src/archive/errors.js';
import { extractVolumes, type PackResult, packVolumes } from '../../../../src/archive/volumes/index.js';
import { tarEntryBytes } from '../../../../src/archive/volumes/plan-volumes.js';
import {
  parseVolumeManifest,
  serializeVolumeManifest,
  type VolumeManifest,
} from '../../../../src/archive/volumes/volume-manifest.js';
import { tempDir } from '../../../support/temp.js';

const SUITE = { timeout: 120_000 };
const MiB = 1024 * 1024;
const FILES = ['oci-layout', 'index.json', 'quay-tasks-archive.json'];

const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const hexOf = (digest: string) => digest.slice('sha256:'.length);

interface Layout {
  dir: string;
  /** Carried, in order. */
  blobs: string[];
  big: string;
  small: string;
  leftOut: string;
}

function writeLayout(dir: string, name: string): Layout {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const blob = (size: number) => {
    const bytes = randomBytes(size);
    const digest = sha256(bytes);
    writeFileSync(join(dir, 'blobs', 'sha256', hexOf(digest)), bytes);
    return digest;
  };
  const small = blob(300_000);
  const big = blob(2.5 * MiB);
  const blobs = [blob(1000), small, big, blob(0), blob(700_000), blob(50_000)];
  const leftOut = blob(200_000);
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const manifests = blobs.map((digest) => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest,
  }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, name, manifests }));
  writeFileSync(join(dir, 'quay-tasks-archive.json'), JSON.stringify({ leftOut: [leftOut] }));
  return { dir, blobs, big, small, leftOut };
}

/** Every file of a folder (relative path → sha256), hidden markers aside. */
function digestsOf(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir, { recursive: true })
      .map(String)
      .filter((name) => statSync(join(dir, name)).isFile() && !name.startsWith('.'))
      .sort()
      .map((name) => [name, sha256(readFileSync(join(dir, name)))]),
  );
}

/** A volume's manifest, read with the volume's own bytes (tar headers are 512 bytes; the manifest comes first). */
function manifestOf(path: string): VolumeManifest {
  const bytes = readFileSync(path);
  const size = Number.parseInt(bytes.subarray(124, 136).toString('ascii').trim(), 8);
  const manifest = parseVolumeManifest(bytes.subarray(512, 512 + size).toString('utf8'));
  assert.notEqual(typeof manifest, 'string', String(manifest));
  return manifest as VolumeManifest;
}

/** Where an entry's bytes start in its volume. */
function dataOffset(path: string, manifest: VolumeManifest, entryIndex: number): number {
  const manifestSize = Number.parseInt(readFileSync(path).subarray(124, 136).toString('ascii').trim(), 8);
  let offset = tarEntryBytes(manifestSize);
  for (const entry of manifest.entries.slice(0, entryIndex)) offset += tarEntryBytes(entry.size);
  return offset + 512;
}

async function rejectsWith(
  promise: Promise<unknown>,
  archive: string,
  pattern: RegExp,
): Promise<ArchiveError> {
  const error = await promise.then(
    () => assert.fail(`resolved; expected an ArchiveError matching ${pattern}`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ArchiveError, `not an ArchiveError: ${error}`);
  assert.equal(error.archive, archive);
  assert.match(error.message, pattern);
  return error;
}

describe('tar volumes of a layout', SUITE, () => {
  const root = tempDir('volumes-');
  const volumesDir = join(root, 'volumes');
  let layout: Layout;
  let packed: PackResult;

  /** The packed volumes copied to a folder of their own, to be broken there. */
  const copyOfVolumes = (name: string) => {
    const dir = join(root, name);
    cpSync(volumesDir, dir, { recursive: true });
    return dir;
  };

  before(async () => {
    layout = writeLayout(join(root, 'layout'), 'first');
    packed = await packVolumes({
      layoutDir: layout.dir,
      volumesDir,
      maxVolumeSize: MiB,
      blobs: layout.blobs,
      files: FILES,
    });
  });

  test('pack: several volumes, each at most maxVolumeSize, each listed by GNU tar with its manifest first', async () => {
    assert.ok(packed.volumes.length >= 4, `${packed.volumes.length} volumes`);
    assert.deepEqual(packed.volumes, readdirSync(volumesDir).sort());
    assert.equal(packed.unchanged, false);
    assert.equal(packed.parts, 3 + 2); // the 2.5 MiB blob in 3 parts, the 700 kB one across the next volume
    let total = 0;
    const names: string[] = [];
    for (const [i, file] of packed.volumes.entries()) {
      const path = join(volumesDir, file);
      const { size } = statSync(path);
      assert.ok(size <= MiB, `${file} is ${size} bytes`);
      total += size;
      const listing = await execa('tar', ['-tf', path]);
      assert.equal(listing.stderr, '');
      const entries = listing.stdout.split('\n');
      assert.deepEqual(entries.slice(0, 2), ['quay-tasks-volume.json', 'oci-layout'], file);
      const manifest = manifestOf(path);
      assert.deepEqual(
        { set: manifest.set, volume: manifest.volume, volumes: manifest.volumes },
        {
          set: sha256(readFileSync(join(layout.dir, 'index.json'))),
          volume: i + 1,
          volumes: packed.volumes.length,
        },
      );
      assert.deepEqual(
        manifest.entries.map((entry) => entry.name),
        entries.slice(1),
      );
      names.push(...entries.slice(2));
    }
    assert.equal(total, packed.bytes);
    assert.deepEqual(names.slice(0, 2), ['index.json', 'quay-tasks-archive.json']);
    const bigName = `blobs/sha256/${hexOf(layout.big)}`;
    assert.deepEqual(
      names.filter((name) => name.startsWith(bigName)),
      [1, 2, 3].map((i) => `${bigName}.part-000${i}-of-0003`),
    );
    assert.ok(names.includes(`blobs/sha256/${hexOf(layout.small)}`));
  });

  test('a blob left out of blobs is in no volume', async () => {
    const hex = hexOf(layout.leftOut);
    const head = readFileSync(join(layout.dir, 'blobs', 'sha256', hex)).subarray(0, 64);
    for (const file of packed.volumes) {
      const path = join(volumesDir, file);
      const listing = (await execa('tar', ['-tf', path])).stdout;
      assert.equal(listing.includes(hex), false, file);
      const manifest = manifestOf(path);
      assert.ok(!manifest.entries.some((entry) => (entry.part?.of ?? entry.name).includes(hex)), file);
      assert.equal(readFileSync(path).includes(head), false, file);
    }
    // The check sees a blob that is carried.
    const carried = readFileSync(join(layout.dir, 'blobs', 'sha256', hexOf(layout.small))).subarray(0, 64);
    assert.ok(packed.volumes.some((file) => readFileSync(join(volumesDir, file)).includes(carried)));
  });

  test('extract into an empty folder: every file byte-identical to the layout; extract again: skipped', async () => {
    const layoutDir = join(root, 'extracted');
    const result = await extractVolumes({ volumesDir, layoutDir });
    const original = digestsOf(layout.dir);
    original.delete(join('blobs', 'sha256', hexOf(layout.leftOut)));
    assert.deepEqual(digestsOf(layoutDir), original);
    assert.deepEqual(result, {
      set: sha256(readFileSync(join(layout.dir, 'index.json'))),
      volumes: packed.volumes.length,
      written: FILES.length + layout.blobs.length,
      present: 0,
      bytes: [...original.keys()].reduce((sum, name) => sum + statSync(join(layoutDir, name)).size, 0),
      skipped: false,
    });

    const again = await extractVolumes({ volumesDir, layoutDir });
    assert.deepEqual(again, { ...result, written: 0, present: 0, bytes: 0, skipped: true });

    // A volume touched since: read again, the blobs already there are not written again.
    const touched = join(volumesDir, packed.volumes[1] ?? '');
    const { atime, mtime } = statSync(touched);
    utimesSync(touched, atime, new Date(mtime.getTime() + 1000));
    const reread = await extractVolumes({ volumesDir, layoutDir });
    utimesSync(touched, atime, mtime);
    assert.equal(reread.skipped, false);
    assert.equal(reread.present, layout.blobs.length);
    assert.equal(reread.written, FILES.length);
    assert.deepEqual(digestsOf(layoutDir), original);
  });

  test('pack again: unchanged, no volume rewritten (same inode and mtime)', async () => {
    const before = packed.volumes.map((file) => statSync(join(volumesDir, file)));
    const again = await packVolumes({
      layoutDir: layout.dir,
      volumesDir,
      maxVolumeSize: MiB,
      blobs: layout.blobs,
      files: FILES,
    });
    assert.deepEqual(again, { ...packed, unchanged: true });
    const after = packed.volumes.map((file) => statSync(join(volumesDir, file)));
    assert.deepEqual(
      after.map((s) => [s.ino, s.mtimeMs]),
      before.map((s) => [s.ino, s.mtimeMs]),
    );
  });

  test('pack a smaller set into the same folder: the stale volumes go, and maxVolumeSize below 1 MiB is an Error', async () => {
    const dir = copyOfVolumes('repacked');
    writeFileSync(join(dir, 'archive-0001.tar.partial'), 'left by an interrupted pack');
    const result = await packVolumes({
      layoutDir: layout.dir,
      volumesDir: dir,
      maxVolumeSize: MiB,
      blobs: [layout.small],
      files: FILES,
    });
    assert.deepEqual(result.volumes, ['archive-0001.tar']);
    assert.deepEqual(readdirSync(dir), ['archive-0001.tar']);
    await assert.rejects(
      packVolumes({
        layoutDir: layout.dir,
        volumesDir: dir,
        maxVolumeSize: MiB - 1,
        blobs: [],
        files: FILES,
      }),
      (error: unknown) =>
        error instanceof Error && !(error instanceof ArchiveError) && /1 MiB/.test(error.message),
    );
  });

  test('a volume cut in the middle of a blob: ArchiveError naming the volume and the blob, no index.json', async () => {
    const dir = copyOfVolumes('cut');
    const file = packed.volumes[1] ?? '';
    const path = join(dir, file);
    const manifest = manifestOf(path);
    const last = manifest.entries.length - 1;
    const entry = manifest.entries[last]!;
    truncateSync(path, dataOffset(path, manifest, last) + 1234);
    const layoutDir = join(root, 'cut-layout');
    const escaped = entry.name.replace(/\./g, '\\.');
    await rejectsWith(
      extractVolumes({ volumesDir: dir, layoutDir, archive: 'the-archive' }),
      'the-archive',
      new RegExp(
        `${file} ends inside ${escaped} \\(read 1234 of ${entry.size} bytes\\): the volume is incomplete`,
      ),
    );
    assert.equal(existsSync(join(layoutDir, 'index.json')), false);

    // A retry with whole volumes: what the failed run verified stays, its half-written files go.
    const leftover = join(layoutDir, 'blobs', 'sha256', `${hexOf(layout.big)}.extracting`);
    writeFileSync(leftover, 'half');
    const kept = readdirSync(join(layoutDir, 'blobs', 'sha256')).filter(
      (name) => !name.endsWith('.extracting'),
    );
    assert.ok(kept.length > 0);
    const retry = await extractVolumes({ volumesDir, layoutDir });
    assert.equal(retry.present, kept.length);
    assert.equal(existsSync(leftover), false);
    assert.ok(existsSync(join(layoutDir, 'index.json')));
  });

  test('one byte flipped inside a blob: ArchiveError naming that blob, no index.json', async () => {
    for (const [digest, split] of [
      [layout.small, false],
      [layout.big, true],
    ] as const) {
      const dir = copyOfVolumes(`flipped-${split}`);
      const found = packed.volumes
        .map((file) => ({ file, manifest: manifestOf(join(dir, file)) }))
        .map(({ file, manifest }) => ({
          file,
          manifest,
          index: manifest.entries.findIndex((entry) =>
            (entry.part?.of ?? entry.name).endsWith(hexOf(digest)),
          ),
        }))
        .find(({ index }) => index >= 0)!;
      const path = join(dir, found.file);
      const bytes = readFileSync(path);
      const at = dataOffset(path, found.manifest, found.index) + 777;
      bytes[at] = (bytes[at] ?? 0) ^ 0xff;
      writeFileSync(path, bytes);
      const layoutDir = join(root, `flipped-layout-${split}`);
      await rejectsWith(
        extractVolumes({ volumesDir: dir, layoutDir }),
        dir,
        new RegExp(
          `blob ${digest}${split ? ' \\(part 1 of 3\\)' : ''} in ${found.file} does not match its digest \\(read sha256:`,
        ),
      );
      assert.equal(existsSync(join(layoutDir, 'index.json')), false);
      assert.equal(existsSync(join(layoutDir, 'blobs', 'sha256', hexOf(digest))), false);
    }
  });

  test('a volume missing, and a volume of another set mixed in: ArchiveError naming it', async () => {
    const missing = copyOfVolumes('missing');
    const file = packed.volumes[2] ?? '';
    rmSync(join(missing, file));
    await rejectsWith(
      extractVolumes({ volumesDir: missing, layoutDir: join(root, 'missing-layout') }),
      missing,
      new RegExp(`: volume ${file} of ${packed.volumes.length} is missing$`),
    );

    const other = writeLayout(join(root, 'other-layout'), 'second');
    const otherVolumes = join(root, 'other-volumes');
    await packVolumes({
      layoutDir: other.dir,
      volumesDir: otherVolumes,
      maxVolumeSize: MiB,
      blobs: other.blobs,
      files: FILES,
    });
    const mixed = copyOfVolumes('mixed');
    cpSync(join(otherVolumes, 'archive-0002.tar'), join(mixed, 'archive-0002.tar'));
    const otherSet = sha256(readFileSync(join(other.dir, 'index.json')));
    await rejectsWith(
      extractVolumes({ volumesDir: mixed, layoutDir: join(root, 'mixed-layout') }),
      mixed,
      new RegExp(`: archive-0002\\.tar belongs to another archive \\(set ${otherSet}\\)$`),
    );
    assert.equal(existsSync(join(root, 'mixed-layout', 'index.json')), false);
  });

  test('an entry the manifest describes but the tar lacks, or one it does not describe: ArchiveError naming it', async () => {
    const rewrite = async (dir: string, change: (names: string[]) => string[], extra?: string) => {
      const path = join(dir, 'archive-0001.tar');
      const manifest = manifestOf(path);
      const tar = pack();
      tar.entry({ name: 'quay-tasks-volume.json' }, serializeVolumeManifest(manifest));
      for (const name of change(manifest.entries.map((entry) => entry.name))) {
        const entry = manifest.entries.find((candidate) => candidate.name === name);
        const whole = readFileSync(join(layout.dir, entry?.part?.of ?? name));
        const offset = entry?.part?.offset ?? 0;
        tar.entry({ name }, whole.subarray(offset, offset + (entry?.size ?? 0)));
      }
      if (extra) tar.entry({ name: extra }, Buffer.from('not described'));
      tar.finalize();
      const chunks: Buffer[] = [];
      for await (const chunk of tar) chunks.push(chunk as Buffer);
      writeFileSync(path, Buffer.concat(chunks));
    };
    const lacking = copyOfVolumes('lacking');
    await rewrite(lacking, (names) => names.filter((name) => name !== 'quay-tasks-archive.json'));
    await rejectsWith(
      extractVolumes({ volumesDir: lacking, layoutDir: join(root, 'lacking-layout') }),
      lacking,
      /archive-0001\.tar lacks quay-tasks-archive\.json, which its quay-tasks-volume\.json describes/,
    );
    const extra = copyOfVolumes('extra');
    await rewrite(extra, (names) => names, 'notes.txt');
    await rejectsWith(
      extractVolumes({ volumesDir: extra, layoutDir: join(root, 'extra-layout') }),
      extra,
      /archive-0001\.tar holds notes\.txt, which its quay-tasks-volume\.json does not describe/,
    );
    assert.equal(existsSync(join(root, 'extra-layout', 'index.json')), false);
  });
});
