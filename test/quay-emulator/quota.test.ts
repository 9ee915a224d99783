/**
 * Namespace quotas: `endpoints/api/namespacequota.py` (routes, scopes, bodies, views), `data/model/
 * namespacequota.py` (one quota per org, limit rules and texts) and the org view's `quotas` / `quota_report`
 * (`endpoints/api/organization.py::org_view`, `namespacequota.get_quota_for_view`).
 */
import assert from 'node:assert/strict';
import test, { type TestContext } from 'node:test';
import type { QuayEmulatorOptions } from '../support/quay-emulator/index.js';
import { ALL_SCOPES } from '../support/quay-emulator/index.js';
import { assertShapeA, call, quayFor } from './_http.js';

const QUOTA = '/api/v1/organization/acme/quota';
const GIB = 1024 ** 3;

async function setup(t: TestContext, opts: QuayEmulatorOptions = {}) {
  const quay = await quayFor(t, {
    superUsers: ['root'],
    ...opts,
    features: { quotaManagement: true, superusersFullAccess: true, ...opts.features },
  });
  quay.seed.user('root');
  quay.seed.user('owner');
  quay.seed.user('member');
  quay.seed.user('outsider');
  quay.seed.org('acme', { owner: 'owner' });
  quay.seed.team('acme', 'devs', { members: ['member'] });
  return { quay, root: quay.seed.token('root'), owner: quay.seed.token('owner') };
}

test('quota routes exist only with FEATURE_SUPER_USERS, FEATURE_QUOTA_MANAGEMENT and FEATURE_EDIT_QUOTA', async (t) => {
  for (const features of [{ quotaManagement: false }, { editQuota: false }, { superUsers: false }]) {
    const { quay, root, owner } = await setup(t, { features });
    for (const path of [QUOTA, `${QUOTA}/1`, `${QUOTA}/1/limit`, `${QUOTA}/1/limit/2`]) {
      const reply = await call(quay, 'GET', path, { token: root });
      assert.equal(reply.status, 404, `${JSON.stringify(features)} ${path}`);
      assert.match(reply.headers.get('content-type') ?? '', /^text\/html/);
    }
    const org = (await call(quay, 'GET', '/api/v1/organization/acme', { token: owner })).json as object;
    assert.equal('quotas' in org, false);
    assert.equal('quota_report' in org, false);
  }
});

test('POST quota: superuser with full access only, after the schema; 201 "Created"; one per org', async (t) => {
  const { quay, root, owner } = await setup(t);
  // Schema first, then allow_if_superuser_with_full_access: an org admin gets 400 for a bad body, 403 else.
  assertShapeA(quay, await call(quay, 'POST', QUOTA, { token: owner, body: {} }), 400, 'invalid_request');
  assertShapeA(
    quay,
    await call(quay, 'POST', QUOTA, { token: owner, body: { limit_bytes: GIB } }),
    403,
    'insufficient_scope',
  );
  const noSuperScope = quay.seed.token('root', ALL_SCOPES.replace('super:user', ''));
  assertShapeA(
    quay,
    await call(quay, 'POST', QUOTA, { token: noSuperScope, body: { limit_bytes: GIB } }),
    403,
    'insufficient_scope',
  );
  const created = await call(quay, 'POST', QUOTA, { token: root, body: { limit_bytes: 10 * GIB } });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.json, 'Created');
  assertShapeA(
    quay,
    await call(quay, 'POST', QUOTA, { token: root, body: { limit_bytes: GIB } }),
    400,
    'invalid_request',
    "Organization quota for 'acme' already exists",
  );
  assertShapeA(
    quay,
    await call(quay, 'POST', '/api/v1/organization/nope/quota', { token: root, body: { limit_bytes: 1 } }),
    404,
    'not_found',
  );
  const list = await call(quay, 'GET', QUOTA, { token: quay.seed.token('member') });
  assert.equal(list.status, 200);
  const id = quay.state.orgs.get('acme')?.quota?.id;
  assert.deepEqual(list.json, [
    {
      id,
      limit_bytes: 10 * GIB,
      limit: '10.0 GiB',
      default_config: false,
      limits: [],
      default_config_exists: false,
    },
  ]);
  assertShapeA(
    quay,
    await call(quay, 'GET', QUOTA, { token: quay.seed.token('outsider') }),
    403,
    'insufficient_scope',
  );
});

