import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { QuayClient } from '../../src/quay/client.js';
import { QuayApiError } from '../../src/quay/errors.js';
import { Redactor } from '../../src/secrets/redactor.js';
import { type QuayEmulator, startQuayEmulator } from '../support/quay-emulator/index.js';

/** The Quay client reads every page of Quay's lists, and its errors say what Quay said. */
describe('QuayClient against the emulator', () => {
  let quay: QuayEmulator;
  let client: QuayClient;
  let token: string;

  before(async () => {
    quay = await startQuayEmulator({ superUsers: ['admin'] });
    token = quay.seed.userWithToken('admin').token;
    client = new QuayClient({ url: quay.url, token, redactor: new Redactor() });
  });
  after(async () => {
    await client.close();
    await quay.close();
  });

  test('repositories: all 250 of a namespace, through next_page (100 a page)', async () => {
    quay.seed.org('big', { owner: 'admin' });
    for (let i = 0; i < 250; i++) quay.seed.repo(`big/repo-${String(i).padStart(3, '0')}`);
    const repos = await client.listRepositories('big');
    assert.equal(repos.length, 250);
    assert.equal(new Set(repos.map((r) => r.name)).size, 250);
    assert.equal(quay.requestsTo({ method: 'GET', path: '/api/v1/repository' }).length, 3);
  });

  test('tags: the 120 active of 150 rows (30 deleted), through page/has_additional', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `v1.${i}`);
    await quay.seed.pushImage('big/repo-000', names);
    for (const name of names.slice(0, 30)) quay.seed.deleteTag('big/repo-000', name);
    const tags = await client.listActiveTags('big', 'repo-000');
    assert.equal(tags.length, 120);
    assert.deepEqual(new Set(tags.map((t) => t.name)), new Set(names.slice(30)));
    assert.ok(tags.every((t) => t.manifest_digest?.startsWith('sha256:')));
    const calls = quay.requestsTo({ method: 'GET', path: '/api/v1/repository/big/repo-000/tag/' });
    assert.equal(calls.length, 2);
  });

  test('organizations (superuser listing): all of them, through next_page', async () => {
    for (let i = 0; i < 130; i++) quay.seed.org(`org-${i}`, { owner: 'admin' });
    const orgs = await client.listAllOrganizations();
    assert.ok(orgs.length >= 131);
    assert.ok(orgs.includes('org-129') && orgs.includes('big'));
  });

  test('an error carries method, path, status and Quay message, never the token', async () => {
    const error = await client.createOrganization('big').then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof QuayApiError);
    assert.equal(error.status, 400);
    assert.equal(
      error.message,
      'POST /api/v1/organization/ → 400 Bad Request: A user or organization with this name already exists',
    );
    assert.ok(!error.message.includes(token));
  });

  test('a missing robot is undefined (Quay answers 400, not 404)', async () => {
    assert.equal(await client.getRobot({ organization: 'big' }, 'nobody'), undefined);
  });

  test('a write with a bad token: the CSRF-style 403 is explained', async () => {
    const bad = new QuayClient({
      url: quay.url,
      token: 'BADTOKEN000000000000000000000000000000000',
      redactor: new Redactor(),
    });
    try {
      const error = await bad.createOrganization('newone').then(
        () => assert.fail('expected an error'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof QuayApiError);
      assert.equal(error.status, 403);
      assert.match(
        error.message,
        /CSRF token was invalid or missing\. — Quay did not accept the bearer token/,
      );
    } finally {
      await bad.close();
    }
  });
});
