import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { load } from 'js-yaml';
import { type KubeEmulator, OPENSHIFT_CRDS, startKubeEmulator } from '../support/kube-emulator/index.js';
import { fixture } from '../support/paths.js';
import { type QuayEmulator, startQuayEmulator } from '../support/quay-emulator/index.js';
import { actions, type QuayFixture, quayFixture, reportOf } from '../support/quay-fixture.js';
import { runCli } from '../support/run-cli.js';
import { meta } from '../support/scripted-operators.js';
import { tempDir, writeFile } from '../support/temp.js';

/**
 * The Secret-editing steps against the real kubectl and the Kubernetes emulator: the config bundle
 * (other keys kept), super users, the first user's token as a Secret, and robot pull secrets.
 */
const SECRET = { apiVersion: 'v1', kind: 'Secret', namespace: 'quay' } as const;
const decode = (value: unknown): string => Buffer.from(String(value), 'base64').toString('utf8');
/** A Secret's `data` entry, decoded. */
const dataOf = (object: object | undefined, key: string): string =>
  decode((object as { data?: Record<string, string> } | undefined)?.data?.[key]);

function clusterSection(kube: KubeEmulator): string {
  return `cluster: {cli: kubectl, server: ${kube.url}, token: {env: KUBE_TOKEN}, caBundle: ${kube.caPath}}\n`;
}
function kubeEnv(kube: KubeEmulator): Record<string, string> {
  return { KUBE_TOKEN: kube.token, HOME: kube.env.HOME ?? '', KUBECACHEDIR: kube.env.KUBECACHEDIR ?? '' };
}

describe('quay-init: config bundle, super users and the token Secret', () => {
  let quay: QuayEmulator;
  let kube: KubeEmulator;
  const dir = tempDir();
  let config: string;

  before(async () => {
    quay = await startQuayEmulator({ features: { userInitialize: true }, superUsers: ['quayadmin'] });
    kube = await startKubeEmulator({ crds: OPENSHIFT_CRDS, namespaces: ['default', 'quay'] });
    kube.set({
      apiVersion: 'quay.redhat.com/v1',
      kind: 'QuayRegistry',
      metadata: { name: 'central', namespace: 'quay' },
      spec: { configBundleSecret: 'central-config-bundle' },
    });
    // An existing bundle with another key (a certificate) that must survive.
    kube.set({
      ...SECRET,
      metadata: { name: 'central-config-bundle', namespace: 'quay' },
      data: {
        'config.yaml': Buffer.from('OLD: true\n').toString('base64'),
        'ssl.cert': Buffer.from('CERT').toString('base64'),
      },
    });
    const quayConfig = writeFile(
      dir,
      'quay-config.yaml',
      'FEATURE_USER_INITIALIZE: true\nAUTHENTICATION_TYPE: Database\nSUPER_USERS:\n  - quayadmin\n',
    );
    config = writeFile(
      dir,
      'config.yaml',
      `quay:\n  primary: {url: ${quay.url}}\n${clusterSection(kube)}quay-init:
  namespace: quay
  registry: central
  configBundle: {file: ${quayConfig}}
  superUsers: [quayadmin, alice]
  initialUser: {username: quayadmin, password: {env: ADMIN_PASSWORD}, email: admin@example.com}
  tokenOutput: {secret: {name: quay-admin-token, namespace: quay}}
`,
    );
  });
  after(async () => {
    await quay.close();
    await kube.close();
  });

  const env = () => ({ ...kubeEnv(kube), ADMIN_PASSWORD: 'correct-horse-battery' });

  test('--dry-run reads the cluster and changes nothing', async () => {
    const result = await runCli('quay-init', ['--config', config, '--dry-run', '--output', 'json'], {
      env: env(),
    });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(actions(reportOf(result))['secret/quay/central-config-bundle'], 'planned');
    assert.equal(
      dataOf(kube.get({ ...SECRET, name: 'central-config-bundle' }), 'config.yaml'),
      'OLD: true\n',
    );
    assert.equal(kube.get({ ...SECRET, name: 'quay-admin-token' }), undefined);
  });

  test('writes the bundle (keeping other keys, super users merged), creates the user and its token Secret', async () => {
    const result = await runCli('quay-init', ['--config', config, '--output', 'json'], { env: env() });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(actions(reportOf(result)), {
      'secret/quay/central-config-bundle': 'updated',
      'user/quayadmin': 'created',
      'secret/quay/quay-admin-token': 'created',
      'secret/quay/central-config-bundle#SUPER_USERS': 'unchanged',
    });
    const bundle = kube.get({ ...SECRET, name: 'central-config-bundle' });
    const quayConfig = load(dataOf(bundle, 'config.yaml')) as Record<string, unknown>;
    assert.deepEqual(quayConfig.SUPER_USERS, ['quayadmin', 'alice']);
    assert.equal(quayConfig.AUTHENTICATION_TYPE, 'Database');
    assert.equal(dataOf(bundle, 'ssl.cert'), 'CERT', 'the other key is kept');
    const token = dataOf(kube.get({ ...SECRET, name: 'quay-admin-token' }), 'token');
    assert.match(token, /^[A-Z0-9]{40}$/);
    assert.ok(!result.stderr.includes(token) && !result.stdout.includes(token));
    // Secret data went to kubectl through stdin, and the token never reached an argv.
    assert.ok(kube.requestsTo({ method: 'PATCH' }).length >= 2);
  });

  test('a second run reports no change', async () => {
    const result = await runCli('quay-init', ['--config', config, '--output', 'json'], { env: env() });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(reportOf(result).changed, 0, result.stdout);
  });

  test('--add-super-user alone edits SUPER_USERS of the live bundle, keeping the rest', async () => {
    const only = writeFile(
      dir,
      'only-super.yaml',
      `quay:\n  primary: {url: ${quay.url}}\n${clusterSection(kube)}quay-init:\n  namespace: quay\n  registry: central\n  superUsers: [bob]\n`,
    );
    const result = await runCli('quay-init', ['--config', only, '--add-super-user', '--output', 'json'], {
      env: env(),
    });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(actions(reportOf(result)), {
      'secret/quay/central-config-bundle#SUPER_USERS': 'updated',
    });
    const bundle = kube.get({ ...SECRET, name: 'central-config-bundle' });
    const quayConfig = load(dataOf(bundle, 'config.yaml')) as Record<string, unknown>;
    assert.deepEqual(quayConfig.SUPER_USERS, ['quayadmin', 'alice', 'bob']);
    assert.equal(dataOf(bundle, 'ssl.cert'), 'CERT');
  });

  test('the original sample Quay config (a bare FEATURE_USER_INITIALIZE line) is refused with the reason', async () => {
    const bad = writeFile(
      dir,
      'bad.yaml',
      `quay:\n  primary: {url: ${quay.url}}\n${clusterSection(kube)}quay-init:\n  namespace: quay\n  configBundle: {file: ${fixture('original', 'quay_init.ini')}}\n`,
    );
    const result = await runCli('quay-init', ['--config', bad, '--output', 'json'], { env: env() });
    assert.equal(result.exitCode, 1);
    assert.match(
      reportOf(result).items[0]?.error ?? '',
      /the Quay config .*quay_init\.ini is not valid YAML/,
    );
  });

  test('a missing namespace is a config error before anything is done', async () => {
    const bad = writeFile(
      dir,
      'nons.yaml',
      `quay:\n  primary: {url: ${quay.url}}\nquay-init:\n  superUsers: [bob]\n`,
    );
    const result = await runCli('quay-init', ['--config', bad], { env: env() });
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /quay-init\.namespace: missing/);
  });
});

