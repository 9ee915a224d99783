import type { OrganizationSpec } from '../config/sections/quay-config.js';
import type { QuayClient } from '../quay/client.js';
import { formatBytes } from '../report/format-bytes.js';
import type { ObjectPlan, Step } from './object-plan.js';

type QuotaSpec = NonNullable<OrganizationSpec['quota']>;

/**
 * The organization quota made exactly as declared: its size and its Warning/Reject limits (the declared
 * limits are the whole list). Refused before any write: a Quay without quota management, and a limit below
 * what the organization already holds (Quay would take it and then reject every push).
 */
export async function planQuota(
  quay: QuayClient,
  organization: string,
  spec: QuotaSpec,
  keyPath: string,
): Promise<ObjectPlan> {
  const ref = `${organization}/quota`;
  const state = await quay.quota.get(organization);
  if (!state.available)
    throw new Error(
      'this Quay has no quota management (FEATURE_QUOTA_MANAGEMENT and FEATURE_EDIT_QUOTA must be on): nothing was changed',
    );
  const current = state.quota;
  const steps: Step[] = [];
  if (spec.state === 'absent') {
    if (current)
      steps.push({
        says: `delete (was ${formatBytes(current.limitBytes)})`,
        keyPath: `${keyPath}.state`,
        apply: () => quay.quota.delete(organization, current.id),
      });
    return { ref, keyPath, kind: 'delete', steps };
  }
  const limitBytes = spec.limit ?? 0;
  if (!current || current.limitBytes !== limitBytes) {
    const usage = await quay.quota.usage(organization);
    if (usage !== undefined && limitBytes < usage)
      throw new Error(
        `${formatBytes(limitBytes)} is below what ${organization} already holds (${formatBytes(usage)}); Quay would accept it and reject every push: nothing was changed`,
      );
  }
  let quotaId = current?.id;
  if (!current) {
    steps.push({
      says: `create (${formatBytes(limitBytes)})`,
      keyPath: `${keyPath}.limit`,
      needed: true,
      apply: async () => {
        await quay.quota.create(organization, limitBytes);
        const made = await quay.quota.get(organization);
        quotaId = made.available ? made.quota?.id : undefined;
        if (quotaId === undefined) throw new Error('Quay answered 201 but lists no quota');
      },
    });
  } else if (current.limitBytes !== limitBytes) {
    steps.push({
      says: `limit ${formatBytes(current.limitBytes)} → ${formatBytes(limitBytes)}`,
      keyPath: `${keyPath}.limit`,
      apply: () => quay.quota.setLimitBytes(organization, current.id, limitBytes),
    });
  }
  const existing = current?.limits ?? [];
  const sameLimit = (a: { type: string; thresholdPercent: number }, b: typeof a) =>
    a.type === b.type && a.thresholdPercent === b.thresholdPercent;
  // Removals first: Quay lets only one limit of a kind and threshold exist.
  for (const limit of existing.filter((l) => !spec.limits.some((w) => sameLimit(l, w))))
    steps.push({
      says: `− ${limit.type} at ${limit.thresholdPercent}%`,
      keyPath: `${keyPath}.limits`,
      apply: () => quay.quota.deleteLimit(organization, quotaId ?? '', limit.id),
    });
  spec.limits.forEach((limit, index) => {
    if (existing.some((l) => sameLimit(l, limit))) return;
    steps.push({
      says: `+ ${limit.type} at ${limit.thresholdPercent}%`,
      keyPath: `${keyPath}.limits[${index}]`,
      apply: () => quay.quota.addLimit(organization, quotaId ?? '', limit),
    });
  });
  return { ref, keyPath, kind: current ? 'change' : 'create', steps };
}
