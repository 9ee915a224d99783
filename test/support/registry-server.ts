/**
 * A real registry for tests: Debian's `docker-registry` (distribution 2.8.2) started on 127.0.0.1 with a
 * generated config in a temporary folder, plain HTTP or TLS, without auth, with htpasswd (Basic) or with
 * token auth (Bearer, tokens from a small in-process token server). Configs follow local-infra.md §1.
 *
 *   const registry = await startRegistryServer({ auth: 'token' });
 *   // ... talk to registry.url (`registry.host` for image references) ...
 *   await registry.stop();
 *
 * Needs the Debian packages docker-registry, apache2-utils (htpasswd -B) and openssl (TLS and token certs).
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { randomUUID, sign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dump } from 'js-yaml';
import { tempDir } from './temp.js';
import { spawnTiedToThisProcess } from './tied-process.js';

const run = promisify(execFile);

export const DEFAULT_REGISTRY_USERS: Readonly<Record<string, string>> = { alice: 'secret', bob: 'hunter2' };
const TOKEN_SERVICE = 'test-registry';
const TOKEN_ISSUER = 'test-issuer';
const TOKEN_LIFETIME_S = 300;
/** Guard only: how long the binary may take to say it listens (it takes about 50 ms). */
const START_GUARD_MS = 15_000;
const LOG_LINES_KEPT = 200;

export interface TokenRequest {
  /** User name from Basic credentials, undefined when anonymous. */
  user: string | undefined;
  scopes: string[];
  /** HTTP status the token server answered. */
  status: number;
}

export interface RegistryServerOptions {
  /** Default 'none'. */
  auth?: 'none' | 'htpasswd' | 'token';
  /** Users for htpasswd/token auth. Default DEFAULT_REGISTRY_USERS. */
  users?: Readonly<Record<string, string>>;
  /**
   * Token auth: which of the requested actions on `repository` a caller gets (`user` undefined = anonymous).
   * Default: users get everything they ask for, anonymous callers `pull` only.
   */
  grant?: (user: string | undefined, repository: string, actions: string[]) => string[];
  /** Serve HTTPS with a freshly made CA (`caBundlePath`). Default false. */
  tls?: boolean;
  /** `storage.delete.enabled`; without it every DELETE is 405 UNSUPPORTED. Default true. */
  deleteEnabled?: boolean;
  /** Default $DOCKER_REGISTRY_BIN or /usr/bin/docker-registry. */
  binary?: string;
  /**
   * Writes content into the filesystem storage (`rootdirectory`, distribution's layout below
   * `docker/registry/v2/`) before the process starts: benchmarks seed 100k tags this way, not by push.
   */
  prepareStorage?: (rootDirectory: string) => void | Promise<void>;
}

export interface RegistryServer {
  /** `http(s)://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>`, the registry part of image references. */
  readonly host: string;
  readonly scheme: 'http' | 'https';
  readonly dir: string;
  /** The registry process (benchmarks read its CPU time). */
  readonly pid: number | undefined;
  /** PEM of the CA that signed the server certificate (tls only). */
  readonly caBundlePath: string | undefined;
  readonly users: Readonly<Record<string, string>>;
  /** Token auth only: the realm URL and every token request so far. */
  readonly tokenRealm: string | undefined;
  readonly tokenRequests: TokenRequest[];
  /** The registry's last log lines, for assertion messages. */
  logTail(): string;
  stop(): Promise<void>;
}

export function registryBinary(options: { binary?: string } = {}): string {
  const binary = options.binary ?? process.env.DOCKER_REGISTRY_BIN ?? '/usr/bin/docker-registry';
  if (!existsSync(binary)) {
    throw new Error(
      `${binary} is missing: install the registry with "apt-get install -y docker-registry apache2-utils openssl"`,
    );
  }
  return binary;
}

export async function startRegistryServer(options: RegistryServerOptions = {}): Promise<RegistryServer> {
  const binary = registryBinary(options);
  const dir = tempDir('registry-server-');
  const users = options.users ?? DEFAULT_REGISTRY_USERS;
  const auth = options.auth ?? 'none';
  const config: Record<string, unknown> = {
    version: '0.1',
    // `info` is needed for the "listening on" line that tells the port; the access log stays off.
    log: { level: 'info', formatter: 'json', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: join(dir, 'data') },
      delete: { enabled: options.deleteEnabled ?? true },
      cache: { blobdescriptor: 'inmemory' },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: {
      addr: '127.0.0.1:0',
      secret: `secret-${randomUUID()}`,
      headers: { 'X-Content-Type-Options': ['nosniff'] },
    },
  };
  const http = config.http as Record<string, unknown>;

  let caBundlePath: string | undefined;
  if (options.tls) {
    const tls = await makeServerCertificate(join(dir, 'tls'));
    caBundlePath = tls.ca;
    http.tls = { certificate: tls.cert, key: tls.key };
  }

  let tokenServer: TokenServer | undefined;
  if (auth === 'htpasswd') {
    const path = join(dir, 'htpasswd');
    writeFileSync(path, await htpasswdLines(users));
    config.auth = { htpasswd: { realm: 'basic-realm', path } };
  } else if (auth === 'token') {
    tokenServer = await startTokenServer(join(dir, 'token'), users, options.grant ?? defaultGrant);
    config.auth = {
      token: {
        realm: tokenServer.realm,
        service: TOKEN_SERVICE,
        issuer: TOKEN_ISSUER,
        rootcertbundle: tokenServer.certPath,
      },
    };
  }

  await options.prepareStorage?.(join(dir, 'data'));
  const configPath = join(dir, 'config.yml');
  writeFileSync(configPath, dump(config));
  const log: string[] = [];
  const child = spawnTiedToThisProcess(binary, ['serve', configPath]);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let address: string;
  try {
    address = await listeningAddress(child, log);
  } catch (error) {
    child.kill('SIGKILL');
    process.off('exit', killOnExit);
    await tokenServer?.close();
    throw error;
  }
  const scheme = options.tls ? 'https' : 'http';
  let stopped = false;
  return {
    url: `${scheme}://${address}`,
    host: address,
    scheme,
    dir,
    pid: child.pid,
    caBundlePath,
    users,
    tokenRealm: tokenServer?.realm,
    tokenRequests: tokenServer?.requests ?? [],
    logTail: () => log.join('\n'),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await tokenServer?.close();
    },
  };
}

