/** Real local servers and fixtures for the src/http tests. Every server listens on port 0 and is closed by the test. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

export interface TestServer {
  /** `http://127.0.0.1:<port>` (or https). */
  readonly origin: string;
  readonly port: number;
  /** Requests received so far. */
  readonly hits: number;
  /** Headers of every request received, in order. */
  readonly requests: IncomingMessage[];
  close(): Promise<void>;
}

export async function startServer(handler: Handler, host = '127.0.0.1'): Promise<TestServer> {
  return listen(createServer(), 'http', handler, host);
}

export async function startHttpsServer(
  tls: HttpsServerOptions & { key: string; cert: string },
  handler: Handler,
): Promise<TestServer> {
  return listen(createHttpsServer(tls), 'https', handler, '127.0.0.1');
}

async function listen(server: Server, scheme: string, handler: Handler, host: string): Promise<TestServer> {
  const requests: IncomingMessage[] = [];
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    requests.push(req);
    handler(req, res, requests.length);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${scheme}://${host}:${port}`,
    port,
    get hits() {
      return requests.length;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = await startServer(() => undefined);
  await server.close();
  return server.port;
}

/** Records the delays the client asked to sleep, without sleeping. */
export function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A promise with its resolver exposed, for event-driven hand-offs between client and server. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Resolves with `true` when `promise` settles first, `false` after `ms`. Used only as a failure guard
 * (a buffering client would deadlock a hand-off), never to order events.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), guard]);
  } finally {
    clearTimeout(timer);
  }
}

export interface TestPki {
  dir: string;
  caPath: string;
  key: string;
  cert: string;
  cleanup(): void;
}

/** A throw-away CA and a server certificate for 127.0.0.1/localhost signed by it, made with the openssl CLI. */
export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'quay-tasks-http-tls-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('/usr/bin/openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=quay-tasks test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl('req', ...ec, '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(
    at('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' +
      'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.crt'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-out',
    at('server.crt'),
    '-days',
    '2',
    '-extfile',
    at('server.ext'),
  );
  return {
    dir,
    caPath: at('ca.crt'),
    key: readFileSync(at('server.key'), 'utf8'),
    cert: readFileSync(at('server.crt'), 'utf8'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
