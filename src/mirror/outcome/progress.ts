/**
 * Progress for people watching a long copy: a throttled rate line while blobs flow (at most one per
 * interval, driven by the bytes themselves, so no timer keeps the process alive) and a line per repository.
 */

import { formatBytes } from '../../report/format-bytes.js';

export const RATE_LINE_INTERVAL_MS = 5000;

export class TransferProgress {
  readonly #write: (line: string) => void;
  readonly #now: () => number;
  readonly #intervalMs: number;
  #total = 0;
  #lastLineAt: number | undefined;
  #bytesAtLastLine = 0;

  constructor(write: (line: string) => void, options: { now?: () => number; intervalMs?: number } = {}) {
    this.#write = write;
    this.#now = options.now ?? Date.now;
    this.#intervalMs = options.intervalMs ?? RATE_LINE_INTERVAL_MS;
  }

  get totalBytes(): number {
    return this.#total;
  }

  /** Counts bytes read from a source; says how it goes when the last line is old enough. */
  add(bytes: number): void {
    const now = this.#now();
    this.#lastLineAt ??= now;
    this.#total += bytes;
    const elapsed = now - this.#lastLineAt;
    if (elapsed < this.#intervalMs) return;
    const rate = ((this.#total - this.#bytesAtLastLine) * 1000) / elapsed;
    this.#write(`copying: ${formatBytes(this.#total)} read so far, ${formatBytes(rate)}/s`);
    this.#lastLineAt = now;
    this.#bytesAtLastLine = this.#total;
  }
}

export interface RepositoryCounts {
  copied: number;
  unchanged: number;
  failed: number;
  bytes: number;
}

/** `west/team-alpha/web: 2 copied, 1 unchanged, 0 failed, 3.1 KiB uploaded` */
export function repositoryLine(ref: string, counts: RepositoryCounts): string {
  return (
    `${ref}: ${counts.copied} copied, ${counts.unchanged} unchanged, ${counts.failed} failed, ` +
    `${formatBytes(counts.bytes)} uploaded`
  );
}
