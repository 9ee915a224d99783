/** quay-api.md §7: repository create/list/get/delete, the tag list, and next_page paging (§7.6). */
import assert from 'node:assert/strict';
import test from 'node:test';
import { assertShapeA, call, quayFor } from './_http.js';

async function setup(t: Parameters<typeof quayFor>[0]) {
  const quay = await quayFor(t);
  quay.seed.user('owner');
  quay.seed.org('acme', { owner: 'owner' });
  return { quay, token: quay.seed.token('owner') };
}

const NEW_REPO = { namespace: 'acme', repository: 'app', visibility: 'private', description: '' };

test('§7.1 create: 201 {namespace, name, kind: "image"}; the creator gets admin', async (t) => {
  const { quay, token } = await setup(t);
  const reply = await call(quay, 'POST', '/api/v1/repository', { token, body: NEW_REPO });
  assert.equal(reply.status, 201);
  assert.deepEqual(reply.json, { namespace: 'acme', name: 'app', kind: 'image' });
  const repo = quay.state.getRepo('acme', 'app');
  assert.equal(repo?.isPublic, false);
  assert.equal(repo?.userPermissions.get('owner'), 'admin');
});

test('§7.1 create checks: required fields, "Repository already exists", "Invalid repository name", nested names', async (t) => {
  const { quay, token } = await setup(t);
  for (const missing of ['repository', 'visibility', 'description']) {
    const body: Record<string, unknown> = { ...NEW_REPO };
    delete body[missing];
    assertShapeA(
      quay,
      await call(quay, 'POST', '/api/v1/repository', { token, body }),
      400,
      'invalid_request',
    );
  }
  assert.equal((await call(quay, 'POST', '/api/v1/repository', { token, body: NEW_REPO })).status, 201);
  assertShapeA(
    quay,
    await call(quay, 'POST', '/api/v1/repository', { token, body: NEW_REPO }),
    400,
    'invalid_request',
    'Repository already exists',
  );
  assertShapeA(
    quay,
    await call(quay, 'POST', '/api/v1/repository', { token, body: { ...NEW_REPO, repository: 'Bad' } }),
    400,
    'invalid_request',
    'Invalid repository name',
  );
  const nested = await call(quay, 'POST', '/api/v1/repository', {
    token,
    body: { ...NEW_REPO, repository: 'team/tool' },
  });
  assert.equal(nested.status, 201);
  assert.equal((await call(quay, 'GET', '/api/v1/repository/acme/team/tool', { token })).status, 200);
});

test('§7.1 create without namespace uses the caller; scope repo:create or org:admin; others 403', async (t) => {
  const { quay } = await setup(t);
  const own = quay.seed.token('owner', 'repo:create');
  const body = { repository: 'mine', visibility: 'public', description: 'd' };
  assert.equal((await call(quay, 'POST', '/api/v1/repository', { token: own, body })).status, 201);
  assert.equal(quay.state.getRepo('owner', 'mine')?.isPublic, true);
  const orgAdmin = quay.seed.token('owner', 'org:admin');
  assert.equal(
    (
      await call(quay, 'POST', '/api/v1/repository', {
        token: orgAdmin,
        body: { ...NEW_REPO, repository: 'b' },
      })
    ).status,
    201,
  );
  const readOnly = quay.seed.token('owner', 'repo:read repo:write');
  assertShapeA(
    quay,
    await call(quay, 'POST', '/api/v1/repository', {
      token: readOnly,
      body: { ...NEW_REPO, repository: 'c' },
    }),
    403,
    'insufficient_scope',
  );
  quay.seed.user('member');
  quay.seed.team('acme', 'devs', { role: 'member', members: ['member'] });
  assertShapeA(
    quay,
    await call(quay, 'POST', '/api/v1/repository', {
      token: quay.seed.token('member'),
      body: { ...NEW_REPO, repository: 'd' },
    }),
    403,
    'insufficient_scope',
  );
  quay.seed.team('acme', 'devs', { role: 'creator' });
  assert.equal(
    (
      await call(quay, 'POST', '/api/v1/repository', {
        token: quay.seed.token('member'),
        body: { ...NEW_REPO, repository: 'd' },
      })
    ).status,
    201,
  );
});

