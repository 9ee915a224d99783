/** Reading request bodies and writing JSON replies. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { load } from 'js-yaml';
import { KubeError } from './errors.js';
import { decodeKubeProtobuf } from './protobuf.js';

const MAX_BODY = 8 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new KubeError(413, 'RequestEntityTooLarge', 'Request entity too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * JSON; YAML too for `application/apply-patch+yaml` (kubectl sends JSON there, which YAML also reads); the
 * protobuf of kubectl's typed clients for the few kinds protobuf.ts knows.
 */
export function parseBody(body: Buffer, contentType: string): unknown {
  if (contentType === 'application/vnd.kubernetes.protobuf') return decodeKubeProtobuf(body, contentType);
  if (contentType.includes('protobuf') || contentType.includes('cbor'))
    throw KubeError.unsupportedMediaType(contentType);
  const yaml = contentType === 'application/apply-patch+yaml';
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (jsonError) {
    if (!yaml) throw KubeError.badRequest(`error decoding JSON: ${(jsonError as Error).message}`);
    try {
      return load(text);
    } catch (yamlError) {
      throw KubeError.badRequest(`error decoding YAML: ${(yamlError as Error).message}`);
    }
  }
}

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, error: KubeError): void {
  sendJson(res, error.code, error.toStatus());
}

/** The media type without parameters, lower-cased. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
