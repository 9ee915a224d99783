/**
 * RegistryClient authentication against real docker-registry instances: htpasswd (Basic) over TLS with a
 * private CA, and distribution token auth (Bearer from a separate token server origin).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HttpConnectionError } from '../../../src/http/index.js';
import {
  RegistryAuthError,
  RegistryClient,
  type RegistryClientOptions,
  RegistryError,
} from '../../../src/registry/index.js';
import { Redactor } from '../../../src/secrets/redactor.js';
import { image, pushImage, streamDigest } from '../../support/registry-images.js';
import { type RegistryServer, startRegistryServer } from '../../support/registry-server.js';

describe('htpasswd (Basic) over TLS with a private CA', () => {
  let registry: RegistryServer;
  const clients: RegistryClient[] = [];
  const client = (options: Partial<RegistryClientOptions> = {}) => {
    const created = new RegistryClient({
      registry: registry.host,
      http: { caBundlePath: registry.caBundlePath },
      ...options,
    });
    clients.push(created);
    return created;
  };

  before(async () => {
    registry = await startRegistryServer({ auth: 'htpasswd', tls: true });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await registry?.stop();
  });

  test('the CA bundle makes TLS work; without it the certificate is refused', async () => {
    const untrusting = client({ http: { retry: { maxAttempts: 1 } } });
    await assert.rejects(untrusting.ping(), (error: unknown) => {
      assert.ok(error instanceof HttpConnectionError);
      assert.match(error.message, /TLS certificate .* could not be verified/);
      return true;
    });
  });

  test('anonymous: the Basic challenge is reported, and a pull fails with advice', async () => {
    const anonymous = client();
    assert.deepEqual(await anonymous.ping(), {
      ok: false,
      status: 401,
      apiVersion: 'registry/2.0',
      authScheme: 'basic',
    });
    await assert.rejects(anonymous.manifests.get('team/app', 'v1'), (error: unknown) => {
      assert.ok(error instanceof RegistryError);
      assert.equal(error.status, 401);
      assert.match(error.message, /no credentials were given/);
      return true;
    });
  });

  test('with credentials: Basic is sent after the first challenge; push and pull work', async () => {
    const redactor = new Redactor();
    const alice = client({ credentials: { username: 'alice', password: 'secret' }, redactor });
    assert.equal((await alice.ping()).ok, true);
    const img = image('basic');
    await pushImage(alice, 'team/basic', img, 'v1');
    const got = await alice.manifests.get('team/basic', 'v1');
    assert.ok(got.bytes.equals(img.bytes));
    const [first] = img.blobs;
    assert.ok(first);
    const blob = await alice.blobs.open('team/basic', first.digest);
    assert.equal((await streamDigest(blob.body)).digest, first.digest);
    assert.equal(redactor.redact('password secret'), 'password ***');
  });

  test('a wrong password is a 401 RegistryError that blames the credentials', async () => {
    const wrong = client({ credentials: { username: 'alice', password: 'nope' } });
    await assert.rejects(wrong.manifests.head('team/basic', 'v1'), (error: unknown) => {
      assert.ok(error instanceof RegistryError);
      assert.equal(error.status, 401);
      assert.match(error.message, /credentials may not read this repository/);
      assert.doesNotMatch(error.message, /nope/);
      return true;
    });
  });
});

describe('token auth (Bearer from a token server on another origin)', () => {
  let registry: RegistryServer;
  const clients: RegistryClient[] = [];
  const client = (options: Partial<RegistryClientOptions> = {}) => {
    const created = new RegistryClient({ registry: registry.host, scheme: 'http', ...options });
    clients.push(created);
    return created;
  };

  before(async () => {
    registry = await startRegistryServer({
      auth: 'token',
      users: { bob: 'hunter2', carol: 'carol-pass' },
      // carol may push to `carol/*` and read nothing else.
      grant: (user, repository, actions) =>
        user === undefined
          ? actions.filter((a) => a === 'pull')
          : user === 'carol' && !repository.startsWith('carol/')
            ? []
            : actions,
    });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await registry?.stop();
  });

  test('401 challenge → token from the realm with Basic → Bearer; tokens are cached per scope set', async () => {
    const bob = client({ credentials: { username: 'bob', password: 'hunter2' } });
    registry.tokenRequests.length = 0;
    const img = image('token');
    await pushImage(bob, 'team/token', img, 'v1');
    await bob.manifests.get('team/token', 'v1');
    await bob.manifests.head('team/token', 'v1');
    assert.equal(await bob.manifests.head('team/elsewhere', 'v1'), undefined);
    assert.equal(await bob.manifests.head('team/elsewhere', 'v2'), undefined);
    const asked = registry.tokenRequests.map((r) => `${r.user} ${r.scopes.join(' ')} ${r.status}`);
    // The push token (asked for by the destination's first HEAD) also serves the later pulls of that
    // repository; another repository needs its own token, fetched once.
    assert.deepEqual(asked, [
      'bob repository:team/token:pull,push 200',
      'bob repository:team/elsewhere:pull 200',
    ]);
  });

  test('anonymous callers may pull; a push is refused with a RegistryError that says why', async () => {
    const anonymous = client();
    const got = await anonymous.manifests.get('team/token', 'v1');
    assert.equal(got.kind, 'image');
    const [first] = image('anon').blobs;
    assert.ok(first);
    await assert.rejects(
      anonymous.uploads.upload('team/token', first.digest, first.size, first.data),
      (error: unknown) => {
        assert.ok(error instanceof RegistryError);
        assert.equal(error.status, 401);
        assert.equal(error.method, 'POST');
        assert.equal(error.code, 'UNAUTHORIZED');
        assert.match(error.message, /no credentials were given/);
        return true;
      },
    );
  });

  test('a mount asks for pull on the source repository in the same token', async () => {
    const bob = client({ credentials: { username: 'bob', password: 'hunter2' } });
    const img = image('shared');
    await pushImage(bob, 'team/base', img);
    const [first] = img.blobs;
    assert.ok(first);
    registry.tokenRequests.length = 0;
    assert.deepEqual(await bob.uploads.mount('team/derived', first.digest, 'team/base'), {
      mounted: true,
      digest: first.digest,
    });
    assert.deepEqual(
      registry.tokenRequests.map((r) => r.scopes),
      [['repository:team/base:pull', 'repository:team/derived:pull,push']],
    );
  });

  test('a mount the token may not read from falls back to an upload session', async () => {
    const carol = client({ credentials: { username: 'carol', password: 'carol-pass' } });
    const [first] = image('shared').blobs;
    assert.ok(first);
    const result = await carol.uploads.mount('carol/app', first.digest, 'team/base');
    assert.equal(result.mounted, false);
    if (!result.mounted) await carol.uploads.complete(result.session, first.digest, first.size, first.data);
    assert.deepEqual(await carol.blobs.head('carol/app', first.digest), {
      digest: first.digest,
      size: first.size,
    });
  });

  test('wrong credentials fail at the token endpoint with a RegistryAuthError, password never shown', async () => {
    const wrong = client({ credentials: { username: 'bob', password: 'not-hunter2' } });
    await assert.rejects(wrong.manifests.head('team/token', 'v1'), (error: unknown) => {
      assert.ok(error instanceof RegistryAuthError);
      assert.equal(error.status, 401);
      assert.match(
        error.message,
        /getting a token for repository:team\/token:pull from http:\/\/127\.0\.0\.1:\d+\/token/,
      );
      assert.match(error.message, /refused the credentials of user "bob"/);
      assert.doesNotMatch(error.message, /not-hunter2/);
      return true;
    });
  });
});
