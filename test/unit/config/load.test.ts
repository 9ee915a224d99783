import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../../src/config/errors.js';
import { loadConfig } from '../../../src/config/load.js';
import { registryInstance } from '../../../src/config/references.js';
import { Secret } from '../../../src/config/secret.js';
import { Redactor } from '../../../src/secrets/redactor.js';
import { fixture } from '../../support/paths.js';
import { tempDir, writeFile } from '../../support/temp.js';

function load(files: string[], env: NodeJS.ProcessEnv = {}, sections = ['quay', 'mirror-repos'] as const) {
  const redactor = new Redactor();
  const notices: string[] = [];
  const loaded = loadConfig({ files, sections, redactor, env, notice: (m) => notices.push(m) });
  return { ...loaded, redactor, notices };
}

function issuesOf(fn: () => unknown): ConfigError['issues'] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return assert.fail('expected a ConfigError');
}

test('later files override earlier ones key by key; lists are replaced', () => {
  const dir = tempDir();
  const a = writeFile(
    dir,
    'a.yaml',
    'quay: {primary: {url: https://a.example.com, username: alice}}\nmirror-repos: {repositories: [x/y:1], concurrency: 3}\n',
  );
  const b = writeFile(
    dir,
    'b.yaml',
    'quay: {primary: {url: https://b.example.com/}}\nmirror-repos: {repositories: [x/z:2]}\n',
  );
  const { config } = load([a, b]);
  assert.equal(
    registryInstance(config.quay, 'primary').url,
    'https://b.example.com',
    'trailing slash dropped',
  );
  assert.equal(registryInstance(config.quay, 'primary').username, 'alice');
  assert.deepEqual(config['mirror-repos'].repositories, ['x/z:2']);
  assert.equal(config['mirror-repos'].concurrency, 3);
});

test('no file at all: every section takes its defaults', () => {
  const { config } = load([]);
  assert.equal(config['mirror-repos'].source, 'primary');
  assert.equal(config['mirror-repos'].keepGoing, false);
  assert.deepEqual(config.quay, {});
});

test('an empty file is an empty config, not a crash', () => {
  const dir = tempDir();
  const { config } = load([writeFile(dir, 'empty.yaml', '')]);
  assert.equal(config['mirror-repos'].concurrency, 6);
});

test('secrets resolve from literal, env and file (one trailing newline dropped) and are registered', () => {
  const dir = tempDir();
  const secretFile = writeFile(dir, 'password', 'from-a-file\n');
  const cfg = writeFile(
    dir,
    'c.yaml',
    `quay:\n  a: {url: https://a.example.com, token: literal-token}\n  b: {url: https://b.example.com, token: {env: B_TOKEN}, password: {file: ${secretFile}}}\n`,
  );
  const { config, redactor } = load([cfg], { B_TOKEN: 'from-the-env' });
  const b = registryInstance(config.quay, 'b');
  assert.ok(b?.token instanceof Secret);
  assert.ok(b.password instanceof Secret);
  assert.equal(registryInstance(config.quay, 'a').token?.reveal(), 'literal-token');
  assert.equal(b.token.reveal(), 'from-the-env');
  assert.equal(b.password?.reveal(), 'from-a-file');
  assert.equal(String(b.token), '***');
  assert.equal(
    JSON.stringify(b),
    JSON.stringify({
      type: 'quay',
      url: 'https://b.example.com',
      token: '***',
      password: '***',
      insecureSkipTlsVerify: false,
    }),
  );
  assert.equal(redactor.redact('from-the-env from-a-file literal-token'), '*** *** ***');
});

test('every problem is reported at once, each with its key path', () => {
  const dir = tempDir();
  const cfg = writeFile(
    dir,
    'bad.yaml',
    'quay:\n  primary: {url: nope, tokn: x}\nmirror-repos: {concurrency: 0, engine: docker}\n',
  );
  const issues = issuesOf(() => load([cfg]));
  const paths = issues.map((i) => i.path).sort();
  assert.deepEqual(paths, [
    'mirror-repos.concurrency',
    'mirror-repos.engine',
    'quay.primary.tokn',
    'quay.primary.url',
  ]);
  const tokn = issues.find((i) => i.path === 'quay.primary.tokn');
  assert.match(tokn?.message ?? '', /did you mean "token"/);
  const url = issues.find((i) => i.path === 'quay.primary.url');
  assert.equal(url?.example, 'url: https://quay.example.com');
  assert.equal(url?.file, cfg);
});

test('a task validates only its own sections; other known sections pass unchecked', () => {
  const dir = tempDir();
  const cfg = writeFile(dir, 'c.yaml', 'proxycache: {caches: not-a-list}\nmirror-repos: {}\n');
  const { config } = load([cfg]);
  assert.equal(config['mirror-repos'].source, 'primary');
  const issues = issuesOf(() => load([cfg], {}, ['quay', 'proxycache'] as never));
  assert.deepEqual(
    issues.map((i) => i.path),
    ['proxycache.caches'],
  );
});

