/**
 * The same sequence of Quay API calls (the rows of test/quay-emulator/CONTRACT.md, with the errors the code
 * relies on) against a real Quay (vendor/quay/) and the emulator, both fresh and configured alike: the
 * status, the kind of body (JSON or werkzeug's HTML page) and an error's message must be the same, so
 * that no test can pass on the emulator for a call real Quay answers differently.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { type QuayEmulator, startQuayEmulator } from '../support/quay-emulator/index.js';
import { type RealQuay, startRealQuay } from '../support/real-quay.js';

interface Step {
  row: number;
  what: string;
  method: string;
  path: string;
  body?: unknown;
  /** Sent without the token. */
  anonymous?: boolean;
}

interface Answer {
  status: number;
  kind: 'json' | 'html' | 'empty' | 'other';
  message: string | undefined;
}

const STEPS: Step[] = [
  { row: 2, what: 'the token user', method: 'GET', path: '/api/v1/user/' },
  { row: 3, what: 'a missing organization', method: 'GET', path: '/api/v1/organization/acme' },
  {
    row: 4,
    what: 'create an organization',
    method: 'POST',
    path: '/api/v1/organization/',
    body: { name: 'acme' },
  },
  { row: 4, what: 'create it again', method: 'POST', path: '/api/v1/organization/', body: { name: 'acme' } },
  { row: 3, what: 'the organization', method: 'GET', path: '/api/v1/organization/acme' },
  {
    row: 6,
    what: 'superuser organization list',
    method: 'GET',
    path: '/api/v1/superuser/organizations/?limit=100',
  },
  {
    row: 6,
    what: 'a page limit over 100',
    method: 'GET',
    path: '/api/v1/superuser/organizations/?limit=101',
  },
  {
    row: 7,
    what: 'robots of the organization',
    method: 'GET',
    path: '/api/v1/organization/acme/robots?permissions=true&token=false',
  },
  { row: 9, what: 'a missing robot', method: 'GET', path: '/api/v1/organization/acme/robots/deployer' },
  {
    row: 10,
    what: 'create a robot',
    method: 'PUT',
    path: '/api/v1/organization/acme/robots/deployer',
    body: { description: 'd' },
  },
  {
    row: 10,
    what: 'create it again',
    method: 'PUT',
    path: '/api/v1/organization/acme/robots/deployer',
    body: { description: 'd' },
  },
  {
    row: 12,
    what: "the robot's permissions",
    method: 'GET',
    path: '/api/v1/organization/acme/robots/deployer/permissions',
  },
  {
    row: 18,
    what: 'create a repository',
    method: 'POST',
    path: '/api/v1/repository',
    body: {
      namespace: 'acme',
      repository: 'web',
      visibility: 'private',
      description: '',
      repo_kind: 'image',
    },
  },
  {
    row: 18,
    what: 'create it again',
    method: 'POST',
    path: '/api/v1/repository',
    body: {
      namespace: 'acme',
      repository: 'web',
      visibility: 'private',
      description: '',
      repo_kind: 'image',
    },
  },
  {
    row: 13,
    what: 'grant the robot read',
    method: 'PUT',
    path: '/api/v1/repository/acme/web/permissions/user/acme+deployer',
    body: { role: 'read' },
  },
  {
    row: 13,
    what: 'grant on a missing repository',
    method: 'PUT',
    path: '/api/v1/repository/acme/nope/permissions/user/acme+deployer',
    body: { role: 'read' },
  },
  {
    row: 13,
    what: 'grant an unknown user',
    method: 'PUT',
    path: '/api/v1/repository/acme/web/permissions/user/ghost',
    body: { role: 'read' },
  },
  {
    row: 14,
    what: 'revoke it',
    method: 'DELETE',
    path: '/api/v1/repository/acme/web/permissions/user/acme+deployer',
  },
  {
    row: 14,
    what: 'revoke it again',
    method: 'DELETE',
    path: '/api/v1/repository/acme/web/permissions/user/acme+deployer',
  },
  {
    row: 17,
    what: 'repositories of the organization',
    method: 'GET',
    path: '/api/v1/repository?namespace=acme',
  },
  {
    row: 19,
    what: 'active tags of an empty repository',
    method: 'GET',
    path: '/api/v1/repository/acme/web/tag/?onlyActiveTags=true&limit=100&page=1',
  },
  {
    row: 19,
    what: 'tags of a missing repository',
    method: 'GET',
    path: '/api/v1/repository/acme/nope/tag/?onlyActiveTags=true&limit=100&page=1',
  },
  { row: 20, what: 'delete a missing tag', method: 'DELETE', path: '/api/v1/repository/acme/web/tag/v1' },
  {
    row: 15,
    what: 'members of team owners',
    method: 'GET',
    path: '/api/v1/organization/acme/team/owners/members?includePending=false',
  },
  {
    row: 16,
    what: 'add the robot to owners',
    method: 'PUT',
    path: '/api/v1/organization/acme/team/owners/members/acme+deployer',
  },
  {
    row: 16,
    what: 'add it again',
    method: 'PUT',
    path: '/api/v1/organization/acme/team/owners/members/acme+deployer',
  },
  {
    row: 16,
    what: 'add an unknown user',
    method: 'PUT',
    path: '/api/v1/organization/acme/team/owners/members/ghost',
  },
  {
    row: 16,
    what: 'remove the robot',
    method: 'DELETE',
    path: '/api/v1/organization/acme/team/owners/members/acme+deployer',
  },
  {
    row: 21,
    what: 'proxy cache of an organization without one',
    method: 'GET',
    path: '/api/v1/organization/acme/proxycache',
  },
  { row: 11, what: 'delete the robot', method: 'DELETE', path: '/api/v1/organization/acme/robots/deployer' },
  { row: 11, what: 'delete it again', method: 'DELETE', path: '/api/v1/organization/acme/robots/deployer' },
  { row: 23, what: 'the registry base without a token', method: 'GET', path: '/v2/', anonymous: true },
  { row: 5, what: 'delete the organization', method: 'DELETE', path: '/api/v1/organization/acme' },
  { row: 3, what: 'the deleted organization', method: 'GET', path: '/api/v1/organization/acme' },
];

