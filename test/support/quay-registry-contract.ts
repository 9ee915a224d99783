/**
 * The registry path of test/quay-emulator/CONTRACT.md (rows 20, 23–34, 39, 53, 54) as one script: the same steps
 * against one Quay, each step's answer recorded. `REGISTRY_STEPS` holds what real Quay (vendor/quay at
 * ffba0c70, started with `REGISTRY_CONTRACT_QUAY_CONFIG`) answered; test/real-quay/emulator-vs-real.test.ts
 * checks that real Quay still answers so, and test/quay-emulator/contract-walk.test.ts checks the emulator
 * against the same answers in every `npm test`. Steps depend on earlier ones (uploads, a robot's token), so
 * the script runs whole against one server rather than call by call.
 *
 * Covered: the token flow for a user and a robot, pulls, monolithic and chunked uploads, mounts within and
 * across organizations and by a robot that may not read `from`, manifests, an OCI index and a Docker
 * manifest list (children first, and a missing child), dead (deleted) tags and their re-push, tag expiry
 * and immutability, a repository in READ_ONLY state, a push into a proxy-cache organization.
 */
import { createHash } from 'node:crypto';
import { type Answer, bodyKind, CONTRACT_EMULATOR_OPTIONS } from './quay-contract-calls.js';
import type { QuayEmulatorOptions } from './quay-emulator/options.js';

/** Set over test/real-quay/config.yaml.in for the real Quay this script runs against (changestate needs it). */
export const REGISTRY_CONTRACT_QUAY_CONFIG = { FEATURE_REPO_MIRROR: true } as const;

/** The emulator configured alike. */
export const REGISTRY_CONTRACT_EMULATOR_OPTIONS: QuayEmulatorOptions = {
  ...CONTRACT_EMULATOR_OPTIONS,
  features: { ...CONTRACT_EMULATOR_OPTIONS.features, repoMirror: true },
};

export interface StepAnswer {
  status: number;
  kind: Answer['kind'];
  /** A registry error's first code, or a REST error's message. */
  error?: string;
}

export interface RecordedStep {
  row: number;
  what: string;
  answer: StepAnswer;
}

export interface ContractServer {
  url: string;
  /** `host:port`, the registry's service name. */
  host: string;
  /** An API token of `admin` (superuser) with every scope. */
  token: string;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const ACCEPT = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST].join(', ');

export const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** An image manifest for `arch` over one layer; `docker` for Docker schema 2 media types. */
function image(layer: Buffer, arch: string, docker = false, history = docker) {
  const rootfs = { type: 'layers', diff_ids: [digestOf(layer)] };
  const config = json(
    history
      ? { architecture: arch, os: 'linux', rootfs, history: [{ created_by: 'the contract script' }] }
      : { architecture: arch, os: 'linux', rootfs },
  );
  const manifest = json({
    schemaVersion: 2,
    mediaType: docker ? DOCKER_MANIFEST : OCI_MANIFEST,
    config: {
      mediaType: docker
        ? 'application/vnd.docker.container.image.v1+json'
        : 'application/vnd.oci.image.config.v1+json',
      digest: digestOf(config),
      size: config.length,
    },
    layers: [
      {
        mediaType: docker
          ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
          : 'application/vnd.oci.image.layer.v1.tar',
        digest: digestOf(layer),
        size: layer.length,
      },
    ],
  });
  return { config, manifest };
}

function index(children: { manifest: Buffer; arch: string }[], docker = false) {
  return json({
    schemaVersion: 2,
    mediaType: docker ? DOCKER_LIST : OCI_INDEX,
    manifests: children.map(({ manifest, arch }) => ({
      mediaType: docker ? DOCKER_MANIFEST : OCI_MANIFEST,
      digest: digestOf(manifest),
      size: manifest.length,
      platform: { architecture: arch, os: 'linux' },
    })),
  });
}

interface Reply {
  answer: StepAnswer;
  location: string | undefined;
  body: string;
}