test('POST quota without FEATURE_SUPERUSERS_FULL_ACCESS: even a superuser is refused (3.16+)', async (t) => {
  const { quay, root } = await setup(t, { features: { superusersFullAccess: false } });
  assertShapeA(
    quay,
    await call(quay, 'POST', QUOTA, { token: root, body: { limit_bytes: GIB } }),
    403,
    'insufficient_scope',
  );
});

test('quota bodies: limit_bytes or a limit text (bitmath, SI for one letter), and their errors', async (t) => {
  const { quay, root } = await setup(t);
  const bad = async (body: unknown, message: string) =>
    assertShapeA(
      quay,
      await call(quay, 'POST', QUOTA, { token: root, body }),
      400,
      'invalid_request',
      message,
    );
  await bad({}, "'limit_bytes' is a required property");
  await bad({ limit_bytes: '5' }, "'5' is not of type 'integer'");
  await bad({ limit_bytes: 0 }, "Invalid quota size limit value: '0'");
  await bad({ limit: '0' }, "Invalid quota size limit value: '0.0'");
  await bad({ limit: '100B' }, 'Invalid limit format, use a number followed by a unit (e.g. 1GiB)');
  await bad({ limit: '1 ZiB' }, 'Invalid limit format, use a number followed by a unit (e.g. 1GiB)');
  const both = await call(quay, 'POST', QUOTA, { token: root, body: { limit_bytes: 1, limit: '1 GiB' } });
  assertShapeA(quay, both, 400, 'invalid_request');
  assert.match(
    String((both.json as { detail: string }).detail),
    /^\{'limit_bytes': 1, 'limit': '1 GiB'\} is valid under each of /,
  );
  const pattern = await call(quay, 'POST', QUOTA, { token: root, body: { limit: '10 GB!' } });
  assert.match(String((pattern.json as { detail: string }).detail), /^'10 GB!' does not match '\^\(\\\\d\+/);
  for (const [limit, bytes] of [
    ['500 MiB', 500 * 1024 ** 2],
    ['2K', 2000],
    ['3 KB', 3000],
    ['1Gi', GIB],
    ['4096', 4096],
  ] as const) {
    quay.state.orgs.get('acme')!.quota = null;
    const reply = await call(quay, 'POST', QUOTA, { token: root, body: { limit } });
    assert.equal(reply.status, 201, `${limit}: ${reply.text}`);
    assert.equal(quay.state.orgs.get('acme')?.quota?.limitBytes, bytes, limit);
  }
});

test('PUT/GET/DELETE quota/{id}: the view with `limit`; zero or {} changes nothing; additionalProperties', async (t) => {
  const { quay, root } = await setup(t);
  const quota = quay.seed.quota('acme', GIB);
  const one = `${QUOTA}/${quota.id}`;
  const put = await call(quay, 'PUT', one, { token: root, body: { limit_bytes: 2048 } });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(put.json, {
    id: quota.id,
    limit_bytes: 2048,
    limit: '2.0 KiB',
    default_config: false,
    limits: [],
    default_config_exists: false,
  });
  for (const body of [{}, { limit_bytes: 0 }]) {
    assert.equal((await call(quay, 'PUT', one, { token: root, body })).status, 200);
    assert.equal(quota.limitBytes, 2048);
  }
  assertShapeA(
    quay,
    await call(quay, 'PUT', one, { token: root, body: { limit_bytes: -1 } }),
    400,
    'invalid_request',
    "Invalid quota size limit value: '-1'",
  );
  const extra = await call(quay, 'PUT', one, { token: root, body: { limit_bytes: 5, other: 1 } });
  assertShapeA(quay, extra, 400, 'invalid_request');
  assert.equal(quota.limitBytes, 2048);
  assert.equal((await call(quay, 'PUT', one, { token: root, body: { limit: '1.5 GiB' } })).status, 400);
  assert.equal((await call(quay, 'GET', one, { token: quay.seed.token('member') })).status, 200);
  assertShapeA(quay, await call(quay, 'GET', `${QUOTA}/999999`, { token: root }), 404, 'not_found');
  assertShapeA(quay, await call(quay, 'GET', `${QUOTA}/abc`, { token: root }), 404, 'not_found');
  assertShapeA(
    quay,
    await call(quay, 'DELETE', one, { token: quay.seed.token('owner') }),
    403,
    'insufficient_scope',
  );
  assert.equal((await call(quay, 'DELETE', one, { token: root })).status, 204);
  assert.deepEqual((await call(quay, 'GET', QUOTA, { token: root })).json, []);
});

test('limits: Warning/Reject any case, threshold 1..100, duplicates, the two error shapes, PUT answers the quota', async (t) => {
  const { quay, root } = await setup(t);
  const quota = quay.seed.quota('acme', 100 * GIB);
  const limits = `${QUOTA}/${quota.id}/limit`;
  const post = (body: unknown) => call(quay, 'POST', limits, { token: root, body });
  assert.equal((await post({ type: 'Warning', threshold_percent: 80 })).status, 201);
  assert.equal((await post({ type: 'reject', threshold_percent: 100 })).status, 201);
  // The "only one Reject" check in Quay cannot fire: a second Reject limit is accepted.
  assert.equal((await post({ type: 'Reject', threshold_percent: 95 })).status, 201);
  assertShapeA(
    quay,
    await post({ type: 'warning', threshold_percent: 80 }),
    400,
    'invalid_request',
    'Quota limit already exists',
  );
  // Threshold 0 does not filter the lookup: any Warning limit matches.
  assertShapeA(
    quay,
    await post({ type: 'Warning', threshold_percent: 0 }),
    400,
    'invalid_request',
    'Quota limit already exists',
  );
  assertShapeA(
    quay,
    await post({ type: 'Reject' }),
    400,
    'invalid_request',
    "'threshold_percent' is a required property",
  );
  // Raised by the lookup, outside the handler's try: Flask's 400 {"message"}.
  const over = await post({ type: 'Warning', threshold_percent: 101 });
  assert.equal(over.status, 400);
  assert.deepEqual(over.json, { message: 'Quota limit threshold must be between 1 and 100' });
  const info = await post({ type: 'Info', threshold_percent: 50 });
  assert.deepEqual(info.json, { message: 'Quota type must be one of [Warning, Reject]' });
  const list = await call(quay, 'GET', limits, { token: quay.seed.token('member') });
  const ids = quota.limits.map((l) => l.id);
  assert.deepEqual(list.json, [
    { id: ids[0], type: 'Warning', limit_percent: 80 },
    { id: ids[1], type: 'Reject', limit_percent: 100 },
    { id: ids[2], type: 'Reject', limit_percent: 95 },
  ]);
  const one = `${limits}/${ids[0]}`;
  assert.deepEqual((await call(quay, 'GET', one, { token: root })).json, {
    id: ids[0],
    type: 'Warning',
    limit_percent: 80,
  });
  const put = await call(quay, 'PUT', one, { token: root, body: { threshold_percent: 70 } });
  assert.equal(put.status, 200);
  assert.deepEqual((put.json as { limits: unknown[] }).limits[0], {
    id: ids[0],
    type: 'Warning',
    limit_percent: 70,
  });
  assert.equal((put.json as { limit: string }).limit, '100.0 GiB');
  // The type is saved before the threshold fails.
  const partial = await call(quay, 'PUT', one, {
    token: root,
    body: { type: 'Reject', threshold_percent: 500 },
  });
  assert.deepEqual(partial.json, { message: 'Quota limit threshold must be between 1 and 100' });
  assert.equal(quota.limits[0]?.type, 'Reject');
  assert.equal(quota.limits[0]?.percentOfLimit, 70);
  assertShapeA(quay, await call(quay, 'GET', `${limits}/999999`, { token: root }), 404, 'not_found');
  // A limit id of another org's quota: a bare InvalidNamespaceQuota, 400 {"message": ""}.
  quay.seed.org('other', { owner: 'owner' });
  const foreign = quay.seed.quota('other', GIB, [{ type: 'Warning', percent: 50 }]);
  const cross = await call(quay, 'GET', `${limits}/${foreign.limits[0]?.id}`, { token: root });
  assert.equal(cross.status, 400);
  assert.deepEqual(cross.json, { message: '' });
  assert.equal((await call(quay, 'DELETE', one, { token: root })).status, 204);
  assert.equal(quota.limits.length, 2);
});

test('the org view: quotas and quota_report for admins and members; usage from stored blobs or seed.namespaceSize', async (t) => {
  const { quay, owner } = await setup(t);
  const view = async (token: string) =>
    (await call(quay, 'GET', '/api/v1/organization/acme', { token })).json as Record<string, unknown>;
  assert.deepEqual((await view(owner)).quotas, []);
  assert.deepEqual((await view(owner)).quota_report, {
    quota_bytes: 0,
    configured_quota: null,
    running_backfill: 'waiting',
    backfill_status: 'waiting',
  });
  const quota = quay.seed.quota('acme', 10 * GIB, [{ type: 'Reject', percent: 100 }]);
  const app = await quay.seed.pushImage('acme/app', 'v1', { layers: ['aaaa', 'bbbbbb'] });
  // The same layer in a second repository counts once (distinct blobs of the namespace, get_namespace_total).
  const other = await quay.seed.pushImage('acme/other', 'v1', { layers: ['aaaa'] });
  const configSize = (manifest: Buffer) =>
    (JSON.parse(manifest.toString()) as { config: { size: number } }).config.size;
  const expected = 4 + 6 + configSize(app.manifest) + configSize(other.manifest);
  const member = await view(quay.seed.token('member'));
  assert.deepEqual(member.quotas, [
    {
      id: quota.id,
      limit_bytes: 10 * GIB,
      limits: [{ id: quota.limits[0]?.id, type: 'Reject', limit_percent: 100 }],
    },
  ]);
  assert.deepEqual(member.quota_report, {
    quota_bytes: expected,
    configured_quota: 10 * GIB,
    running_backfill: 'complete',
    backfill_status: 'complete',
  });
  // A dead tag does not free its blobs until GC.
  quay.seed.deleteTag('acme/other', 'v1');
  assert.equal(((await view(owner)).quota_report as { quota_bytes: number }).quota_bytes, expected);
  quay.seed.namespaceSize('acme', 123);
  assert.equal(((await view(owner)).quota_report as { quota_bytes: number }).quota_bytes, 123);
  // Not a member: no quotas.
  assert.equal('quotas' in (await view(quay.seed.token('outsider'))), false);
});

test('DEFAULT_SYSTEM_REJECT_QUOTA_BYTES: the list shows the system default, the report its configured_quota', async (t) => {
  const { quay, owner } = await setup(t, { defaultSystemRejectQuotaBytes: 5 * GIB });
  const list = await call(quay, 'GET', QUOTA, { token: owner });
  assert.deepEqual(list.json, [
    {
      id: null,
      limit_bytes: 5 * GIB,
      limit: '5.0 GiB',
      default_config: true,
      limits: [],
      default_config_exists: true,
    },
  ]);
  const org = (await call(quay, 'GET', '/api/v1/organization/acme', { token: owner })).json as {
    quota_report: { configured_quota: number };
  };
  assert.equal(org.quota_report.configured_quota, 5 * GIB);
});
