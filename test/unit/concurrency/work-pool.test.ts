import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapPool, WorkQueue } from '../../../src/concurrency/work-pool.js';

/** A promise and its resolver, for work that finishes when the test says so. */
function gate(): { promise: Promise<void>; open(): void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Lets every pending microtask and timer callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('WorkQueue: at most `limit` items run at once, and items pushed later still run', async () => {
  const gates = new Map<number, ReturnType<typeof gate>>();
  const running = new Set<number>();
  let most = 0;
  const done: number[] = [];
  const queue = new WorkQueue<number>(2, async (n) => {
    running.add(n);
    most = Math.max(most, running.size);
    const g = gate();
    gates.set(n, g);
    await g.promise;
    running.delete(n);
    done.push(n);
  });
  queue.push(1, 2, 3);
  await settle();
  assert.deepEqual([...running].sort(), [1, 2]);
  gates.get(1)?.open();
  await settle();
  assert.deepEqual([...running].sort(), [2, 3]);
  queue.push(4);
  await settle();
  assert.deepEqual([...running].sort(), [2, 3], 'the limit holds for late items too');
  for (const n of [2, 3]) gates.get(n)?.open();
  await settle();
  assert.deepEqual([...running], [4]);
  gates.get(4)?.open();
  assert.deepEqual(await queue.close(), { notStarted: [] });
  assert.deepEqual(done, [1, 2, 3, 4]);
  assert.equal(most, 2);
});

test('WorkQueue: close waits for running items; once stopped, nothing new starts and the rest is returned', async () => {
  let stop = false;
  const started: number[] = [];
  const first = gate();
  const queue = new WorkQueue<number>(
    1,
    async (n) => {
      started.push(n);
      if (n === 1) await first.promise;
      stop = true;
    },
    () => stop,
  );
  queue.push(1, 2);
  await settle();
  let closed = false;
  const closing = queue.close().then((result) => {
    closed = true;
    return result;
  });
  await settle();
  assert.equal(closed, false, 'close waits for the running item');
  first.open();
  assert.deepEqual(await closing, { notStarted: [2] });
  queue.push(3);
  assert.deepEqual(await queue.close(), { notStarted: [3] });
  assert.deepEqual(started, [1]);
});

test('mapPool keeps the order of the results', async () => {
  const delays = [30, 0, 10];
  const out = await mapPool(delays, 2, async (ms) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return ms * 2;
  });
  assert.deepEqual(out, [60, 0, 20]);
});
