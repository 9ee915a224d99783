import { declaredItemPath, type OrganizationSpec } from '../config/sections/quay-config.js';
import type { NewNotification, RepositoryNotification } from '../quay/api/notifications.js';
import type { RepositoryInfo } from '../quay/api/repository-settings.js';
import type { QuayClient, RepositoryRole } from '../quay/client.js';
import { diffNotifications, notificationIdentity, webhookUrl } from '../quay/notification-diff.js';
import { holderFromKey, holderKey, holderOf, holderWords } from './holders.js';
import type { ObjectPlan, Step } from './object-plan.js';

type RepositorySpec = OrganizationSpec['repositories'][number];
type NotificationSpec = RepositorySpec['notifications']['items'][number];

/** A declared notification in the shape Quay stores (api/repositorynotification.py, notificationmethod.py). */
export function wantedNotification(spec: NotificationSpec): NewNotification {
  let config: Record<string, unknown>;
  switch (spec.method) {
    case 'webhook':
      config = { url: webhookUrl(spec.url ?? '', spec.token?.reveal()) };
      break;
    case 'slack':
      config = { url: spec.url };
      break;
    case 'email':
      config = { email: spec.email };
      break;
    case 'quay_notification':
      config = { target: spec.target };
      break;
  }
  return { event: spec.event, method: spec.method, title: spec.title, config, eventConfig: spec.eventConfig };
}

/**
 * A declared repository against Quay: created (private unless declared public) or deleted, its visibility
 * and description set when declared, then its permissions and notifications as declared. For a repository
 * this run creates, the plan lists every declared permission: Quay's default permissions may already grant
 * some of them, which the real run then finds done.
 */
export async function planRepository(
  quay: QuayClient,
  organization: string,
  spec: RepositorySpec,
  keyPath: string,
  /** The token's user: Quay makes the creator of a repository its admin. */
  creator: () => Promise<string>,
): Promise<ObjectPlan> {
  const ref = `${organization}/${spec.name}`;
  const current: RepositoryInfo | undefined = await quay.repositories.get(organization, spec.name);
  const steps: Step[] = [];
  if (spec.state === 'absent') {
    if (current)
      steps.push({
        says: 'delete the repository and its images',
        keyPath: `${keyPath}.state`,
        apply: () => quay.repositories.delete(organization, spec.name),
      });
    return { ref, keyPath, kind: 'delete', steps };
  }
  const contents = (
    permissions: Map<string, RepositoryRole>,
    notifications: RepositoryNotification[],
  ): Step[] => [
    ...(declares(spec.permissions)
      ? permissionSteps(quay, organization, spec, permissions, `${keyPath}.permissions`)
      : []),
    ...(declares(spec.notifications)
      ? notificationSteps(quay, organization, spec, notifications, `${keyPath}.notifications`)
      : []),
  ];
  // Lists are read only when declared: what is not declared is left alone, and needs no admin read.
  const readContents = async () =>
    contents(
      declares(spec.permissions)
        ? await quay.repositories.permissions(organization, spec.name)
        : new Map<string, RepositoryRole>(),
      declares(spec.notifications) ? await quay.notifications.list(organization, spec.name) : [],
    );
  if (!current) {
    const visibility = spec.visibility ?? 'private';
    steps.push({
      says: `create (${visibility})`,
      keyPath,
      apply: () =>
        quay.repositories.create(organization, spec.name, {
          visibility,
          description: spec.description ?? '',
        }),
      needed: true,
      // Quay grants the creating user admin (data/model/repository.py create_repository) and applies the
      // default permissions: the rest is planned from what the new repository then has.
      followedBy: readContents,
    });
    const creatorAdmin = declares(spec.permissions)
      ? new Map<string, RepositoryRole>([[`user:${await creator()}`, 'admin']])
      : new Map<string, RepositoryRole>();
    const predicted = contents(creatorAdmin, []);
    steps.push(...predicted.map((step) => ({ ...step, predicted: true })));
    return { ref, keyPath, kind: 'create', steps };
  }
  if (spec.visibility !== undefined && spec.visibility !== current.visibility)
    steps.push({
      says: `visibility ${current.visibility} → ${spec.visibility}`,
      keyPath: `${keyPath}.visibility`,
      apply: () => quay.repositories.setVisibility(organization, spec.name, spec.visibility ?? 'private'),
    });
  if (spec.description !== undefined && spec.description !== current.description)
    steps.push({
      says: 'description',
      keyPath: `${keyPath}.description`,
      apply: () => quay.repositories.setDescription(organization, spec.name, spec.description ?? ''),
    });
  steps.push(...(await readContents()));
  return { ref, keyPath, kind: 'change', steps };
}

function declares(list: { exclusive: boolean; items: readonly unknown[] }): boolean {
  return list.exclusive || list.items.length > 0;
}

function permissionSteps(
  quay: QuayClient,
  organization: string,
  spec: RepositorySpec,
  current: Map<string, RepositoryRole>,
  listPath: string,
): Step[] {
  const steps: Step[] = [];
  const declared = new Set<string>();
  spec.permissions.items.forEach((p, index) => {
    const holder = holderOf(p);
    const key = holderKey(holder);
    declared.add(key);
    const role = current.get(key);
    if (role === p.role) return;
    steps.push({
      says: `${holderWords(holder)}: ${role ?? 'none'} → ${p.role}`,
      keyPath: declaredItemPath(listPath, spec.permissions, index),
      apply: () => quay.repositories.setPermission(organization, spec.name, holder, p.role),
    });
  });
  if (spec.permissions.exclusive) {
    for (const [key, role] of current) {
      if (declared.has(key)) continue;
      const holder = holderFromKey(key);
      steps.push({
        says: `${holderWords(holder)}: ${role} → none`,
        keyPath: `${listPath}.exclusive`,
        apply: () => quay.repositories.deletePermission(organization, spec.name, holder),
      });
    }
  }
  return steps;
}

function notificationSteps(
  quay: QuayClient,
  organization: string,
  spec: RepositorySpec,
  current: readonly RepositoryNotification[],
  listPath: string,
): Step[] {
  const wanted = spec.notifications.items.map(wantedNotification);
  const pathOf = (n: NewNotification): string => {
    const index = wanted.indexOf(n);
    return declaredItemPath(listPath, spec.notifications, index);
  };
  const diff = diffNotifications(current, wanted, { exclusive: spec.notifications.exclusive });
  const steps: Step[] = [];
  for (const n of diff.create)
    steps.push({
      says: `+ notification ${notificationIdentity(n)}`,
      keyPath: pathOf(n),
      apply: async () => {
        await quay.notifications.create(organization, spec.name, n);
      },
    });
  for (const { current: old, wanted: n } of diff.replace)
    steps.push({
      says: `notification ${notificationIdentity(n)}: replace (Quay cannot edit one)`,
      keyPath: pathOf(n),
      apply: async () => {
        await quay.notifications.delete(organization, spec.name, old.uuid);
        await quay.notifications.create(organization, spec.name, n);
      },
    });
  for (const n of diff.remove)
    steps.push({
      says: `− notification ${notificationIdentity(n)}`,
      keyPath: `${listPath}.exclusive`,
      apply: () => quay.notifications.delete(organization, spec.name, n.uuid),
    });
  return steps;
}
