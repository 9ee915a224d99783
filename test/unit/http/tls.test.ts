import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rootCertificates } from 'node:tls';
import {
  createHttpClient,
  type HttpClient,
  HttpConfigError,
  HttpConnectionError,
} from '../../../src/http/index.js';
import { tlsConnectOptions } from '../../../src/http/tls.js';
import {
  makePki,
  sendJson,
  startHttpsServer,
  type TestPki,
  type TestServer,
} from '../../support/http-servers.js';

describe('TLS', () => {
  let pki: TestPki;
  let server: TestServer;
  let otherServer: TestServer;
  const clients: HttpClient[] = [];

  before(async () => {
    pki = makePki();
    otherServer = await startHttpsServer(pki, (_req, res) => sendJson(res, 200, { other: true }));
    server = await startHttpsServer(pki, (req, res) => {
      if (req.url === '/bounce') res.writeHead(302, { location: `${otherServer.origin}/x` }).end();
      else sendJson(res, 200, { secure: true });
    });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([server.close(), otherServer.close()]);
    pki.cleanup();
  });

  function client(options: Omit<Parameters<typeof createHttpClient>[0], 'baseUrl'> = {}): HttpClient {
    const created = createHttpClient({ baseUrl: server.origin, ...options });
    clients.push(created);
    return created;
  }

  test('verification is on by default: an unknown CA fails, is not retried, and says what to do', async () => {
    await assert.rejects(client().request({ path: '/api/v1/discovery' }), (error: unknown) => {
      assert.ok(error instanceof HttpConnectionError);
      assert.equal(error.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      assert.equal(error.attempts, 1);
      assert.match(
        error.message,
        /^GET \/api\/v1\/discovery failed: TLS certificate of 127\.0\.0\.1:\d+ could not be verified/,
      );
      assert.match(error.message, /CA bundle/);
      return true;
    });
  });

  test('the CA bundle makes verification succeed', async () => {
    assert.deepEqual(await client({ caBundlePath: pki.caPath }).json({ path: '/' }), { secure: true });
  });

  test('insecureSkipTlsVerify works for the configured origin only, not for a redirect target', async () => {
    const insecure = client({ insecureSkipTlsVerify: true });
    assert.deepEqual(await insecure.json({ path: '/' }), { secure: true });
    await assert.rejects(insecure.request({ path: '/bounce' }), {
      name: 'HttpConnectionError',
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
  });

  test('the CA bundle is added to the default roots, not in place of them', () => {
    const options = tlsConnectOptions({ caBundlePath: pki.caPath });
    assert.equal(options.rejectUnauthorized, true);
    assert.ok(options.ca !== undefined);
    for (const root of rootCertificates) assert.ok(options.ca.includes(root));
    const ours = readFileSync(pki.caPath, 'utf8').trim();
    assert.equal(options.ca.at(-1), ours);
    assert.ok(options.ca.length > rootCertificates.length);
    assert.deepEqual(tlsConnectOptions({}), { rejectUnauthorized: true });
  });

  test('a CA bundle without a certificate is refused at construction', () => {
    const notPem = join(pki.dir, 'not-a-ca.txt');
    writeFileSync(notPem, 'hello');
    assert.throws(() => client({ caBundlePath: notPem }), HttpConfigError);
  });
});
