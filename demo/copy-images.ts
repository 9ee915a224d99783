/**
 * Copies images from one registry to another over the distribution API (/v2), as `skopeo copy` would: how
 * the demo fills the emulated Quay east once quay-init has made its organizations, the way one would fill a
 * real Quay. Tokens come from the realm the registry's challenge names, one per repository and side; blobs
 * go up whole (`POST ?digest=`) and once per repository, an index's children by digest before the index;
 * repositories are copied side by side. No mounts, chunks or retries: the demo's images are a few hundred
 * bytes on loopback.
 */

export interface Registry {
  url: string;
  /** `user:password` for the token realm; none: anonymous. */
  credentials?: string;
}

export interface ImageTags {
  repository: string;
  tags: string[];
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

interface TokenRealm {
  realm: string;
  service: string | undefined;
}

interface Side {
  registry: Registry;
  token: string;
}

/** One repository's copy: its two sides, and the blobs already uploaded. */
interface RepositoryCopy {
  repository: string;
  from: Side;
  to: Side;
  uploaded: Set<string>;
}

interface ManifestDoc {
  manifests?: { digest: string }[];
  config?: { digest: string };
  layers?: { digest: string }[];
}

/** Copies every tag of every repository, in the order given within a repository. */
export async function copyImages(from: Registry, to: Registry, images: readonly ImageTags[]): Promise<void> {
  const [fromRealm, toRealm] = await Promise.all([tokenRealm(from), tokenRealm(to)]);
  await Promise.all(
    images.map(async ({ repository, tags }) => {
      const [pull, push] = await Promise.all([
        registryToken(from, fromRealm, repository, 'pull'),
        registryToken(to, toRealm, repository, 'pull,push'),
      ]);
      const copy: RepositoryCopy = {
        repository,
        from: { registry: from, token: pull },
        to: { registry: to, token: push },
        uploaded: new Set(),
      };
      for (const tag of tags) await copyManifest(copy, tag);
    }),
  );
}

async function copyManifest(copy: RepositoryCopy, reference: string): Promise<void> {
  const path = `/v2/${copy.repository}/manifests/${reference}`;
  const got = await call(copy.from, 'GET', path, { accept: MANIFEST_TYPES }, 200);
  const bytes = Buffer.from(await got.arrayBuffer());
  const doc = JSON.parse(bytes.toString('utf8')) as ManifestDoc;
  for (const child of doc.manifests ?? []) await copyManifest(copy, child.digest);
  for (const blob of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])])
    await copyBlob(copy, blob.digest);
  const mediaType = got.headers.get('content-type') ?? '';
  await (await call(copy.to, 'PUT', path, { 'content-type': mediaType }, 201, bytes)).arrayBuffer();
}

async function copyBlob(copy: RepositoryCopy, digest: string): Promise<void> {
  if (copy.uploaded.has(digest)) return;
  const got = await call(copy.from, 'GET', `/v2/${copy.repository}/blobs/${digest}`, {}, 200);
  const bytes = Buffer.from(await got.arrayBuffer());
  const upload = `/v2/${copy.repository}/blobs/uploads/?digest=${encodeURIComponent(digest)}`;
  const headers = { 'content-type': 'application/octet-stream' };
  await (await call(copy.to, 'POST', upload, headers, 201, bytes)).arrayBuffer();
  copy.uploaded.add(digest);
}

/** The token realm (and service) of the registry's `/v2/` challenge. */
async function tokenRealm(registry: Registry): Promise<TokenRealm> {
  const ping = await fetch(new URL('/v2/', registry.url));
  await ping.arrayBuffer();
  const challenge = ping.headers.get('www-authenticate') ?? '';
  const realm = /realm="([^"]+)"/.exec(challenge)?.[1];
  if (ping.status !== 401 || !realm)
    throw new Error(`${registry.url}/v2/: no Bearer challenge (${ping.status})`);
  return { realm, service: /service="([^"]+)"/.exec(challenge)?.[1] };
}

/** A bearer token for `repository:<name>:<actions>`. */
async function registryToken(
  registry: Registry,
  { realm, service }: TokenRealm,
  repository: string,
  actions: string,
): Promise<string> {
  const url = new URL(realm);
  if (service) url.searchParams.set('service', service);
  url.searchParams.set('scope', `repository:${repository}:${actions}`);
  const headers: Record<string, string> = registry.credentials
    ? { authorization: `Basic ${Buffer.from(registry.credentials).toString('base64')}` }
    : {};
  const answer = await fetch(url, { headers });
  if (answer.status !== 200) throw new Error(`${realm}: ${answer.status} ${await answer.text()}`);
  return ((await answer.json()) as { token: string }).token;
}

async function call(
  side: Side,
  method: string,
  path: string,
  headers: Record<string, string>,
  expected: number,
  body?: Buffer,
): Promise<Response> {
  const response = await fetch(new URL(path, side.registry.url), {
    method,
    headers: { ...headers, authorization: `Bearer ${side.token}` },
    body,
  });
  if (response.status !== expected)
    throw new Error(`${method} ${side.registry.url}${path}: ${response.status} ${await response.text()}`);
  return response;
}
