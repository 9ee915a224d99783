/**
 * Registry v2 (quay-api.md §11): `/v2/` ping, manifests GET/HEAD/PUT/DELETE by tag and digest, tags/list,
 * `_catalog` and referrers. Blobs and uploads are in registry-blobs.ts.
 */
import { publicBase, type RequestContext, type Runtime } from './context.js';
import { flaskNotFound, registryError } from './errors.js';
import { uuid } from './formats.js';
import { type HttpResponse, readBody } from './http-io.js';
import { MEDIA_TYPES, parseManifest } from './manifests.js';
import { DIGEST_REGEX, TAG_REGEX } from './names.js';
import { ANONYMOUS, type Principal } from './permissions.js';
import { requireRegistryRepo, V2_HEADERS } from './registry-access.js';
import { authenticateRegistry, challenge } from './registry-auth.js';
import type { RegistryClaims } from './registry-jwt.js';
import type { RouteDef } from './router.js';
import { isTagAlive, type ManifestRecord, type RepoRecord } from './state.js';

type Params = Record<string, string>;

/** Temporary tag lifetime for pushes by digest (`PUSH_TEMP_TAG_EXPIRATION_SEC`, §11.4). */
const TEMP_TAG_EXPIRATION_S = 3600;
const MAX_MANIFEST_BYTES = 20 * 1024 * 1024;

/** `GET /v2/`: 401 `true` with the challenge without a valid token, 200 `true` with one (§11.1). */
async function ping(ctx: RequestContext): Promise<HttpResponse> {
  const claims = authenticateRegistry(ctx);
  const headers = {
    ...V2_HEADERS,
    // endpoints/v2/__init__.py v2_support_enabled: make_response("true"), Flask's default text/html.
    'content-type': 'text/html; charset=utf-8',
    'x-sparse-manifest-support': String(ctx.rt.options.features.sparseIndex),
  };
  if (!claims)
    return { status: 401, headers: { ...headers, 'www-authenticate': challenge(ctx.rt) }, body: 'true' };
  return { status: 200, headers, body: 'true' };
}

function manifestUnknown(): HttpResponse {
  return registryError(404, 'MANIFEST_UNKNOWN', 'manifest unknown');
}

function lookupManifest(ctx: RequestContext, repo: RepoRecord, ref: string): ManifestRecord | undefined {
  const { state } = ctx.rt;
  if (DIGEST_REGEX.test(ref)) return state.reachableManifest(repo, ref);
  const tag = state.aliveTag(repo, ref);
  return tag ? repo.manifests.get(tag.manifestDigest) : undefined;
}

/** GET/HEAD `/v2/<name>/manifests/<ref>`: the stored bytes, exactly. */
async function getManifest(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { repo } = requireRegistryRepo(ctx, p.name ?? '', 'read');
  const ref = p.ref ?? '';
  if (!DIGEST_REGEX.test(ref) && !TAG_REGEX.test(ref)) return flaskNotFound();
  const manifest = lookupManifest(ctx, repo, ref);
  if (!manifest) return manifestUnknown();
  return {
    status: 200,
    headers: {
      ...V2_HEADERS,
      'content-type': manifest.mediaType,
      'docker-content-digest': manifest.digest,
      etag: `"${manifest.digest}"`,
      'content-length': String(manifest.bytes.length),
    },
    body: manifest.bytes,
  };
}

