/**
 * Registry blobs and uploads (quay-api.md §11.3, §11.7): HEAD/GET (with Range), monolithic `POST ?digest=`,
 * sessions with chunked PATCH and a closing PUT, cross-repository mount with `from=`, and digest verification
 * (mismatch → 400 BLOB_UPLOAD_INVALID, as Quay's _upload_chunk answers). Bodies are streamed into the blob store.
 */
import { publicBase, type RequestContext } from './context.js';
import { registryError } from './errors.js';
import type { HttpResponse } from './http-io.js';
import { SHA256_DIGEST_REGEX } from './names.js';
import { requireRegistryRepo, V2_HEADERS } from './registry-access.js';
import { normalizeRepoName, tokenAllows } from './registry-auth.js';
import type { RouteDef } from './router.js';
import type { RepoRecord } from './state.js';
import type { UploadSession } from './uploads.js';

type Params = Record<string, string>;

function blobUnknown(): HttpResponse {
  return registryError(404, 'BLOB_UNKNOWN', 'blob unknown to registry');
}

function uploadUnknown(): HttpResponse {
  return registryError(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
}

function digestInvalid(message: string, digest: string): HttpResponse {
  return registryError(400, 'DIGEST_INVALID', message, { digest });
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` → inclusive range; 'invalid' when unsatisfiable. */
function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'invalid' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid';
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'invalid';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return 'invalid';
  return { start, end };
}

/** HEAD/GET `/v2/<name>/blobs/<digest>`; GET honours `Range` (206 / 416). */
async function getBlob(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { rt } = ctx;
  const { repo } = requireRegistryRepo(ctx, p.name ?? '', 'read');
  const digest = p.digest ?? '';
  const size = rt.blobs.size(digest);
  if (!repo.blobs.has(digest) || size === undefined) return blobUnknown();
  const headers: Record<string, string> = {
    ...(V2_HEADERS as Record<string, string>),
    'docker-content-digest': digest,
    'content-type': 'application/octet-stream',
    'accept-ranges': 'bytes',
    'cache-control': 'max-age=31536000',
  };
  if (ctx.method === 'HEAD') return { status: 200, headers: { ...headers, 'content-length': String(size) } };
  const range = parseRange(ctx.req.headers.range, size);
  if (range === 'invalid') {
    return { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` } };
  }
  if (range) {
    return {
      status: 206,
      headers: {
        ...headers,
        'content-range': `bytes ${range.start}-${range.end}/${size}`,
        'content-length': String(range.end - range.start + 1),
      },
      body: rt.blobs.open(digest, range),
    };
  }
  return {
    status: 200,
    headers: { ...headers, 'content-length': String(size) },
    body: rt.blobs.open(digest),
  };
}

async function deleteBlob(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  requireRegistryRepo(ctx, p.name ?? '', 'write');
  return registryError(405, 'UNSUPPORTED', 'The operation is unsupported.');
}

function uploadHeaders(ctx: RequestContext, full: string, session: UploadSession): Record<string, string> {
  const size = session.writer.size;
  return {
    ...(V2_HEADERS as Record<string, string>),
    location: `${publicBase(ctx.rt)}/v2/${full}/blobs/uploads/${session.uuid}`,
    'docker-upload-uuid': session.uuid,
    range: `0-${Math.max(0, size - 1)}`,
  };
}

function blobCreated(ctx: RequestContext, full: string, digest: string): HttpResponse {
  return {
    status: 201,
    headers: {
      ...V2_HEADERS,
      location: `${publicBase(ctx.rt)}/v2/${full}/blobs/${digest}`,
      'docker-content-digest': digest,
    },
  };
}

/** Finishes a session: verifies the sha256, links the blob to the repository. */
async function finish(
  ctx: RequestContext,
  repo: RepoRecord,
  full: string,
  session: UploadSession,
  digest: string,
): Promise<HttpResponse> {
  const { rt } = ctx;
  rt.uploads.sessions.delete(session.uuid);
  if (!SHA256_DIGEST_REGEX.test(digest)) {
    await session.writer.abort();
    return digestInvalid('unsupported or malformed digest', digest);
  }
  const result = await session.writer.commit(digest);
  // Quay: commit_to_blob raises BlobDigestMismatchException, a BlobUploadException, which _upload_chunk
  // turns into BlobUploadInvalid (endpoints/v2/blob.py; seen on real Quay by emulator-vs-real.test.ts).
  if (!result.ok) return registryError(400, 'BLOB_UPLOAD_INVALID', 'blob upload invalid');
  repo.blobs.add(digest);
  return blobCreated(ctx, full, digest);
}

/**
 * `POST /v2/<name>/blobs/uploads/`: mount with `from=` (201) when the source is readable and has the blob,
 * monolithic with `?digest=` (201), otherwise a new session (202, `Range: 0-0`) (§11.3).
 */
