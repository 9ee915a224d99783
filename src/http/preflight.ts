/**
 * Checks to run before talking HTTP, so a failure says "DNS" or "firewall" instead of a bare ECONNREFUSED.
 * Each returns a result (never throws) with a message a human can act on.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { connect } from 'node:net';

export type LookupAll = (hostname: string) => Promise<LookupAddress[]>;

export interface DnsCheckResult {
  ok: boolean;
  hostname: string;
  /** Every address, IPv4 and IPv6, in the order the resolver returned them. */
  addresses: LookupAddress[];
  /** ENOTFOUND, EAI_AGAIN, ... when not ok. */
  code?: string;
  durationMs: number;
  message: string;
}

export interface TcpCheckResult {
  ok: boolean;
  host: string;
  port: number;
  /** The address the connection was made to, when ok. */
  address?: string;
  /** ECONNREFUSED, ETIMEDOUT, ... when not ok. */
  code?: string;
  durationMs: number;
  message: string;
}

export interface Endpoint {
  host: string;
  port: number;
}

const DEFAULT_TCP_TIMEOUT_MS = 5000;

const systemLookup: LookupAll = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, family: 0, order: 'verbatim' }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

/** Host and port of a URL: the URL's port, else 443 for https and 80 for http. IPv6 brackets removed. */
export function endpointOf(url: string | URL): Endpoint {
  const parsed = new URL(String(url));
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port !== '' ? Number(parsed.port) : parsed.protocol === 'http:' ? 80 : 443;
  return { host, port };
}

/** Resolves a host name the way connections will (`dns.lookup`, so /etc/hosts counts), all families. */
export async function checkDns(
  hostname: string,
  options: { lookup?: LookupAll } = {},
): Promise<DnsCheckResult> {
  const lookup = options.lookup ?? systemLookup;
  const started = Date.now();
  try {
    const addresses = await lookup(hostname);
    const durationMs = Date.now() - started;
    if (addresses.length === 0) {
      return {
        ok: false,
        hostname,
        addresses,
        code: 'ENODATA',
        durationMs,
        message: `${hostname} has no address`,
      };
    }
    const families = [...new Set(addresses.map((a) => `IPv${a.family}`))].join(' and ');
    const list = addresses.map((a) => a.address).join(', ');
    return {
      ok: true,
      hostname,
      addresses,
      durationMs,
      message: `${hostname} resolves to ${list} (${families})`,
    };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
    const why =
      code === 'ENOTFOUND'
        ? 'no such host; check the spelling and the DNS servers this pod or runner uses'
        : code === 'EAI_AGAIN'
          ? 'the DNS server did not answer in time; try again or check DNS reachability'
          : 'the resolver failed';
    return {
      ok: false,
      hostname,
      addresses: [],
      code,
      durationMs: Date.now() - started,
      message: `cannot resolve ${hostname} (${code}): ${why}`,
    };
  }
}

/** Opens (and at once closes) a TCP connection to the URL's host and port, or to an explicit endpoint. */
export function checkTcp(
  target: string | URL | Endpoint,
  options: { timeoutMs?: number } = {},
): Promise<TcpCheckResult> {
  const { host, port } = typeof target === 'string' || target instanceof URL ? endpointOf(target) : target;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TCP_TIMEOUT_MS;
  const started = Date.now();
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (result: Omit<TcpCheckResult, 'host' | 'port' | 'durationMs'>) => {
      socket.destroy();
      resolve({ host, port, durationMs: Date.now() - started, ...result });
    };
    socket.setTimeout(timeoutMs, () =>
      finish({
        ok: false,
        code: 'ETIMEDOUT',
        message: `TCP connect to ${where} timed out after ${timeoutMs} ms; a firewall or proxy may be dropping packets`,
      }),
    );
    socket.once('connect', () =>
      finish({
        ok: true,
        address: socket.remoteAddress,
        message: `TCP connect to ${where} succeeded (${socket.remoteAddress ?? 'unknown address'})`,
      }),
    );
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'UNKNOWN';
      const why =
        code === 'ECONNREFUSED'
          ? 'nothing is listening there; check the port and that the service is up'
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
            ? 'the host name does not resolve'
            : code === 'EHOSTUNREACH' || code === 'ENETUNREACH'
              ? 'no network route to the host'
              : error.message;
      finish({ ok: false, code, message: `TCP connect to ${where} failed (${code}): ${why}` });
    });
  });
}
