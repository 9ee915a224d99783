/**
 * The SSRF guard on proxy-cache upstreams (quay-api.md §8, `util/security/ssrf.py`): private, loopback,
 * link-local and reserved addresses and some internal-looking names are refused unless the host (or a CIDR
 * holding its address) is in SSRF_ALLOWED_HOSTS.
 */
import { BlockList, isIP } from 'node:net';

const BLOCKED_V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const BLOCKED_V6: [string, number][] = [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
];

const blocked = new BlockList();
for (const [net, prefix] of BLOCKED_V4) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of BLOCKED_V6) blocked.addSubnet(net, prefix, 'ipv6');

function family(ip: string): 'ipv4' | 'ipv6' {
  return isIP(ip) === 6 ? 'ipv6' : 'ipv4';
}

function isBlockedName(host: string): boolean {
  return (
    host === 'localhost' ||
    host.startsWith('kubernetes') ||
    host.startsWith('metadata') ||
    host.endsWith('.internal') ||
    host.endsWith('.local')
  );
}

/** `host[:port][/namespace]` → host (brackets of an IPv6 literal removed). */
export function upstreamHost(upstream: string): string {
  const hostPort = upstream.split('/')[0] ?? '';
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(hostPort);
  if (v6?.[1]) return v6[1].toLowerCase();
  return hostPort.replace(/:\d+$/, '').toLowerCase();
}

function allowListed(host: string, ips: string[], allowed: string[]): boolean {
  if (allowed.includes(host)) return true;
  const list = new BlockList();
  for (const entry of allowed) {
    const [net, prefix] = entry.split('/');
    if (!net || !isIP(net)) continue;
    const fam = family(net);
    list.addSubnet(net, prefix === undefined ? (fam === 'ipv4' ? 32 : 128) : Number(prefix), fam);
  }
  return ips.length > 0 && ips.every((ip) => list.check(ip, family(ip)));
}

/** The 400 message for a refused upstream, or undefined when it may be used. */
export async function ssrfProblem(
  upstream: string,
  allowed: string[],
  resolve: (host: string) => Promise<string[]>,
): Promise<string | undefined> {
  const host = upstreamHost(upstream);
  const ips = isIP(host) ? [host] : await resolve(host);
  if (allowListed(host, ips, allowed)) return undefined;
  if (isBlockedName(host)) return 'The provided registry URL is not allowed';
  if (ips.length === 0) return `Cannot resolve hostname '${host}'`;
  if (ips.some((ip) => blocked.check(ip, family(ip)))) return 'The provided registry URL is not allowed';
  return undefined;
}