test('the original sample config (primary/secondary) is detected and translated', () => {
  const { config, notices } = (() => {
    const redactor = new Redactor();
    const notices: string[] = [];
    const loaded = loadConfig({
      files: [fixture('original', 'sample_config.yaml')],
      sections: [
        'quay',
        'cluster',
        'quay-init',
        'create-robots',
        'proxycache',
        'mirror-repos',
        'apply-ordered',
      ],
      redactor,
      env: {},
      notice: (m) => notices.push(m),
    });
    return { ...loaded, notices };
  })();
  assert.equal(notices.length, 1);
  assert.match(notices[0] ?? '', /original quay_guides config \(primary\/secondary\)/);
  assert.equal(
    registryInstance(config.quay, 'primary').url,
    'https://central-quay.apps.quay-rep.example.com',
  );
  // The long-lived primary_token wins over the 2.5 h init token (the original's defect 17).
  assert.equal(
    registryInstance(config.quay, 'primary').token?.reveal(),
    'ZO828LUFO642RQZH2RH3AX2LA2DA5OHE0EW636LQ',
  );
  assert.equal(registryInstance(config.quay, 'secondary').username, 'quayadmin');
  assert.equal(config.cluster.server, 'https://api.quay-rep.example.com:6443');
  assert.equal(config.cluster.password?.reveal(), 'password');
  assert.equal(config['apply-ordered'].directory, '/home/ocp/misc_artifacts/quay/quay_only_manifests/');
  const init = config['quay-init'];
  assert.equal(init.initialUser?.username, 'quayadmin');
  assert.equal(init.initialUser?.email, 'admin@example.com');
  assert.equal(init.adminOrganization, 'admin_org');
  assert.deepEqual(init.organizations, [
    { name: 'ensono', state: 'present' },
    { name: 'proxytest', state: 'present' },
    { name: 'test', state: 'absent' },
  ]);
  assert.deepEqual(init.superUsers, ['test1', 'quayadmin', 'sovens']);
  assert.equal(init.configBundle?.file, '/home/ocp/misc_artifacts/quay/quay-config-minio-initial.yaml');
  assert.equal(init.namespace, 'quay');
  assert.deepEqual(
    config['create-robots'].robots.map((r) => [r.name, r.organization, r.user]),
    [
      ['test', undefined, 'quayadmin'],
      ['test', 'admin_org', undefined],
    ],
  );
  assert.deepEqual(
    config.proxycache.caches.map((c) => [
      c.organization,
      c.upstreamRegistry,
      c.username?.reveal(),
      c.password?.reveal(),
    ]),
    [
      ['admin_org', 'quay.io', 'user', 'password'],
      ['proxytest', 'docker.com', undefined, undefined],
    ],
  );
  assert.deepEqual(config['mirror-repos'].repositories, ['ensono/alpine:v1.0']);
  assert.equal(config['mirror-repos'].source, 'primary');
  assert.deepEqual(config['mirror-repos'].destinations, ['secondary']);
});

test('the original config read for the secondary role uses the secondary_* keys', () => {
  const loaded = loadConfig({
    files: [fixture('original', 'sample_config.yaml')],
    sections: ['quay', 'quay-init'],
    redactor: new Redactor(),
    env: {},
    legacyRole: 'secondary',
  });
  assert.equal(loaded.config['quay-init'].instance, 'secondary');
  assert.equal(
    loaded.config['quay-init'].configBundle?.file,
    '/home/ocp/misc_artifacts/quay/quay-config-truenas-initial.yaml',
  );
});

test('the older source/destination generation is detected and translated (bare hosts get https://)', () => {
  const notices: string[] = [];
  const { config } = loadConfig({
    files: [fixture('original', 'legacy_source_destination.yaml')],
    sections: ['quay', 'mirror-repos'],
    redactor: new Redactor(),
    env: {},
    notice: (m) => notices.push(m),
  });
  assert.match(notices[0] ?? '', /source\/destination generation/);
  assert.equal(registryInstance(config.quay, 'primary').url, 'https://registry-east.corp.test');
  assert.equal(registryInstance(config.quay, 'primary').token?.reveal(), 'OLDSOURCETOKEN');
  assert.equal(registryInstance(config.quay, 'secondary').url, 'https://registry-west.corp.test');
  assert.equal(registryInstance(config.quay, 'secondary').token?.reveal(), 'OLDDESTTOKEN');
  assert.deepEqual(config['mirror-repos'].repositories, ['team-alpha/web:1.4.2']);
  assert.equal(config['mirror-repos'].failover, false);
});

test('an original-format file with an unknown key is an error naming it', () => {
  const dir = tempDir();
  const cfg = writeFile(dir, 'old.yaml', 'primary_server: https://a.example.com\nprimary_tokn: x\n');
  const issues = issuesOf(() => load([cfg]));
  assert.deepEqual(
    issues.map((i) => i.path),
    ['primary_tokn'],
  );
});
