import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type QuayEmulator, startQuayEmulator } from '../support/quay-emulator/index.js';
import { actions, type QuayFixture, quayFixture, reportOf } from '../support/quay-fixture.js';

/**
 * proxycache as a process against the Quay emulator, whose validate endpoint contacts the upstream's
 * /v2/ as Quay does: the upstreams are two more emulators on loopback (allowed by SSRF_ALLOWED_HOSTS).
 */
describe('proxycache against an emulated Quay', () => {
  let fx: QuayFixture;
  let upstreamA: QuayEmulator;
  let upstreamB: QuayEmulator;

  before(async () => {
    fx = await quayFixture({ features: { proxyCache: true }, ssrfAllowedHosts: ['127.0.0.1'] });
    upstreamA = await startQuayEmulator();
    upstreamB = await startQuayEmulator();
    upstreamA.seed.user('upstream-user', { password: 'upstream-password' });
    fx.quay.seed.org('cache-a', { owner: 'admin' });
    fx.quay.seed.org('cache-c', { owner: 'admin' });
  });
  after(async () => {
    await fx.quay.close();
    await upstreamA.close();
    await upstreamB.close();
  });

  const cacheOf = (org: string) => fx.quay.state.orgs.get(org)?.proxyCache ?? null;

  function config(caches: string, extra = ''): string {
    return fx.config(`proxycache:\n${extra}  caches:\n${caches}`);
  }
  const initial =
    () => `    - {organization: cache-a, upstreamRegistry: "${upstreamA.host}", insecure: true, username: {env: UP_USER}, password: {env: UP_PASSWORD}}
    - {organization: cache-b, upstreamRegistry: "${upstreamA.host}", insecure: true, expirationSeconds: 3600}
`;
  const env = { UP_USER: 'upstream-user', UP_PASSWORD: 'upstream-password' };

  test('--dry-run plans and changes nothing', async () => {
    const result = await fx.run(
      'proxycache',
      ['--config', config(initial()), '--dry-run', '--output', 'json'],
      env,
    );
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(actions(reportOf(result)), {
      'proxycache/cache-a': 'planned',
      'proxycache/cache-b': 'planned',
    });
    assert.equal(cacheOf('cache-a'), null);
    assert.equal(fx.quay.state.orgs.has('cache-b'), false);
  });

  test('creates the configurations (and the missing organization), validated first', async () => {
    const result = await fx.run('proxycache', ['--config', config(initial()), '--output', 'json'], env);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(actions(reportOf(result)), {
      'proxycache/cache-a': 'created',
      'org/cache-b': 'created',
      'proxycache/cache-b': 'created',
    });
    assert.deepEqual(cacheOf('cache-a'), {
      upstreamRegistry: upstreamA.host,
      username: 'upstream-user',
      password: 'upstream-password',
      expirationS: 86400,
      insecure: true,
    });
    assert.equal(cacheOf('cache-b')?.expirationS, 3600);
    assert.equal(
      fx.quay.requestsTo({ method: 'POST', path: '/api/v1/organization/cache-a/validateproxycache' }).length,
      1,
    );
    assert.ok(!result.stderr.includes('upstream-password'));
  });

  test('a second run reports no change', async () => {
    const result = await fx.run('proxycache', ['--config', config(initial()), '--output', 'json'], env);
    assert.equal(result.exitCode, 0, result.stderr);
    const report = reportOf(result);
    assert.equal(report.changed, 0);
    assert.deepEqual(actions(report), {
      'proxycache/cache-a': 'unchanged',
      'proxycache/cache-b': 'unchanged',
    });
  });

  test('a different configuration is a conflict for that organization only; the others go on', async () => {
    const changed = `    - {organization: cache-a, upstreamRegistry: "${upstreamB.host}", insecure: true}
    - {organization: cache-c, upstreamRegistry: "${upstreamB.host}", insecure: true}
`;
    const result = await fx.run('proxycache', ['--config', config(changed), '--output', 'json']);
    assert.equal(result.exitCode, 1);
    const report = reportOf(result);
    assert.deepEqual(actions(report), { 'proxycache/cache-a': 'failed', 'proxycache/cache-c': 'created' });
    assert.match(
      report.items[0]?.error ?? '',
      new RegExp(
        `conflict: a different proxy cache is configured \\(upstream ${upstreamA.host} → ${upstreamB.host}\\); set overwrite: true`,
      ),
    );
    assert.equal(cacheOf('cache-a')?.upstreamRegistry, upstreamA.host, 'left as it was');
    assert.equal(cacheOf('cache-c')?.upstreamRegistry, upstreamB.host);
  });

  test('--overwrite-proxycache (the original flag) replaces it', async () => {
    const changed = `    - {organization: cache-a, upstreamRegistry: "${upstreamB.host}", insecure: true}\n`;
    const result = await fx.run('proxycache', [
      '--config',
      config(changed),
      '--overwrite-proxycache',
      '--output',
      'json',
    ]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(actions(reportOf(result)), { 'proxycache/cache-a': 'updated' });
    assert.equal(cacheOf('cache-a')?.upstreamRegistry, upstreamB.host);
  });

  test('wrong upstream credentials: validation fails before anything is created', async () => {
    const bad = `    - {organization: cache-e, upstreamRegistry: "${upstreamA.host}", insecure: true, username: upstream-user, password: wrong-password}\n`;
    const result = await fx.run('proxycache', ['--config', config(bad), '--output', 'json']);
    assert.equal(result.exitCode, 1);
    const item = reportOf(result).items.find((i) => i.ref === 'proxycache/cache-e');
    assert.match(
      item?.error ?? '',
      /→ 400 Bad Request: Failed login to remote registry\. Please verify entered details and try again\.$/,
    );
    assert.equal(cacheOf('cache-e'), null);
  });

  test('an upstream Quay cannot reach: validation fails before anything is created', async () => {
    const bad = `    - {organization: cache-d, upstreamRegistry: "127.0.0.1:9", insecure: true}\n`;
    const result = await fx.run('proxycache', ['--config', config(bad), '--output', 'json']);
    assert.equal(result.exitCode, 1);
    const item = reportOf(result).items.find((i) => i.ref === 'proxycache/cache-d');
    assert.match(
      item?.error ?? '',
      /Quay rejected the upstream settings: POST \/api\/v1\/organization\/cache-d\/validateproxycache → 400 Bad Request: Failed to validate Proxy cache configuration/,
    );
    assert.equal(cacheOf('cache-d'), null);
  });

  test('state: absent deletes; the next run finds it absent', async () => {
    const absent = '    - {organization: cache-c, upstreamRegistry: x.example.com, state: absent}\n';
    const first = await fx.run('proxycache', ['--config', config(absent), '--output', 'json']);
    assert.deepEqual(actions(reportOf(first)), { 'proxycache/cache-c': 'deleted' });
    assert.equal(cacheOf('cache-c'), null);
    const second = await fx.run('proxycache', ['--config', config(absent), '--output', 'json']);
    assert.deepEqual(actions(reportOf(second)), { 'proxycache/cache-c': 'unchanged' });
  });

  test('with the proxy-cache feature off, Quay answers 404 and the user is told', async () => {
    fx.quay.features.proxyCache = false;
    try {
      const result = await fx.run('proxycache', ['--config', config(initial()), '--output', 'json'], env);
      assert.equal(result.exitCode, 1);
      assert.match(
        reportOf(result).items[0]?.error ?? '',
        /GET \/api\/v1\/organization\/cache-a\/proxycache → 404 Not Found/,
      );
    } finally {
      fx.quay.features.proxyCache = true;
    }
  });
});
