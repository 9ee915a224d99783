import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  type AuthStrategy,
  basicAuth,
  bearerAuth,
  createHttpClient,
  HttpBodyError,
  type HttpClientOptions,
  HttpConfigError,
  HttpConnectionError,
  HttpError,
} from '../../../src/http/index.js';
import { Redactor } from '../../../src/secrets/redactor.js';
import {
  type Handler,
  recordingSleep,
  sendJson,
  startServer,
  type TestServer,
} from '../../support/http-servers.js';

const TOKEN = 'QUAYTOKEN0123456789ABCDEFGHIJKLMNOPQRSTU';

describe('HttpClient', () => {
  const servers: TestServer[] = [];
  const clients: { close(): Promise<void> }[] = [];
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.close()));
  });

  async function setup(handler: Handler, options: Partial<HttpClientOptions> = {}) {
    const server = await startServer(handler);
    servers.push(server);
    const client = createHttpClient({ baseUrl: server.origin, sleep: recordingSleep().sleep, ...options });
    clients.push(client);
    return { server, client };
  }

  test('sends method, base path + path (trailing slash kept), query, JSON body and a user agent', async () => {
    let seen: { method?: string; url?: string; body: string; type?: string; agent?: string } = { body: '' };
    const { client } = await setup((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        seen = {
          method: req.method,
          url: req.url,
          body,
          type: req.headers['content-type'],
          agent: req.headers['user-agent'],
        };
        sendJson(res, 201, 'Created');
      });
    });
    const prefixed = createHttpClient({ baseUrl: `${new URL(client.baseUrl).origin}/quay/` });
    clients.push(prefixed);
    const result = await prefixed.json({
      method: 'POST',
      path: '/api/v1/organization/',
      query: { scope: ['repository:a/b:pull', 'repository:c/d:push'], n: 10, skip: undefined },
      json: { name: 'org' },
    });
    assert.equal(result, 'Created');
    assert.equal(seen.method, 'POST');
    assert.equal(
      seen.url,
      '/quay/api/v1/organization/?scope=repository%3Aa%2Fb%3Apull&scope=repository%3Ac%2Fd%3Apush&n=10',
    );
    assert.equal(seen.body, '{"name":"org"}');
    assert.equal(seen.type, 'application/json');
    assert.match(seen.agent ?? '', /^quay-tasks\/\d+\.\d+\.\d+/);
  });

  test('a human-actionable HttpError: method, path, status, the server message', async () => {
    const { client } = await setup((_req, res) =>
      sendJson(res, 404, {
        detail: 'Organization foo does not exist',
        error_message: 'Organization foo does not exist',
        error_type: 'not_found',
        status: 404,
      }),
    );
    await assert.rejects(client.request({ path: '/api/v1/organization/foo' }), (error: unknown) => {
      assert.ok(error instanceof HttpError);
      assert.equal(
        error.message,
        'GET /api/v1/organization/foo → 404 Not Found: Organization foo does not exist',
      );
      assert.equal(error.path, '/api/v1/organization/foo');
      assert.equal(error.serverMessage, 'Organization foo does not exist');
      assert.deepEqual((error.json as { error_type: string }).error_type, 'not_found');
      return true;
    });
  });

  test('registry error shape and plain-text bodies are quoted usefully', async () => {
    const { client } = await setup((req, res) => {
      if (req.url?.startsWith('/v2/')) {
        sendJson(res, 401, {
          errors: [{ code: 'UNAUTHORIZED', message: 'access to the requested resource is not authorized' }],
        });
      } else {
        res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '30' });
        res.end('Too many login attempts. \nPlease reset your Quay password and try again.');
      }
    });
    await assert.rejects(client.request({ path: '/v2/org/repo/manifests/latest' }), {
      message:
        'GET /v2/org/repo/manifests/latest → 401 Unauthorized: UNAUTHORIZED: access to the requested resource is not authorized',
    });
    await assert.rejects(
      client.request({ method: 'POST', path: '/login', json: {}, maxAttempts: 1 }),
      (error: unknown) => {
        assert.ok(error instanceof HttpError);
        assert.equal(
          error.message,
          'POST /login → 429 Too Many Requests: Too many login attempts. Please reset your Quay password and try again.',
        );
        assert.equal(error.retryAfterMs, 30_000);
        return true;
      },
    );
  });

  test('allowStatus returns the response instead of throwing (HEAD probe for a blob)', async () => {
    const { client } = await setup((req, res) => {
      res.writeHead(req.url === '/v2/a/blobs/sha256:1' ? 200 : 404, { 'docker-content-digest': 'sha256:1' });
      res.end();
    });
    const missing = await client.request({
      method: 'HEAD',
      path: '/v2/a/blobs/sha256:2',
      allowStatus: [404],
    });
    assert.equal(missing.status, 404);
    await missing.dump();
    const present = await client.request({
      method: 'HEAD',
      path: '/v2/a/blobs/sha256:1',
      allowStatus: [404],
    });
    assert.equal(present.status, 200);
    assert.equal(present.header('Docker-Content-Digest'), 'sha256:1');
    await present.dump();
  });

  test('json/text reads are capped; invalid JSON is reported with the content type', async () => {
    const { client } = await setup((req, res) => {
      if (req.url === '/big') sendJson(res, 200, { data: 'x'.repeat(4096) });
      else {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>login</html>');
      }
    });
    await assert.rejects(client.json({ path: '/big' }, { maxBytes: 1024 }), (error: unknown) => {
      assert.ok(error instanceof HttpBodyError);
      assert.equal(error.reason, 'too-large');
      assert.match(error.message, /^GET \/big → 200: response body exceeds the 1024-byte limit/);
      return true;
    });
    await assert.rejects(client.json({ path: '/page' }), (error: unknown) => {
      assert.ok(error instanceof HttpBodyError);
      assert.equal(error.reason, 'invalid-json');
      assert.match(error.message, /text\/html/);
      return true;
    });
  });

  test('headers timeout: a clear connection error naming the limit', async () => {
    const { client } = await setup(() => undefined, {
      timeouts: { headersMs: 150 },
      retry: { maxAttempts: 1 },
    });
    await assert.rejects(client.request({ path: '/api/v1/user/' }), (error: unknown) => {
      assert.ok(error instanceof HttpConnectionError);
      assert.equal(error.code, 'UND_ERR_HEADERS_TIMEOUT');
      assert.match(
        error.message,
        /^GET \/api\/v1\/user\/ failed: 127\.0\.0\.1:\d+ sent no response headers within 150 ms/,
      );
      return true;
    });
  });

  test('a body that stalls while json() reads it is retried (idempotent GET)', async () => {
    const { server, client } = await setup(
      (_req, res, hit) => {
        if (hit === 1) {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
          res.write('{"par');
        } else sendJson(res, 200, { ok: true });
      },
      { timeouts: { bodyIdleMs: 150 } },
    );
    assert.deepEqual(await client.json({ path: '/x' }), { ok: true });
    assert.equal(server.hits, 2);
  });

  test('bearer auth is sent; basic auth encodes user:password', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 200, {}), {
      auth: bearerAuth(TOKEN),
    });
    await client.json({ path: '/api/v1/user/' });
    assert.equal(server.requests[0]?.headers.authorization, `Bearer ${TOKEN}`);
    await client.json({ path: '/v2/auth', auth: basicAuth('org+robot', 'robot-secret-value') });
    assert.equal(
      server.requests[1]?.headers.authorization,
      `Basic ${Buffer.from('org+robot:robot-secret-value').toString('base64')}`,
    );
    await client.json({ path: '/v2/auth', auth: null });
    assert.equal(server.requests[2]?.headers.authorization, undefined);
  });

  test('auth challenge: onChallenge refreshes credentials and the request is sent once more', async () => {
    let token = 'stale-token-1234';
    const challenges: string[] = [];
    const auth: AuthStrategy = {
      authorize: async () => ({ authorization: `Bearer ${token}` }),
      onChallenge: async (challenge) => {
        challenges.push(challenge.header('www-authenticate') ?? '');
        token = 'fresh-token-5678';
        return true;
      },
    };
    const { server, client } = await setup(
      (req, res) => {
        if (req.headers.authorization === 'Bearer fresh-token-5678') return sendJson(res, 200, { ok: 1 });
        sendJson(
          res,
          401,
          { errors: [{ code: 'UNAUTHORIZED', message: 'no' }] },
          {
            'www-authenticate': 'Bearer realm="http://q/v2/auth",service="q",scope="repository:a/b:pull"',
          },
        );
      },
      { auth },
    );
    assert.deepEqual(await client.json({ path: '/v2/a/b/tags/list' }), { ok: 1 });
    assert.equal(server.hits, 2);
    assert.deepEqual(challenges, ['Bearer realm="http://q/v2/auth",service="q",scope="repository:a/b:pull"']);
  });

  test('auth challenge is answered only once per request', async () => {
    let calls = 0;
    const auth: AuthStrategy = {
      authorize: async () => ({ authorization: 'Bearer never-good-token' }),
      onChallenge: async () => {
        calls += 1;
        return true;
      },
    };
    const { server, client } = await setup((_req, res) => sendJson(res, 401, { error: 'Invalid token' }), {
      auth,
    });
    await assert.rejects(client.request({ path: '/v2/' }), {
      message: 'GET /v2/ → 401 Unauthorized: Invalid token',
    });
    assert.equal(calls, 1);
    assert.equal(server.hits, 2);
  });

  test('a failing auth strategy surfaces its own error, before anything is sent', async () => {
    const failure = new Error('token endpoint unavailable');
    const { server, client } = await setup((_req, res) => sendJson(res, 200, {}), {
      auth: {
        authorize: async () => {
          throw failure;
        },
      },
    });
    await assert.rejects(client.request({ path: '/v2/' }), (error: unknown) => error === failure);
    assert.equal(server.hits, 0);
  });

  test('secrets never appear in error messages, bodies or logs', async () => {
    const redactor = new Redactor();
    const lines: string[] = [];
    const { client } = await setup(
      (req, res) =>
        sendJson(res, 403, {
          error: `token ${req.headers.authorization?.slice('Bearer '.length)} is not allowed here`,
          echoed: req.headers.authorization,
        }),
      { auth: bearerAuth(TOKEN), redactor, logger: { debug: (line) => lines.push(line) } },
    );
    await assert.rejects(
      client.request({
        method: 'DELETE',
        path: '/api/v1/organization/foo',
        query: { access_token: 'query-secret-9876', 'X-Amz-Signature': 'sig-value-5555', page: 2 },
      }),
      (error: unknown) => {
        assert.ok(error instanceof HttpError);
        const everything = [
          error.message,
          error.body,
          error.path,
          JSON.stringify(error.json),
          String(error.stack),
        ];
        for (const text of [...everything, ...lines]) {
          assert.ok(!text.includes(TOKEN), `token leaked: ${text}`);
          assert.ok(!text.includes('query-secret-9876'), `query secret leaked: ${text}`);
          assert.ok(!text.includes('sig-value-5555'), `signature leaked: ${text}`);
        }
        assert.equal(
          error.message,
          'DELETE /api/v1/organization/foo?access_token=***&X-Amz-Signature=***&page=2 → 403 Forbidden: ' +
            'token *** is not allowed here',
        );
        return true;
      },
    );
    assert.ok(
      lines.some((line) =>
        /DELETE http:\/\/127\.0\.0\.1:\d+\/api\/v1\/organization\/foo\?.* → 403 Forbidden in \d+ ms \(attempt 1\/5\)/.test(
          line,
        ),
      ),
    );
  });

  test('a credential set by the caller as a header is redacted too', async () => {
    const { client } = await setup((req, res) =>
      sendJson(res, 400, { message: `bad ${req.headers.authorization}` }),
    );
    await assert.rejects(
      client.request({ path: '/x', headers: { Authorization: 'Bearer caller-supplied-secret' } }),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.equal(error.message, 'GET /x → 400 Bad Request: bad ***');
        return true;
      },
    );
  });

  test('the pool opens at most maxConnectionsPerOrigin connections', async () => {
    const sockets = new Set<unknown>();
    const { client } = await setup(
      (req, res) => {
        sockets.add(req.socket);
        sendJson(res, 200, {});
      },
      { maxConnectionsPerOrigin: 2 },
    );
    await Promise.all(Array.from({ length: 6 }, () => client.json({ path: '/x' })));
    assert.equal(sockets.size, 2);

    // Control: without the cap the same burst opens more connections, so the assertion above can fail.
    const wide = new Set<unknown>();
    const { client: unbounded } = await setup((req, res) => {
      wide.add(req.socket);
      sendJson(res, 200, {});
    });
    await Promise.all(Array.from({ length: 6 }, () => unbounded.json({ path: '/x' })));
    assert.ok(wide.size > 2, `expected more than 2 connections, got ${wide.size}`);
  });

  test('invalid options fail at construction', () => {
    assert.throws(() => createHttpClient({ baseUrl: 'ftp://x' }), HttpConfigError);
    assert.throws(
      () => createHttpClient({ baseUrl: 'https://user:pw@quay.example.com' }),
      /must not contain credentials/,
    );
    assert.throws(
      () => createHttpClient({ baseUrl: 'https://q', maxConnectionsPerOrigin: 0 }),
      HttpConfigError,
    );
    assert.throws(() => createHttpClient({ baseUrl: 'https://q', caBundlePath: '/nonexistent/ca.pem' }), {
      name: 'HttpConfigError',
      message: 'CA bundle /nonexistent/ca.pem cannot be read (ENOENT)',
    });
  });
});
