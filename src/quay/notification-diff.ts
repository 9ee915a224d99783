import { isDeepStrictEqual } from 'node:util';
import type { NewNotification, RepositoryNotification } from './api/notifications.js';

/** What identifies a notification: Quay has no name for one, so its event, method and title. */
export function notificationIdentity(n: { event: string; method: string; title: string }): string {
  return `${n.event} ${n.method} "${n.title}"`;
}

export interface NotificationDiff {
  create: NewNotification[];
  /** Same identity, other config or event config: Quay has no update, so delete and create again. */
  replace: { current: RepositoryNotification; wanted: NewNotification }[];
  /** Present and not wanted (only when the caller asked for exclusive). */
  remove: RepositoryNotification[];
  unchanged: RepositoryNotification[];
}

/**
 * Wanted notifications of one repository against Quay's list. With `exclusive`, those `owned` (default:
 * all) that are not wanted are removed; a duplicate of a wanted one is removed too.
 */
export function diffNotifications(
  current: readonly RepositoryNotification[],
  wanted: readonly NewNotification[],
  options: { exclusive: boolean; owned?: (n: RepositoryNotification) => boolean },
): NotificationDiff {
  const diff: NotificationDiff = { create: [], replace: [], remove: [], unchanged: [] };
  const byIdentity = new Map<string, RepositoryNotification[]>();
  for (const n of current) {
    const id = notificationIdentity(n);
    byIdentity.set(id, [...(byIdentity.get(id) ?? []), n]);
  }
  const wantedIds = new Set<string>();
  for (const w of wanted) {
    const id = notificationIdentity(w);
    wantedIds.add(id);
    const [first, ...duplicates] = byIdentity.get(id) ?? [];
    if (!first) diff.create.push(w);
    else if (isDeepStrictEqual(first.config, w.config) && isDeepStrictEqual(first.eventConfig, w.eventConfig))
      diff.unchanged.push(first);
    else diff.replace.push({ current: first, wanted: w });
    if (options.exclusive) diff.remove.push(...duplicates);
  }
  if (options.exclusive) {
    const owned = options.owned ?? (() => true);
    for (const n of current) if (!wantedIds.has(notificationIdentity(n)) && owned(n)) diff.remove.push(n);
  }
  return diff;
}

/** A webhook URL with the shared token as `?token=` (what the quay-tasks EventListener's filter reads). */
export function webhookUrl(url: string, token: string | undefined): string {
  if (token === undefined) return url;
  const u = new URL(url);
  u.searchParams.set('token', token);
  return u.toString();
}
