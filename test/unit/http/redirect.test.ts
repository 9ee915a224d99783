import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import {
  bearerAuth,
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  HttpError,
} from '../../../src/http/index.js';
import { type Handler, sendJson, startServer, type TestServer } from '../../support/http-servers.js';

const TOKEN = 'registry-jwt-abcdefghijklmnop';

describe('redirects', () => {
  const servers: TestServer[] = [];
  const clients: HttpClient[] = [];
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.close()));
  });

  async function server(handler: Handler, host?: string): Promise<TestServer> {
    const started = await startServer(handler, host);
    servers.push(started);
    return started;
  }

  function client(origin: string, options: Partial<HttpClientOptions> = {}) {
    const created = createHttpClient({ baseUrl: origin, auth: bearerAuth(TOKEN), ...options });
    clients.push(created);
    return created;
  }

  test('a blob GET redirected to another host (storage) does not carry Authorization there', async () => {
    // 127.0.0.2 is a different host on the Linux loopback network, like S3 next to the registry.
    const storage = await server((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(`blob bytes for ${req.url}`);
    }, '127.0.0.2');
    const registry = await server((_req, res) => {
      res.writeHead(302, { location: `${storage.origin}/bucket/sha256-abc?X-Amz-Signature=s3sig123456` });
      res.end();
    });
    const lines: string[] = [];
    const http = client(registry.origin, { logger: { debug: (line) => lines.push(line) } });
    const response = await http.request({
      path: '/v2/org/repo/blobs/sha256:abc',
      headers: { cookie: 'session=cookie-secret-1' },
    });
    assert.equal(await response.text(), 'blob bytes for /bucket/sha256-abc?X-Amz-Signature=s3sig123456');
    assert.equal(response.url.origin, storage.origin);
    assert.equal(registry.requests[0]?.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(storage.requests[0]?.headers.authorization, undefined);
    assert.equal(storage.requests[0]?.headers.cookie, undefined);
    assert.ok(lines.some((line) => line.includes('following 302') && line.includes('X-Amz-Signature=***')));
    assert.ok(!lines.join('\n').includes('s3sig123456'));
  });

  test('an Authorization header set by the caller is dropped across origins too, kept on the same origin', async () => {
    const other = await server((_req, res) => sendJson(res, 200, {}));
    const origin = await server((req, res) => {
      if (req.url === '/old') res.writeHead(301, { location: '/new' }).end();
      else if (req.url === '/new') res.writeHead(307, { location: `${other.origin}/elsewhere` }).end();
      else sendJson(res, 404, {});
    });
    const http = client(origin.origin, { auth: undefined });
    await http.json({ path: '/old', headers: { Authorization: 'Bearer caller-secret' } });
    assert.deepEqual(
      origin.requests.map((r) => [r.url, r.headers.authorization]),
      [
        ['/old', 'Bearer caller-secret'],
        ['/new', 'Bearer caller-secret'],
      ],
    );
    assert.equal(other.requests[0]?.headers.authorization, undefined);
  });

  test('303 after POST becomes a GET without body; 308 keeps POST and its JSON body (Quay trailing slash)', async () => {
    const seen: string[] = [];
    const quay = await server((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${body}`);
        if (req.url === '/api/v1/organization')
          res.writeHead(308, { location: '/api/v1/organization/' }).end();
        else if (req.url === '/api/v1/organization/') sendJson(res, 201, 'Created');
        else if (req.url === '/form') res.writeHead(303, { location: '/result' }).end();
        else sendJson(res, 200, { method: req.method });
      });
    });
    const http = client(quay.origin);
    assert.equal(
      await http.json({ method: 'POST', path: '/api/v1/organization', json: { name: 'o' } }),
      'Created',
    );
    assert.deepEqual(await http.json({ method: 'POST', path: '/form', json: { a: 1 } }), { method: 'GET' });
    assert.deepEqual(seen, [
      'POST /api/v1/organization {"name":"o"}',
      'POST /api/v1/organization/ {"name":"o"}',
      'POST /form {"a":1}',
      'GET /result ',
    ]);
  });

  test('a 307 for a one-shot streamed body fails clearly instead of sending an empty body', async () => {
    const registry = await server((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(307, { location: '/v2/other' }).end());
    });
    const http = client(registry.origin);
    await assert.rejects(
      http.request({ method: 'PUT', path: '/v2/upload', body: Readable.from([Buffer.from('layer')]) }),
      (error: unknown) => {
        assert.ok(error instanceof HttpError);
        assert.match(
          error.message,
          /^PUT \/v2\/upload → 307 Temporary Redirect: cannot follow the redirect to \/v2\/other/,
        );
        return true;
      },
    );
    assert.equal(registry.hits, 1);
  });

  test('redirect: manual returns the 3xx; a loop stops at maxRedirects', async () => {
    const loop = await server((_req, res) => res.writeHead(302, { location: '/again' }).end());
    const http = client(loop.origin, { maxRedirects: 3 });
    const manual = await http.request({ path: '/start', redirect: 'manual' });
    assert.equal(manual.status, 302);
    assert.equal(manual.header('location'), '/again');
    await manual.dump();
    await assert.rejects(http.request({ path: '/start' }), {
      name: 'HttpError',
      message: 'GET /again → 302 Found: too many redirects (more than 3)',
    });
    assert.equal(loop.hits, 1 + 4);
  });
});
