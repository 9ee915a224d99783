/**
 * The mirror's own push trigger: a `repo_push` webhook notification pointing at the quay-mirror
 * EventListener on every source repository the mirror selects (discovered ones included), so a push
 * starts the mirror of just that repository and tag (tekton/README.md "Trigger"). The notifications
 * this mirror owns are those with its title; with `exclusive`, they are removed from the other
 * repositories of the organizations the mirror selects repositories in. The token is a secret: it sits
 * in the URL Quay stores and returns, so it is never put in a report or log line (the redactor masks it
 * besides).
 */

import { mapPool } from '../../concurrency/work-pool.js';
import type { MirrorReposConfig } from '../../config/sections/mirror-repos.js';
import type { NewNotification, RepositoryNotification } from '../../quay/api/notifications.js';
import type { QuayClient } from '../../quay/client.js';
import { diffNotifications, webhookUrl } from '../../quay/notification-diff.js';
import { recordItemFailure } from '../../report/item-failure.js';
import type { Logger } from '../../report/logger.js';
import type { Report } from '../../report/report.js';
import type { Endpoint } from '../sides/endpoint.js';
import { type MirrorSide, pathOn } from '../sides/roles.js';

export type PushTriggerConfig = NonNullable<MirrorReposConfig['pushTrigger']>;

export interface PushTriggerContext {
  api: QuayClient;
  trigger: PushTriggerConfig;
  log: Logger;
  report: Report;
  dryRun: boolean;
  /** Calls in flight at once. */
  width: number;
}

function split(path: string): { namespace: string; name: string } {
  const slash = path.indexOf('/');
  return { namespace: path.slice(0, slash), name: path.slice(slash + 1) };
}

/** Makes the notification exist exactly once on each selected source repository (paths as on the source). */
export async function ensurePushTrigger(
  context: PushTriggerContext,
  selected: readonly string[],
): Promise<void> {
  const { api, trigger, log, report, dryRun } = context;
  const wanted: NewNotification = {
    event: 'repo_push',
    method: 'webhook',
    title: trigger.title,
    config: { url: webhookUrl(trigger.url, trigger.token.reveal()) },
    eventConfig: {},
  };
  const owned = (n: RepositoryNotification) =>
    n.event === 'repo_push' && n.method === 'webhook' && n.title === trigger.title;
  const counts = { created: 0, replaced: 0, removed: 0, unchanged: 0, failed: 0 };

  await mapPool([...selected].sort(), context.width, async (path) => {
    const ref = `push-trigger/${path}`;
    const { namespace, name } = split(path);
    try {
      const current = await api.notifications.list(namespace, name);
      const diff = diffNotifications(current, [wanted], { exclusive: true, owned });
      if (diff.create.length + diff.replace.length + diff.remove.length === 0) {
        counts.unchanged++;
        report.add({ ref, action: 'unchanged' });
        return;
      }
      const says = [
        ...(diff.create.length > 0 ? ['create'] : []),
        ...(diff.replace.length > 0 ? ['replace (another URL or token)'] : []),
        ...(diff.remove.length > 0 ? [`remove ${diff.remove.length} duplicate(s)`] : []),
      ].join('; ');
      if (dryRun) {
        report.add({ ref, action: 'planned', detail: says });
        log.info(`${ref}: would ${says}`);
        return;
      }
      for (const { current: old } of diff.replace) await api.notifications.delete(namespace, name, old.uuid);
      for (const old of diff.remove) await api.notifications.delete(namespace, name, old.uuid);
      if (diff.create.length + diff.replace.length > 0)
        await api.notifications.create(namespace, name, wanted);
      if (diff.create.length > 0) counts.created++;
      else counts.replaced++;
      report.add({ ref, action: diff.create.length > 0 ? 'created' : 'updated', detail: says });
      log.info(`${ref}: ${says}`);
    } catch (error) {
      counts.failed++;
      recordItemFailure(context, ref, error);
    }
  });

  if (trigger.exclusive) counts.removed = await removeFromUnselected(context, selected, owned);
  log.info(
    `push trigger: ${selected.length} repositories: ${counts.created} created, ${counts.replaced} replaced, ` +
      `${counts.unchanged} unchanged, ${counts.failed} failed; ${counts.removed} removed from repositories no longer selected`,
  );
}

/** Every repository of the selected repositories' organizations that is not selected loses the notification. */
async function removeFromUnselected(
  context: PushTriggerContext,
  selected: readonly string[],
  owned: (n: RepositoryNotification) => boolean,
): Promise<number> {
  const { api, log, report, dryRun } = context;
  const chosen = new Set(selected);
  const organizations = [...new Set(selected.map((path) => split(path).namespace))].sort();
  let removed = 0;
  const listed = await mapPool(organizations, context.width, async (organization) => {
    try {
      return (await api.listRepositories(organization)).map((r) => `${r.namespace}/${r.name}`);
    } catch (error) {
      recordItemFailure(context, `push-trigger/${organization}`, error);
      return [];
    }
  });
  const others = listed.flat().filter((path) => !chosen.has(path));
  await mapPool(others, context.width, async (path) => {
    const ref = `push-trigger/${path}`;
    const { namespace, name } = split(path);
    try {
      const stale = (await api.notifications.list(namespace, name)).filter(owned);
      if (stale.length === 0) return;
      if (dryRun) {
        report.add({ ref, action: 'planned', detail: 'remove: no longer selected' });
        log.info(`${ref}: would remove: no longer selected`);
        return;
      }
      for (const n of stale) await api.notifications.delete(namespace, name, n.uuid);
      removed++;
      report.add({ ref, action: 'deleted', detail: 'no longer selected' });
      log.info(`${ref}: removed: no longer selected`);
    } catch (error) {
      recordItemFailure(context, ref, error);
    }
  });
  return removed;
}

/**
 * When a run keeps the push trigger: a full run (nothing narrowed by --repository, --tags or --shard:
 * only it sees the whole selection, which exclusive removal needs) with `pushTrigger` configured. The
 * quay-mirror Pipeline's plan task is such a run; its sharded mirror runs and the triggered runs are not.
 */
export function keepsPushTrigger(
  trigger: PushTriggerConfig | undefined,
  restriction: { repositories?: readonly string[]; tags?: readonly string[]; shard?: unknown },
): trigger is PushTriggerConfig {
  return (
    trigger !== undefined &&
    restriction.repositories === undefined &&
    restriction.tags === undefined &&
    restriction.shard === undefined
  );
}

/** The push-trigger step of a run, given its source side and the logical paths it selected. */
export async function pushTriggerStep(
  run: { log: Logger; report: Report; dryRun: boolean },
  source: { side: MirrorSide; endpoint: Endpoint },
  trigger: PushTriggerConfig,
  logicalPaths: readonly string[],
  width: number,
): Promise<void> {
  const api = source.endpoint.api;
  if (!api) throw new Error(`mirror-repos.pushTrigger: the source ${source.endpoint.name} has no API token`);
  await run.log.group('push trigger', () =>
    ensurePushTrigger(
      { api, trigger, log: run.log, report: run.report, dryRun: run.dryRun, width },
      logicalPaths.map((path) => pathOn(source.side, path)),
    ),
  );
}