test('§7.2 list needs namespace, starred or public (truthy); otherwise 400', async (t) => {
  const { quay, token } = await setup(t);
  for (const q of ['', '?public=false', '?starred=0']) {
    assertShapeA(
      quay,
      await call(quay, 'GET', `/api/v1/repository${q}`, { token }),
      400,
      'invalid_request',
      'namespace, starred or public are required for this API call',
    );
  }
});

test('§7.2/§7.6 list pages by 100 with an opaque next_page, present only when more exist', async (t) => {
  const { quay, token } = await setup(t);
  const names: string[] = [];
  for (let i = 0; i < 255; i++) {
    const name = `r${String(i).padStart(3, '0')}`;
    names.push(name);
    quay.seed.repo(`acme/${name}`);
  }
  const seen: string[] = [];
  const sizes: number[] = [];
  let next: string | undefined;
  do {
    const q = new URLSearchParams({ namespace: 'acme' });
    if (next) q.set('next_page', next);
    const page = (await call(quay, 'GET', `/api/v1/repository?${q}`, { token })).json as {
      repositories: { name: string; namespace: string; state: string; kind: string; is_starred: boolean }[];
      next_page?: string;
    };
    sizes.push(page.repositories.length);
    seen.push(...page.repositories.map((r) => r.name));
    assert.equal(page.repositories[0]?.state, 'NORMAL');
    assert.equal(page.repositories[0]?.kind, 'image');
    next = page.next_page;
  } while (next);
  assert.deepEqual(sizes, [100, 100, 55]);
  assert.deepEqual(seen, names);
});

test('§7.2 visibility: anonymous sees public repos only; a user sees its repos, plus public ones with public=true', async (t) => {
  const { quay, token } = await setup(t);
  quay.seed.repo('acme/secret');
  quay.seed.repo('acme/open', { public: true });
  quay.seed.user('other');
  quay.seed.repo('other/theirs', { public: true });
  const names = async (q: string, tok?: string): Promise<string[]> =>
    (
      (await call(quay, 'GET', `/api/v1/repository?${q}`, { token: tok })).json as {
        repositories: { name: string }[];
      }
    ).repositories
      .map((r) => r.name)
      .sort();
  assert.deepEqual(await names('namespace=acme'), ['open']);
  assert.deepEqual(await names('namespace=acme', token), ['open', 'secret']);
  const stranger = quay.seed.token('other');
  assert.deepEqual(await names('namespace=acme', stranger), []);
  assert.deepEqual(await names('namespace=acme&public=true', stranger), ['open']);
  assert.deepEqual(await names('public=true', stranger), ['open', 'theirs']);
  const withExtras = (
    await call(quay, 'GET', '/api/v1/repository?namespace=acme&last_modified=true&popularity=true', { token })
  ).json as { repositories: Record<string, unknown>[] };
  assert.ok('last_modified' in (withExtras.repositories[0] ?? {}));
  assert.ok('popularity' in (withExtras.repositories[0] ?? {}));
});

test('§7.3 get: fields, active tags with manifest_digest and size, can_write/can_admin', async (t) => {
  const { quay, token } = await setup(t);
  const image = await quay.seed.pushImage('acme/app', ['v1', 'latest'], { layers: ['abc', 'defgh'] });
  quay.seed.deleteTag('acme/app', 'v1');
  const reply = await call(quay, 'GET', '/api/v1/repository/acme/app', { token });
  assert.equal(reply.status, 200);
  const view = reply.json as Record<string, unknown>;
  for (const key of [
    'namespace',
    'name',
    'kind',
    'description',
    'is_public',
    'is_organization',
    'is_starred',
    'status_token',
    'trust_enabled',
    'tag_expiration_s',
    'is_free_account',
    'state',
    'tags',
    'can_write',
    'can_admin',
  ]) {
    assert.ok(key in view, key);
  }
  assert.equal(view.is_organization, true);
  const tags = view.tags as Record<string, { manifest_digest: string; size: number }>;
  assert.deepEqual(Object.keys(tags), ['latest']);
  assert.equal(tags.latest?.manifest_digest, image.digest);
  assert.equal(tags.latest?.size, 8);
  assert.equal(view.can_admin, true);
  const noTags = (await call(quay, 'GET', '/api/v1/repository/acme/app?includeTags=false', { token }))
    .json as Record<string, unknown>;
  assert.equal('tags' in noTags, false);
});

