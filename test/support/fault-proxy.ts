/**
 * A fault-injecting reverse proxy for registry tests (node:http, no framework), on 127.0.0.1:0 in front of
 * one upstream registry. Requests and bodies are streamed both ways; `Location` headers that name the
 * upstream are rewritten to the proxy, so upload sessions (POST → PUT <location>) pass through it too.
 *
 * Whether a request is faulted is a seeded hash of (seed, method, normalised path, how many times that
 * request was seen before) — not of arrival order — so a run with the same data and seed faults the same
 * requests however the client interleaves them (up to requests whose number depends on timing, e.g. a
 * mount instead of an upload), and a retry of a faulted request gets a fresh, independent draw. The kinds
 * take turns, so each shows up once there are as many faults as kinds. About `rate` of requests get one of:
 * - `status429`: answered 429 with `Retry-After: 0`, never forwarded;
 * - `status503`: answered 503, never forwarded;
 * - `resetBefore`: the client connection is reset (RST) before anything is forwarded;
 * - `resetMidResponse`: forwarded (the upstream acts on it), then the client connection is reset after the
 *   response headers and half of the body (or before any byte when there is no body).
 * `corruptBlob` names one digest whose first full (200) blob GET body is corrupted in flight: bytes are
 * flipped, Content-Length is kept, so only a digest check can notice.
 */
import { createHash } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultKind = 'status429' | 'status503' | 'resetBefore' | 'resetMidResponse';
export const FAULT_KINDS: readonly FaultKind[] = [
  'status429',
  'status503',
  'resetBefore',
  'resetMidResponse',
];

export interface FaultCounts {
  /** Every request the proxy received. */
  requests: number;
  /** Requests sent on to the upstream (including those whose response was then cut). */
  forwarded: number;
  status429: number;
  status503: number;
  resetBefore: number;
  resetMidResponse: number;
  /** Blob GET bodies corrupted (0 or 1). */
  corrupted: number;
}

/** One request as the proxy handled it, for assertions and for waiting on progress. */
export interface ProxyExchange {
  method: string;
  /** Path and query as the client sent them. */
  path: string;
  fault: FaultKind | 'corrupt' | 'failFirst' | undefined;
  /** Upstream status; undefined when the request was not forwarded or the upstream failed. */
  status: number | undefined;
}

export interface FaultProxyOptions {
  /** `http://host:port` of the registry. */
  upstream: string;
  /** Seed of the fault choice. Default 1. */
  seed?: number;
  /** Share of requests that get a fault, 0..1. Default 0.1. */
  rate?: number;
  /** Kinds to draw from. Default all four. */
  kinds?: readonly FaultKind[];
  /** Digest whose first 200 blob GET body is corrupted. */
  corruptBlob?: string;
  /** The first request with this method whose path matches is answered `status` (never forwarded). */
  failFirst?: { method: string; path: RegExp; status: number };
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly counts: Readonly<FaultCounts>;
  /** Every finished exchange so far, in completion order. */
  readonly exchanges: readonly ProxyExchange[];
  /** Sum of the four fault kinds. */
  faults(): number;
  /** Turns fault injection (not corruption) on or off from now on. */
  setRate(rate: number): void;
  /** Resolves with the first finished exchange (past or future) that matches. */
  waitFor(predicate: (exchange: ProxyExchange) => boolean): Promise<ProxyExchange>;
  close(): Promise<void>;
}

/** Uniform in [0, 1) from the first 48 bits of sha256(text). */
function unitHash(text: string): number {
  return createHash('sha256').update(text).digest().readUIntBE(0, 6) / 2 ** 48;
}

/** Upload session ids and `_state` change from run to run; everything else names the request. */
function requestKey(method: string, rawPath: string): string {
  const url = new URL(rawPath, 'http://proxy');
  url.searchParams.delete('_state');
  url.searchParams.sort();
  const path = url.pathname.replace(/\/blobs\/uploads\/[^/]+$/, '/blobs/uploads/<session>');
  return `${method} ${path}?${url.searchParams.toString()}`;
}