async function startUpload(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { rt } = ctx;
  const { repo, full, claims } = requireRegistryRepo(ctx, p.name ?? '', 'write');
  const q = ctx.url.searchParams;
  const mount = q.get('mount');
  const from = q.get('from');
  if (mount && from) {
    const fromFull = normalizeRepoName(from);
    const slash = fromFull.indexOf('/');
    const source = rt.state.getRepo(fromFull.slice(0, slash), fromFull.slice(slash + 1));
    const readable = source && (tokenAllows(claims, fromFull, 'read') || source.isPublic);
    if (readable && source.blobs.has(mount) && rt.blobs.has(mount)) {
      ctx.req.resume();
      repo.blobs.add(mount);
      return blobCreated(ctx, full, mount);
    }
  }
  const session = await rt.uploads.start(full, rt.clock.nowMs());
  const digest = q.get('digest');
  if (digest !== null) {
    await session.writer.append(ctx.req);
    return finish(ctx, repo, full, session, digest);
  }
  ctx.req.resume();
  return { status: 202, headers: { ...uploadHeaders(ctx, full, session), range: '0-0' } };
}

/** The stream without its first `count` bytes. */
async function* skipBytes(source: AsyncIterable<Buffer>, count: number): AsyncGenerator<Buffer> {
  let left = count;
  for await (const chunk of source) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}

/** `PATCH .../uploads/<uuid>`: appends a chunk (Quay's offset rules below). */
async function patchUpload(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { full } = requireRegistryRepo(ctx, p.name ?? '', 'write');
  const session = ctx.rt.uploads.get(p.uuid ?? '', full);
  if (!session) return uploadUnknown();
  // blob.py:_start_offset_and_length and blobuploader.py:upload_chunk: no range is offset 0; an offset past
  // what was received is a 416 with no body; a chunk overlapping what was received has the overlap skipped;
  // offset 0 always appends (Quay only compares offsets above 0; real Quay answers 202 for it too).
  const contentRange = ctx.req.headers['content-range'];
  let skip = 0;
  if (contentRange) {
    const m = /^(\d+)-(\d+)$/.exec(contentRange);
    if (!m || Number(m[2]) < Number(m[1]) - 1) {
      ctx.req.resume();
      return registryError(400, 'INVALID_REQUEST', 'Invalid range header');
    }
    const start = Number(m[1]);
    if (start > session.writer.size) {
      ctx.req.resume();
      return {
        status: 416,
        headers: {
          location: `${publicBase(ctx.rt)}${ctx.url.pathname}`,
          range: `0-${session.writer.size}`,
          'docker-upload-uuid': session.uuid,
        },
      };
    }
    if (start > 0) skip = session.writer.size - start;
  }
  await session.writer.append(skip > 0 ? skipBytes(ctx.req, skip) : ctx.req);
  return { status: 202, headers: uploadHeaders(ctx, full, session) };
}

/** `PUT .../uploads/<uuid>?digest=`: optional last chunk, then verify and store (201). */
async function putUpload(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { repo, full } = requireRegistryRepo(ctx, p.name ?? '', 'write');
  const session = ctx.rt.uploads.get(p.uuid ?? '', full);
  if (!session) return uploadUnknown();
  const digest = ctx.url.searchParams.get('digest');
  if (digest === null) {
    ctx.req.resume();
    return registryError(400, 'BLOB_UPLOAD_INVALID', 'Missing digest arg on monolithic upload', {
      reason: 'Missing digest arg on monolithic upload',
    });
  }
  await session.writer.append(ctx.req);
  return finish(ctx, repo, full, session, digest);
}

async function uploadStatus(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { full } = requireRegistryRepo(ctx, p.name ?? '', 'write');
  const session = ctx.rt.uploads.get(p.uuid ?? '', full);
  if (!session) return uploadUnknown();
  return { status: 204, headers: uploadHeaders(ctx, full, session) };
}

async function cancelUpload(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { full } = requireRegistryRepo(ctx, p.name ?? '', 'write');
  const session = ctx.rt.uploads.get(p.uuid ?? '', full);
  if (!session) return uploadUnknown();
  await ctx.rt.uploads.discard(session);
  return { status: 204, headers: { ...V2_HEADERS } };
}

export function blobRoutes(): RouteDef<RequestContext>[] {
  const uploads = '/v2/{name+}/blobs/uploads/';
  const blob = '/v2/{name+}/blobs/{digest}';
  return [
    { method: 'POST', pattern: uploads, kind: 'registry', handler: startUpload },
    { method: 'PATCH', pattern: `${uploads}{uuid}`, kind: 'registry', handler: patchUpload },
    { method: 'PUT', pattern: `${uploads}{uuid}`, kind: 'registry', handler: putUpload },
    { method: 'GET', pattern: `${uploads}{uuid}`, kind: 'registry', handler: uploadStatus },
    { method: 'DELETE', pattern: `${uploads}{uuid}`, kind: 'registry', handler: cancelUpload },
    { method: 'GET', pattern: blob, kind: 'registry', handler: getBlob },
    { method: 'HEAD', pattern: blob, kind: 'registry', handler: getBlob },
    { method: 'DELETE', pattern: blob, kind: 'registry', handler: deleteBlob },
  ];
}
