import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, test } from 'node:test';
import {
  createDigestVerifier,
  DigestMismatchError,
  InvalidReferenceError,
  sha256Digest,
  verifyDigest,
} from '../../../../src/registry/index.js';

const EMPTY_SHA256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function chunks(count: number, size = 64 * 1024): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.alloc(size, i % 251));
}

/** Reads a pipeline's output to the end. */
async function sink(source: AsyncIterable<Buffer>): Promise<number> {
  let bytes = 0;
  for await (const chunk of source) bytes += chunk.length;
  return bytes;
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream as AsyncIterable<Buffer>) parts.push(part);
  return Buffer.concat(parts);
}

describe('sha256 digests', () => {
  test('sha256Digest of bytes and strings; verifyDigest', () => {
    assert.equal(sha256Digest(''), EMPTY_SHA256);
    assert.equal(sha256Digest(Buffer.alloc(0)), EMPTY_SHA256);
    verifyDigest(Buffer.alloc(0), EMPTY_SHA256);
    assert.throws(
      () => verifyDigest(Buffer.from('x'), EMPTY_SHA256, 'manifest'),
      (error: unknown) => {
        assert.ok(error instanceof DigestMismatchError);
        assert.match(error.message, /^manifest: digest mismatch, expected sha256:e3b0/);
        assert.equal(error.actual, sha256Digest('x'));
        return true;
      },
    );
  });
});

describe('DigestVerifier', () => {
  test('passes matching content through unchanged', async () => {
    const parts = chunks(20);
    const content = Buffer.concat(parts);
    const verifier = createDigestVerifier({ digest: sha256Digest(content), size: content.length });
    const [out] = await Promise.all([collect(verifier), pipeline(Readable.from(parts), verifier)]);
    assert.ok(out.equals(content));
    assert.equal(verifier.bytes, content.length);
  });

  test('streams: each chunk is released when the next one arrives, never the whole content', async () => {
    const parts = chunks(50);
    const content = Buffer.concat(parts);
    const verifier = createDigestVerifier({ digest: sha256Digest(content) });
    for (let i = 0; i < parts.length; i++) {
      verifier.write(parts[i]);
      if (i === 0) continue;
      // The previous chunk is readable now, before the stream has ended.
      const released = verifier.read() as Buffer | null;
      assert.ok(released?.equals(parts[i - 1] as Buffer), `chunk ${i - 1} released after chunk ${i} arrived`);
      assert.equal(verifier.readableLength, 0);
    }
    verifier.end();
    await once(verifier, 'readable');
    assert.ok((verifier.read() as Buffer).equals(parts.at(-1) as Buffer));
  });

  test('a mismatch errors the stream and the last chunk is never delivered', async () => {
    const parts = chunks(4);
    const content = Buffer.concat(parts);
    const verifier = createDigestVerifier({ digest: sha256Digest('something else'), what: 'blob x' });
    let delivered = 0;
    verifier.on('data', (chunk: Buffer) => {
      delivered += chunk.length;
    });
    await assert.rejects(pipeline(Readable.from(parts), verifier), (error: unknown) => {
      assert.ok(error instanceof DigestMismatchError);
      assert.match(error.message, /^blob x: digest mismatch/);
      assert.equal(error.actual, sha256Digest(content));
      assert.equal(error.actualSize, content.length);
      return true;
    });
    assert.ok(delivered < content.length, `${delivered} of ${content.length} bytes delivered`);
  });

  test('more bytes than the expected size error at once, fewer at the end', async () => {
    const parts = chunks(10, 1000);
    const content = Buffer.concat(parts);
    const tooSmall = createDigestVerifier({ digest: sha256Digest(content), size: 2500 });
    let written = 0;
    const source = Readable.from(
      (function* () {
        for (const part of parts) {
          written += 1;
          yield part;
        }
      })(),
    );
    await assert.rejects(pipeline(source, tooSmall, sink), (error: unknown) => {
      assert.ok(error instanceof DigestMismatchError);
      assert.equal(error.actual, undefined);
      assert.match(error.message, /more than the expected 2500 bytes arrived/);
      return true;
    });
    assert.ok(written < parts.length, `stopped after ${written} of ${parts.length} chunks`);

    const tooBig = createDigestVerifier({ digest: sha256Digest(content), size: content.length + 1 });
    await assert.rejects(pipeline(Readable.from(parts), tooBig, sink), /expected 10001 bytes/);
  });

  test('only sha256 digests are accepted', () => {
    assert.throws(() => createDigestVerifier({ digest: `sha512:${'a'.repeat(128)}` }), InvalidReferenceError);
    assert.throws(() => createDigestVerifier({ digest: EMPTY_SHA256, size: -1 }), TypeError);
  });
});