describe('create-robots: a pull secret per robot', () => {
  let fx: QuayFixture;
  let kube: KubeEmulator;

  before(async () => {
    fx = await quayFixture();
    fx.quay.seed.org('team-alpha', { owner: 'admin' });
    kube = await startKubeEmulator({ namespaces: ['default', 'apps'] });
  });
  after(async () => {
    await fx.quay.close();
    await kube.close();
  });

  test('writes a kubernetes.io/dockerconfigjson Secret, and a second run changes nothing', async () => {
    const cfg = fx.config(
      `${clusterSection(kube)}create-robots:\n  robots: [{name: puller, organization: team-alpha, pullSecret: {name: team-alpha-pull, namespace: apps}}]\n`,
    );
    const first = await fx.run('create-robots', ['--config', cfg, '--output', 'json'], kubeEnv(kube));
    assert.equal(first.exitCode, 0, first.stderr);
    assert.deepEqual(actions(reportOf(first)), {
      'robot/team-alpha+puller': 'created',
      'secret/apps/team-alpha-pull': 'created',
    });
    const secret = kube.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'apps', name: 'team-alpha-pull' });
    assert.equal(secret?.type, 'kubernetes.io/dockerconfigjson');
    const docker = JSON.parse(dataOf(secret, '.dockerconfigjson')) as {
      auths: Record<string, { auth: string }>;
    };
    const robot = fx.quay.state.robots.get('team-alpha+puller');
    assert.equal(decode(docker.auths[fx.quay.host]?.auth), `team-alpha+puller:${robot?.token}`);
    const second = await fx.run('create-robots', ['--config', cfg, '--output', 'json'], kubeEnv(kube));
    assert.equal(second.exitCode, 0, second.stderr);
    assert.deepEqual(actions(reportOf(second)), {
      'robot/team-alpha+puller': 'unchanged',
      'secret/apps/team-alpha-pull': 'unchanged',
    });
  });
});