async function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<Reply> {
  const response = await fetch(url, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  const kind = bodyKind(response.headers.get('content-type') ?? '', text);
  let error: string | undefined;
  if (response.status >= 400 && kind === 'json') {
    const parsed = JSON.parse(text) as {
      errors?: { code?: string }[];
      error_message?: string;
      message?: string;
      detail?: string;
    };
    error = parsed.errors?.[0]?.code ?? parsed.error_message ?? parsed.message ?? parsed.detail;
    // A jsonschema error's first line only: the emulator does not render the schema and instance after it.
    error = error?.split(/\n|\\n/)[0];
  }
  const answer: StepAnswer =
    error === undefined ? { status: response.status, kind } : { status: response.status, kind, error };
  return { answer, location: response.headers.get('location') ?? undefined, body: text };
}

/** A registry session: a bearer token for `scopes` from the realm, for Basic `user:password`. */
async function session(server: ContractServer, user: string, password: string, scopes: string[]) {
  const query = new URLSearchParams([
    ['service', server.host],
    ...scopes.map((s): [string, string] => ['scope', s]),
  ]);
  const basic = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const got = await send(`${server.url}/v2/auth?${query}`, 'GET', { authorization: basic });
  const { token } = JSON.parse(got.body) as { token: string };
  const absolute = (target: string) => (target.startsWith('http') ? target : `${server.url}${target}`);
  return {
    call(
      method: string,
      path: string,
      options: { body?: Buffer; type?: string; headers?: Record<string, string> } = {},
    ) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...options.headers };
      if (options.type) headers['content-type'] = options.type;
      if (method === 'HEAD' || method === 'GET') headers.accept = ACCEPT;
      return send(absolute(path), method, headers, options.body);
    },
    /** POST then one PUT with the whole blob. */
    async upload(repo: string, bytes: Buffer, digest = digestOf(bytes)) {
      const started = await this.call('POST', `/v2/${repo}/blobs/uploads/`);
      const location = started.location ?? '';
      return this.call('PUT', `${location}${location.includes('?') ? '&' : '?'}digest=${digest}`, {
        body: bytes,
        type: 'application/octet-stream',
      });
    },
  };
}

type Session = Awaited<ReturnType<typeof session>>;

