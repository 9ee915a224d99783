/**
 * A blob download as one verified stream that survives dropped connections: when the body breaks off, the
 * rest is asked for again with `Range: bytes=<received>-` (RFC 9110 §14.2; OCI distribution-spec "Pulling
 * blobs" allows range requests) and the stream goes on where it stopped. The sha256 covers the whole logical
 * stream, so a resumed blob is verified exactly like one read in one go.
 */
import { pipeline, Readable } from 'node:stream';
import type { HttpResponse } from '../http/index.js';
import { DigestVerifier } from './types/digest.js';
import { BlobReadError, RegistryProtocolError } from './types/errors.js';

export interface BlobReadOptions {
  digest: string;
  /** The descriptor's size, when known: checked against Content-Length and by the verifier. */
  size?: number;
  /** Names the blob in messages, e.g. `blob sha256:… of acme/app`. */
  what: string;
  /** How many times a broken body may be resumed. */
  maxResumes: number;
  signal?: AbortSignal;
  /** Sends the GET: the whole blob for offset 0, else with `Range: bytes=<offset>-`. */
  fetch(offset: number): Promise<HttpResponse>;
  /** Called before each resume, with what broke off (for logging). */
  onResume?(offset: number, cause: unknown): void;
}

export interface BlobReadStats {
  /** Bytes delivered so far. */
  bytes: number;
  /** Range requests made after a break. */
  resumes: number;
}

export interface BlobStream {
  /** From the descriptor or Content-Length; undefined when neither told it. */
  readonly size: number | undefined;
  /** The content, verified: it errors (DigestMismatchError) instead of ending when the sha256 is wrong. */
  readonly body: Readable;
  /** Live counters. */
  readonly stats: Readonly<BlobReadStats>;
}

export async function openResumableBlob(options: BlobReadOptions): Promise<BlobStream> {
  const first = await options.fetch(0);
  const announced = first.contentLength;
  if (options.size !== undefined && announced !== undefined && announced !== options.size) {
    await first.dump();
    throw new RegistryProtocolError(
      `${options.what}: the registry announces ${announced} bytes, the descriptor says ${options.size}`,
    );
  }
  const size = options.size ?? announced;
  const stats: BlobReadStats = { bytes: 0, resumes: 0 };
  const source = Readable.from(chunks(first, size, stats, options), { objectMode: false });
  const verifier = new DigestVerifier({ digest: options.digest, size, what: options.what });
  // pipeline() hands a source failure to the verifier (and so to its reader), and a reader that gives up
  // (destroys the verifier) ends the download.
  pipeline(source, verifier, () => undefined);
  return { size, body: verifier, stats };
}

async function* chunks(
  first: HttpResponse,
  size: number | undefined,
  stats: BlobReadStats,
  options: BlobReadOptions,
): AsyncGenerator<Buffer> {
  let response = first;
  let skip = 0;
  for (;;) {
    let failure: unknown;
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        let data = chunk;
        if (skip > 0) {
          if (data.length <= skip) {
            skip -= data.length;
            continue;
          }
          data = data.subarray(skip);
          skip = 0;
        }
        stats.bytes += data.length;
        yield data;
      }
    } catch (error) {
      failure = error;
    }
    // A body that ends cleanly but short (a proxy that closed without an error) is a break too.
    if (failure === undefined && (size === undefined || stats.bytes >= size)) return;
    if (options.signal?.aborted) throw failure ?? options.signal.reason;
    if (stats.resumes >= options.maxResumes) {
      const why = failure instanceof Error ? failure.message : 'the body ended early';
      throw new BlobReadError(
        `${options.what}: the download broke off after ${stats.bytes} of ${size ?? 'unknown'} bytes ` +
          `and ${stats.resumes} resume(s) did not finish it: ${why}`,
        { bytesRead: stats.bytes, resumes: stats.resumes, cause: failure },
      );
    }
    stats.resumes += 1;
    options.onResume?.(stats.bytes, failure);
    response = await options.fetch(stats.bytes);
    skip = rangeStartSkip(response, stats.bytes, options.what);
  }
}

/**
 * How many bytes of a resume answer to drop: 0 for a 206 starting where we stopped, `offset` for a 200
 * (the server ignored Range and sent everything again).
 */
function rangeStartSkip(response: HttpResponse, offset: number, what: string): number {
  if (response.status === 200) return offset;
  const range = response.header('content-range');
  const match = range === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(range.trim());
  if (response.status !== 206 || !match || Number(match[1]) !== offset) {
    void response.dump();
    throw new RegistryProtocolError(
      `${what}: asked for bytes ${offset}- to resume, got ${response.status} with Content-Range ${range ?? '(none)'}`,
    );
  }
  return 0;
}
