import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** sha256 of `size` bytes of a file from `offset` (the whole file by default), streamed. */
export async function sha256OfFile(path: string, range?: { offset: number; size: number }): Promise<string> {
  const hash = createHash('sha256');
  if (range?.size !== 0) {
    const stream = range
      ? createReadStream(path, { start: range.offset, end: range.offset + range.size - 1 })
      : createReadStream(path);
    for await (const chunk of stream) hash.update(chunk as Buffer);
  }
  return `sha256:${hash.digest('hex')}`;
}