function api(server: ContractServer) {
  return (method: string, path: string, body?: unknown) =>
    send(
      `${server.url}${path}`,
      method,
      body === undefined
        ? { authorization: `Bearer ${server.token}` }
        : { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body === undefined ? undefined : json(body),
    );
}

/** Runs the script against one server; every step's answer, in order. */
export async function walkRegistryContract(server: ContractServer): Promise<RecordedStep[]> {
  const out: RecordedStep[] = [];
  const step = async (row: number, what: string, reply: Promise<Reply> | Reply) => {
    const got = await reply;
    out.push({ row, what, answer: got.answer });
    return got;
  };
  const rest = api(server);
  const layer = Buffer.from('a layer of the comparison\n');
  const other = Buffer.from('a layer only acme3 has\n');
  const { config, manifest } = image(layer, 'amd64');
  const arm = image(layer, 'arm64');
  const dockerAmd = image(layer, 'amd64', true);
  const dockerArm = image(layer, 'arm64', true);
  const noHistory = image(layer, 'ppc64le', true, false);

  // Set-up through the API (rows 4, 18, 10, 13, 21, 53).
  for (const name of ['acme2', 'acme3', 'cache2'])
    await step(4, `create organization ${name}`, rest('POST', '/api/v1/organization/', { name }));
  for (const [namespace, repository] of [
    ['acme2', 'other'],
    ['acme2', 'frozen'],
    ['acme3', 'app'],
  ] as const)
    await step(
      18,
      `create ${namespace}/${repository}`,
      rest('POST', '/api/v1/repository', {
        namespace,
        repository,
        visibility: 'private',
        description: '',
        repo_kind: 'image',
      }),
    );
  const robot = await step(
    10,
    'create robot acme2+pusher',
    rest('PUT', '/api/v1/organization/acme2/robots/pusher', {}),
  );
  const robotToken = (JSON.parse(robot.body) as { token: string }).token;
  for (const repo of ['acme2/other', 'acme2/frozen'])
    await step(
      13,
      `the robot may write ${repo}`,
      rest('PUT', `/api/v1/repository/${repo}/permissions/user/acme2+pusher`, { role: 'write' }),
    );
  await step(
    21,
    'cache2 is a proxy cache',
    rest('POST', '/api/v1/organization/cache2/proxycache', {
      org_name: 'cache2',
      upstream_registry: '127.0.0.1:1',
      expiration_s: 86400,
      insecure: false,
    }),
  );
  await step(
    53,
    'acme2/frozen becomes READ_ONLY',
    rest('PUT', '/api/v1/repository/acme2/frozen/changestate', { state: 'READ_ONLY' }),
  );
  await step(
    53,
    'an unknown state',
    rest('PUT', '/api/v1/repository/acme2/frozen/changestate', { state: 'FROZEN' }),
  );

  const scopes = ['acme2/app', 'acme2/other', 'acme2/frozen', 'acme3/app', 'cache2/pushed'].map(
    (repo) => `repository:${repo}:pull,push`,
  );
  const admin: Session = await session(server, 'admin', 'password-of-admin', scopes);
  const bot: Session = await session(server, 'acme2+pusher', robotToken, scopes);

  // Pull and monolithic upload (rows 25–33).
  await step(25, 'HEAD a missing manifest', admin.call('HEAD', '/v2/acme2/app/manifests/v1'));
  await step(32, 'tags of a repository not pushed yet', admin.call('GET', '/v2/acme2/app/tags/list'));
  await step(29, 'start an upload', admin.call('POST', '/v2/acme2/app/blobs/uploads/'));
  await step(30, 'monolithic PUT of the layer', admin.upload('acme2/app', layer));
  await step(30, 'monolithic PUT of the config', admin.upload('acme2/app', config));
  await step(
    30,
    'a PUT whose digest does not match',
    admin.upload('acme2/app', layer, digestOf(Buffer.from('other'))),
  );
  await step(28, 'HEAD the layer', admin.call('HEAD', `/v2/acme2/app/blobs/${digestOf(layer)}`));
  await step(
    28,
    'HEAD a missing blob',
    admin.call('HEAD', `/v2/acme2/app/blobs/${digestOf(Buffer.from('none'))}`),
  );
  await step(
    26,
    'PUT the manifest as v1',
    admin.call('PUT', '/v2/acme2/app/manifests/v1', { body: manifest, type: OCI_MANIFEST }),
  );
  await step(
    26,
    'PUT the manifest under a digest it does not have',
    admin.call('PUT', `/v2/acme2/app/manifests/${digestOf(Buffer.from('not it'))}`, {
      body: manifest,
      type: OCI_MANIFEST,
    }),
  );
  await step(25, 'GET it by digest', admin.call('GET', `/v2/acme2/app/manifests/${digestOf(manifest)}`));
  await step(32, 'tags list', admin.call('GET', '/v2/acme2/app/tags/list'));
  await step(
    34,
    'referrers of the manifest',
    admin.call('GET', `/v2/acme2/app/referrers/${digestOf(manifest)}`),
  );
  await step(
    29,
    'mount the layer into another repository',
    admin.call('POST', `/v2/acme2/other/blobs/uploads/?mount=${digestOf(layer)}&from=acme2/app`),
  );
  await step(33, 'the catalog', admin.call('GET', '/v2/_catalog'));

  // Chunked upload (row 30): PATCH with Content-Range, a range that does not follow, the closing PUT.
  const chunked = Buffer.from('a layer sent in two chunks, then closed by a PUT\n');
  const [first, second] = [chunked.subarray(0, 20), chunked.subarray(20)];
  const started = await step(
    29,
    'start a chunked upload',
    admin.call('POST', '/v2/acme2/app/blobs/uploads/'),
  );
  const patch = (bytes: Buffer, start: number) =>
    admin.call('PATCH', started.location ?? '', {
      body: bytes,
      type: 'application/octet-stream',
      headers: { 'content-range': `${start}-${start + bytes.length - 1}` },
    });
  const afterFirst = await step(30, 'PATCH the first chunk', patch(first, 0));
  await step(30, 'PATCH a chunk whose range does not follow', patch(second, 0));
  const afterSecond = await step(30, 'PATCH the second chunk', patch(second, first.length));
  const closing = afterSecond.location ?? afterFirst.location ?? started.location ?? '';
  await step(
    30,
    'PUT with the digest and no body closes it',
    admin.call('PUT', `${closing}${closing.includes('?') ? '&' : '?'}digest=${digestOf(chunked)}`, {
      type: 'application/octet-stream',
    }),
  );
  await step(28, 'HEAD the chunked blob', admin.call('HEAD', `/v2/acme2/app/blobs/${digestOf(chunked)}`));

  // Mounts across organizations, and by a robot that may not read `from` (row 29).
  await step(30, 'a layer only acme3/app has', admin.upload('acme3/app', other));
  await step(
    29,
    'mount from another organization',
    admin.call('POST', `/v2/acme2/other/blobs/uploads/?mount=${digestOf(other)}&from=acme3/app`),
  );
  await step(28, 'the mounted blob is there', admin.call('HEAD', `/v2/acme2/other/blobs/${digestOf(other)}`));
  await step(
    29,
    'a robot mounts from a repository it may not read',
    bot.call('POST', `/v2/acme2/other/blobs/uploads/?mount=${digestOf(other)}&from=acme3/app`),
  );
  await step(
    29,
    'a mount from a missing repository',
    admin.call('POST', `/v2/acme2/other/blobs/uploads/?mount=${digestOf(layer)}&from=acme3/none`),
  );
  await step(
    29,
    'a mount of a blob `from` lacks',
    admin.call('POST', `/v2/acme2/other/blobs/uploads/?mount=${digestOf(chunked)}&from=acme3/app`),
  );
  await step(
    28,
    'the robot reads a blob it may read',
    bot.call('HEAD', `/v2/acme2/other/blobs/${digestOf(layer)}`),
  );
  await step(
    28,
    'the robot reads a blob it may not read',
    bot.call('HEAD', `/v2/acme3/app/blobs/${digestOf(other)}`),
  );

  // An OCI index and a Docker manifest list, children first by digest (row 26).
  for (const [what, bytes] of [
    ['the arm64 config', arm.config],
    ['the Docker amd64 config', dockerAmd.config],
    ['the Docker arm64 config', dockerArm.config],
    ['a Docker config without history', noHistory.config],
  ] as const)
    await step(30, `upload ${what}`, admin.upload('acme2/app', bytes));
  await step(
    26,
    'PUT the arm64 child by digest',
    admin.call('PUT', `/v2/acme2/app/manifests/${digestOf(arm.manifest)}`, {
      body: arm.manifest,
      type: OCI_MANIFEST,
    }),
  );
  const ociIndex = index([
    { manifest, arch: 'amd64' },
    { manifest: arm.manifest, arch: 'arm64' },
  ]);
  await step(
    26,
    'PUT an OCI index by tag',
    admin.call('PUT', '/v2/acme2/app/manifests/multi', { body: ociIndex, type: OCI_INDEX }),
  );
  await step(25, 'GET the index by tag', admin.call('GET', '/v2/acme2/app/manifests/multi'));
  for (const [arch, child] of [
    ['amd64', dockerAmd],
    ['arm64', dockerArm],
  ] as const)
    await step(
      26,
      `PUT the Docker ${arch} child by digest`,
      admin.call('PUT', `/v2/acme2/app/manifests/${digestOf(child.manifest)}`, {
        body: child.manifest,
        type: DOCKER_MANIFEST,
      }),
    );
  await step(
    26,
    'PUT a Docker manifest whose config has no history',
    admin.call('PUT', `/v2/acme2/app/manifests/${digestOf(noHistory.manifest)}`, {
      body: noHistory.manifest,
      type: DOCKER_MANIFEST,
    }),
  );
  const dockerList = index(
    [
      { manifest: dockerAmd.manifest, arch: 'amd64' },
      { manifest: dockerArm.manifest, arch: 'arm64' },
    ],
    true,
  );
  await step(
    26,
    'PUT a Docker manifest list by tag',
    admin.call('PUT', '/v2/acme2/app/manifests/list', { body: dockerList, type: DOCKER_LIST }),
  );
  const missingChild = image(Buffer.from('never pushed\n'), 's390x');
  await step(
    26,
    'PUT an index whose child is missing',
    admin.call('PUT', '/v2/acme2/app/manifests/broken', {
      body: index([{ manifest: missingChild.manifest, arch: 's390x' }]),
      type: OCI_INDEX,
    }),
  );

  // Dead tags (rows 20, 25, 32): a deleted tag is gone from the registry, its manifest stays by digest.
  await step(20, 'delete tag v1', rest('DELETE', '/api/v1/repository/acme2/app/tag/v1'));
  await step(25, 'HEAD the dead tag', admin.call('HEAD', '/v2/acme2/app/manifests/v1'));
  await step(
    25,
    'HEAD its manifest by digest',
    admin.call('HEAD', `/v2/acme2/app/manifests/${digestOf(manifest)}`),
  );
  await step(
    19,
    'the active tags',
    rest('GET', '/api/v1/repository/acme2/app/tag/?onlyActiveTags=true&limit=100&page=1'),
  );
  await step(20, 'delete the dead tag again', rest('DELETE', '/api/v1/repository/acme2/app/tag/v1'));
  await step(
    26,
    'push v1 again',
    admin.call('PUT', '/v2/acme2/app/manifests/v1', { body: manifest, type: OCI_MANIFEST }),
  );
  await step(25, 'HEAD v1 again', admin.call('HEAD', '/v2/acme2/app/manifests/v1'));

  // Expiry and immutability (rows 54, 20).
  const inAnHour = Math.floor(Date.now() / 1000) + 3600;
  await step(
    54,
    'v1 expires in an hour',
    rest('PUT', '/api/v1/repository/acme2/app/tag/v1', { expiration: inAnHour }),
  );
  await step(
    54,
    'an expiry in the past',
    rest('PUT', '/api/v1/repository/acme2/app/tag/v1', { expiration: 1000 }),
  );
  await step(
    54,
    'the expiry of a missing tag',
    rest('PUT', '/api/v1/repository/acme2/app/tag/none', { expiration: inAnHour }),
  );
  await step(25, 'an expiring tag is still served', admin.call('HEAD', '/v2/acme2/app/manifests/v1'));
  await step(
    54,
    'multi becomes immutable',
    rest('PUT', '/api/v1/repository/acme2/app/tag/multi', { immutable: true }),
  );
  await step(
    26,
    'overwrite the immutable tag',
    admin.call('PUT', '/v2/acme2/app/manifests/multi', { body: manifest, type: OCI_MANIFEST }),
  );
  await step(20, 'delete the immutable tag', rest('DELETE', '/api/v1/repository/acme2/app/tag/multi'));
  await step(
    54,
    'multi becomes mutable',
    rest('PUT', '/api/v1/repository/acme2/app/tag/multi', { immutable: false }),
  );
  await step(20, 'delete it now', rest('DELETE', '/api/v1/repository/acme2/app/tag/multi'));

  // A READ_ONLY and a MIRROR repository (rows 24, 29, 39, 20, 54): the token's push is dropped, pulls go on.
  await step(
    29,
    'an upload into the READ_ONLY repository',
    admin.call('POST', '/v2/acme2/frozen/blobs/uploads/'),
  );
  await step(29, 'the robot uploads into it', bot.call('POST', '/v2/acme2/frozen/blobs/uploads/'));
  await step(32, 'its tags are read', admin.call('GET', '/v2/acme2/frozen/tags/list'));
  await step(39, 'its state through the API', rest('GET', '/api/v1/repository/acme2/frozen'));
  await step(
    20,
    'delete a tag of the READ_ONLY repository',
    rest('DELETE', '/api/v1/repository/acme2/frozen/tag/v1'),
  );
  await step(
    54,
    'change a tag of the READ_ONLY repository',
    rest('PUT', '/api/v1/repository/acme2/frozen/tag/v1', { immutable: true }),
  );
  await step(
    53,
    'acme2/frozen becomes MIRROR',
    rest('PUT', '/api/v1/repository/acme2/frozen/changestate', { state: 'MIRROR' }),
  );
  const mirrorScoped = await session(server, 'admin', 'password-of-admin', [
    'repository:acme2/frozen:pull,push',
  ]);
  await step(
    29,
    'an upload into the MIRROR repository',
    mirrorScoped.call('POST', '/v2/acme2/frozen/blobs/uploads/'),
  );
  await step(
    53,
    'back to NORMAL',
    rest('PUT', '/api/v1/repository/acme2/frozen/changestate', { state: 'NORMAL' }),
  );
  const normalScoped = await session(server, 'admin', 'password-of-admin', [
    'repository:acme2/frozen:pull,push',
  ]);
  await step(
    29,
    'an upload once it is NORMAL again',
    normalScoped.call('POST', '/v2/acme2/frozen/blobs/uploads/'),
  );

  // A push into a proxy-cache organization (rows 29, 26): Quay takes it.
  await step(30, 'upload into the proxy-cache organization', admin.upload('cache2/pushed', layer));
  await step(
    26,
    'PUT a manifest there',
    admin
      .upload('cache2/pushed', config)
      .then(() =>
        admin.call('PUT', '/v2/cache2/pushed/manifests/v1', { body: manifest, type: OCI_MANIFEST }),
      ),
  );

  await step(
    27,
    'DELETE the manifest by digest',
    admin.call('DELETE', `/v2/acme2/app/manifests/${digestOf(manifest)}`),
  );
  return out;
}

/** What real Quay answered, step by step (`QUAY_TASKS_PRINT_CONTRACT=1` prints a fresh capture). */
export const REGISTRY_STEPS: RecordedStep[] = [
  { row: 4, what: 'create organization acme2', answer: { status: 201, kind: 'json' } },
  { row: 4, what: 'create organization acme3', answer: { status: 201, kind: 'json' } },
  { row: 4, what: 'create organization cache2', answer: { status: 201, kind: 'json' } },
  { row: 18, what: 'create acme2/other', answer: { status: 201, kind: 'json' } },
  { row: 18, what: 'create acme2/frozen', answer: { status: 201, kind: 'json' } },
  { row: 18, what: 'create acme3/app', answer: { status: 201, kind: 'json' } },
  { row: 10, what: 'create robot acme2+pusher', answer: { status: 201, kind: 'json' } },
  { row: 13, what: 'the robot may write acme2/other', answer: { status: 200, kind: 'json' } },
  { row: 13, what: 'the robot may write acme2/frozen', answer: { status: 200, kind: 'json' } },
  { row: 21, what: 'cache2 is a proxy cache', answer: { status: 201, kind: 'json' } },
  { row: 53, what: 'acme2/frozen becomes READ_ONLY', answer: { status: 200, kind: 'json' } },
  {
    row: 53,
    what: 'an unknown state',
    answer: { status: 400, kind: 'json', error: "'FROZEN' is not one of ['NORMAL', 'READ_ONLY', 'MIRROR']" },
  },
  { row: 25, what: 'HEAD a missing manifest', answer: { status: 404, kind: 'empty' } },
  { row: 32, what: 'tags of a repository not pushed yet', answer: { status: 200, kind: 'json' } },
  { row: 29, what: 'start an upload', answer: { status: 202, kind: 'empty' } },
  { row: 30, what: 'monolithic PUT of the layer', answer: { status: 201, kind: 'empty' } },
  { row: 30, what: 'monolithic PUT of the config', answer: { status: 201, kind: 'empty' } },
  {
    row: 30,
    what: 'a PUT whose digest does not match',
    answer: { status: 400, kind: 'json', error: 'BLOB_UPLOAD_INVALID' },
  },
  { row: 28, what: 'HEAD the layer', answer: { status: 200, kind: 'empty' } },
  { row: 28, what: 'HEAD a missing blob', answer: { status: 404, kind: 'empty' } },
  { row: 26, what: 'PUT the manifest as v1', answer: { status: 201, kind: 'html' } },
  {
    row: 26,
    what: 'PUT the manifest under a digest it does not have',
    answer: { status: 400, kind: 'json', error: 'MANIFEST_INVALID' },
  },
  { row: 25, what: 'GET it by digest', answer: { status: 200, kind: 'json' } },
  { row: 32, what: 'tags list', answer: { status: 200, kind: 'json' } },
  { row: 34, what: 'referrers of the manifest', answer: { status: 200, kind: 'json' } },
  { row: 29, what: 'mount the layer into another repository', answer: { status: 201, kind: 'empty' } },
  { row: 33, what: 'the catalog', answer: { status: 200, kind: 'json' } },
  { row: 29, what: 'start a chunked upload', answer: { status: 202, kind: 'empty' } },
  { row: 30, what: 'PATCH the first chunk', answer: { status: 202, kind: 'empty' } },
  { row: 30, what: 'PATCH a chunk whose range does not follow', answer: { status: 202, kind: 'empty' } },
  { row: 30, what: 'PATCH the second chunk', answer: { status: 202, kind: 'empty' } },
  { row: 30, what: 'PUT with the digest and no body closes it', answer: { status: 201, kind: 'empty' } },
  { row: 28, what: 'HEAD the chunked blob', answer: { status: 200, kind: 'empty' } },
  { row: 30, what: 'a layer only acme3/app has', answer: { status: 201, kind: 'empty' } },
  { row: 29, what: 'mount from another organization', answer: { status: 201, kind: 'empty' } },
  { row: 28, what: 'the mounted blob is there', answer: { status: 200, kind: 'empty' } },
  {
    row: 29,
    what: 'a robot mounts from a repository it may not read',
    answer: { status: 202, kind: 'empty' },
  },
  { row: 29, what: 'a mount from a missing repository', answer: { status: 202, kind: 'empty' } },
  { row: 29, what: 'a mount of a blob `from` lacks', answer: { status: 202, kind: 'empty' } },
  { row: 28, what: 'the robot reads a blob it may read', answer: { status: 200, kind: 'empty' } },
  { row: 28, what: 'the robot reads a blob it may not read', answer: { status: 401, kind: 'empty' } },
  { row: 30, what: 'upload the arm64 config', answer: { status: 201, kind: 'empty' } },
  { row: 30, what: 'upload the Docker amd64 config', answer: { status: 201, kind: 'empty' } },
  { row: 30, what: 'upload the Docker arm64 config', answer: { status: 201, kind: 'empty' } },
  { row: 30, what: 'upload a Docker config without history', answer: { status: 201, kind: 'empty' } },
  { row: 26, what: 'PUT the arm64 child by digest', answer: { status: 201, kind: 'html' } },
  { row: 26, what: 'PUT an OCI index by tag', answer: { status: 201, kind: 'html' } },
  { row: 25, what: 'GET the index by tag', answer: { status: 200, kind: 'json' } },
  { row: 26, what: 'PUT the Docker amd64 child by digest', answer: { status: 201, kind: 'html' } },
  { row: 26, what: 'PUT the Docker arm64 child by digest', answer: { status: 201, kind: 'html' } },
  {
    row: 26,
    what: 'PUT a Docker manifest whose config has no history',
    answer: { status: 400, kind: 'json', error: 'MANIFEST_INVALID' },
  },
  { row: 26, what: 'PUT a Docker manifest list by tag', answer: { status: 201, kind: 'html' } },
  {
    row: 26,
    what: 'PUT an index whose child is missing',
    answer: { status: 400, kind: 'json', error: 'MANIFEST_INVALID' },
  },
  { row: 20, what: 'delete tag v1', answer: { status: 204, kind: 'empty' } },
  { row: 25, what: 'HEAD the dead tag', answer: { status: 404, kind: 'empty' } },
  { row: 25, what: 'HEAD its manifest by digest', answer: { status: 200, kind: 'empty' } },
  { row: 19, what: 'the active tags', answer: { status: 200, kind: 'json' } },
  { row: 20, what: 'delete the dead tag again', answer: { status: 404, kind: 'json', error: 'Not Found' } },
  { row: 26, what: 'push v1 again', answer: { status: 201, kind: 'html' } },
  { row: 25, what: 'HEAD v1 again', answer: { status: 200, kind: 'empty' } },
  { row: 54, what: 'v1 expires in an hour', answer: { status: 201, kind: 'json' } },
  {
    row: 54,
    what: 'an expiry in the past',
    answer: {
      status: 400,
      kind: 'json',
      error: 'The browser (or proxy) sent a request that this server could not understand.',
    },
  },
  { row: 54, what: 'the expiry of a missing tag', answer: { status: 404, kind: 'json', error: 'Not Found' } },
  { row: 25, what: 'an expiring tag is still served', answer: { status: 200, kind: 'empty' } },
  { row: 54, what: 'multi becomes immutable', answer: { status: 201, kind: 'json' } },
  {
    row: 26,
    what: 'overwrite the immutable tag',
    answer: { status: 409, kind: 'json', error: 'TAG_IMMUTABLE' },
  },
  {
    row: 20,
    what: 'delete the immutable tag',
    answer: { status: 409, kind: 'json', error: "Cannot delete immutable tag 'multi'" },
  },
  { row: 54, what: 'multi becomes mutable', answer: { status: 201, kind: 'json' } },
  { row: 20, what: 'delete it now', answer: { status: 204, kind: 'empty' } },
  {
    row: 29,
    what: 'an upload into the READ_ONLY repository',
    answer: { status: 401, kind: 'json', error: 'UNAUTHORIZED' },
  },
  {
    row: 29,
    what: 'the robot uploads into it',
    answer: { status: 401, kind: 'json', error: 'UNAUTHORIZED' },
  },
  { row: 32, what: 'its tags are read', answer: { status: 200, kind: 'json' } },
  { row: 39, what: 'its state through the API', answer: { status: 200, kind: 'json' } },
  {
    row: 20,
    what: 'delete a tag of the READ_ONLY repository',
    answer: { status: 503, kind: 'json', error: 'Repository is in read only or mirror mode: 1' },
  },
  {
    row: 54,
    what: 'change a tag of the READ_ONLY repository',
    answer: { status: 503, kind: 'json', error: 'Repository is in read only or mirror mode: 1' },
  },
  { row: 53, what: 'acme2/frozen becomes MIRROR', answer: { status: 200, kind: 'json' } },
  {
    row: 29,
    what: 'an upload into the MIRROR repository',
    answer: { status: 401, kind: 'json', error: 'UNAUTHORIZED' },
  },
  { row: 53, what: 'back to NORMAL', answer: { status: 200, kind: 'json' } },
  { row: 29, what: 'an upload once it is NORMAL again', answer: { status: 202, kind: 'empty' } },
  { row: 30, what: 'upload into the proxy-cache organization', answer: { status: 201, kind: 'empty' } },
  { row: 26, what: 'PUT a manifest there', answer: { status: 201, kind: 'html' } },
  { row: 27, what: 'DELETE the manifest by digest', answer: { status: 202, kind: 'empty' } },
];

/** Each step whose row, name or answer differs from the recorded one, in words. */
export function registryDifferences(got: RecordedStep[], recorded: RecordedStep[], who: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.max(got.length, recorded.length); i++) {
    const [a, b] = [got[i], recorded[i]];
    if (JSON.stringify(a) !== JSON.stringify(b))
      out.push(`step ${i + 1}: ${who} ${JSON.stringify(a)}, recorded ${JSON.stringify(b)}`);
  }
  return out;
}
