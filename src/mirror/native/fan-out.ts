/**
 * One source stream feeding several consumers (the uploads of one blob to several destinations): each
 * chunk is written to every live branch and the next is read only when all of them have drained, so memory
 * stays at a few stream buffers however large the blob. A branch whose consumer gave up is dropped; when
 * none is left the source is closed. A source failure (e.g. a digest mismatch) destroys every branch with it.
 */
import { PassThrough, type Readable } from 'node:stream';

export interface FanOut {
  readonly branches: readonly PassThrough[];
  /** Resolves when the source ended (or nobody reads any more); rejects with the source's error. */
  readonly done: Promise<void>;
}

export function fanOut(source: Readable, count: number, onChunk?: (bytes: number) => void): FanOut {
  const branches = Array.from({ length: count }, () => {
    const branch = new PassThrough();
    // The consumer sees the error through its own read; this only keeps an unobserved one from crashing.
    branch.on('error', () => undefined);
    return branch;
  });
  const done = pump(source, branches, onChunk);
  done.catch(() => undefined);
  return { branches, done };
}

async function pump(source: Readable, branches: PassThrough[], onChunk?: (bytes: number) => void) {
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      onChunk?.(chunk.length);
      const live = branches.filter((branch) => !branch.destroyed);
      if (live.length === 0) return;
      const waits: Promise<void>[] = [];
      for (const branch of live) if (!branch.write(chunk)) waits.push(drained(branch));
      if (waits.length > 0) await Promise.all(waits);
    }
    for (const branch of branches) if (!branch.destroyed) branch.end();
  } catch (error) {
    for (const branch of branches) branch.destroy(error as Error);
    throw error;
  }
}

function drained(stream: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      stream.off('drain', settle);
      stream.off('close', settle);
      resolve();
    };
    stream.on('drain', settle);
    stream.on('close', settle);
  });
}
