/**
 * Before anything is read or written: every registry's host resolves and accepts a TCP connection, so a
 * typo or a firewall fails the run at once with the host named, instead of as a retried ECONNREFUSED deep
 * inside a copy (the original tool hard-coded port 443 and crashed on refusal, original-python-tool.md §4.2).
 */
import { isIP } from 'node:net';
import { checkDns, checkTcp, endpointOf } from '../../http/preflight.js';
import type { Endpoint } from './endpoint.js';

export interface PreflightResult {
  /** One line per checked host. */
  lines: string[];
  /** One message per failed host, naming the instance, its URL and what failed. */
  failures: string[];
}

export async function preflight(endpoints: readonly Endpoint[], timeoutS: number): Promise<PreflightResult> {
  const byUrl = new Map<string, Endpoint[]>();
  for (const endpoint of endpoints) {
    if (endpoint.archive) continue; // a folder: opening it says what is wrong (sides/archives.ts)
    const origin = new URL(endpoint.url).origin;
    byUrl.set(origin, [...(byUrl.get(origin) ?? []), endpoint]);
  }
  const checks = [...byUrl].map(async ([origin, users]) => {
    const names = [...new Set(users.map((u) => u.name))].join(', ');
    const { host, port } = endpointOf(origin);
    const where = `${names} (${origin})`;
    if (isIP(host) === 0) {
      const dns = await withTimeout(
        checkDns(host),
        timeoutS * 1000,
        `resolving ${host} took over ${timeoutS} s`,
      );
      if (!dns.ok) return { ok: false, line: `preflight: ${where}: ${dns.message}` };
    }
    const tcp = await checkTcp({ host, port }, { timeoutMs: timeoutS * 1000 });
    return { ok: tcp.ok, line: `preflight: ${where}: ${tcp.message}` };
  });
  const results = await Promise.all(checks);
  return {
    lines: results.map((r) => r.line),
    failures: results.filter((r) => !r.ok).map((r) => r.line),
  };
}

async function withTimeout<T extends { ok: boolean; message: string }>(
  check: Promise<T>,
  ms: number,
  message: string,
): Promise<T | { ok: false; message: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ ok: false; message: string }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, message }), ms);
  });
  try {
    return await Promise.race([check, late]);
  } finally {
    clearTimeout(timer);
  }
}
