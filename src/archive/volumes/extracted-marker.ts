import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import type { ListedVolume } from './volume-set.js';

/**
 * `.extracted-<hex of set>` in the layout folder: the volume files (name, size, mtime) a complete extraction
 * read. When the folder's volumes are still exactly those, the layout is the one they hold and nothing needs
 * reading again.
 */
const MARKER_PREFIX = '.extracted-';

const MarkerSchema = z.object({
  set: z.string(),
  volumes: z.array(z.object({ file: z.string(), size: z.number(), mtimeMs: z.number() })),
});
type Marker = z.infer<typeof MarkerSchema>;

const recordOf = (listed: readonly Pick<ListedVolume, 'file' | 'size' | 'mtimeMs'>[]): Marker['volumes'] =>
  listed.map(({ file, size, mtimeMs }) => ({ file, size, mtimeMs }));

/** The set of a marker that records exactly these volume files, if there is one. */
export async function markedSet(
  layoutDir: string,
  listed: readonly ListedVolume[],
): Promise<string | undefined> {
  const names = await readdir(layoutDir).catch(() => [] as string[]);
  const wanted = JSON.stringify(recordOf(listed));
  for (const name of names.filter((candidate) => candidate.startsWith(MARKER_PREFIX))) {
    const text = await readFile(join(layoutDir, name), 'utf8').catch(() => '');
    const parsed = MarkerSchema.safeParse(safeJson(text));
    if (!parsed.success || `${MARKER_PREFIX}${parsed.data.set.replace(/^sha256:/, '')}` !== name) continue;
    if (JSON.stringify(recordOf(parsed.data.volumes)) === wanted) {
      return parsed.data.set;
    }
  }
  return undefined;
}

export async function writeMarker(
  layoutDir: string,
  set: string,
  listed: readonly ListedVolume[],
): Promise<void> {
  const path = join(layoutDir, `${MARKER_PREFIX}${set.replace(/^sha256:/, '')}`);
  const marker: Marker = { set, volumes: recordOf(listed) };
  await writeFile(`${path}.extracting`, `${JSON.stringify(marker, null, 2)}\n`);
  await rename(`${path}.extracting`, path);
}

/** Before an extraction changes the layout: no marker may vouch for it any more. */
export async function removeMarkers(layoutDir: string): Promise<void> {
  const names = await readdir(layoutDir).catch(() => [] as string[]);
  for (const name of names.filter((candidate) => candidate.startsWith(MARKER_PREFIX))) {
    await rm(join(layoutDir, name), { force: true });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