test('§7.4 update description (write), change visibility and delete (admin, 204)', async (t) => {
  const { quay, token } = await setup(t);
  quay.seed.repo('acme/app');
  const put = await call(quay, 'PUT', '/api/v1/repository/acme/app', { token, body: { description: 'new' } });
  assert.deepEqual(put.json, { success: true });
  assert.equal(quay.state.getRepo('acme', 'app')?.description, 'new');
  const vis = await call(quay, 'POST', '/api/v1/repository/acme/app/changevisibility', {
    token,
    body: { visibility: 'public' },
  });
  assert.deepEqual(vis.json, { success: true });
  assert.equal(quay.state.getRepo('acme', 'app')?.isPublic, true);
  quay.seed.user('writer');
  quay.seed.permission('acme/app', 'writer', 'write');
  assertShapeA(
    quay,
    await call(quay, 'DELETE', '/api/v1/repository/acme/app', { token: quay.seed.token('writer') }),
    403,
    'insufficient_scope',
  );
  assert.equal((await call(quay, 'DELETE', '/api/v1/repository/acme/app', { token })).status, 204);
  assert.equal(quay.state.getRepo('acme', 'app'), undefined);
});

test('§7.5 tag list defaults to the FULL history (dead rows included); onlyActiveTags=true gives current tags', async (t) => {
  const { quay, token } = await setup(t);
  await quay.seed.pushImage('acme/app', 'latest', { layers: ['one'] });
  quay.advanceTime(10);
  const second = await quay.seed.pushImage('acme/app', 'latest', { layers: ['two'] });
  quay.advanceTime(10);
  await quay.seed.pushImage('acme/app', 'old', { layers: ['three'] });
  quay.advanceTime(10);
  quay.seed.deleteTag('acme/app', 'old');
  const all = (await call(quay, 'GET', '/api/v1/repository/acme/app/tag/', { token })).json as {
    tags: { name: string; end_ts?: number; expiration?: string; manifest_digest: string; start_ts: number }[];
    page: number;
    has_additional: boolean;
  };
  assert.deepEqual(
    all.tags.map((x) => x.name),
    ['old', 'latest', 'latest'],
    'ordered by lifetime_start descending',
  );
  assert.equal(all.page, 1);
  assert.equal(all.has_additional, false);
  assert.ok(all.tags[0]?.end_ts, 'the deleted tag has end_ts');
  assert.ok(all.tags[0]?.expiration);
  assert.equal(all.tags[1]?.manifest_digest, second.digest);
  assert.equal('end_ts' in (all.tags[1] ?? {}), false, 'the alive row has no end_ts');
  assert.ok(all.tags[2]?.end_ts, 'the overwritten row ended');
  const active = (await call(quay, 'GET', '/api/v1/repository/acme/app/tag/?onlyActiveTags=true', { token }))
    .json as {
    tags: {
      name: string;
      manifest_digest: string;
      is_manifest_list: boolean;
      size: number;
      last_modified: string;
    }[];
  };
  assert.deepEqual(
    active.tags.map((x) => x.name),
    ['latest'],
  );
  assert.equal(active.tags[0]?.manifest_digest, second.digest);
  assert.equal(active.tags[0]?.is_manifest_list, false);
  assert.equal(active.tags[0]?.size, 3);
  assert.match(active.tags[0]?.last_modified ?? '', /-0000$/);
});

