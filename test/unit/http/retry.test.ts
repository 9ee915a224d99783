import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import {
  createHttpClient,
  type HttpClientOptions,
  HttpConnectionError,
  HttpError,
} from '../../../src/http/index.js';
import { mayRetry, parseRetryAfter, retryDelayMs } from '../../../src/http/retry.js';
import {
  closedPort,
  recordingSleep,
  sendJson,
  startServer,
  type TestServer,
} from '../../support/http-servers.js';

const policy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

describe('retry policy (pure)', () => {
  test('full jitter: uniform below an exponentially growing, capped ceiling', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, policy, () => 0.5)),
      [250, 500, 1000, 2000],
    );
    assert.equal(
      retryDelayMs(12, policy, () => 0.999),
      29_970,
    );
    assert.equal(
      retryDelayMs(3, policy, () => 0),
      0,
    );
  });

  test('Retry-After wins over backoff and is capped by maxDelayMs', () => {
    assert.equal(
      retryDelayMs(1, policy, () => 0.5, 7000),
      7000,
    );
    assert.equal(
      retryDelayMs(1, policy, () => 0.5, 3_600_000),
      30_000,
    );
  });

  test('parseRetryAfter reads seconds and HTTP-dates, ignores garbage', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter(new Date(now + 9000).toUTCString(), now), 9000);
    assert.equal(parseRetryAfter(new Date(now - 9000).toUTCString(), now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  test('mayRetry: only transient outcomes, only when it is safe to send again', () => {
    const get = { method: 'GET', idempotent: undefined, replayableBody: true };
    const post = { method: 'POST', idempotent: undefined, replayableBody: true };
    const status = (s: number) => ({ kind: 'status' as const, status: s });
    const error = (code: string) => ({ kind: 'error' as const, code });
    assert.equal(mayRetry(status(503), get), true);
    assert.equal(mayRetry(status(500), get), true);
    assert.equal(mayRetry(status(501), get), false);
    assert.equal(mayRetry(status(404), get), false);
    assert.equal(mayRetry(error('ECONNRESET'), get), true);
    assert.equal(mayRetry(error('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), get), false);
    // idempotent: false makes a GET as careful as a POST: only "not processed" outcomes are retried.
    assert.equal(mayRetry(error('ECONNRESET'), { ...get, idempotent: false }), false);
    assert.equal(mayRetry(status(503), { ...get, idempotent: false }), true);
    // POST: 429/503 and "never connected" mean not processed; 502/504/reset might have been processed.
    assert.equal(mayRetry(status(429), post), true);
    assert.equal(mayRetry(status(503), post), true);
    assert.equal(mayRetry(status(502), post), false);
    assert.equal(mayRetry(status(500), post), false);
    assert.equal(
      mayRetry(status(500), { method: 'PUT', idempotent: undefined, replayableBody: true }),
      false,
    );
    assert.equal(mayRetry(error('ECONNRESET'), post), false);
    assert.equal(mayRetry(error('ECONNREFUSED'), post), true);
    assert.equal(mayRetry(status(502), { ...post, idempotent: true }), true);
    assert.equal(
      mayRetry(error('ECONNRESET'), { method: 'PUT', idempotent: true, replayableBody: true }),
      true,
    );
    // A consumed stream cannot be sent again, whatever the outcome.
    assert.equal(mayRetry(status(503), { ...post, replayableBody: false }), false);
    assert.equal(mayRetry(status(503), { ...post, idempotent: true, replayableBody: false }), false);
  });
});

describe('retries against a live server', () => {
  const servers: TestServer[] = [];
  const clients: { close(): Promise<void> }[] = [];
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.close()));
  });

  async function setup(handler: Parameters<typeof startServer>[0], options: Partial<HttpClientOptions> = {}) {
    const server = await startServer(handler);
    servers.push(server);
    const { delays, sleep } = recordingSleep();
    const client = createHttpClient({ baseUrl: server.origin, sleep, random: () => 0.5, ...options });
    clients.push(client);
    return { server, client, delays };
  }

  test('503 twice, then 200: retried with backoff and succeeds', async () => {
    const { server, client, delays } = await setup((_req, res, hit) =>
      hit <= 2 ? sendJson(res, 503, { message: 'busy' }) : sendJson(res, 200, { ok: true }),
    );
    assert.deepEqual(await client.json({ path: '/api/v1/user/' }), { ok: true });
    assert.equal(server.hits, 3);
    assert.deepEqual(delays, [250, 500]);
  });

  test('Retry-After in seconds is honoured exactly (no jitter)', async () => {
    const { client, delays } = await setup((_req, res, hit) =>
      hit === 1 ? sendJson(res, 429, {}, { 'retry-after': '4' }) : sendJson(res, 200, {}),
    );
    await client.json({ path: '/x' });
    assert.deepEqual(delays, [4000]);
  });

  test('Retry-After as an HTTP-date is honoured, a huge one is capped by maxDelayMs', async () => {
    const now = Date.UTC(2026, 4, 1, 8, 0, 0);
    const { client, delays } = await setup(
      (_req, res, hit) => {
        if (hit === 1) sendJson(res, 503, {}, { 'retry-after': new Date(now + 7000).toUTCString() });
        else if (hit === 2) sendJson(res, 503, {}, { 'retry-after': '86400' });
        else sendJson(res, 200, {});
      },
      { now: () => now, retry: { maxDelayMs: 10_000 } },
    );
    await client.json({ path: '/x' });
    assert.deepEqual(delays, [7000, 10_000]);
  });

  for (const status of [400, 404]) {
    test(`${status} is final: one request, no sleep, HttpError`, async () => {
      const { server, client, delays } = await setup((_req, res) => sendJson(res, status, { message: 'no' }));
      await assert.rejects(client.request({ path: '/x' }), (error: unknown) => {
        assert.ok(error instanceof HttpError);
        assert.equal(error.status, status);
        assert.equal(error.attempts, 1);
        return true;
      });
      assert.equal(server.hits, 1);
      assert.deepEqual(delays, []);
    });
  }

  test('POST is not retried on 500', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 500, { message: 'boom' }));
    await assert.rejects(client.request({ method: 'POST', path: '/x', json: { a: 1 } }), HttpError);
    assert.equal(server.hits, 1);
  });

  test('POST is not retried on 502 unless marked idempotent', async () => {
    const { server, client } = await setup((_req, res, hit) =>
      hit <= 2 ? sendJson(res, 502, {}) : sendJson(res, 201, 'Created'),
    );
    await assert.rejects(client.request({ method: 'POST', path: '/x', json: {} }), { status: 502 });
    assert.equal(server.hits, 1);
    const response = await client.request({ method: 'POST', path: '/x', json: {}, idempotent: true });
    assert.equal(response.status, 201);
    await response.dump();
    assert.equal(server.hits, 3);
  });

  test('POST with a JSON body is retried on 503 (not processed) and the body is sent again', async () => {
    const bodies: string[] = [];
    const { client } = await setup((req, res, hit) => {
      let text = '';
      req.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      req.on('end', () => {
        bodies.push(text);
        if (hit === 1) sendJson(res, 503, {});
        else sendJson(res, 201, 'Created');
      });
    });
    assert.equal(
      await client.json({ method: 'POST', path: '/api/v1/organization/', json: { name: 'org' } }),
      'Created',
    );
    assert.deepEqual(bodies, ['{"name":"org"}', '{"name":"org"}']);
  });

  test('POST with a one-shot stream body is not retried on 503; a body factory is', async () => {
    const { server, client } = await setup((req, res, hit) => {
      req.resume();
      req.on('end', () => (hit === 1 || hit === 2 ? sendJson(res, 503, {}) : sendJson(res, 201, {})));
    });
    await assert.rejects(
      client.request({ method: 'POST', path: '/x', body: Readable.from([Buffer.from('abc')]) }),
      { status: 503 },
    );
    assert.equal(server.hits, 1);
    const response = await client.request({
      method: 'POST',
      path: '/x',
      body: () => Readable.from([Buffer.from('abc')]),
    });
    assert.equal(response.status, 201);
    await response.dump();
    assert.equal(server.hits, 3);
  });

  test('a connection reset is retried', async () => {
    const { server, client, delays } = await setup((req, res, hit) => {
      if (hit === 1) req.socket.destroy();
      else sendJson(res, 200, { ok: true });
    });
    assert.deepEqual(await client.json({ path: '/x' }), { ok: true });
    assert.equal(server.hits, 2);
    assert.equal(delays.length, 1);
  });

  test('gives up after maxAttempts with a clear connection error', async () => {
    const { server, client, delays } = await setup((req) => req.socket.destroy(), {
      retry: { maxAttempts: 3 },
    });
    await assert.rejects(client.request({ path: '/v2/' }), (error: unknown) => {
      assert.ok(error instanceof HttpConnectionError);
      assert.equal(error.attempts, 3);
      assert.equal(error.code, 'UND_ERR_SOCKET');
      assert.equal(error.host, `127.0.0.1:${server.port}`);
      assert.match(
        error.message,
        /^GET \/v2\/ failed after 3 attempts: connection to 127\.0\.0\.1:\d+ was closed/,
      );
      return true;
    });
    assert.equal(server.hits, 3);
    assert.deepEqual(delays, [250, 500]);
  });

  test('gives up after maxAttempts of 503 with the status and the server message', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 503, { message: 'read-only mode' }), {
      retry: { maxAttempts: 2 },
    });
    await assert.rejects(client.request({ path: '/api/v1/repository' }), {
      name: 'HttpError',
      message: 'GET /api/v1/repository → 503 Service Unavailable: read-only mode (after 2 attempts)',
    });
    assert.equal(server.hits, 2);
  });

  test('connection refused is retried, even for POST (nothing reached the server)', async () => {
    const port = await closedPort();
    const { delays, sleep } = recordingSleep();
    const client = createHttpClient({
      baseUrl: `http://127.0.0.1:${port}`,
      sleep,
      retry: { maxAttempts: 2 },
    });
    clients.push(client);
    await assert.rejects(client.request({ method: 'POST', path: '/x', json: {} }), (error: unknown) => {
      assert.ok(error instanceof HttpConnectionError);
      assert.equal(error.code, 'ECONNREFUSED');
      assert.equal(error.attempts, 2);
      assert.match(error.message, /connection refused by 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
      return true;
    });
    assert.equal(delays.length, 1);
  });

  test('a request signal aborts the backoff wait (default sleep)', async () => {
    const controller = new AbortController();
    const server = await startServer((_req, res) => sendJson(res, 503, {}));
    servers.push(server);
    const client = createHttpClient({
      baseUrl: server.origin,
      retry: { baseDelayMs: 60_000 },
      random: () => 0.99,
      logger: { debug: (line) => line.includes('retrying in') && controller.abort() },
    });
    clients.push(client);
    await assert.rejects(client.request({ path: '/x', signal: controller.signal }), { name: 'AbortError' });
    assert.equal(server.hits, 1);
  });
});
