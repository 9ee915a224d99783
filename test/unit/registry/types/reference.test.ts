import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  formatReference,
  InvalidReferenceError,
  manifestReferenceOf,
  parseReference,
} from '../../../../src/registry/index.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  test('host, port, nested path, tag and digest', () => {
    assert.deepEqual(parseReference(`quay.example.com:8443/team/sub/app:v1.2@${DIGEST}`), {
      registry: 'quay.example.com:8443',
      repository: 'team/sub/app',
      tag: 'v1.2',
      digest: DIGEST,
    });
    assert.deepEqual(parseReference('127.0.0.1:5000/app'), {
      registry: '127.0.0.1:5000',
      repository: 'app',
      tag: 'latest',
      digest: undefined,
    });
    assert.deepEqual(parseReference(`localhost/app@${DIGEST}`), {
      registry: 'localhost',
      repository: 'app',
      tag: undefined,
      digest: DIGEST,
    });
    assert.equal(parseReference('[::1]:5000/app:v1').registry, '[::1]:5000');
  });

  test('defaults: Docker Hub with library/, tag latest; a default registry; no default tag', () => {
    assert.deepEqual(parseReference('nginx'), {
      registry: 'docker.io',
      repository: 'library/nginx',
      tag: 'latest',
      digest: undefined,
    });
    assert.equal(parseReference('index.docker.io/team/app').registry, 'docker.io');
    assert.deepEqual(parseReference('team/app:v1', { defaultRegistry: 'quay.example.com' }), {
      registry: 'quay.example.com',
      repository: 'team/app',
      tag: 'v1',
      digest: undefined,
    });
    assert.equal(parseReference('quay.io/team/app', { defaultTag: null }).tag, undefined);
  });

  test('a first component without dot, port or "localhost" is part of the path', () => {
    assert.deepEqual(parseReference('team/app', { defaultRegistry: 'r.example' }).repository, 'team/app');
    assert.equal(parseReference('Quay/team/app').registry, 'quay', 'upper case means a host');
  });

  test('round trip through formatReference', () => {
    for (const text of [
      'quay.example.com/team/app:v1',
      `quay.example.com/team/app@${DIGEST}`,
      `quay.example.com:443/a/b/c:t@${DIGEST}`,
    ]) {
      assert.equal(formatReference(parseReference(text, { defaultTag: null })), text);
    }
    assert.equal(manifestReferenceOf(parseReference(`r.example/a:t@${DIGEST}`)), DIGEST);
    assert.equal(manifestReferenceOf(parseReference('r.example/a:t')), 't');
  });

  const invalid: [string, RegExp][] = [
    ['', /it is empty/],
    ['quay.io/team app', /white space/],
    ['quay.io/Team/App', /upper-case letters; repository names are lower-case/],
    ['quay.io/team//app', /empty path component/],
    ['quay.io/team/app/', /empty path component/],
    ['quay.io/team/-app', /path component "-app" is not allowed/],
    ['quay.io/team/app:', /tag after ":" is empty/],
    ['quay.io/team/app:-bad', /tag "-bad" is not allowed/],
    [`quay.io/team/app:${'t'.repeat(129)}`, /longer than 128 characters/],
    ['quay.io/team/app@sha256:abc', /must have 64 lower-case hex characters/],
    [`quay.io/team/app@sha512:${'a'.repeat(128)}`, /algorithm "sha512" is not supported/],
    ['quay.io/team/app@latest', /is not "algorithm:hex"/],
    ['quay.io:99999/team/app', /port "99999" is not a number from 1 to 65535/],
    ['bad_host.io/team/app', /registry host "bad_host.io" is not a host name/],
    [`quay.io/${'a'.repeat(250)}`, /longer than 255 characters/],
  ];
  for (const [input, message] of invalid) {
    test(`refuses ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`, () => {
      assert.throws(
        () => parseReference(input),
        (error: unknown) => {
          assert.ok(error instanceof InvalidReferenceError);
          assert.match(error.message, message);
          assert.equal(error.input, input);
          return true;
        },
      );
    });
  }
});