test('§7.5 paging: page (1-based), limit (default 50, clamped 1..100), has_additional', async (t) => {
  const { quay, token } = await setup(t);
  const image = await quay.seed.pushImage('acme/app', 't000');
  for (let i = 1; i < 120; i++) {
    quay.advanceTime(1);
    quay.seed.manifest('acme/app', `t${String(i).padStart(3, '0')}`, image.manifest, image.mediaType);
  }
  const get = async (q: string) =>
    (await call(quay, 'GET', `/api/v1/repository/acme/app/tag/?onlyActiveTags=true&${q}`, { token }))
      .json as {
      tags: { name: string }[];
      page: number;
      has_additional: boolean;
    };
  const first = await get('');
  assert.equal(first.tags.length, 50);
  assert.equal(first.has_additional, true);
  assert.equal(first.tags[0]?.name, 't119');
  const capped = await get('limit=500');
  assert.equal(capped.tags.length, 100);
  const last = await get('limit=100&page=2');
  assert.equal(last.tags.length, 20);
  assert.equal(last.page, 2);
  assert.equal(last.has_additional, false);
  const zero = await get('page=0&limit=0');
  assert.equal(zero.page, 1);
  assert.equal(zero.tags.length, 1);
  const exact = await get('limit=40&page=3');
  assert.equal(exact.tags.length, 40);
  assert.equal(exact.has_additional, false);
  // Deleted rows: 10 more tags, then deleted. Active paging still sees 120; the history pages see 130.
  for (let i = 0; i < 10; i++) {
    quay.seed.manifest('acme/app', `gone${i}`, image.manifest, image.mediaType);
    quay.seed.deleteTag('acme/app', `gone${i}`);
  }
  const active = [...(await get('limit=100&page=1')).tags, ...(await get('limit=100&page=2')).tags];
  assert.equal(active.length, 120);
  assert.ok(active.every((tag) => !tag.name.startsWith('gone')));
  const history = async (page: number) =>
    (await call(quay, 'GET', `/api/v1/repository/acme/app/tag/?limit=100&page=${page}`, { token })).json as {
      tags: { name: string }[];
      has_additional: boolean;
    };
  const h1 = await history(1);
  const h2 = await history(2);
  assert.equal(h1.has_additional, true);
  assert.equal(h1.tags.length + h2.tags.length, 130);
  assert.equal(h2.has_additional, false);
});

test('§7.5 specificTag returns every history row of that name; filter_tag_name like:/eq:, other syntax 400', async (t) => {
  const { quay, token } = await setup(t);
  await quay.seed.pushImage('acme/app', 'latest', { layers: ['a'] });
  quay.advanceTime(1);
  await quay.seed.pushImage('acme/app', 'latest', { layers: ['b'] });
  await quay.seed.pushImage('acme/app', 'v1.0', { layers: ['c'] });
  const specific = (await call(quay, 'GET', '/api/v1/repository/acme/app/tag/?specificTag=latest', { token }))
    .json as {
    tags: unknown[];
  };
  assert.equal(specific.tags.length, 2);
  const like = (
    await call(quay, 'GET', '/api/v1/repository/acme/app/tag/?filter_tag_name=like:v1', { token })
  ).json as {
    tags: { name: string }[];
  };
  assert.deepEqual(
    like.tags.map((x) => x.name),
    ['v1.0'],
  );
  const eq = (
    await call(
      quay,
      'GET',
      '/api/v1/repository/acme/app/tag/?onlyActiveTags=true&filter_tag_name=eq:latest',
      { token },
    )
  ).json as { tags: unknown[] };
  assert.equal(eq.tags.length, 1);
  const bad = await call(quay, 'GET', '/api/v1/repository/acme/app/tag/?filter_tag_name=v1', { token });
  assert.equal(bad.status, 400);
  assert.match((bad.json as { message: string }).message, /^Unsupported syntax for filter_tag_name\./);
});

