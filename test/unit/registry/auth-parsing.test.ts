/** Pure parts of registry auth: WWW-Authenticate, scopes, Link headers, and credential files. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { credentialFileCandidates, findRegistryCredentials } from '../../../src/credentials/index.js';
import {
  mergeScopes,
  nextLink,
  parseScope,
  parseWwwAuthenticate,
  scopesCover,
} from '../../../src/registry/index.js';
import { Redactor } from '../../../src/secrets/redactor.js';
import { tempDir } from '../../support/temp.js';

describe('parseWwwAuthenticate', () => {
  test('Quay and distribution Bearer challenges', () => {
    assert.deepEqual(
      parseWwwAuthenticate(
        'Bearer realm="https://quay.example.com/v2/auth",service="quay.example.com",scope="repository:acme/app:pull,push"',
      ),
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://quay.example.com/v2/auth',
            service: 'quay.example.com',
            scope: 'repository:acme/app:pull,push',
          },
        },
      ],
    );
    const [insufficient] = parseWwwAuthenticate(
      'Bearer realm="http://t/token",service="s",scope="repository:a:pull,push repository:b:pull",error="insufficient_scope"',
    );
    assert.equal(insufficient?.params.scope, 'repository:a:pull,push repository:b:pull');
    assert.equal(insufficient?.params.error, 'insufficient_scope');
  });

  test('several challenges, spacing, tokens and escapes', () => {
    assert.deepEqual(
      parseWwwAuthenticate(['Basic realm="basic-realm"', 'Bearer  realm = "r" , service=svc']),
      [
        { scheme: 'basic', params: { realm: 'basic-realm' } },
        { scheme: 'bearer', params: { realm: 'r', service: 'svc' } },
      ],
    );
    assert.deepEqual(parseWwwAuthenticate('Bearer realm="a\\"b", Basic realm="x"'), [
      { scheme: 'bearer', params: { realm: 'a"b' } },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
    assert.deepEqual(parseWwwAuthenticate('Basic'), [{ scheme: 'basic', params: {} }]);
    assert.deepEqual(parseWwwAuthenticate(undefined), []);
  });
});

describe('scopes', () => {
  test('parseScope keeps colons of a host:port in the name', () => {
    assert.deepEqual(parseScope('repository:host:5000/a/b:pull,push'), {
      type: 'repository',
      name: 'host:5000/a/b',
      actions: ['pull', 'push'],
    });
    assert.equal(parseScope('nonsense'), undefined);
  });

  test('mergeScopes unites actions per resource into a canonical list', () => {
    assert.deepEqual(mergeScopes(['repository:a:pull'], ['repository:b:pull repository:a:push', undefined]), [
      'repository:a:pull,push',
      'repository:b:pull',
    ]);
    assert.deepEqual(mergeScopes([]), []);
  });

  test('scopesCover: more actions on the same resources cover fewer', () => {
    assert.ok(scopesCover(['repository:a:pull,push'], ['repository:a:pull']));
    assert.ok(scopesCover(['repository:a:*'], ['repository:a:push']));
    assert.ok(!scopesCover(['repository:a:pull'], ['repository:a:pull,push']));
    assert.ok(!scopesCover(['repository:a:pull,push'], ['repository:b:pull']));
    assert.ok(scopesCover(['repository:a:pull'], []));
  });
});

describe('nextLink', () => {
  test('finds rel="next" among links and values', () => {
    assert.equal(nextLink('</v2/a/tags/list?n=2&last=b>; rel="next"'), '/v2/a/tags/list?n=2&last=b');
    assert.equal(nextLink(['<https://x/prev>; rel="prev"', '<https://x/next>; rel=next']), 'https://x/next');
    assert.equal(nextLink('<https://x/1>; rel="prev", <https://x/2>; title="t"; rel="next"'), 'https://x/2');
    assert.equal(nextLink('<https://x/1>; rel="prev"'), undefined);
    assert.equal(nextLink(undefined), undefined);
  });
});

describe('findRegistryCredentials', () => {
  const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

  test('search order: given files, REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, DOCKER_CONFIG, ~/.docker', () => {
    assert.deepEqual(
      credentialFileCandidates({
        files: ['/given/auth.json'],
        env: { REGISTRY_AUTH_FILE: '/r/auth.json', XDG_RUNTIME_DIR: '/run/user/0', DOCKER_CONFIG: '/dc' },
        homeDir: '/home/u',
      }),
      [
        '/given/auth.json',
        '/r/auth.json',
        '/run/user/0/containers/auth.json',
        '/dc/config.json',
        '/home/u/.docker/config.json',
      ],
    );
  });

  test('matches by host (any scheme or /v1/ suffix); the first file with an entry wins', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'run', 'containers'), { recursive: true });
    mkdirSync(join(dir, 'home', '.docker'), { recursive: true });
    writeFileSync(
      join(dir, 'run', 'containers', 'auth.json'),
      JSON.stringify({ auths: { 'other.example': { auth: basic('x', 'y') } } }),
    );
    writeFileSync(
      join(dir, 'home', '.docker', 'config.json'),
      JSON.stringify({
        auths: {
          'https://quay.example.com:8443/v1/': { auth: basic('robot+ci', 'tok:with:colons') },
          'https://index.docker.io/v1/': { username: 'hub', password: 'hubpass' },
        },
      }),
    );
    const redactor = new Redactor();
    const options = { env: { XDG_RUNTIME_DIR: join(dir, 'run') }, homeDir: join(dir, 'home'), redactor };
    const found = findRegistryCredentials('quay.example.com:8443', 'acme/app', options);
    assert.deepEqual(found, {
      username: 'robot+ci',
      password: 'tok:with:colons',
      file: join(dir, 'home', '.docker', 'config.json'),
      key: 'https://quay.example.com:8443/v1/',
    });
    assert.equal(redactor.redact('tok:with:colons'), '***');
    assert.equal(findRegistryCredentials('docker.io', 'library/nginx', options)?.username, 'hub');
    assert.equal(findRegistryCredentials('other.example', undefined, options)?.username, 'x');
    assert.equal(
      findRegistryCredentials('quay.example.com', undefined, options),
      undefined,
      'the port matters',
    );
  });

  test('the most specific repository key wins; a Tekton workspace directory is searched', () => {
    const dir = tempDir();
    const workspace = join(dir, 'dockerconfig');
    mkdirSync(workspace);
    writeFileSync(
      join(workspace, '.dockerconfigjson'),
      JSON.stringify({
        auths: {
          'quay.io': { auth: basic('org-wide', 'a') },
          'quay.io/acme': { auth: basic('acme-robot', 'b') },
          'quay.io/acme/app': { auth: basic('app-robot', 'c') },
          'quay.io/identity': { identitytoken: 'refresh-token' },
        },
      }),
    );
    const options = { files: [workspace], env: {}, homeDir: dir };
    assert.equal(findRegistryCredentials('quay.io', 'acme/app', options)?.username, 'app-robot');
    assert.equal(findRegistryCredentials('quay.io', 'acme/other', options)?.username, 'acme-robot');
    assert.equal(findRegistryCredentials('quay.io', 'acmeish/app', options)?.username, 'org-wide');
    assert.equal(findRegistryCredentials('quay.io', 'identity/app', options)?.username, 'org-wide');
  });

  test('broken files are errors that name the file; a missing given file too', () => {
    const dir = tempDir();
    const broken = join(dir, 'auth.json');
    writeFileSync(broken, '{"auths": ');
    assert.throws(
      () => findRegistryCredentials('q.io', undefined, { files: [broken], env: {}, homeDir: dir }),
      {
        message: new RegExp(`registry credentials file ${broken} is not valid JSON`),
      },
    );
    const badAuth = join(dir, 'bad-auth.json');
    writeFileSync(badAuth, JSON.stringify({ auths: { 'q.io': { auth: basic('', 'x').slice(0, 2) } } }));
    assert.throws(
      () => findRegistryCredentials('q.io', undefined, { files: [badAuth], env: {}, homeDir: dir }),
      /the "auth" of "q\.io" is not base64 of "user:password"/,
    );
    const missing = join(dir, 'nope.json');
    assert.throws(
      () => findRegistryCredentials('q.io', undefined, { files: [missing], env: {}, homeDir: dir }),
      /nope\.json cannot be read \(ENOENT\)/,
    );
    assert.equal(findRegistryCredentials('q.io', undefined, { env: {}, homeDir: dir }), undefined);
  });
});