/** PUT `/v2/<name>/manifests/<ref>` (§11.4): 201 `OK` with Docker-Content-Digest and Location. */
async function putManifest(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { rt } = ctx;
  const { repo, full } = requireRegistryRepo(ctx, p.name ?? '', 'write');
  const ref = p.ref ?? '';
  const byDigest = DIGEST_REGEX.test(ref);
  // Quay's route only matches a tag or a digest; anything else is the router's 404.
  if (!byDigest && !TAG_REGEX.test(ref)) return flaskNotFound();
  const bytes = await readBody(ctx.req, MAX_MANIFEST_BYTES);
  const parsed = parseManifest(bytes, ctx.req.headers['content-type'], rt.options.features.generalOciSupport);
  if (!parsed.ok)
    return registryError(parsed.status, parsed.code, parsed.message, { message: parsed.message });
  const manifest = parsed.manifest;
  if (byDigest && manifest.digest !== ref) {
    // endpoints/v2/manifest.py write_manifest_by_digest: ManifestInvalid(detail={"message": "manifest digest
    // mismatch"}) (seen on real Quay by emulator-vs-real.test.ts; the emulator said DIGEST_INVALID).
    return registryError(400, 'MANIFEST_INVALID', 'manifest invalid', {
      message: 'manifest digest mismatch',
    });
  }
  for (const blob of manifest.blobDigests) {
    if (!repo.blobs.has(blob) || !rt.blobs.has(blob)) {
      return registryError(400, 'MANIFEST_INVALID', `Missing required blob: ${blob}`, {
        message: `Missing required blob: ${blob}`,
      });
    }
  }
  // Children of an index must already be in the repository unless FEATURE_SPARSE_INDEX (§11.4).
  if (!rt.options.features.sparseIndex) {
    for (const child of manifest.childDigests) {
      if (!repo.manifests.has(child)) {
        return registryError(400, 'MANIFEST_INVALID', `Missing child manifest: ${child}`, {
          message: `Missing child manifest: ${child}`,
        });
      }
    }
  }
  const badConfig = await dockerConfigProblem(rt, manifest, bytes);
  if (badConfig) return registryError(400, 'MANIFEST_INVALID', 'manifest invalid', { message: badConfig });
  const tagged = byDigest ? undefined : rt.state.aliveTag(repo, ref);
  if (tagged?.immutable && tagged.manifestDigest !== manifest.digest) {
    // data/model/oci/tag.py retarget_tag raises ImmutableTagException; _write_manifest_and_log: TagImmutable.
    return registryError(409, 'TAG_IMMUTABLE', 'tag is immutable and cannot be overwritten', {
      message: `tag '${ref}' is immutable`,
    });
  }
  if (!repo.manifests.has(manifest.digest)) repo.manifests.set(manifest.digest, manifest);
  // write_manifest_by_digest: a schema1 manifest carries its tag and is written under it, as by tag.
  const tagName = byDigest ? schema1Tag(manifest) : ref;
  if (tagName === undefined) {
    // A push by digest is kept alive by a hidden temporary tag (§11.4).
    rt.state.setTag(repo, `$temp-${uuid()}`, manifest.digest, {
      hidden: true,
      expiresInS: TEMP_TAG_EXPIRATION_S,
    });
  } else {
    rt.state.setTag(repo, tagName, manifest.digest);
  }
  // _write_manifest_and_log: spawn_notification(repo, "repo_push", {"updated_tags": [tag_name]}), worked by
  // the notification worker once this answer is out.
  const queued =
    tagName === undefined ? 0 : rt.notifications.spawn(repo, 'repo_push', { updated_tags: [tagName] });
  return {
    afterSend: queued > 0 ? () => rt.notifications.kick() : undefined,
    status: 201,
    headers: {
      ...V2_HEADERS,
      'docker-content-digest': manifest.digest,
      location: `${publicBase(rt)}/v2/${full}/manifests/${manifest.digest}`,
      'content-type': 'text/html; charset=utf-8',
    },
    body: 'OK',
  };
}

/**
 * A Docker schema 2 image manifest's config must be a stored blob of the declared size that parses as a
 * config with `history` (array) and `rootfs.type` (`image/docker/schema2/manifest.py:_get_built_config`,
 * `config.py:DockerSchema2Config.METASCHEMA`), checked by `validate` before Quay writes the manifest; real
 * Quay refuses a config without `history` (test/support/quay-registry-contract.ts). OCI manifests are not read.
 */