const BLOB_GET = /^\/v2\/.+\/blobs\/(sha256:[0-9a-f]{64})$/;

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:') throw new Error('fault proxy: plain http upstreams only');
  const seed = options.seed ?? 1;
  let rate = options.rate ?? 0.1;
  const kinds = options.kinds ?? FAULT_KINDS;
  const counts: FaultCounts = {
    requests: 0,
    forwarded: 0,
    status429: 0,
    status503: 0,
    resetBefore: 0,
    resetMidResponse: 0,
    corrupted: 0,
  };
  const seen = new Map<string, number>();
  let faultsSoFar = 0;
  let failFirstUsed = false;
  const exchanges: ProxyExchange[] = [];
  const waiters: { predicate: (e: ProxyExchange) => boolean; resolve: (e: ProxyExchange) => void }[] = [];
  const sockets = new Set<Socket>();
  let selfOrigin = '';
  let closing: Promise<void> | undefined;

  const record = (exchange: ProxyExchange) => {
    exchanges.push(exchange);
    for (const waiter of [...waiters]) {
      if (!waiter.predicate(exchange)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(exchange);
    }
  };

  const chooseFault = (method: string, path: string): FaultKind | undefined => {
    const key = requestKey(method, path);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const draw = unitHash(`${seed}|${key}|${n}`);
    if (draw >= rate || kinds.length === 0) return undefined;
    // Kinds take turns, so every kind shows up once there are as many faults as kinds.
    const kind = kinds[faultsSoFar % kinds.length];
    faultsSoFar += 1;
    return kind;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    counts.requests += 1;
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const blobMatch = method === 'GET' ? BLOB_GET.exec(path.split('?')[0] ?? '') : null;
    const corruptThis =
      counts.corrupted === 0 &&
      blobMatch !== null &&
      blobMatch[1] === options.corruptBlob &&
      !req.headers.range;
    const failFirst = options.failFirst;
    if (failFirst && !failFirstUsed && method === failFirst.method && failFirst.path.test(path)) {
      failFirstUsed = true;
      req.resume();
      req.once('end', () => {
        res.writeHead(failFirst.status, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: `injected ${failFirst.status}` }] }));
        record({ method, path, fault: 'failFirst', status: failFirst.status });
      });
      return;
    }
    const fault = corruptThis ? undefined : chooseFault(method, path);
    const exchange: ProxyExchange = {
      method,
      path,
      fault: corruptThis ? 'corrupt' : fault,
      status: undefined,
    };

    if (fault === 'status429' || fault === 'status503') {
      counts[fault] += 1;
      const status = fault === 'status429' ? 429 : 503;
      const headers: OutgoingHttpHeaders = { 'content-type': 'application/json', connection: 'close' };
      if (status === 429) headers['retry-after'] = '0';
      // The request body is drained so the client is not left writing into a closed socket.
      req.resume();
      req.once('end', () => {
        res.writeHead(status, headers);
        res.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: `injected ${status}` }] }));
        record(exchange);
      });
      return;
    }
    if (fault === 'resetBefore') {
      counts.resetBefore += 1;
      req.socket.resetAndDestroy();
      record(exchange);
      return;
    }

    counts.forwarded += 1;
    const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host };
    const upstreamReq = httpRequest(
      { host: upstream.hostname, port: upstream.port, method, path, headers },
      (upstreamRes) => {
        exchange.status = upstreamRes.statusCode;
        const outHeaders: OutgoingHttpHeaders = { ...upstreamRes.headers };
        const location = upstreamRes.headers.location;
        if (location?.startsWith(upstream.origin)) {
          outHeaders.location = selfOrigin + location.slice(upstream.origin.length);
        }
        const length = Number(upstreamRes.headers['content-length'] ?? Number.NaN);
        if (fault === 'resetMidResponse') {
          counts.resetMidResponse += 1;
          record(exchange);
          const half = Number.isFinite(length) && method !== 'HEAD' ? Math.floor(length / 2) : 0;
          if (half === 0) {
            upstreamRes.resume();
            req.socket.resetAndDestroy();
            return;
          }
          res.writeHead(upstreamRes.statusCode ?? 502, outHeaders);
          let sent = 0;
          upstreamRes.on('data', (chunk: Buffer) => {
            if (sent >= half) return;
            const part = chunk.subarray(0, half - sent);
            sent += part.length;
            if (sent < half) {
              res.write(part);
              return;
            }
            // Reset once the first half has reached the kernel, so the client really gets a partial body.
            res.write(part, () => req.socket.resetAndDestroy());
          });
          return;
        }
        res.writeHead(upstreamRes.statusCode ?? 502, outHeaders);
        if (corruptThis && upstreamRes.statusCode === 200) {
          counts.corrupted += 1;
          let flipped = false;
          upstreamRes.on('data', (chunk: Buffer) => {
            if (!flipped && chunk.length > 0) {
              flipped = true;
              const bad = Buffer.from(chunk);
              const at = Math.floor(bad.length / 2);
              bad[at] = (bad[at] ?? 0) ^ 0xff;
              res.write(bad);
              return;
            }
            res.write(chunk);
          });
          upstreamRes.on('end', () => {
            res.end();
            record(exchange);
          });
          return;
        }
        upstreamRes.pipe(res);
        upstreamRes.on('end', () => record(exchange));
      },
    );
    upstreamReq.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(502, { connection: 'close' });
        res.end();
      } else {
        req.socket.destroy();
      }
      record(exchange);
    });
    // The client went away (e.g. killed): stop the upstream exchange too.
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    req.pipe(upstreamReq);
  };

  const server: Server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A reset client socket surfaces here; it is expected.
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  selfOrigin = `http://127.0.0.1:${port}`;

  return {
    url: selfOrigin,
    host: `127.0.0.1:${port}`,
    counts,
    exchanges,
    faults: () => counts.status429 + counts.status503 + counts.resetBefore + counts.resetMidResponse,
    setRate: (value) => {
      rate = value;
    },
    waitFor: (predicate) => {
      const found = exchanges.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
