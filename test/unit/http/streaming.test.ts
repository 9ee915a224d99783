import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { createHttpClient, type HttpClient } from '../../../src/http/index.js';
import {
  deferred,
  recordingSleep,
  sendJson,
  settlesWithin,
  startServer,
  type TestServer,
} from '../../support/http-servers.js';

const CHUNK = 64 * 1024;
const CHUNKS = 128; // 8 MiB
const TOTAL = CHUNK * CHUNKS;
/** How long a hand-off may take before the test declares the client is buffering. Never used to order events. */
const DEADLOCK_GUARD_MS = 5000;

function chunkAt(index: number): Buffer {
  return Buffer.alloc(CHUNK, index % 251);
}

function expectedDigest(): string {
  const hash = createHash('sha256');
  for (let i = 0; i < CHUNKS; i++) hash.update(chunkAt(i));
  return hash.digest('hex');
}

async function writeRespectingBackpressure(res: ServerResponse, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    if (!res.write(chunkAt(i))) await new Promise((resolve) => res.once('drain', resolve));
  }
}

describe('streaming', () => {
  const servers: TestServer[] = [];
  const clients: HttpClient[] = [];
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.close()));
  });

  test('download: request() returns before the server has sent the body; chunks flow as they are sent', async () => {
    const firstChunkSeen = deferred();
    let serverWritten = 0;
    let guardTripped = false;
    const server = await startServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(TOTAL) });
      await writeRespectingBackpressure(res, 0, 8);
      serverWritten = 8;
      // The rest is sent only once the client has seen data: a buffering client would wait forever.
      guardTripped = !(await settlesWithin(firstChunkSeen.promise, DEADLOCK_GUARD_MS));
      await writeRespectingBackpressure(res, 8, CHUNKS);
      serverWritten = CHUNKS;
      res.end();
    });
    servers.push(server);
    const client = createHttpClient({ baseUrl: server.origin });
    clients.push(client);

    const response = await client.request({ path: '/v2/org/repo/blobs/sha256:abc' });
    assert.equal(response.contentLength, TOTAL);
    const hash = createHash('sha256');
    let received = 0;
    let writtenWhenFirstSeen = -1;
    for await (const chunk of response.body) {
      if (writtenWhenFirstSeen < 0) {
        writtenWhenFirstSeen = serverWritten;
        firstChunkSeen.resolve();
      }
      hash.update(chunk as Buffer);
      received += (chunk as Buffer).length;
    }
    assert.equal(guardTripped, false, 'the client did not hand out data until the whole body arrived');
    assert.ok(writtenWhenFirstSeen < CHUNKS, 'first chunk must arrive before the server finished');
    assert.equal(received, TOTAL);
    assert.equal(hash.digest('hex'), expectedDigest());
  });

  test('upload: a Readable body is streamed (server reads while the client still produces), Content-Length passed', async () => {
    const serverGotData = deferred();
    let produced = 0;
    let producedWhenServerGotData = -1;
    let guardTripped = false;
    let seenHeaders: { length?: string; encoding?: string } = {};
    const server = await startServer((req, res) => {
      seenHeaders = { length: req.headers['content-length'], encoding: req.headers['transfer-encoding'] };
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        if (bytes === 0) {
          producedWhenServerGotData = produced;
          serverGotData.resolve();
        }
        bytes += chunk.length;
        hash.update(chunk);
      });
      req.on('end', () => sendJson(res, 201, { bytes, digest: hash.digest('hex') }));
    });
    servers.push(server);
    const client = createHttpClient({ baseUrl: server.origin });
    clients.push(client);

    async function* produce() {
      for (let i = 0; i < CHUNKS; i++) {
        if (i === CHUNKS / 4) guardTripped = !(await settlesWithin(serverGotData.promise, DEADLOCK_GUARD_MS));
        produced = i + 1;
        yield chunkAt(i);
      }
    }
    const result = (await client.json({
      method: 'PUT',
      path: '/v2/org/repo/blobs/uploads/uuid',
      query: { digest: 'sha256:abc' },
      body: Readable.from(produce()),
      contentLength: TOTAL,
    })) as { bytes: number; digest: string };

    assert.equal(
      guardTripped,
      false,
      'the server saw no byte before the client had produced a quarter of the body',
    );
    assert.ok(
      producedWhenServerGotData < CHUNKS,
      'server must receive data before the client produced it all',
    );
    assert.deepEqual(seenHeaders, { length: String(TOTAL), encoding: undefined });
    assert.deepEqual(result, { bytes: TOTAL, digest: expectedDigest() });
  });

  test('a source stream that fails mid-upload surfaces its own error, and is not retried', async () => {
    const server = await startServer((req) => req.resume());
    servers.push(server);
    const { delays, sleep } = recordingSleep();
    const client = createHttpClient({ baseUrl: server.origin, sleep });
    clients.push(client);
    const sourceFailure = new Error('source registry went away');
    async function* failing() {
      yield chunkAt(0);
      throw sourceFailure;
    }
    const upload = { method: 'PUT', path: '/v2/o/r/blobs/uploads/u', idempotent: true } as const;
    await assert.rejects(
      client.request({ ...upload, body: Readable.from(failing()) }),
      (error: unknown) => error === sourceFailure,
    );
    assert.deepEqual(delays, []);
  });

  test('upload of a stream of unknown length uses chunked transfer encoding', async () => {
    let encoding: string | undefined;
    const server = await startServer((req, res) => {
      encoding = req.headers['transfer-encoding'];
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      req.on('end', () => sendJson(res, 202, { bytes }));
    });
    servers.push(server);
    const client = createHttpClient({ baseUrl: server.origin });
    clients.push(client);
    const result = await client.json({
      method: 'PATCH',
      path: '/v2/org/repo/blobs/uploads/uuid',
      body: Readable.from([chunkAt(1), chunkAt(2)]),
    });
    assert.deepEqual(result, { bytes: 2 * CHUNK });
    assert.equal(encoding, 'chunked');
  });
});