async function dockerConfigProblem(
  rt: Runtime,
  manifest: ManifestRecord,
  bytes: Buffer,
): Promise<string | undefined> {
  if (manifest.mediaType !== MEDIA_TYPES.dockerManifest) return undefined;
  const config = (JSON.parse(bytes.toString('utf8')) as { config?: { digest?: string; size?: number } })
    .config;
  const digest = config?.digest ?? '';
  if (!rt.blobs.has(digest)) return 'Could not load config blob for manifest';
  const stored = await readAll(rt.blobs.open(digest));
  if (stored.length !== config?.size)
    return `Size of config does not match that retrieved: ${stored.length} vs ${config?.size}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored.toString('utf8'));
  } catch (error) {
    return `malformed config data: ${(error as Error).message}`;
  }
  const doc = parsed as { history?: unknown; rootfs?: { type?: unknown } };
  if (typeof parsed !== 'object' || parsed === null) return 'config data does not match schema';
  if (!Array.isArray(doc.history))
    return "config data does not match schema: 'history' is a required property";
  if (typeof doc.rootfs !== 'object' || doc.rootfs === null)
    return "config data does not match schema: 'rootfs' is a required property";
  if (typeof doc.rootfs.type !== 'string')
    return "config data does not match schema: 'type' is a required property";
  return undefined;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** The `tag` of a schema1 manifest (`parsed.tag`); undefined for every other type (pushed by digest: temp tag). */
function schema1Tag(manifest: ManifestRecord): string | undefined {
  if (manifest.mediaType !== MEDIA_TYPES.schema1 && manifest.mediaType !== MEDIA_TYPES.schema1Signed) {
    return undefined;
  }
  try {
    const tag = (JSON.parse(manifest.bytes.toString('utf8')) as { tag?: unknown }).tag;
    return typeof tag === 'string' && TAG_REGEX.test(tag) ? tag : undefined;
  } catch {
    return undefined;
  }
}

/** DELETE `/v2/<name>/manifests/<digest|tag>`: 202; by digest it ends every tag pointing at it (§11.4). */
async function deleteManifest(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { rt } = ctx;
  const { repo } = requireRegistryRepo(ctx, p.name ?? '', 'write');
  const ref = p.ref ?? '';
  const now = rt.clock.nowMs();
  if (DIGEST_REGEX.test(ref)) {
    if (!rt.state.reachableManifest(repo, ref)) return manifestUnknown();
    for (const tag of repo.tags) if (tag.manifestDigest === ref && isTagAlive(tag, now)) tag.endMs = now;
  } else if (!rt.state.endTag(repo, ref)) {
    return manifestUnknown();
  }
  return { status: 202, headers: { ...V2_HEADERS } };
}

function pageSize(ctx: RequestContext): number {
  const { v2PaginationSize } = ctx.rt.options;
  const n = Number.parseInt(ctx.url.searchParams.get('n') ?? '', 10);
  const cap = Math.max(v2PaginationSize, 100);
  return Number.isFinite(n) && n > 0 ? Math.min(n, cap) : v2PaginationSize;
}

/** `GET /v2/<name>/tags/list?n=&last=` with a `Link` header when more exist (§11.7). */
async function listTags(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { repo, full } = requireRegistryRepo(ctx, p.name ?? '', 'read');
  const now = ctx.rt.clock.nowMs();
  const n = pageSize(ctx);
  const last = ctx.url.searchParams.get('last');
  const names = [...new Set(repo.tags.filter((t) => !t.hidden && isTagAlive(t, now)).map((t) => t.name))]
    .sort()
    .filter((name) => last === null || name > last);
  const page = names.slice(0, n);
  const headers: Record<string, string> = {
    ...(V2_HEADERS as Record<string, string>),
    'content-type': 'application/json',
  };
  if (names.length > n) {
    const lastName = page[page.length - 1] ?? '';
    headers.link = `</v2/${full}/tags/list?n=${n}&last=${encodeURIComponent(lastName)}>; rel="next"`;
  }
  return { status: 200, headers, body: `${JSON.stringify({ name: full, tags: page })}\n` };
}

function principalFromClaims(ctx: RequestContext, claims: RegistryClaims | null): Principal {
  const name = claims?.context.user;
  if (!name) return ANONYMOUS;
  const robot = ctx.rt.state.robots.get(name);
  if (robot) return { kind: 'robot', robot };
  const user = ctx.rt.state.users.get(name);
  return user ? { kind: 'user', user, scopes: null } : ANONYMOUS;
}

/**
 * `GET /v2/_catalog?n=&next_page=` (§11.7): repositories visible to the token's subject; anonymous callers get
 * an empty list unless FEATURE_PUBLIC_CATALOG. A `last` value is decoded as the page token, as Quay does.
 */
async function catalog(ctx: RequestContext): Promise<HttpResponse> {
  const { rt } = ctx;
  const claims = authenticateRegistry(ctx);
  const principal = principalFromClaims(ctx, claims);
  const publicCatalog = rt.options.features.publicCatalog;
  const visible = [...rt.state.repos.values()].filter(
    (r) => rt.perms.repoRole(principal, r.namespace, r) !== null || (publicCatalog && r.isPublic),
  );
  const n = pageSize(ctx);
  const q = ctx.url.searchParams;
  const page = rt.pageTokens.page(visible, q.get('next_page') ?? q.get('last'), n);
  const headers: Record<string, string> = {
    ...(V2_HEADERS as Record<string, string>),
    'content-type': 'application/json',
  };
  if (page.nextPage) headers.link = `</v2/_catalog?n=${n}&next_page=${page.nextPage}>; rel="next"`;
  const repositories = page.items.map((r) => `${r.namespace}/${r.name}`);
  return { status: 200, headers, body: `${JSON.stringify({ repositories })}\n` };
}

/** `GET /v2/<name>/referrers/<digest>[?artifactType=]` (§11.5). */
async function referrers(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { repo } = requireRegistryRepo(ctx, p.name ?? '', 'read');
  const subject = p.digest ?? '';
  // An unknown subject digest is 400 MANIFEST_INVALID, not an empty index (§11.5).
  if (!repo.manifests.has(subject)) return registryError(400, 'MANIFEST_INVALID', 'manifest invalid');
  const filter = ctx.url.searchParams.get('artifactType');
  const manifests = [...repo.manifests.values()]
    .filter((m) => m.subjectDigest === subject && (!filter || m.artifactType === filter))
    .map((m) => ({
      mediaType: m.mediaType,
      digest: m.digest,
      size: m.bytes.length,
      ...(m.artifactType ? { artifactType: m.artifactType } : {}),
      ...(m.annotations ? { annotations: m.annotations } : {}),
    }));
  const headers: Record<string, string> = {
    ...(V2_HEADERS as Record<string, string>),
    'content-type': MEDIA_TYPES.ociIndex,
  };
  if (filter) headers['oci-filters-applied'] = 'artifactType';
  const body = { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests };
  return { status: 200, headers, body: JSON.stringify(body) };
}

export function registryRoutes(referrersEnabled: () => boolean): RouteDef<RequestContext>[] {
  const manifest = '/v2/{name+}/manifests/{ref}';
  return [
    { method: 'GET', pattern: '/v2/', kind: 'registry', handler: ping },
    { method: 'GET', pattern: '/v2/_catalog', kind: 'registry', handler: catalog },
    { method: 'GET', pattern: manifest, kind: 'registry', handler: getManifest },
    { method: 'HEAD', pattern: manifest, kind: 'registry', handler: getManifest },
    { method: 'PUT', pattern: manifest, kind: 'registry', handler: putManifest },
    { method: 'DELETE', pattern: manifest, kind: 'registry', handler: deleteManifest },
    { method: 'GET', pattern: '/v2/{name+}/tags/list', kind: 'registry', handler: listTags },
    {
      method: 'GET',
      pattern: '/v2/{name+}/referrers/{digest}',
      kind: 'registry',
      handler: referrers,
      enabled: referrersEnabled,
    },
  ];
}
