/**
 * The lock of a layout's index.json, for shards of one export writing into one layout (each owns some
 * repositories, all share blobs/ and index.json). A shard takes the lock, reads index.json as it is now,
 * replaces the entries of its own repositories and writes it back (by rename), then lets go: no shard's
 * tags are lost to another's write, whatever order they finish in. The lock is a file made with O_EXCL
 * (`index.json.lock`), which local file systems and NFS v3+ (a PVC shared by Tekton pods) make atomically;
 * it names who holds it. A lock older than `staleAfterMs` was left by a run that died holding it (the
 * update takes milliseconds) and is taken over.
 */

import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ArchiveError } from '../errors.js';
import { isMissing } from './layout-dir.js';

export const INDEX_LOCK_FILE = 'index.json.lock';

export interface IndexLockOptions {
  /** Who takes it, written into the lock (e.g. `shard 2/4`). */
  holder: string;
  /** The archive as the user named it, for errors. */
  archive: string;
  /** How long to wait for another holder; then the run fails naming the lock. */
  maxWaitMs?: number;
  /** A lock this old is taken over. */
  staleAfterMs?: number;
}

/** Runs `update` holding the layout's index lock; `takenOver`: a stale lock was removed first. */
export async function withIndexLock<T>(
  layoutDir: string,
  options: IndexLockOptions,
  update: () => Promise<T>,
): Promise<{ value: T; takenOver: boolean }> {
  const path = join(layoutDir, INDEX_LOCK_FILE);
  const maxWaitMs = options.maxWaitMs ?? 120_000;
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  const started = Date.now();
  let takenOver = false;
  // Polled: no file system tells a waiter when another pod's file goes away. The holder keeps it for
  // milliseconds, so the wait is short; it backs off to 1 s.
  for (let wait = 20; ; wait = Math.min(wait * 2, 1000)) {
    const taken = await tryTake(path, options.holder);
    if (taken) break;
    const held = await lockInfo(path);
    if (held === undefined) continue;
    if (Date.now() - held.mtimeMs > staleAfterMs) {
      await rm(path, { force: true });
      takenOver = true;
      continue;
    }
    if (Date.now() - started + wait > maxWaitMs) {
      throw new ArchiveError(
        options.archive,
        `index.json stayed locked for ${Math.round(maxWaitMs / 1000)} s by ${held.holder || 'an unknown run'} ` +
          `(${path}); remove that file if no run is writing the archive`,
      );
    }
    await delay(wait);
  }
  try {
    return { value: await update(), takenOver };
  } finally {
    await rm(path, { force: true });
  }
}

async function tryTake(path: string, holder: string): Promise<boolean> {
  try {
    const file = await open(path, 'wx');
    try {
      await file.writeFile(
        `${holder} on ${hostname()}, pid ${process.pid}, since ${new Date().toISOString()}\n`,
      );
    } finally {
      await file.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function lockInfo(path: string): Promise<{ holder: string; mtimeMs: number } | undefined> {
  try {
    const [info, text] = await Promise.all([stat(path), readFile(path, 'utf8')]);
    return { holder: text.trim(), mtimeMs: info.mtimeMs };
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}
