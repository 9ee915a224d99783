/**
 * A receipt: what a far side holds after an import, written by the disk-to-mirror run and carried back.
 * A mirror-to-disk run given it starts its layout from the far side's tags (so unchanged tags are planned
 * unchanged and a prune there removes only what the source removed) and leaves out every blob the far side
 * holds. Stable bytes: sorted, no timestamps, so an import that changed nothing writes the same receipt.
 */
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { ArchiveError } from './errors.js';
import type { LayoutEntry } from './layout/index-entries.js';
import { isMissing } from './layout/layout-dir.js';

export const RECEIPT_FORMAT = 'quay-tasks-receipt/v1';

const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/);

const receiptSchema = z.strictObject({
  format: z.literal(RECEIPT_FORMAT),
  /** The archive imported last (the sha256 of its index.json). */
  archive: digest,
  /** The instances it was imported into. */
  destinations: z.array(z.string()),
  entries: z.array(
    z.strictObject({
      repository: z.string().min(1),
      tag: z.string().min(1).optional(),
      mediaType: z.string().min(1),
      digest,
      size: z.number().int().nonnegative(),
      artifactType: z.string().optional(),
      source: z.string().optional(),
    }),
  ),
  blobs: z.array(digest),
});

export interface Receipt {
  archive: string;
  destinations: string[];
  entries: LayoutEntry[];
  blobs: Set<string>;
}

export async function readReceipt(path: string, archive: string): Promise<Receipt> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) throw new ArchiveError(archive, `receipt ${path} does not exist`);
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ArchiveError(archive, `receipt ${path} is not JSON`);
  }
  const parsed = receiptSchema.safeParse(json);
  if (!parsed.success) {
    throw new ArchiveError(
      archive,
      `receipt ${path} is not a ${RECEIPT_FORMAT} receipt (${parsed.error.issues[0]?.message ?? 'bad shape'})`,
    );
  }
  const data = parsed.data;
  return {
    archive: data.archive,
    destinations: data.destinations,
    entries: data.entries.map((e) => ({ ...e, tag: e.tag })),
    blobs: new Set(data.blobs),
  };
}

export function serializeReceipt(receipt: Receipt): string {
  const entries = [...receipt.entries]
    .map((e) => ({
      repository: e.repository,
      ...(e.tag !== undefined ? { tag: e.tag } : {}),
      mediaType: e.mediaType,
      digest: e.digest,
      size: e.size,
      ...(e.artifactType !== undefined ? { artifactType: e.artifactType } : {}),
      ...(e.source !== undefined ? { source: e.source } : {}),
    }))
    .sort((a, b) =>
      compare(`${a.repository}\u0000${a.tag ?? a.digest}`, `${b.repository}\u0000${b.tag ?? b.digest}`),
    );
  const value = {
    format: RECEIPT_FORMAT,
    archive: receipt.archive,
    destinations: [...receipt.destinations].sort(),
    entries,
    blobs: [...receipt.blobs].sort(),
  };
  return `${JSON.stringify(value, null, 1)}\n`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
