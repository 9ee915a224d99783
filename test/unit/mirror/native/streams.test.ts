import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { HostLimiter } from '../../../../src/concurrency/host-limiter.js';
import { fanOut } from '../../../../src/mirror/native/fan-out.js';
import { repositoryLine, TransferProgress } from '../../../../src/mirror/outcome/progress.js';
import { formatBytes } from '../../../../src/report/format-bytes.js';

const CHUNK = 16 * 1024;

/** A source of `chunks` chunks that counts how many were pulled from it. */
function countingSource(chunks: number) {
  let pulled = 0;
  const stream = new Readable({
    highWaterMark: CHUNK,
    read() {
      if (pulled >= chunks) {
        this.push(null);
        return;
      }
      pulled += 1;
      this.push(Buffer.alloc(CHUNK, pulled % 251));
    },
  });
  return { stream, pulled: () => pulled };
}

async function digestOf(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

test('fan-out: every branch gets exactly the source bytes', async () => {
  const { stream } = countingSource(40);
  const expected = createHash('sha256');
  for (let i = 1; i <= 40; i++) expected.update(Buffer.alloc(CHUNK, i % 251));
  const { branches, done } = fanOut(stream, 3);
  const digests = await Promise.all(branches.map(digestOf));
  await done;
  assert.deepEqual(digests, Array(3).fill(expected.digest('hex')));
});

test('fan-out: the slowest branch sets the pace, so nothing piles up in memory', async () => {
  const source = countingSource(1000);
  const { branches } = fanOut(source.stream, 2);
  const [fast, slow] = branches;
  assert.ok(fast && slow);
  fast.resume();
  // The slow branch is never read: the source is pulled only as far as the buffers allow.
  await new Promise<void>((resolve) => setImmediate(resolve));
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  assert.ok(source.pulled() < 20, `pulled ${source.pulled()} of 1000 chunks while one branch is stalled`);
  slow.resume();
  await Promise.all([new Promise((r) => fast.on('end', r)), new Promise((r) => slow.on('end', r))]);
  assert.equal(source.pulled(), 1000);
});

test('fan-out: a branch whose reader gave up is dropped, the others go on', async () => {
  const { stream } = countingSource(100);
  const { branches, done } = fanOut(stream, 2);
  const [quitter, keeper] = branches;
  assert.ok(quitter && keeper);
  quitter.destroy();
  const digest = await digestOf(keeper);
  await done;
  assert.equal(digest.length, 64);
});

test('fan-out: a source failure reaches every branch (a corrupt blob is never completed anywhere)', async () => {
  const failing = new Readable({
    read() {
      this.destroy(new Error('digest mismatch'));
    },
  });
  const { branches, done } = fanOut(failing, 2);
  await assert.rejects(done, /digest mismatch/);
  for (const branch of branches) await assert.rejects(digestOf(branch), /digest mismatch/);
});

test('host limiter: at most N at a time per host; steps needing two hosts in opposite orders do not deadlock', async () => {
  const limiter = new HostLimiter(2);
  let running = 0;
  let most = 0;
  const gates: (() => void)[] = [];
  const step = () =>
    limiter.run(['a'], async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running -= 1;
    });
  const steps = [step(), step(), step(), step()];
  while (gates.length < 2) await new Promise<void>((resolve) => setImmediate(resolve));
  assert.equal(running, 2);
  while (gates.length > 0 || running > 0) {
    gates.shift()?.();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await Promise.all(steps);
  assert.equal(most, 2);

  const single = new HostLimiter(1);
  const crossing = Array.from({ length: 50 }, (_, i) =>
    single.run(i % 2 === 0 ? ['a', 'b'] : ['b', 'a'], async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }),
  );
  await Promise.all(crossing);
});

test('progress: a rate line at most once per interval, driven by the bytes', () => {
  const lines: string[] = [];
  let now = 0;
  const progress = new TransferProgress((line) => lines.push(line), { now: () => now, intervalMs: 5000 });
  progress.add(1024);
  now = 4999;
  progress.add(1024);
  assert.deepEqual(lines, []);
  now = 5000;
  progress.add(5 * 1024 * 1024);
  now = 6000;
  progress.add(1024);
  assert.deepEqual(lines, ['copying: 5.0 MiB read so far, 1.0 MiB/s']);
  assert.equal(progress.totalBytes, 5 * 1024 * 1024 + 3 * 1024);
  assert.equal(formatBytes(512), '512 B');
  assert.equal(
    repositoryLine('west/a/b', { copied: 2, unchanged: 1, failed: 0, bytes: 3200 }),
    'west/a/b: 2 copied, 1 unchanged, 0 failed, 3.1 KiB uploaded',
  );
});
