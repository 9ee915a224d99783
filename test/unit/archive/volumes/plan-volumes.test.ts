import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MIN_PART_SIZE,
  MIN_VOLUME_SIZE,
  manifestsOfPlan,
  type PlanFile,
  type PlannedPiece,
  type PlannedVolume,
  planVolumes,
  volumeBytesOf,
} from '../../../../src/archive/volumes/plan-volumes.js';
import {
  blobDigestOf,
  parseVolumeManifest,
  serializeVolumeManifest,
} from '../../../../src/archive/volumes/volume-manifest.js';

const SUITE = { timeout: 30_000 };
const MiB = 1024 * 1024;
const OCI_LAYOUT: PlanFile = { name: 'oci-layout', size: 30 };
const blob = (i: number, size: number): PlanFile => ({
  name: `blobs/sha256/${i.toString(16).padStart(64, '0')}`,
  size,
});
const DIGEST = `sha256:${'f'.repeat(64)}`;

/** Every volume's real size (manifest with real-length digests and the real count) and its manifest valid. */
function sizesOf(plan: PlannedVolume[]): number[] {
  const digestOf = (piece: PlannedPiece) => (piece.part ? DIGEST : (blobDigestOf(piece.name) ?? DIGEST));
  return manifestsOfPlan(plan, DIGEST, digestOf).map((manifest) => {
    assert.deepEqual(parseVolumeManifest(serializeVolumeManifest(manifest)), manifest);
    return volumeBytesOf(manifest);
  });
}

/** Each whole file's bytes, in order, from the pieces of every volume. */
function coverage(plan: PlannedVolume[]): Map<string, Array<[number, number]>> {
  const ranges = new Map<string, Array<[number, number]>>();
  for (const { pieces } of plan) {
    for (const piece of pieces.slice(1)) {
      ranges.set(piece.of, [...(ranges.get(piece.of) ?? []), [piece.offset, piece.size]]);
    }
  }
  return ranges;
}

describe('planVolumes', SUITE, () => {
  test('below 1 MiB is a plain Error naming the minimum', () => {
    assert.throws(
      () => planVolumes({ maxVolumeSize: MIN_VOLUME_SIZE - 1, everyVolume: OCI_LAYOUT, items: [] }),
      (error: unknown) =>
        error instanceof Error && error.constructor === Error && /1048576/.test(error.message),
    );
  });

  test('what fits stays whole in volume 1, in order, after oci-layout', () => {
    const items = [{ name: 'index.json', size: 900 }, blob(1, 1000), blob(2, 0), blob(3, 200_000)];
    const plan = planVolumes({ maxVolumeSize: MiB, everyVolume: OCI_LAYOUT, items });
    assert.equal(plan.length, 1);
    assert.deepEqual(
      plan[0]?.pieces.map((p) => [p.name, p.size, p.part]),
      [['oci-layout', 30, undefined], ...items.map((i) => [i.name, i.size, undefined])],
    );
  });

  test('a blob bigger than a volume is split into parts that join to the whole, each volume within the limit', () => {
    const big = blob(9, 2.5 * MiB);
    const plan = planVolumes({
      maxVolumeSize: MiB,
      everyVolume: OCI_LAYOUT,
      items: [{ name: 'index.json', size: 4000 }, blob(1, 100_000), big, blob(2, 5000)],
    });
    assert.equal(plan.length, 3);
    for (const size of sizesOf(plan)) assert.ok(size <= MiB, `${size} > ${MiB}`);
    const parts = plan.flatMap((v) => v.pieces).filter((p) => p.of === big.name);
    assert.deepEqual(
      parts.map((p) => p.name),
      [1, 2, 3].map((i) => `${big.name}.part-000${i}-of-0003`),
    );
    let offset = 0;
    for (const part of parts) {
      assert.equal(part.offset, offset);
      assert.deepEqual(part.part, { index: parts.indexOf(part) + 1, count: 3, total: big.size });
      offset += part.size;
    }
    assert.equal(offset, big.size);
    // The blob after the split one fills the last volume's room.
    assert.equal(plan[2]?.pieces.at(-1)?.name, blob(2, 0).name);
    for (const volume of plan) assert.equal(volume.pieces[0]?.name, 'oci-layout');
  });

  test('room left below MIN_PART_SIZE: the next volume takes the file whole', () => {
    // Leaves about 40 KiB in volume 1: the 50 KiB blob does not fit and is not worth a part there.
    const filler = blob(1, MiB - 44 * 1024);
    const next = blob(2, 50 * 1024);
    assert.ok(next.size < MIN_PART_SIZE);
    const plan = planVolumes({ maxVolumeSize: MiB, everyVolume: OCI_LAYOUT, items: [filler, next] });
    assert.deepEqual(
      plan.map((v) => v.pieces.map((p) => p.name)),
      [
        ['oci-layout', filler.name],
        ['oci-layout', next.name],
      ],
    );
  });

  test('many blobs of random sizes: every byte planned once, in order, every volume within the limit', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const items = Array.from({ length: 400 }, (_, i) => blob(i + 1, Math.floor(random() ** 4 * 3 * MiB)));
    const maxVolumeSize = 2 * MiB + 12_345;
    const plan = planVolumes({ maxVolumeSize, everyVolume: OCI_LAYOUT, items });
    for (const size of sizesOf(plan)) assert.ok(size <= maxVolumeSize, `${size} > ${maxVolumeSize}`);
    const ranges = coverage(plan);
    assert.deepEqual(
      [...ranges.keys()],
      items.map((i) => i.name),
    );
    for (const item of items) {
      let offset = 0;
      for (const [start, size] of ranges.get(item.name) ?? []) {
        assert.equal(start, offset);
        offset += size;
      }
      assert.equal(offset, item.size, item.name);
    }
    // Nearly full: only the last volume and the rooms below MIN_PART_SIZE are left empty.
    const total = sizesOf(plan).reduce((a, b) => a + b, 0);
    assert.ok(
      total > (plan.length - 1) * (maxVolumeSize - MIN_PART_SIZE - 4096),
      `${total} bytes in ${plan.length}`,
    );
  });
});
