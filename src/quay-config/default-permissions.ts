import { declaredItemPath, type OrganizationSpec } from '../config/sections/quay-config.js';
import type { Prototype } from '../quay/api/prototypes.js';
import type { QuayClient } from '../quay/client.js';
import { holderOf, holderWords } from './holders.js';
import type { ObjectPlan, Step } from './object-plan.js';

type DefaultPermissionSpec = OrganizationSpec['defaultPermissions']['items'][number];

/** What identifies a default permission: whose new repositories (or all) and who is granted. */
function identity(activatingUser: string | undefined, kind: string, name: string): string {
  return `${activatingUser ?? '*'} ${kind}:${name}`;
}

function words(activatingUser: string | undefined, grantee: string): string {
  return activatingUser === undefined ? grantee : `${grantee} on repositories ${activatingUser} creates`;
}

/**
 * The organization's default permissions (Quay's prototypes) against the declared list: missing ones
 * created, a different role set, and with `exclusive` the undeclared ones deleted. One plan per entry.
 */
export function planDefaultPermissions(
  quay: QuayClient,
  organization: string,
  declared: OrganizationSpec['defaultPermissions'],
  current: readonly Prototype[],
  keyPath: string,
): ObjectPlan[] {
  const byIdentity = new Map<string, Prototype>();
  const extra: Prototype[] = [];
  for (const p of current) {
    const id = identity(p.activatingUser, p.delegate.kind, p.delegate.name);
    if (byIdentity.has(id)) extra.push(p);
    else byIdentity.set(id, p);
  }
  const wanted = new Set<string>();
  const plans = declared.items.map((spec: DefaultPermissionSpec, index): ObjectPlan => {
    const holder = holderOf(spec);
    const id = identity(spec.activatingUser, holder.kind, holder.name);
    wanted.add(id);
    const existing = byIdentity.get(id);
    const itemPath = declaredItemPath(keyPath, declared, index);
    const ref = `${organization}/default-permission/${words(spec.activatingUser, holderWords(holder))}`;
    const steps: Step[] = [];
    if (!existing) {
      const prototype: Omit<Prototype, 'id'> = { role: spec.role, delegate: holder };
      if (spec.activatingUser !== undefined) prototype.activatingUser = spec.activatingUser;
      steps.push({
        says: `create (${spec.role})`,
        keyPath: itemPath,
        apply: async () => {
          await quay.prototypes.create(organization, prototype);
        },
      });
    } else if (existing.role !== spec.role) {
      steps.push({
        says: `role ${existing.role} → ${spec.role}`,
        keyPath: `${itemPath}.role`,
        apply: () => quay.prototypes.setRole(organization, existing.id, spec.role),
      });
    }
    return { ref, keyPath: itemPath, kind: existing ? 'change' : 'create', steps };
  });
  if (declared.exclusive) {
    const undeclared = [...[...byIdentity].filter(([id]) => !wanted.has(id)).map(([, p]) => p), ...extra];
    for (const p of undeclared) {
      plans.push({
        ref: `${organization}/default-permission/${words(p.activatingUser, holderWords(p.delegate))}`,
        keyPath: `${keyPath}.exclusive`,
        kind: 'delete',
        steps: [
          {
            says: `delete (${p.role}, not declared)`,
            keyPath: `${keyPath}.exclusive`,
            apply: () => quay.prototypes.delete(organization, p.id),
          },
        ],
      });
    }
  }
  return plans;
}
