/**
 * The index lock that lets shards of one export write one layout: updates under it do not overlap, a lock
 * another run holds makes a waiter fail naming it (and leaves it), a lock left by a run that died is taken
 * over.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { INDEX_LOCK_FILE, withIndexLock } from '../../../src/archive/layout/index-lock.js';
import { tempDir } from '../../support/temp.js';

const options = (holder: string) => ({ holder, archive: '/mnt/disk/archive' });

test('read-modify-write updates under the lock do not lose each other', async () => {
  const dir = tempDir('index-lock-');
  const counter = join(dir, 'count');
  writeFileSync(counter, '0');
  // Each update reads, yields to the others, then writes: without the lock all 8 read 0 and write 1.
  await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      withIndexLock(dir, options(`shard-${i + 1}-of-8`), async () => {
        const n = Number(await readFile(counter, 'utf8'));
        for (let k = 0; k < 5; k++) await turn();
        await writeFile(counter, String(n + 1));
      }),
    ),
  );
  assert.equal(readFileSync(counter, 'utf8'), '8');
  assert.equal(existsSync(join(dir, INDEX_LOCK_FILE)), false, 'the lock is let go');
});

test('a lock held by a live run: the waiter fails after maxWaitMs naming the holder and the file, and leaves it', async () => {
  const dir = tempDir('index-lock-');
  const lock = join(dir, INDEX_LOCK_FILE);
  writeFileSync(lock, 'shard-2-of-4 on pod-b, pid 7, since 2026-12-07T10:00:00.000Z\n');
  let ran = false;
  await assert.rejects(
    withIndexLock(dir, { ...options('shard-1-of-4'), maxWaitMs: 150 }, async () => {
      ran = true;
    }),
    (error: Error) => {
      assert.match(
        error.message,
        /^\/mnt\/disk\/archive: index\.json stayed locked for 0 s by shard-2-of-4 on pod-b/,
      );
      assert.ok(error.message.includes(lock), error.message);
      return true;
    },
  );
  assert.equal(ran, false);
  assert.equal(existsSync(lock), true);
});

test('a lock older than staleAfterMs was left by a run that died: taken over, then let go', async () => {
  const dir = tempDir('index-lock-');
  const lock = join(dir, INDEX_LOCK_FILE);
  writeFileSync(lock, 'shard-2-of-4 on pod-b, pid 7\n');
  const old = new Date(Date.now() - 10 * 60_000);
  utimesSync(lock, old, old);
  const done = await withIndexLock(dir, options('shard-1-of-4'), async () => readFileSync(lock, 'utf8'));
  assert.equal(done.takenOver, true);
  assert.match(done.value, /^shard-1-of-4 on /, 'the lock names its new holder while held');
  assert.equal(existsSync(lock), false);
});
