import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QuayInstanceConfig } from '../../../../src/config/sections/shared.js';
import type { DestinationPlan, MirrorPlan, WantedRef } from '../../../../src/mirror/plan/plan.js';
import { tlsModeOf } from '../../../../src/mirror/podman/access.js';
import { hostPlatform, type PodmanImage, pickPlatform } from '../../../../src/mirror/podman/image-id.js';
import { podmanPlan } from '../../../../src/mirror/podman/plan.js';
import { failureText } from '../../../../src/mirror/podman/sandbox.js';
import type { Endpoint } from '../../../../src/mirror/sides/endpoint.js';
import type { MirrorTarget } from '../../../../src/mirror/sides/open-sides.js';
import { Logger } from '../../../../src/report/logger.js';
import { Redactor } from '../../../../src/secrets/redactor.js';

const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const source = { name: 'src', host: 'src.example' } as Endpoint;
const target = { name: 'dst', host: 'dst.example' } as Endpoint;
const targets: MirrorTarget[] = [{ side: { instance: 'dst', mapping: undefined }, endpoint: target }];
const log = new Logger({ level: 'error', redactor: new Redactor(), github: false, write: () => undefined });

/** Image IDs by `host|digest`; a missing key is a read failure. */
const imagesOf = (ids: Record<string, string>) => ({
  of: async (endpoint: Endpoint, _repository: string, d: string): Promise<PodmanImage> => {
    const id = ids[`${endpoint.host}|${d}`];
    if (id === undefined) throw new Error(`no manifest ${d}`);
    return { configDigest: id, bytes: 1, fromIndex: false };
  },
});

test('podman plan: an existing tag with the same image ID is unchanged; digests and signature tags are left out', async () => {
  const v1: WantedRef = { tag: 'v1', digest: digest(1) };
  const v2: WantedRef = { tag: 'v2', digest: digest(2) };
  const v3: WantedRef = { tag: 'v3', digest: digest(3) };
  const v4: WantedRef = { tag: 'v4', digest: digest(4) };
  const byDigest: WantedRef = { tag: undefined, digest: digest(5) };
  const signature: WantedRef = { tag: `sha256-${'1'.repeat(64)}.sig`, digest: digest(6) };
  const referrers: WantedRef = { tag: `sha256-${'1'.repeat(64)}`, digest: digest(7) };
  const kept: WantedRef = { tag: 'same', digest: digest(8) };
  const destination: DestinationPlan = {
    target: 'dst',
    path: 'team/app',
    repositoryExists: true,
    // What podman pushed before: other manifest digests than the source's.
    present: new Map([
      ['v1', digest(91)],
      ['v2', digest(92)],
      ['v4', digest(94)],
      ['same', digest(8)],
    ]),
    copy: [v1, v2, v3, v4, byDigest, signature, referrers],
    unchanged: [kept],
    prune: [],
  };
  const plan: MirrorPlan = {
    repositories: [
      {
        logicalPath: 'team/app',
        sourcePath: 'team/app',
        wanted: [],
        missing: [],
        destinations: [destination],
      },
    ],
    organizations: [],
  };
  const images = imagesOf({
    [`src.example|${digest(1)}`]: 'sha256:config-1',
    [`dst.example|${digest(91)}`]: 'sha256:config-1',
    [`src.example|${digest(2)}`]: 'sha256:config-2',
    [`dst.example|${digest(92)}`]: 'sha256:config-other',
    // v4: the destination manifest cannot be read, so it is copied again.
    [`src.example|${digest(4)}`]: 'sha256:config-4',
  });
  const judged = await podmanPlan(plan, { source, targets, images, log, poolWidth: 2 });
  const out = judged.plan.repositories[0]?.destinations[0];
  assert.deepEqual(out?.copy, [v2, v3, v4]);
  assert.deepEqual(out?.unchanged, [kept, v1]);
  assert.deepEqual(
    judged.notCopied.map((n) => [n.ref, n.reason]),
    [
      [byDigest, 'digest'],
      [signature, 'signature'],
      [referrers, 'signature'],
    ],
  );
  assert.equal(judged.notCopied[0]?.destination, out, 'left-out refs name the judged destination');
  assert.deepEqual(destination.copy.length, 7, 'the input plan is left as it was');
});

test('podman plan: the platform podman pulls from an index, and this host', () => {
  const entries = [
    { digest: 'a', platform: { os: 'linux', architecture: 'arm64', variant: 'v7' } },
    { digest: 'b', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    { digest: 'c', platform: { os: 'linux', architecture: 'amd64' } },
    { digest: 'd', platform: { os: 'unknown', architecture: 'unknown' } },
  ];
  assert.equal(pickPlatform(entries, { os: 'linux', architecture: 'amd64' })?.digest, 'c');
  assert.equal(pickPlatform(entries, { os: 'linux', architecture: 'arm64', variant: 'v8' })?.digest, 'b');
  assert.equal(pickPlatform(entries, { os: 'linux', architecture: 's390x' }), undefined);
  if (process.arch === 'x64' && process.platform === 'linux')
    assert.deepEqual(hostPlatform(), { os: 'linux', architecture: 'amd64', variant: undefined });
});

test('podman TLS mode: http and insecureSkipTlsVerify skip verification, caBundle is a cert dir', () => {
  const instance = (extra: Partial<QuayInstanceConfig>) =>
    ({
      type: 'registry',
      url: 'https://r.example',
      insecureSkipTlsVerify: false,
      ...extra,
    }) as QuayInstanceConfig;
  assert.deepEqual(tlsModeOf(instance({ url: 'http://r.example:5000' })), { kind: 'insecure', why: 'http' });
  assert.deepEqual(tlsModeOf(instance({ insecureSkipTlsVerify: true, caBundle: '/ca.pem' })), {
    kind: 'insecure',
    why: 'insecureSkipTlsVerify',
  });
  assert.deepEqual(tlsModeOf(instance({ caBundle: '/ca.pem' })), { kind: 'ca', caBundle: '/ca.pem' });
  assert.deepEqual(tlsModeOf(instance({})), { kind: 'verify' });
});

test('podman failure text: the last lines podman wrote, progress left out', () => {
  const text = failureText('pull r/x@sha256:1', {
    exitCode: 125,
    stdout: '',
    stderr:
      'Trying to pull r/x...\nGetting image source signatures\nError: reading blob sha256:2: blob unknown\n',
  });
  assert.equal(
    text,
    'podman pull r/x@sha256:1 failed (exit 125): Error: reading blob sha256:2: blob unknown',
  );
  assert.equal(
    failureText('--version', {
      exitCode: undefined,
      stdout: '',
      stderr: '',
      spawnError: { code: 'ENOENT', message: 'spawn podman ENOENT' },
    }),
    'podman --version did not run: spawn podman ENOENT',
  );
});