test('§7.5 manifest lists: is_manifest_list, size null and child presence; hidden (push-by-digest) tags never listed', async (t) => {
  const { quay, token } = await setup(t);
  const index = await quay.seed.pushIndex('acme/app', 'multi');
  const list = (await call(quay, 'GET', '/api/v1/repository/acme/app/tag/', { token })).json as {
    tags: Record<string, unknown>[];
  };
  assert.equal(list.tags.length, 1, 'children pushed by digest have hidden tags only');
  const tag = list.tags[0] ?? {};
  assert.equal(tag.is_manifest_list, true);
  assert.equal(tag.size, null);
  assert.equal(tag.child_manifest_count, 2);
  assert.equal(tag.present_child_count, 2);
  assert.equal(tag.manifest_digest, index.digest);
  assert.deepEqual(
    Object.keys(tag.child_manifests_presence as object).sort(),
    index.children.map((c) => c.digest).sort(),
  );
});

test('§7.5 tag list on a missing repo: 404 for the org admin, 403 for others', async (t) => {
  const { quay, token } = await setup(t);
  quay.seed.user('x');
  assertShapeA(
    quay,
    await call(quay, 'GET', '/api/v1/repository/acme/none/tag/', { token }),
    404,
    'not_found',
  );
  assertShapeA(
    quay,
    await call(quay, 'GET', '/api/v1/repository/acme/none/tag/', { token: quay.seed.token('x') }),
    403,
    'insufficient_scope',
  );
});

test('§7.5 DELETE tag ends the alive row; it stays in the history', async (t) => {
  const { quay, token } = await setup(t);
  await quay.seed.pushImage('acme/app', 'gone');
  assert.equal((await call(quay, 'DELETE', '/api/v1/repository/acme/app/tag/gone', { token })).status, 204);
  const active = (await call(quay, 'GET', '/api/v1/repository/acme/app/tag/?onlyActiveTags=true', { token }))
    .json as { tags: unknown[] };
  assert.equal(active.tags.length, 0);
  const all = (await call(quay, 'GET', '/api/v1/repository/acme/app/tag/', { token })).json as {
    tags: unknown[];
  };
  assert.equal(all.tags.length, 1);
  assertShapeA(
    quay,
    await call(quay, 'DELETE', '/api/v1/repository/acme/app/tag/gone', { token }),
    404,
    'not_found',
  );
});

test('FEATURE_SUPERUSERS_FULL_ACCESS: a superuser reads the tags of a private repository it has no permission on, through the API and /v2; without it, not', async (t) => {
  for (const fullAccess of [true, false]) {
    const quay = await quayFor(t, { superUsers: ['root'], features: { superusersFullAccess: fullAccess } });
    quay.seed.user('owner');
    quay.seed.org('acme', { owner: 'owner' });
    const image = await quay.seed.pushImage('acme/secret', ['v1']);
    const { token } = quay.seed.userWithToken('root');
    const tags = await call(quay, 'GET', '/api/v1/repository/acme/secret/tag/?onlyActiveTags=true', {
      token,
    });
    const view = await call(quay, 'GET', '/api/v1/repository/acme/secret', { token });
    const grant = await call(
      quay,
      'GET',
      `/v2/auth?service=${quay.host}&scope=repository:acme/secret:pull,push`,
      { basic: `$oauthtoken:${token}` },
    );
    const claims = JSON.parse(
      Buffer.from(
        String((grant.json as { token: string }).token).split('.')[1] ?? '',
        'base64url',
      ).toString(),
    ) as { access: { actions: string[] }[] };
    if (fullAccess) {
      assert.equal(tags.status, 200, tags.text);
      assert.deepEqual(
        (tags.json as { tags: { name: string; manifest_digest: string }[] }).tags.map((tag) => [
          tag.name,
          tag.manifest_digest,
        ]),
        [['v1', image.digest]],
      );
      assert.equal((view.json as { can_admin: boolean }).can_admin, true);
      assert.deepEqual(claims.access[0]?.actions, ['push', 'pull']);
    } else {
      assert.equal(tags.status, 403);
      assert.equal(view.status, 403);
      assert.deepEqual(claims.access[0]?.actions, []);
    }
  }
});
