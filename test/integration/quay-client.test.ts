import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { QuayClient } from '../../src/quay/client.js';
import { QuayApiError } from '../../src/quay/errors.js';
import { Redactor } from '../../src/secrets/redactor.js';
import { type QuayEmulator, startQuayEmulator } from '../support/quay-emulator/index.js';
import { waitUntil } from '../support/wait-until.js';

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

  test('tags: a tag re-pushed while the pages are read is not missed (Quay pages by offset, newest first)', async () => {
    quay.seed.org('race', { owner: 'admin' });
    const names = Array.from({ length: 150 }, (_, i) => `t${String(i).padStart(3, '0')}`);
    // t000–t049 a second older than the rest: newest first, they are page 2 whatever the clock's resolution.
    await quay.seed.pushImage('race/app', names.slice(0, 50));
    quay.advanceTime(1);
    await quay.seed.pushImage('race/app', names.slice(50));
    const page2 = /\/api\/v1\/repository\/race\/app\/tag\/\?.*page=2/;
    let release = () => {};
    const held = quay.faults.add({
      path: page2,
      action: {
        type: 'hold',
        until: new Promise<void>((r) => {
          release = r;
        }),
      },
    });
    const listing = client.listActiveTags('race', 'app');
    await waitUntil('the second page to be asked for', () => held.hits === 1);
    // Between the two pages: t000 (on page 2, not read yet) is pushed again and moves above page
    // 1's rows, which all shift down by one.
    quay.advanceTime(5);
    const repushed = await quay.seed.pushImage('race/app', ['t000'], { layers: ['t000 again'] });
    release();
    const tags = await listing;
    assert.equal(tags.length, 150);
    assert.equal(new Set(tags.map((t) => t.name)).size, 150);
    assert.equal(tags.find((t) => t.name === 't000')?.manifest_digest, repushed.digest);
    // The first reading saw the row at the edge of page 1 twice and t000 not at all; it was read once more.
    assert.equal(quay.requestsTo({ method: 'GET', path: '/api/v1/repository/race/app/tag/' }).length, 4);
  });

  test('tags: findActiveTag asks for one tag (specificTag) and says when it is gone', async () => {
    await quay.seed.pushImage('race/one', ['kept', 'gone']);
    quay.seed.deleteTag('race/one', 'gone');
    assert.equal((await client.findActiveTag('race', 'one', 'kept'))?.name, 'kept');
    assert.equal(await client.findActiveTag('race', 'one', 'gone'), undefined);
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