async function answer(url: string, token: string, step: Step): Promise<Answer> {
  const headers: Record<string, string> = step.anonymous ? {} : { authorization: `Bearer ${token}` };
  if (step.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}${step.path}`, {
    method: step.method,
    headers,
    body: step.body === undefined ? undefined : JSON.stringify(step.body),
    redirect: 'manual',
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  const kind =
    text === '' ? 'empty' : type.includes('json') ? 'json' : type.includes('html') ? 'html' : 'other';
  let message: string | undefined;
  if (response.status >= 400 && kind === 'json') {
    const body = JSON.parse(text) as { error_message?: string; message?: string; detail?: string };
    message = body.error_message ?? body.message ?? body.detail;
  }
  return { status: response.status, kind, message };
}

let real: RealQuay;
let emulator: QuayEmulator;
let realToken: string;
let emulatorToken: string;

before(async () => {
  [real, emulator] = await Promise.all([
    startRealQuay(),
    startQuayEmulator({
      // As test/real-quay/config.yaml.in has them.
      features: { userInitialize: true, proxyCache: true, mailing: false, requireTeamInvite: false },
      superUsers: ['admin'],
      ssrfAllowedHosts: ['127.0.0.0/8'],
    }),
  ]);
  realToken = (await real.initialize('admin', 'password-of-admin')).token;
  const init = await fetch(`${emulator.url}/api/v1/user/initialize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: 'admin',
      password: 'password-of-admin',
      email: 'admin@example.com',
      access_token: true,
    }),
  });
  emulatorToken = ((await init.json()) as { access_token: string }).access_token;
});

after(async () => {
  await Promise.all([real?.stop(), emulator?.close()]);
});

test('the emulator answers each call of the contract as real Quay does', async () => {
  const differences: string[] = [];
  for (const step of STEPS) {
    const [fromReal, fromEmulator] = [
      await answer(real.url, realToken, step),
      await answer(emulator.url, emulatorToken, step),
    ];
    if (JSON.stringify(fromReal) !== JSON.stringify(fromEmulator))
      differences.push(
        `row ${step.row}, ${step.what} (${step.method} ${step.path}): real ${JSON.stringify(fromReal)}, emulator ${JSON.stringify(fromEmulator)}`,
      );
  }
  assert.deepEqual(differences, [], `\n${differences.join('\n')}`);
});

interface RegistryAnswer {
  status: number;
  kind: Answer['kind'];
  /** The first error code of a distribution error body. */
  code: string | undefined;
}

/** A tiny OCI image: config, one layer, manifest. */
function tinyImage() {
  const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const layer = Buffer.from('a layer of the comparison\n');
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [digestOf(layer)] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: digestOf(config),
        size: config.length,
      },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digestOf(layer), size: layer.length },
      ],
    }),
  );
  return { layer, config, manifest, digestOf };
}

/** One side's registry session: a bearer token from its realm, and the upload locations it handed out. */
async function registrySide(url: string, host: string) {
  const basic = `Basic ${Buffer.from('admin:password-of-admin').toString('base64')}`;
  const scope = ['repository:acme2/app:pull,push', 'repository:acme2/other:pull,push'];
  const query = new URLSearchParams([['service', host], ...scope.map((s): [string, string] => ['scope', s])]);
  const tokenAnswer = await fetch(`${url}/v2/auth?${query}`, { headers: { authorization: basic } });
  const { token } = (await tokenAnswer.json()) as { token: string };
  return {
    async call(method: string, path: string, body?: Buffer, contentType?: string) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (contentType) headers['content-type'] = contentType;
      if (method === 'HEAD' || method === 'GET')
        headers.accept =
          'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json';
      const target = path.startsWith('http') ? path : `${url}${path}`;
      const response = await fetch(target, { method, headers, body, redirect: 'manual' });
      const text = await response.text();
      const type = response.headers.get('content-type') ?? '';
      const kind: Answer['kind'] =
        text === '' ? 'empty' : type.includes('json') ? 'json' : type.includes('html') ? 'html' : 'other';
      let code: string | undefined;
      if (response.status >= 400 && kind === 'json')
        code = (JSON.parse(text) as { errors?: { code?: string }[] }).errors?.[0]?.code;
      const location = response.headers.get('location') ?? undefined;
      return {
        answer: { status: response.status, kind, code } satisfies RegistryAnswer,
        location: location && !location.startsWith('http') ? `${url}${location}` : location,
      };
    },
  };
}

