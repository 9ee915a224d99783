/**
 * The tasks against two real Quay servers (Quay's own source, vendor/quay/): quay-init, create-robots,
 * proxycache, quay-config and mirror-repos (Quay → Quay, by discovery, with its push trigger), each run twice — the second run must
 * change nothing. Run by `npm run test:real-quay`, not by `npm test` (it needs the Python packages of
 * test/real-quay/apt-packages.txt).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/index.js';
import { imageOf, layer } from '../support/mirror-images.js';
import { type RealQuay, startRealQuay } from '../support/real-quay.js';
import { pushImage } from '../support/registry-images.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp.js';

const ADMIN = 'admin';
const PASSWORD = 'password-of-admin';
const WEBHOOK_TOKEN = 'webhook-token-0f9e8d7c6b5a';

interface Report {
  ok: boolean;
  changed: number;
  items: { ref: string; action: string; detail?: string }[];
}

async function api(quay: RealQuay, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${quay.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('the tasks against real Quay', () => {
  let east: RealQuay;
  let west: RealQuay;
  let dir: string;
  let westToken: string;
  let config: string;
  let initConfig: string;

  /** The `quay` entries of both instances, with the tokens quay-init wrote (east) and the set-up read (west). */
  const bothInstances = () => `  east:
    url: ${east.url}
    token: { file: ${join(dir, 'east-token')} }
  west:
    url: ${west.url}
    token: { file: ${join(dir, 'west-token')} }
`;
  const run = async (task: string, file = config) => {
    const result = await runCli(task, ['--config', file, '--output', 'json'], {
      env: { EAST_ADMIN_PASSWORD: PASSWORD, WEBHOOK_TOKEN },
    });
    const report = JSON.parse(result.stdout || '{}') as Report;
    return { ...result, report };
  };

  before(async () => {
    dir = tempDir('real-quay-scenario-');
    [east, west] = await Promise.all([startRealQuay(), startRealQuay()]);
    westToken = (await west.initialize(ADMIN, PASSWORD)).token;
    writeFileSync(join(dir, 'west-token'), westToken);
    const quayInit = `quay-init:
  instance: east
  initialUser:
    username: ${ADMIN}
    password: { env: EAST_ADMIN_PASSWORD }
    email: admin@example.com
  tokenOutput:
    file: ${join(dir, 'east-token')}
  organizations:
    - name: team-alpha
    - name: team-beta
`;
    // The first quay-init makes the token the others read, so its config names none (examples/tekton/
    // quay-tasks.yaml); later runs have one, as after an install.
    initConfig = join(dir, 'quay-init.yaml');
    writeFileSync(
      initConfig,
      `quay:
  east:
    url: ${east.url}
${quayInit}`,
    );
    config = join(dir, 'quay-tasks.yaml');
    writeFileSync(
      config,
      `quay:
${bothInstances()}${quayInit}create-robots:
  instance: east
  robots:
    - name: deployer
      organization: team-alpha
      description: pulls for the prod cluster
      permissions:
        - { repository: web, role: read }
      authFile: ${join(dir, 'auth.json')}
proxycache:
  instance: east
  caches:
    - organization: cache-west
      upstreamRegistry: ${west.host}/library
      insecure: true
      expirationSeconds: 86400
mirror-repos:
  source: west
  destinations: [east]
  # One request at a time per host: this Quay keeps its data in SQLite, whose single writer answers
  # parallel uploads with "database is locked" (500) once Quay's own five retries are spent; a Quay on
  # PostgreSQL takes the default 6.
  concurrency: 1
  discovery:
    enabled: true
    organizations: { include: [library] }
  pushTrigger:
    url: http://el-quay.example.invalid
    token: { env: WEBHOOK_TOKEN }
quay-config:
  instance: east
  organizations:
    - name: team-alpha
      teams:
        - name: deployers
          role: creator
          description: Deploys the web app
          members: { exclusive: true, items: [team-alpha+deployer] }
      defaultPermissions:
        - { team: deployers, role: read }
      repositories:
        - name: api
          visibility: private
          description: The API
          permissions:
            exclusive: true
            items: [{ team: deployers, role: write }, { robot: team-alpha+deployer, role: read }]
          notifications:
            - event: repo_push
              method: webhook
              title: CI on push
              url: http://ci.example.invalid/quay
              token: { env: WEBHOOK_TOKEN }
      quota:
        limit: 1GiB
        limits: [{ type: Warning, thresholdPercent: 80 }, { type: Reject, thresholdPercent: 100 }]
`,
    );
    // The source's content: library/web with two tags, pushed over the registry API as admin.
    assert.equal(
      (await api(west, westToken, 'POST', '/organization/', { name: 'library', email: 'l@example.com' }))
        .status,
      201,
    );
    const client = new RegistryClient({
      registry: west.host,
      scheme: 'http',
      credentials: { username: ADMIN, password: PASSWORD },
    });
    const base = layer('real-quay-base', 4096);
    await pushImage(client, 'library/web', imageOf('web-1', [base, layer('web-1')]), '1.0');
    await pushImage(client, 'library/web', imageOf('web-2', [base, layer('web-2')]), '2.0');
    await client.close();
  });

  after(async () => {
    await Promise.all([east?.stop(), west?.stop()]);
  });

  test('quay-init makes the first user and the organizations; the second run changes nothing', async () => {
    const first = await run('quay-init', initConfig);
    assert.equal(first.exitCode, 0, first.stderr);
    assert.deepEqual(
      first.report.items.map((i) => `${i.ref} ${i.action}`),
      [
        'user/admin created',
        `file/${join(dir, 'east-token')} created`,
        'org/team-alpha created',
        'org/team-beta created',
      ],
    );
    assert.match(readFileSync(join(dir, 'east-token'), 'utf8'), /^[A-Z0-9]{40}$/);
    const second = await run('quay-init');
    assert.equal(second.exitCode, 0, second.stderr);
    assert.equal(second.report.changed, 0, second.stderr);
  });

  test('mirror-repos copies what discovery finds, byte-exact; the second run copies nothing', async () => {
    const first = await run('mirror-repos');
    assert.equal(first.exitCode, 0, first.stderr);
    assert.match(first.stderr, /mirror: 2 copied, 0 unchanged, 0 failed/);
    const token = readFileSync(join(dir, 'east-token'), 'utf8').trim();
    const tags = await api(east, token, 'GET', '/repository/library/web/tag/?onlyActiveTags=true');
    const sourceTags = await api(west, westToken, 'GET', '/repository/library/web/tag/?onlyActiveTags=true');
    const digests = (body: Record<string, unknown>) =>
      Object.fromEntries(
        (body.tags as { name: string; manifest_digest: string }[]).map((t) => [t.name, t.manifest_digest]),
      );
    assert.deepEqual(digests(tags.body), digests(sourceTags.body));
    const second = await run('mirror-repos');
    assert.equal(second.exitCode, 0, second.stderr);
    assert.match(second.stderr, /mirror: 0 copied, 2 unchanged, 0 failed/);
    assert.equal(second.report.changed, 0);
    // The push trigger: one repo_push webhook on the discovered source repository, made by the first run.
    assert.deepEqual(
      first.report.items.filter((i) => i.ref.startsWith('push-trigger/')).map((i) => `${i.ref} ${i.action}`),
      ['push-trigger/library/web created'],
    );
    const notifications = await api(west, westToken, 'GET', '/repository/library/web/notification/');
    const list = notifications.body.notifications as {
      event: string;
      method: string;
      title: string;
      config: { url: string };
    }[];
    assert.deepEqual(
      list.map((n) => [n.event, n.method, n.title, n.config.url]),
      [
        [
          'repo_push',
          'webhook',
          'quay-tasks mirror',
          `http://el-quay.example.invalid/?token=${WEBHOOK_TOKEN}`,
        ],
      ],
    );
    assert.ok(
      !first.stdout.includes(WEBHOOK_TOKEN) && !first.stderr.includes(WEBHOOK_TOKEN),
      'the token is masked',
    );
  });

  test('mirror-repos across an air gap: real Quay → oci-layout archive → real Quay (organization made), byte-exact; the second import copies nothing', async () => {
    const archive = join(dir, 'archive');
    const archiveConfig = join(dir, 'archive.yaml');
    const write = (section: string) =>
      writeFileSync(
        archiveConfig,
        `quay:
${bothInstances()}  disk: { type: oci-layout, path: ${archive} }
mirror-repos:
  concurrency: 1
  discovery: { enabled: true, organizations: { include: [library] } }
${section}`,
      );
    write('  source: west\n  destinations: [disk]\n');
    const exported = await run('mirror-repos', archiveConfig);
    assert.equal(exported.exitCode, 0, exported.stderr);
    assert.match(exported.stderr, /mirror: 2 copied, 0 unchanged, 0 failed/);

    write('  source: disk\n  destinations: [{ instance: east, rename: { library: fromdisk } }]\n');
    const imported = await run('mirror-repos', archiveConfig);
    assert.equal(imported.exitCode, 0, imported.stderr);
    assert.equal(imported.report.items.find((i) => i.ref === 'east/fromdisk')?.action, 'created');
    const token = readFileSync(join(dir, 'east-token'), 'utf8').trim();
    const digests = (body: Record<string, unknown>) =>
      Object.fromEntries(
        (body.tags as { name: string; manifest_digest: string }[]).map((t) => [t.name, t.manifest_digest]),
      );
    const landed = await api(east, token, 'GET', '/repository/fromdisk/web/tag/?onlyActiveTags=true');
    const source = await api(west, westToken, 'GET', '/repository/library/web/tag/?onlyActiveTags=true');
    assert.deepEqual(digests(landed.body), digests(source.body));
    assert.equal(Object.keys(digests(landed.body)).length, 2);

    const again = await run('mirror-repos', archiveConfig);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.match(again.stderr, /mirror: 0 copied, 2 unchanged, 0 failed/);
    assert.equal(again.report.changed, 0);
  });

  test('create-robots grants on an existing repository and writes auth.json; the second run changes nothing', async () => {
    const token = readFileSync(join(dir, 'east-token'), 'utf8').trim();
    assert.equal(
      (
        await api(east, token, 'POST', '/repository', {
          namespace: 'team-alpha',
          repository: 'web',
          visibility: 'private',
          description: '',
        })
      ).status,
      201,
    );
    const first = await run('create-robots');
    assert.equal(first.exitCode, 0, first.stderr);
    const auth = JSON.parse(readFileSync(join(dir, 'auth.json'), 'utf8')) as {
      auths: Record<string, { auth: string }>;
    };
    const entry = auth.auths[east.host];
    assert.ok(entry, JSON.stringify(Object.keys(auth.auths)));
    assert.match(Buffer.from(entry.auth, 'base64').toString(), /^team-alpha\+deployer:/);
    const permissions = await api(east, token, 'GET', '/repository/team-alpha/web/permissions/user/');
    assert.equal(
      (permissions.body.permissions as Record<string, { role: string }>)['team-alpha+deployer']?.role,
      'read',
    );
    const second = await run('create-robots');
    assert.equal(second.exitCode, 0, second.stderr);
    assert.equal(second.report.changed, 0);
  });

  test('quay-config makes teams, default permissions, a repository with permissions and a notification, and the quota; the second run changes nothing', async () => {
    const first = await run('quay-config');
    assert.equal(first.exitCode, 0, first.stderr);
    assert.deepEqual(
      first.report.items.map((i) => `${i.ref} ${i.action}`),
      [
        'team-alpha/team/deployers created',
        'team-alpha/default-permission/team deployers created',
        'team-alpha/api created',
        'team-alpha/quota created',
      ],
    );
    const token = readFileSync(join(dir, 'east-token'), 'utf8').trim();
    const teams = await api(east, token, 'GET', '/repository/team-alpha/api/permissions/team/');
    assert.equal((teams.body.permissions as Record<string, { role: string }>).deployers?.role, 'write');
    const users = await api(east, token, 'GET', '/repository/team-alpha/api/permissions/user/');
    assert.deepEqual(Object.keys(users.body.permissions as object), ['team-alpha+deployer']);
    const quota = await api(east, token, 'GET', '/organization/team-alpha/quota');
    const [made] = quota.body as unknown as {
      limit_bytes: number;
      limits: { type: string; limit_percent: number }[];
    }[];
    assert.equal(made?.limit_bytes, 2 ** 30);
    assert.deepEqual(made?.limits.map((l) => `${l.type} ${l.limit_percent}`).sort(), [
      'Reject 100',
      'Warning 80',
    ]);
    assert.ok(
      !first.stdout.includes(WEBHOOK_TOKEN) && !first.stderr.includes(WEBHOOK_TOKEN),
      'the token is masked',
    );

    const second = await run('quay-config');
    assert.equal(second.exitCode, 0, second.stderr);
    assert.equal(second.report.changed, 0, JSON.stringify(second.report.items));
  });

  test('create-robots refuses a robot whose permission names a missing repository (real Quay: a 500), changing nothing', async () => {
    const file = join(dir, 'missing-repository.yaml');
    writeFileSync(
      file,
      `quay:\n  east:\n    url: ${east.url}\n    token: { file: ${join(dir, 'east-token')} }\n` +
        'create-robots:\n  instance: east\n  robots:\n' +
        '    - {name: pusher, organization: team-alpha, permissions: [{repository: not-yet, role: write}]}\n',
    );
    const result = await run('create-robots', file);
    assert.equal(result.exitCode, 1, result.stderr);
    assert.match(result.stderr, /permissions on team-alpha\/not-yet: no such repository/);
    const token = readFileSync(join(dir, 'east-token'), 'utf8').trim();
    const robot = await api(east, token, 'GET', '/organization/team-alpha/robots/pusher');
    assert.equal(robot.status, 400, 'Quay answers a missing robot with 400 "Could not find robot"');
  });

  test('proxycache makes the cache organization and its proxy configuration; the second run changes nothing', async () => {
    const first = await run('proxycache');
    assert.equal(first.exitCode, 0, first.stderr);
    const token = readFileSync(join(dir, 'east-token'), 'utf8').trim();
    const cache = await api(east, token, 'GET', '/organization/cache-west/proxycache');
    assert.equal(cache.body.upstream_registry, `${west.host}/library`);
    const second = await run('proxycache');
    assert.equal(second.exitCode, 0, second.stderr);
    assert.equal(second.report.changed, 0);
  });
});
