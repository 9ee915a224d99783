import type { ProxycacheConfig } from '../config/sections/proxycache.js';
import type { ProxyCacheSettings, QuayClient } from '../quay/client.js';
import { errorMessage, recordItemFailure } from '../report/item-failure.js';
import type { Logger } from '../report/logger.js';
import type { Report } from '../report/report.js';

export type ProxyCacheSpec = ProxycacheConfig['caches'][number];

export interface EnsureProxyCachesDeps {
  quay: QuayClient;
  report: Report;
  log: Logger;
  dryRun: boolean;
  createOrganizations: boolean;
  overwrite: boolean;
}

/**
 * Makes each organization's proxy-cache configuration as declared. A different existing configuration is
 * replaced only with overwrite; otherwise that organization is reported as a conflict and the others go on
 * (the original tool stopped at the first). Quay never returns upstream credentials, so a configuration
 * counts as equal when upstream, expiration and insecure match.
 */
export async function ensureProxyCaches(
  caches: readonly ProxyCacheSpec[],
  deps: EnsureProxyCachesDeps,
): Promise<void> {
  for (const spec of caches) {
    const ref = `proxycache/${spec.organization}`;
    try {
      await ensureOne(spec, ref, deps);
    } catch (error) {
      recordItemFailure(deps, ref, error);
    }
  }
}

async function ensureOne(spec: ProxyCacheSpec, ref: string, deps: EnsureProxyCachesDeps): Promise<void> {
  const { quay, report, log, dryRun } = deps;
  const org = spec.organization;
  const desired: ProxyCacheSettings = {
    upstreamRegistry: spec.upstreamRegistry,
    expirationSeconds: spec.expirationSeconds,
    insecure: spec.insecure,
    username: spec.username?.reveal(),
    password: spec.password?.reveal(),
  };
  const orgExists = (await quay.getOrganization(org)) !== undefined;
  const current = orgExists ? await quay.getProxyCache(org) : undefined;

  if (spec.state === 'absent') {
    if (!current) report.add({ ref, action: 'unchanged', detail: 'absent' });
    else if (dryRun)
      report.add({ ref, action: 'planned', detail: `would delete (upstream ${current.upstreamRegistry})` });
    else {
      await quay.deleteProxyCache(org);
      report.add({ ref, action: 'deleted', detail: `upstream ${current.upstreamRegistry}` });
    }
    log.info(`${ref}: ${current ? (dryRun ? 'would delete' : 'deleted') : 'absent'}`);
    return;
  }

  if (!orgExists) {
    if (!deps.createOrganizations)
      throw new Error(`organization ${org} does not exist (set createOrganizations: true to create it)`);
    if (dryRun) {
      report.add({
        ref,
        action: 'planned',
        detail: `would create organization ${org} and the proxy cache of ${spec.upstreamRegistry}`,
      });
      return;
    }
    await quay.createOrganization(org);
    report.add({ ref: `org/${org}`, action: 'created' });
    log.info(`org/${org}: created`);
  }

  if (current && sameSettings(current, desired)) {
    report.add({ ref, action: 'unchanged', detail: `upstream ${current.upstreamRegistry}` });
    log.info(`${ref}: unchanged`);
    return;
  }
  const difference = current ? describeDifference(current, desired) : undefined;
  if (current && !(spec.overwrite ?? deps.overwrite)) {
    throw new Error(
      `conflict: a different proxy cache is configured (${difference}); set overwrite: true to replace it`,
    );
  }
  if (dryRun) {
    report.add({
      ref,
      action: 'planned',
      detail: current
        ? `would replace (${difference})`
        : `would create (upstream ${desired.upstreamRegistry})`,
    });
    return;
  }
  if (current) {
    // Quay has no update and refuses to validate while a configuration exists (quay-api.md §8): delete first.
    await quay.deleteProxyCache(org);
  }
  try {
    await quay.validateProxyCache(org, desired);
  } catch (error) {
    const lost = current
      ? ` The previous configuration (upstream ${current.upstreamRegistry}) was deleted.`
      : '';
    const reason = errorMessage(error).replace(/\.$/, '');
    throw new Error(`Quay rejected the upstream settings: ${reason}.${lost}`);
  }
  await quay.createProxyCache(org, desired);
  const action = current ? 'updated' : 'created';
  report.add({
    ref,
    action,
    detail: current ? `replaced (${difference})` : `upstream ${desired.upstreamRegistry}`,
  });
  log.info(`${ref}: ${action}`);
}

function sameSettings(
  current: Omit<ProxyCacheSettings, 'username' | 'password'>,
  desired: ProxyCacheSettings,
): boolean {
  return (
    current.upstreamRegistry === desired.upstreamRegistry &&
    current.expirationSeconds === desired.expirationSeconds &&
    current.insecure === desired.insecure
  );
}

function describeDifference(
  current: Omit<ProxyCacheSettings, 'username' | 'password'>,
  desired: ProxyCacheSettings,
): string {
  const parts: string[] = [];
  if (current.upstreamRegistry !== desired.upstreamRegistry)
    parts.push(`upstream ${current.upstreamRegistry} → ${desired.upstreamRegistry}`);
  if (current.expirationSeconds !== desired.expirationSeconds)
    parts.push(`expiration ${current.expirationSeconds} → ${desired.expirationSeconds}`);
  if (current.insecure !== desired.insecure) parts.push(`insecure ${current.insecure} → ${desired.insecure}`);
  return parts.join(', ');
}