/** Resolves with `host:port` once the registry logs "listening on", rejects if it exits first. */
function listeningAddress(child: ChildProcess, log: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      fn();
    };
    const guard = setTimeout(
      () => settle(() => reject(new Error(`docker-registry did not start:\n${log.join('\n')}`))),
      START_GUARD_MS,
    );
    const onLine = (line: string) => {
      log.push(line);
      if (log.length > LOG_LINES_KEPT) log.shift();
      const match = /listening on (\S+?)(?:,|"|\s|$)/.exec(line);
      if (match?.[1]) settle(() => resolve(match[1] as string));
    };
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      });
    }
    child.once('error', (error) => settle(() => reject(error)));
    child.once('exit', (code, signal) =>
      settle(() =>
        reject(new Error(`docker-registry exited (${code ?? signal}) before listening:\n${log.join('\n')}`)),
      ),
    );
  });
}

async function htpasswdLines(users: Readonly<Record<string, string>>): Promise<string> {
  const lines: string[] = [];
  for (const [user, password] of Object.entries(users)) {
    // distribution accepts only bcrypt entries (local-infra.md §1c).
    const { stdout } = await run('htpasswd', ['-Bbn', user, password]).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        throw new Error(
          'htpasswd is missing: it is in the Debian package apache2-utils (npm run setup installs it)',
        );
      },
    );
    lines.push(stdout.trim());
  }
  return `${lines.join('\n')}\n`;
}

async function makeServerCertificate(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  mkdirSync(dir, { recursive: true });
  const p = (name: string) => join(dir, name);
  const ext = p('server.ext');
  writeFileSync(
    ext,
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' +
      'keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '3650',
    '-subj',
    '/CN=registry-test-ca',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.crt'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await run('openssl', [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    p('server.key'),
    '-out',
    p('server.csr'),
  ]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    p('server.csr'),
    '-CA',
    p('ca.crt'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-days',
    '825',
    '-extfile',
    ext,
    '-out',
    p('server.crt'),
  ]);
  return { ca: p('ca.crt'), cert: p('server.crt'), key: p('server.key') };
}

interface TokenServer {
  realm: string;
  certPath: string;
  requests: TokenRequest[];
  close(): Promise<void>;
}

function defaultGrant(user: string | undefined, _repository: string, actions: string[]): string[] {
  return user === undefined ? actions.filter((a) => a === 'pull') : actions;
}

/**
 * The token endpoint of distribution's token auth: `GET /token?service=&scope=` with optional Basic
 * credentials returns an RS256 JWT whose `x5c` header carries the signing certificate, which is the
 * registry's `rootcertbundle` (local-infra.md §1c).
 */
async function startTokenServer(
  dir: string,
  users: Readonly<Record<string, string>>,
  grant: NonNullable<RegistryServerOptions['grant']>,
): Promise<TokenServer> {
  mkdirSync(dir, { recursive: true });
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '3650',
    '-subj',
    '/CN=token-signer',
    '-keyout',
    keyPath,
    '-out',
    certPath,
  ]);
  const key = readFileSync(keyPath, 'utf8');
  const certDer = readFileSync(certPath, 'utf8')
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
    .replace(/\s+/g, '');
  const requests: TokenRequest[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://token');
    const answer = (status: number, body: unknown, user: string | undefined, scopes: string[]) => {
      requests.push({ user, scopes, status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ').filter(Boolean));
    let user: string | undefined;
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const name = decoded.slice(0, colon);
      if (colon < 0 || users[name] === undefined || users[name] !== decoded.slice(colon + 1)) {
        answer(
          401,
          { errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] },
          name,
          scopes,
        );
        return;
      }
      user = name;
    }
    const access = scopes.flatMap((scope) => {
      const m = /^repository:(.+):([^:]*)$/.exec(scope);
      if (!m?.[1]) return [];
      const actions = grant(user, m[1], (m[2] ?? '').split(',').filter(Boolean));
      return [{ type: 'repository', name: m[1], actions }];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certDer] };
    const claims = {
      iss: TOKEN_ISSUER,
      sub: user ?? '',
      aud: url.searchParams.get('service') ?? '',
      exp: now + TOKEN_LIFETIME_S,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('RSA-SHA256', Buffer.from(signingInput), key).toString('base64url');
    const token = `${signingInput}.${signature}`;
    answer(
      200,
      {
        token,
        access_token: token,
        expires_in: TOKEN_LIFETIME_S,
        issued_at: new Date(now * 1000).toISOString(),
      },
      user,
      scopes,
    );
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    certPath,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function b64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
