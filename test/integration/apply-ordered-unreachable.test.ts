import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import { taskScript } from '../support/paths.js';
import { reportOf } from '../support/quay-fixture.js';
import { runCli } from '../support/run-cli.js';
import { tempDir, writeFile } from '../support/temp.js';
import { waitUntil } from '../support/wait-until.js';

/**
 * apply-ordered against a cluster it cannot reach fails within seconds (exit 1), naming the cluster and
 * the cause, instead of waiting for the first wave's kinds to be served until the wave timeout (30 min).
 * The tests' own timeouts (60 s) bound them: a run that waited for the wave would fail them.
 */
const TEST = { timeout: 60_000 };

const dir = tempDir('apply-unreachable-');
const manifests = join(dir, 'manifests');
mkdirSync(manifests);
writeFile(manifests, '0001-ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: quay}\n');
writeFile(
  manifests,
  '0002-cm.yaml',
  'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: quay}\ndata: {a: "1"}\n',
);

function tokenConfig(server: string): string {
  return writeFile(
    dir,
    `c-${Math.random().toString(36).slice(2)}.yaml`,
    `cluster: {cli: kubectl, server: ${server}, token: {env: KUBE_TOKEN}, insecureSkipTlsVerify: true}\n`,
  );
}

/** A port nothing listens on: one the system gave a server that is closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Accepts connections and never answers: a black-holed API server, deterministic on any network. */
let silent: Server;
const sockets: Socket[] = [];
let silentUrl = '';
before(async () => {
  silent = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  silentUrl = `https://127.0.0.1:${address.port}`;
});
after(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

const env = { KUBE_TOKEN: 'secret-token-value-123' };

describe('apply-ordered: an unreachable cluster fails fast', () => {
  test('connection refused: exit 1 naming the server and the cause', TEST, async () => {
    const server = `https://127.0.0.1:${await closedPort()}`;
    const result = await runCli('apply-ordered', ['--config', tokenConfig(server), manifests], { env });
    assert.equal(result.exitCode, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`cluster unreachable: server ${server}.*connection refused`));
    assert.doesNotMatch(result.stderr, /secret-token-value-123/);
  });

  test('a server that never answers: exit 1 after the request timeout, naming the server', TEST, async () => {
    const result = await runCli('apply-ordered', ['--config', tokenConfig(silentUrl), manifests], { env });
    assert.equal(result.exitCode, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`cluster unreachable: server ${silentUrl}.*timeout`));
  });

  test('a black-holed address (10.255.255.1): exit 1 naming it', TEST, async () => {
    const server = 'https://10.255.255.1:6443';
    const result = await runCli('apply-ordered', ['--config', tokenConfig(server), manifests], { env });
    assert.equal(result.exitCode, 1, result.stderr);
    // Where the network has no route the cause is "unreachable" rather than a timeout; where a proxy
    // of the network answers for the address, it is not an API server.
    assert.match(
      result.stderr,
      /cluster unreachable: server https:\/\/10\.255\.255\.1:6443.*(timeout|network unreachable|not as a Kubernetes API server)/,
    );
  });

  test('a kubeconfig file that does not exist: exit 1 naming it', TEST, async () => {
    const missing = join(dir, 'no-such-kubeconfig');
    const config = writeFile(dir, 'missing-kc.yaml', `cluster: {cli: kubectl, kubeconfig: ${missing}}\n`);
    const result = await runCli('apply-ordered', ['--config', config, manifests], { env: {} });
    assert.notEqual(result.exitCode, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`${missing}.*(does not exist|not found|no such file)`, 'i'));
  });

  test('no kubeconfig at all (none in HOME, no KUBECONFIG, not in a cluster): exit 1', TEST, async () => {
    const home = join(dir, 'empty-home');
    mkdirSync(home, { recursive: true });
    const config = writeFile(dir, 'no-kc.yaml', 'cluster: {cli: kubectl}\n');
    const result = await runCli('apply-ordered', ['--config', config, manifests], { env: { HOME: home } });
    assert.equal(result.exitCode, 1, result.stderr);
    assert.match(result.stderr, /cluster unreachable: no kubeconfig/);
  });

  test('--dry-run against an unreachable cluster exits 1, not 0', TEST, async () => {
    const server = `https://127.0.0.1:${await closedPort()}`;
    const result = await runCli(
      'apply-ordered',
      ['--config', tokenConfig(server), manifests, '--dry-run', '--output', 'json'],
      { env },
    );
    assert.equal(result.exitCode, 1, result.stderr);
    assert.equal(reportOf(result).ok, false);
    assert.match(result.stderr, /connection refused/);
  });
});

describe('apply-ordered: an undefined variable placeholder is rejected before any run', () => {
  const varDir = join(dir, 'with-var');
  mkdirSync(varDir);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the manifest's own placeholder
  writeFile(varDir, '0001-ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: "${QUAY_NS}"}\n');
  // No cluster is needed: a refused one proves neither mode reaches it before rejecting.
  for (const flag of ['--validate-config', '--plan']) {
    test(`${flag}: exit 2 naming the file and the variable`, TEST, async () => {
      const server = `https://127.0.0.1:${await closedPort()}`;
      const result = await runCli('apply-ordered', ['--config', tokenConfig(server), varDir, flag], { env });
      assert.equal(result.exitCode, 2, result.stderr);
      assert.match(result.stderr, /variable QUAY_NS is used by 0001-ns\.yaml but not defined/);
    });
    test(`${flag}: the variable defined in the environment is accepted`, TEST, async () => {
      const server = `https://127.0.0.1:${await closedPort()}`;
      const result = await runCli('apply-ordered', ['--config', tokenConfig(server), varDir, flag], {
        env: { ...env, QUAY_NS: 'quay' },
      });
      assert.equal(result.exitCode, 0, result.stderr);
    });
  }
});

describe('apply-ordered: SIGTERM', () => {
  test('removes the temporary kubeconfig that holds the token, exit 143', TEST, async () => {
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const kubeconfigs = () =>
      readdirSync(tmp)
        .filter((name) => name.startsWith('quay-tasks-kube-'))
        .flatMap((name) => readdirSync(join(tmp, name)).map((file) => join(tmp, name, file)));
    // The silent server keeps the run in its first cluster call until the signal.
    const seen = sockets.length;
    const child = execa(
      'node',
      [taskScript('apply-ordered'), '--config', tokenConfig(silentUrl), manifests],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp, ...env },
        extendEnv: false,
        reject: false,
      },
    );
    await waitUntil('the temporary kubeconfig to be written', () => kubeconfigs().length > 0, 30_000);
    await waitUntil('kubectl to connect to the silent server', () => sockets.length > seen, 30_000);
    child.kill('SIGTERM');
    const result = await child;
    assert.equal(result.exitCode, 143, String(result.stderr));
    assert.deepEqual(readdirSync(tmp), []);
  });
});
