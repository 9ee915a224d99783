import { createReadStream } from 'node:fs';
import { extract, type Header } from 'tar-stream';

export interface TarEntry {
  header: Header;
  /** The entry's bytes; read it to the end (or stop the iteration) before asking for the next entry. */
  body: AsyncIterable<Buffer>;
}

/**
 * The entries of a tar file, streamed (tar-stream). Errors of the file or of the tar (a volume cut short:
 * tar-stream's "Unexpected end of data") surface from the iteration or from the body being read. Stopping the
 * iteration closes the file.
 */
export async function* tarEntries(path: string): AsyncGenerator<TarEntry> {
  const file = createReadStream(path);
  const tar = extract();
  file.on('error', (error) => tar.destroy(error));
  file.pipe(tar);
  try {
    for await (const entry of tar) {
      yield { header: entry.header, body: entry as AsyncIterable<Buffer> };
    }
  } finally {
    file.destroy();
    tar.destroy();
  }
}

/** Bytes of a small entry, read whole; more than `limit` bytes is an Error. */
export async function readSmallEntry(body: AsyncIterable<Buffer>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) throw new Error(`entry larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The name and bytes of a tar file's first entry, reading no further than that entry (a volume's manifest
 * is checked without reading the volume).
 */
export async function readFirstEntry(path: string, limit: number): Promise<{ name: string; bytes: Buffer }> {
  for await (const { header, body } of tarEntries(path)) {
    if (header.size > limit) throw new Error(`first entry ${header.name} is ${header.size} bytes`);
    return { name: header.name, bytes: await readSmallEntry(body, limit) };
  }
  throw new Error('no entry in it');
}