describe('quay-init: the LDAP bootstrap (strip → initialise → restore in one run)', () => {
  let quay: QuayEmulator;
  let kube: KubeEmulator;
  const dir = tempDir();
  let config: string;
  const authSeen: string[] = [];

  before(async () => {
    quay = await startQuayEmulator({
      features: { userInitialize: true },
      superUsers: ['quayadmin'],
      authenticationType: 'LDAP',
    });
    kube = await startKubeEmulator({ crds: OPENSHIFT_CRDS, namespaces: ['default', 'quay'] });
    kube.set({
      apiVersion: 'quay.redhat.com/v1',
      kind: 'QuayRegistry',
      metadata: { name: 'central', namespace: 'quay' },
      spec: { configBundleSecret: 'central-config-bundle' },
      status: {
        currentVersion: '3.9.4',
        registryEndpoint: 'https://quay.example.com',
        conditions: [
          { type: 'Available', status: 'True' },
          { type: 'ComponentsCreated', status: 'True' },
        ],
      },
    });
    // Quay picks up every change of its config bundle: here at once (the operator would roll the pods).
    kube.onChange('Secret', ({ object }) => {
      if (meta(object).name !== 'central-config-bundle') return;
      const quayConfig = load(dataOf(object, 'config.yaml')) as Record<string, unknown>;
      const auth = String(quayConfig.AUTHENTICATION_TYPE ?? 'Database');
      authSeen.push(auth);
      // Quay takes a moment to restart with the new bundle: the first user must wait for it.
      setTimeout(() => quay.setAuthenticationType(auth), 700);
    });
    const quayConfig = writeFile(
      dir,
      'quay-config.yaml',
      'AUTHENTICATION_TYPE: LDAP\nFEATURE_USER_INITIALIZE: true\nLDAP_URI: ldap://ldap.example.com\nLDAP_BASE_DN: [dc=example, dc=com]\nSUPER_USERS: [quayadmin]\n',
    );
    config = writeFile(
      dir,
      'ldap.yaml',
      `quay:\n  primary: {url: ${quay.url}}\n${clusterSection(kube)}quay-init:
  namespace: quay
  registry: central
  configBundle: {file: ${quayConfig}, ldapBootstrap: true}
  initialUser: {username: quayadmin, password: {env: ADMIN_PASSWORD}, email: admin@example.com}
  tokenOutput: {file: ${dir}/token}
`,
    );
  });
  after(async () => {
    await quay.close();
    await kube.close();
  });
  const env = () => ({ ...kubeEnv(kube), ADMIN_PASSWORD: 'correct-horse-battery' });

  test('LDAP is taken out, the first user created, LDAP put back and Quay restarted', async () => {
    const result = await runCli('quay-init', ['--config', config, '--output', 'json'], { env: env() });
    assert.equal(result.exitCode, 0, result.stderr);
    const report = reportOf(result);
    assert.deepEqual(
      report.items.map((i) => [i.ref, i.action, i.detail]),
      [
        [
          'secret/quay/central-config-bundle',
          'created',
          'LDAP settings taken out for the first-user bootstrap (restored after it)',
        ],
        ['user/quayadmin', 'created', 'first user; its API token expires after 2.5 h'],
        [`file/${dir}/token`, 'created', 'initial user token'],
        ['secret/quay/central-config-bundle', 'updated', 'LDAP settings restored'],
        ['QuayRegistry/quay/central', 'updated', report.items[4]?.detail],
      ],
    );
    assert.deepEqual(authSeen, ['Database', 'LDAP']);
    assert.ok(quay.state.users.has('quayadmin'));
    assert.match(
      result.stderr,
      /Quay still runs with LDAP; waiting for it to pick up database authentication/,
    );
    const live = load(
      dataOf(kube.get({ ...SECRET, name: 'central-config-bundle' }), 'config.yaml'),
    ) as Record<string, unknown>;
    assert.equal(live.LDAP_URI, 'ldap://ldap.example.com');
    assert.equal(live.AUTHENTICATION_TYPE, 'LDAP');
  });

  test('a second run finds the user and leaves LDAP alone', async () => {
    const result = await runCli('quay-init', ['--config', config, '--output', 'json'], { env: env() });
    assert.equal(result.exitCode, 0, result.stderr);
    const report = reportOf(result);
    assert.equal(report.changed, 0, result.stdout);
    assert.equal(
      report.items.find((i) => i.ref === 'user/quayadmin')?.detail,
      'the first user exists (Quay runs with LDAP)',
    );
    assert.deepEqual(authSeen, ['Database', 'LDAP'], 'no second switch');
  });
});
