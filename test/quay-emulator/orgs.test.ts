/** quay-api.md §4: organizations create/get/update/delete and the superuser listing. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { assertShapeA, call, quayFor } from './_http.js';

test('§4.1 create: 201 "Created", the creator is the only member of team owners (role admin)', async (t) => {
  const quay = await quayFor(t);
  const { token } = quay.seed.userWithToken('alice');
  const reply = await call(quay, 'POST', '/api/v1/organization/', {
    token,
    body: { name: 'acme', email: 'ops@acme.io' },
  });
  assert.equal(reply.status, 201);
  assert.equal(reply.text, '"Created"\n');
  const org = quay.state.orgs.get('acme');
  assert.ok(org);
  assert.equal(org.email, 'ops@acme.io');
  assert.deepEqual([...org.teams.keys()], ['owners']);
  assert.equal(org.teams.get('owners')?.role, 'admin');
  assert.deepEqual([...(org.teams.get('owners')?.members ?? [])], ['alice']);
});

test('§4.1 create without email stores a random UUID; contact_email takes precedence over email', async (t) => {
  const quay = await quayFor(t);
  const { token } = quay.seed.userWithToken('alice');
  await call(quay, 'POST', '/api/v1/organization/', { token, body: { name: 'noemail' } });
  assert.match(quay.state.orgs.get('noemail')?.email ?? '', /^[0-9a-f-]{36}$/);
  await call(quay, 'POST', '/api/v1/organization/', {
    token,
    body: { name: 'both', email: 'a@x.io', contact_email: 'c@x.io' },
  });
  assert.equal(quay.state.orgs.get('both')?.email, 'c@x.io');
});

test('§4.1 existing user or org name: 400 "A user or organization with this name already exists"', async (t) => {
  const quay = await quayFor(t);
  const { token } = quay.seed.userWithToken('alice');
  quay.seed.org('acme');
  for (const name of ['acme', 'alice']) {
    const reply = await call(quay, 'POST', '/api/v1/organization/', { token, body: { name } });
    assertShapeA(quay, reply, 400, 'invalid_request', 'A user or organization with this name already exists');
  }
});

test('§4.1 invalid names and emails: 400 shape A', async (t) => {
  const quay = await quayFor(t);
  const { token } = quay.seed.userWithToken('alice');
  const bad = await call(quay, 'POST', '/api/v1/organization/', { token, body: { name: 'Bad Org' } });
  assertShapeA(
    quay,
    bad,
    400,
    'invalid_request',
    'Invalid namespace Bad Org: Namespace must match expression ^([a-z0-9]+(?:[._-][a-z0-9]+)*)$',
  );
  const email = await call(quay, 'POST', '/api/v1/organization/', {
    token,
    body: { name: 'okname', email: 'nope' },
  });
  assertShapeA(quay, email, 400, 'invalid_request', 'Invalid email address');
  const missing = await call(quay, 'POST', '/api/v1/organization/', { token, body: {} });
  assertShapeA(quay, missing, 400, 'invalid_request');
  assert.equal(quay.state.orgs.size, 0);
});

test('§4.2 get: fields depend on the caller (anonymous, member, admin); users and unknown names are 404', async (t) => {
  const quay = await quayFor(t);
  quay.seed.user('owner');
  quay.seed.user('member');
  quay.seed.org('acme', { owner: 'owner', email: 'ops@acme.io' });
  quay.seed.team('acme', 'devs', { role: 'member', members: ['member'] });
  const anon = (await call(quay, 'GET', '/api/v1/organization/acme')).json as Record<string, unknown>;
  assert.deepEqual(Object.keys(anon).sort(), ['avatar', 'email', 'is_admin', 'is_member', 'name']);
  assert.equal(anon.email, '');
  assert.equal((anon.avatar as { kind: string }).kind, 'org');
  const member = (await call(quay, 'GET', '/api/v1/organization/acme', { token: quay.seed.token('member') }))
    .json as Record<string, unknown>;
  assert.equal(member.is_member, true);
  assert.equal(member.is_admin, false);
  assert.equal(member.email, '');
  assert.deepEqual(member.ordered_teams, ['owners', 'devs']);
  assert.equal((member.teams as Record<string, { member_count: number }>).devs?.member_count, 1);
  assert.equal('tag_expiration_s' in member, false);
  const admin = (await call(quay, 'GET', '/api/v1/organization/acme', { token: quay.seed.token('owner') }))
    .json as Record<string, unknown>;
  assert.equal(admin.is_admin, true);
  assert.equal(admin.email, 'ops@acme.io');
  assert.equal(admin.tag_expiration_s, 1209600);
  assertShapeA(quay, await call(quay, 'GET', '/api/v1/organization/owner'), 404, 'not_found');
  assertShapeA(quay, await call(quay, 'GET', '/api/v1/organization/ghost'), 404, 'not_found');
});

test('§4.3 update: org:admin changes email and tag_expiration_s, returns the org view', async (t) => {
  const quay = await quayFor(t);
  quay.seed.user('owner');
  quay.seed.org('acme', { owner: 'owner' });
  const reply = await call(quay, 'PUT', '/api/v1/organization/acme', {
    token: quay.seed.token('owner', 'org:admin'),
    body: { email: 'new@acme.io', tag_expiration_s: 3600 },
  });
  assert.equal(reply.status, 200);
  assert.equal((reply.json as { name: string }).name, 'acme');
  assert.equal(quay.state.orgs.get('acme')?.email, 'new@acme.io');
  assert.equal(quay.state.orgs.get('acme')?.tagExpirationS, 3600);
  const noScope = await call(quay, 'PUT', '/api/v1/organization/acme', {
    token: quay.seed.token('owner', 'repo:admin'),
    body: { email: 'x@acme.io' },
  });
  assertShapeA(quay, noScope, 403, 'insufficient_scope');
  const negative = await call(quay, 'PUT', '/api/v1/organization/acme', {
    token: quay.seed.token('owner', 'org:admin'),
    body: { tag_expiration_s: -1 },
  });
  assertShapeA(quay, negative, 400, 'invalid_request');
});

test('§4.4 delete: 204, the name stays reserved ("Username is not available") until the namespace GC', async (t) => {
  const quay = await quayFor(t);
  const { token } = quay.seed.userWithToken('owner');
  quay.seed.org('acme', { owner: 'owner' });
  quay.seed.repo('acme/app');
  quay.seed.robot('acme', 'bot');
  const del = await call(quay, 'DELETE', '/api/v1/organization/acme', { token });
  assert.equal(del.status, 204);
  assert.equal(del.text, '');
  assert.equal(quay.state.orgs.has('acme'), false);
  assert.equal(quay.state.repos.size, 0);
  assert.equal(quay.state.robots.size, 0);
  assertShapeA(quay, await call(quay, 'GET', '/api/v1/organization/acme', { token }), 404, 'not_found');
  const again = await call(quay, 'POST', '/api/v1/organization/', { token, body: { name: 'acme' } });
  assertShapeA(quay, again, 400, 'invalid_request', 'Username is not available');
  quay.purgeDeletedNamespaces();
  assert.equal(
    (await call(quay, 'POST', '/api/v1/organization/', { token, body: { name: 'acme' } })).status,
    201,
  );
});

test('§4.4 delete of an unknown org: 403 for a non-admin first, 404 for a superuser', async (t) => {
  const quay = await quayFor(t, { superUsers: ['root'] });
  quay.seed.user('alice');
  quay.seed.user('root');
  quay.seed.org('acme', { owner: 'root' });
  const alice = quay.seed.token('alice');
  assertShapeA(
    quay,
    await call(quay, 'DELETE', '/api/v1/organization/ghost', { token: alice }),
    403,
    'insufficient_scope',
  );
  assertShapeA(
    quay,
    await call(quay, 'DELETE', '/api/v1/organization/acme', { token: alice }),
    403,
    'insufficient_scope',
  );
  assertShapeA(
    quay,
    await call(quay, 'DELETE', '/api/v1/organization/ghost', { token: quay.seed.token('root') }),
    404,
    'not_found',
  );
  assert.ok(quay.state.orgs.has('acme'));
});

test('§4.5 superuser listing: all orgs without limit; keyset paging with next_page when limit is given', async (t) => {
  const quay = await quayFor(t, { superUsers: ['root'] });
  quay.seed.user('root');
  const token = quay.seed.token('root');
  const names = ['o1', 'o2', 'o3', 'o4', 'o5'];
  for (const n of names) quay.seed.org(n);
  const all = (await call(quay, 'GET', '/api/v1/superuser/organizations/', { token })).json as {
    organizations: { name: string; email: string; avatar: unknown }[];
    next_page?: string;
  };
  assert.deepEqual(
    all.organizations.map((o) => o.name),
    names,
  );
  assert.equal('next_page' in all, false);
  assert.match(all.organizations[0]?.email ?? '', /^[0-9a-f-]{36}$/, 'email is the raw stored UUID');
  const seen: string[] = [];
  let next: string | undefined;
  let pages = 0;
  do {
    const q = new URLSearchParams({ limit: '2' });
    if (next) q.set('next_page', next);
    const page = (await call(quay, 'GET', `/api/v1/superuser/organizations/?${q}`, { token })).json as {
      organizations: { name: string }[];
      next_page?: string;
    };
    seen.push(...page.organizations.map((o) => o.name));
    next = page.next_page;
    pages += 1;
  } while (next);
  assert.deepEqual(seen, names);
  assert.equal(pages, 3);
});

test('§4.5 superuser listing: limit above 100 → 400; a bad next_page silently means page 1 (§7.6)', async (t) => {
  const quay = await quayFor(t, { superUsers: ['root'] });
  quay.seed.user('root');
  const token = quay.seed.token('root');
  quay.seed.org('o1');
  quay.seed.org('o2');
  assertShapeA(
    quay,
    await call(quay, 'GET', '/api/v1/superuser/organizations/?limit=101', { token }),
    400,
    'invalid_request',
    'Page limit cannot be above 100',
  );
  const bad = (
    await call(quay, 'GET', '/api/v1/superuser/organizations/?limit=1&next_page=garbage', { token })
  ).json as { organizations: { name: string }[]; next_page?: string };
  assert.deepEqual(
    bad.organizations.map((o) => o.name),
    ['o1'],
  );
  assert.equal(typeof bad.next_page, 'string');
  // A token older than 2 days is also treated as page 1.
  quay.advanceTime(2 * 24 * 3600 + 1);
  const stale = (
    await call(quay, 'GET', `/api/v1/superuser/organizations/?limit=1&next_page=${bad.next_page}`, { token })
  ).json as { organizations: { name: string }[] };
  assert.deepEqual(
    stale.organizations.map((o) => o.name),
    ['o1'],
  );
});

test('§4.5 deleted orgs are excluded from the superuser listing', async (t) => {
  const quay = await quayFor(t, { superUsers: ['root'] });
  quay.seed.user('root');
  const token = quay.seed.token('root');
  quay.seed.org('keep', { owner: 'root' });
  quay.seed.org('gone', { owner: 'root' });
  assert.equal((await call(quay, 'DELETE', '/api/v1/organization/gone', { token })).status, 204);
  const list = (await call(quay, 'GET', '/api/v1/superuser/organizations/', { token })).json as {
    organizations: { name: string }[];
  };
  assert.deepEqual(
    list.organizations.map((o) => o.name),
    ['keep'],
  );
});

test('§4.5 verify_not_prod: 404 when SERVER_HOSTNAME contains quay.io', async (t) => {
  const quay = await quayFor(t, { superUsers: ['root'], serverHostname: 'mirror.quay.io' });
  quay.seed.user('root');
  assert.equal(
    (await call(quay, 'GET', '/api/v1/superuser/organizations/', { token: quay.seed.token('root') })).status,
    404,
  );
});

test('§4.1 FEATURE_SUPERUSERS_ORG_CREATION_ONLY: only superusers may create orgs', async (t) => {
  const quay = await quayFor(t, { superUsers: ['root'], features: { superusersOrgCreationOnly: true } });
  quay.seed.user('root');
  quay.seed.user('alice');
  const denied = await call(quay, 'POST', '/api/v1/organization/', {
    token: quay.seed.token('alice'),
    body: { name: 'a1' },
  });
  assertShapeA(quay, denied, 403, 'insufficient_scope');
  const ok = await call(quay, 'POST', '/api/v1/organization/', {
    token: quay.seed.token('root'),
    body: { name: 'a2' },
  });
  assert.equal(ok.status, 201);
});
