/**
 * The same sequence of Quay API calls (the rows of test/quay-emulator/CONTRACT.md, with the errors the code
 * relies on) against a real Quay (vendor/quay/) and the emulator, both fresh and configured alike: the
 * status, the kind of body (JSON or werkzeug's HTML page) and an error's message must be the same, so
 * that no test can pass on the emulator for a call real Quay answers differently.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  type Answer,
  answer,
  bodyKind,
  CONTRACT_CALLS,
  CONTRACT_EMULATOR_OPTIONS,
} from '../support/quay-contract-calls.js';
import { type QuayEmulator, startQuayEmulator } from '../support/quay-emulator/index.js';
import { type RealQuay, startRealQuay } from '../support/real-quay.js';
import { initializeFirstUser } from '../support/user-initialize.js';

let real: RealQuay;
let emulator: QuayEmulator;
let realToken: string;
let emulatorToken: string;

before(async () => {
  [real, emulator] = await Promise.all([startRealQuay(), startQuayEmulator(CONTRACT_EMULATOR_OPTIONS)]);
  realToken = (await real.initialize('admin', 'password-of-admin')).token;
  emulatorToken = await initializeFirstUser(emulator.url, 'admin', 'password-of-admin');
});

after(async () => {
  await Promise.all([real?.stop(), emulator?.close()]);
});

test('real Quay gives each call of the contract the answer the table records, and so does the emulator', async () => {
  const differences: string[] = [];
  const captured: Answer[] = [];
  for (const call of CONTRACT_CALLS) {
    const fromReal = await answer(real.url, realToken, call);
    const fromEmulator = await answer(emulator.url, emulatorToken, call);
    captured.push(fromReal);
    for (const [who, got] of [
      ['real Quay', fromReal],
      ['the emulator', fromEmulator],
    ] as const)
      if (JSON.stringify(got) !== JSON.stringify(call.expect))
        differences.push(
          `row ${call.row}, ${call.what} (${call.method} ${call.path}): ${who} ${JSON.stringify(got)}, recorded ${JSON.stringify(call.expect)}`,
        );
  }
  if (process.env.QUAY_TASKS_PRINT_CONTRACT) process.stdout.write(`${JSON.stringify(captured)}\n`);
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
      const kind = bodyKind(type, text);
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
