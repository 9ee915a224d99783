/** Request bodies in, responses out: the only place that touches node:http message objects for I/O. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type HeaderMap = Record<string, string | string[]>;

export interface HttpResponse {
  status: number;
  headers?: HeaderMap;
  /** A Readable is streamed (blob downloads); strings and Buffers are sent whole. */
  body?: string | Buffer | Readable;
  /** Runs once the response has been sent (work Quay leaves to its workers, e.g. notifications). */
  afterSend?: () => void;
}

/** Thrown by handlers to answer with a finished error response. */
export class HttpError extends Error {
  constructor(readonly response: HttpResponse) {
    super(`HTTP ${response.status}`);
  }
}

/** Reads a whole (small) request body; answers 413 past `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) {
      throw new HttpError({
        status: 413,
        headers: { 'content-type': 'application/json' },
        body: '{"message": "The data value transmitted exceeds the capacity limit."}\n',
      });
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Werkzeug's `is_json`: `application/json` or `application/*+json` (§0). */
export function isJsonContentType(req: IncomingMessage): boolean {
  const mimetype = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    mimetype === 'application/json' || (mimetype.startsWith('application/') && mimetype.endsWith('+json'))
  );
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export async function sendResponse(res: ServerResponse, response: HttpResponse): Promise<void> {
  const headers: HeaderMap = { ...response.headers };
  const body = response.body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    if (!hasHeader(headers, 'content-length')) headers['content-length'] = String(Buffer.byteLength(body));
  } else if (body === undefined && !hasHeader(headers, 'content-length')) {
    headers['content-length'] = '0';
  }
  res.writeHead(response.status, headers);
  if (body instanceof Readable) {
    await pipeline(body, res);
    return;
  }
  res.end(body);
}

function hasHeader(headers: HeaderMap, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}