test('the registry path (/v2) answers as real Quay does: pull, monolithic upload, manifest, mount, tags, referrers', async () => {
  const { layer, config, manifest, digestOf } = tinyImage();
  for (const [url, token] of [
    [real.url, realToken],
    [emulator.url, emulatorToken],
  ] as const) {
    const created = await fetch(`${url}/api/v1/organization/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'acme2' }),
    });
    assert.equal(created.status, 201, `${url}: ${await created.text()}`);
  }
  const sides = [await registrySide(real.url, real.host), await registrySide(emulator.url, emulator.host)];
  const differences: string[] = [];
  const both = async (
    what: string,
    step: (side: (typeof sides)[number]) => Promise<{ answer: RegistryAnswer }>,
  ) => {
    const [a, b] = [
      await step(sides[0] as (typeof sides)[number]),
      await step(sides[1] as (typeof sides)[number]),
    ];
    if (JSON.stringify(a.answer) !== JSON.stringify(b.answer))
      differences.push(`${what}: real ${JSON.stringify(a.answer)}, emulator ${JSON.stringify(b.answer)}`);
  };
  const upload = async (side: (typeof sides)[number], bytes: Buffer) => {
    const started = await side.call('POST', '/v2/acme2/app/blobs/uploads/');
    return side.call(
      'PUT',
      `${started.location}${started.location?.includes('?') ? '&' : '?'}digest=${digestOf(bytes)}`,
      bytes,
      'application/octet-stream',
    );
  };
  await both('row 25: HEAD a missing manifest', (s) => s.call('HEAD', '/v2/acme2/app/manifests/v1'));
  await both('row 32: tags of a repository not pushed yet', (s) => s.call('GET', '/v2/acme2/app/tags/list'));
  await both('row 29: start an upload', (s) => s.call('POST', '/v2/acme2/app/blobs/uploads/'));
  await both('row 30: monolithic PUT of the layer', (s) => upload(s, layer));
  await both('row 30: monolithic PUT of the config', (s) => upload(s, config));
  await both('row 30: a PUT whose digest does not match', async (s) => {
    const started = await s.call('POST', '/v2/acme2/app/blobs/uploads/');
    return s.call(
      'PUT',
      `${started.location}${started.location?.includes('?') ? '&' : '?'}digest=${digestOf(Buffer.from('other'))}`,
      layer,
      'application/octet-stream',
    );
  });
  await both('row 28: HEAD the layer', (s) => s.call('HEAD', `/v2/acme2/app/blobs/${digestOf(layer)}`));
  await both('row 28: HEAD a missing blob', (s) =>
    s.call('HEAD', `/v2/acme2/app/blobs/${digestOf(Buffer.from('none'))}`),
  );
  await both('row 26: PUT the manifest as v1', (s) =>
    s.call('PUT', '/v2/acme2/app/manifests/v1', manifest, 'application/vnd.oci.image.manifest.v1+json'),
  );
  await both('row 26: PUT the manifest under a digest it does not have', (s) =>
    s.call(
      'PUT',
      `/v2/acme2/app/manifests/${digestOf(Buffer.from('not it'))}`,
      manifest,
      'application/vnd.oci.image.manifest.v1+json',
    ),
  );
  await both('row 25: GET it by digest', (s) =>
    s.call('GET', `/v2/acme2/app/manifests/${digestOf(manifest)}`),
  );
  await both('row 32: tags list', (s) => s.call('GET', '/v2/acme2/app/tags/list'));
  await both('row 34: referrers of the manifest', (s) =>
    s.call('GET', `/v2/acme2/app/referrers/${digestOf(manifest)}`),
  );
  await both('row 29: mount the layer into another repository', (s) =>
    s.call('POST', `/v2/acme2/other/blobs/uploads/?mount=${digestOf(layer)}&from=acme2/app`),
  );
  await both('row 33: the catalog', (s) => s.call('GET', '/v2/_catalog'));
  await both('row 27: DELETE the manifest by digest', (s) =>
    s.call('DELETE', `/v2/acme2/app/manifests/${digestOf(manifest)}`),
  );
  assert.deepEqual(differences, [], `\n${differences.join('\n')}`);
});
